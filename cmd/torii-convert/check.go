package main

import (
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/torii-convert/torii-convert/schema"
)

// fileReport is what checking one customIntegrationData file found.
type fileReport struct {
	Path             string
	Stats            schema.Stats
	Problems         []schema.Problem // sorted by position; at most the cap
	Errors, Warnings int              // all of them, kept or not
}

// checkFile checks a file in full, keeping at most max problems (0: all).
func checkFile(r io.Reader, path string, today time.Time, max int) (*fileReport, error) {
	rep := &fileReport{Path: path}
	st, err := schema.Contract().CheckFile(r, today, func(p schema.Problem) {
		if p.Severity == schema.Error {
			rep.Errors++
		} else {
			rep.Warnings++
		}
		if max == 0 || len(rep.Problems) < max {
			rep.Problems = append(rep.Problems, p)
		}
	})
	rep.Stats = st
	sort.SliceStable(rep.Problems, func(i, j int) bool {
		a, b := rep.Problems[i], rep.Problems[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	return rep, err
}

// lines renders the problems the way compilers do:
// data/figma.json:118:16: users[41].email: "bob@" is not an email address
func (r *fileReport) lines() []string {
	var out []string
	for _, p := range r.Problems {
		sev := ""
		if p.Severity == schema.Warning {
			sev = "warning: "
		}
		at := ""
		if len(p.Path) > 0 {
			at = p.Path.String() + ": "
		}
		out = append(out, fmt.Sprintf("%s:%d:%d: %s%s%s", r.Path, p.Line, p.Col, sev, at, p.Message))
	}
	if more := r.Errors + r.Warnings - len(r.Problems); more > 0 {
		out = append(out, moreProblems(more))
	}
	return out
}
