package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/torii-convert/torii-convert/convert"
)

// printDetails is what --verbose adds after a conversion: how the export was read, and
// how long each step took.
//
//	members.csv: read as CSV, UTF-8, delimiter ",", header on line 1, template figma
//	members.csv: 1.21s to read, map and merge rows; 310ms to write and check the file; 2ms to write the output
func printDetails(w io.Writer, name string, res *convert.Result, output time.Duration) {
	s := res.Source
	var how []string
	switch s.Format {
	case convert.FormatCSV:
		how = append(how, "CSV", s.Encoding, fmt.Sprintf("delimiter %s", delimiterName(s.Delimiter)), fmt.Sprintf("header on line %d", s.HeaderLine))
	case convert.FormatXLSX:
		how = append(how, "XLSX", fmt.Sprintf("sheet %q", s.Sheet), fmt.Sprintf("header on row %d", s.HeaderLine))
	}
	if s.Template != "" {
		how = append(how, "template "+s.Template)
	}
	fmt.Fprintf(w, "%s: read as %s\n", name, strings.Join(how, ", "))
	var took []string
	for _, p := range res.Phases {
		took = append(took, fmt.Sprintf("%s to %s", roundDuration(p.Took), p.Name))
	}
	took = append(took, fmt.Sprintf("%s to write the output", roundDuration(output)))
	fmt.Fprintf(w, "%s: %s\n", name, strings.Join(took, "; "))
}

func delimiterName(r rune) string {
	if r == '\t' {
		return "tab"
	}
	return fmt.Sprintf("%q", string(r))
}

// roundDuration keeps three significant digits: 1.21s, 310ms, 297µs.
func roundDuration(d time.Duration) time.Duration {
	unit := time.Duration(1)
	for d/unit >= 1000 {
		unit *= 10
	}
	return d.Round(unit)
}
