package main

import (
	"io"
	"sort"
	"time"

	"github.com/torii-convert/torii-convert/schema"
)

// checkFile checks a customIntegrationData file in full, keeping at most max problems
// (0: all), sorted by position.
func checkFile(r io.Reader, path string, today time.Time, max int) (*result, error) {
	res := &result{File: path, Kind: "customIntegrationData"}
	var problems []schema.Problem
	st, err := schema.Contract().CheckFile(r, today, func(p schema.Problem) {
		if p.Severity == schema.Error {
			res.Errors++
		} else {
			res.Warnings++
		}
		if max == 0 || len(problems) < max {
			problems = append(problems, p)
		}
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(problems, func(i, j int) bool {
		a, b := problems[i], problems[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	res.Users, res.Licenses = st.Users, st.Licenses
	res.MoreProblems = res.Errors + res.Warnings - len(problems)
	for _, p := range problems {
		res.Problems = append(res.Problems, schemaFinding(path, p))
	}
	res.finish()
	return res, nil
}
