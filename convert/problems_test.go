package convert

import (
	"testing"

	"github.com/torii-convert/torii-convert/schema"
)

// TestReportKeepsTheFirst: with a cap, the problems kept are the first by position,
// whatever order they were found in, and all of them are counted.
func TestReportKeepsTheFirst(t *testing.T) {
	for _, tc := range []struct {
		max  int
		want []int
	}{
		{1, []int{1}},
		{2, []int{1, 3}},
		{3, []int{1, 3, 3}},
		{0, []int{1, 3, 3, 5, 9}},
	} {
		c := &conversion{opts: Options{MaxProblems: tc.max}, res: &Result{}}
		for _, line := range []int{5, 3, 9, 1, 3} {
			c.report(schema.Error, "email", Pos{File: "x.csv", Line: line}, "bad")
		}
		var got []int
		for _, p := range c.res.Problems {
			got = append(got, p.Pos.Line)
		}
		if c.res.Errors != 5 || len(got) != len(tc.want) {
			t.Errorf("max %d: %d errors, kept lines %v, want 5 and %v", tc.max, c.res.Errors, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("max %d: kept lines %v, want %v", tc.max, got, tc.want)
				break
			}
		}
	}
}
