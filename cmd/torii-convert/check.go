package main

import (
	"io"
	"sort"
	"time"

	"github.com/torii-convert/torii-convert/schema"
)

// checkFile checks a customIntegrationData file in full, keeping the first max problems
// by position (0: all): the rules across records find theirs after the values'.
func checkFile(r io.Reader, path string, today time.Time, max int) (*result, error) {
	res := &result{File: path, Kind: "customIntegrationData"}
	var problems []schema.Problem
	st, err := schema.Contract().CheckFile(r, today, func(p schema.Problem) {
		if p.Severity == schema.Error {
			res.Errors++
		} else {
			res.Warnings++
		}
		at := sort.Search(len(problems), func(i int) bool {
			q := problems[i]
			return p.Line < q.Line || p.Line == q.Line && p.Col < q.Col
		})
		if max > 0 && at >= max {
			return
		}
		if max == 0 || len(problems) < max {
			problems = append(problems, schema.Problem{})
		}
		copy(problems[at+1:], problems[at:])
		problems[at] = p
	})
	if err != nil {
		return nil, err
	}
	res.Users, res.Licenses = st.Users, st.Licenses
	res.MoreProblems = res.Errors + res.Warnings - len(problems)
	for _, p := range problems {
		res.Problems = append(res.Problems, schemaFinding(path, p))
	}
	res.finish()
	return res, nil
}
