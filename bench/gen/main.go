// Command gen writes the benchmark inputs: gen -rows N [-csv FILE] [-xlsx FILE] [-json FILE]
// [-licenses-first] [-wrong N] [-ghosts N] [-users N].
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/torii-convert/torii-convert/bench/exports"
)

func main() {
	rows := flag.Int("rows", 1000000, "rows to generate")
	csvPath := flag.String("csv", "", "write a CSV export here")
	xlsxPath := flag.String("xlsx", "", "write an XLSX export here")
	jsonPath := flag.String("json", "", "write a customIntegrationData file of -rows users here")
	var shape exports.Shape
	flag.BoolVar(&shape.LicensesFirst, "licenses-first", false, "-json: write the licenses before the users")
	flag.IntVar(&shape.Wrong, "wrong", 100, "-json: one user in N is wrong (0: none)")
	flag.IntVar(&shape.Ghosts, "ghosts", 0, "-json: N license holders are not users")
	users := flag.Int("users", 0, "-csv: the rows belong to N users, at random (0: about 5% of rows repeat an earlier user)")
	flag.Parse()
	if err := generate(*rows, *users, *csvPath, *xlsxPath, *jsonPath, shape); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func generate(rows, users int, csvPath, xlsxPath, jsonPath string, shape exports.Shape) error {
	if err := write(jsonPath, func(w io.Writer) error { return exports.FileOf(w, rows, shape) }); err != nil {
		return err
	}
	if err := write(csvPath, func(w io.Writer) error { return exports.CSVOf(w, rows, users) }); err != nil {
		return err
	}
	if xlsxPath != "" {
		return exports.XLSX(xlsxPath, rows)
	}
	return nil
}

// write makes a file with what fill writes, when a path is given.
func write(path string, fill func(io.Writer) error) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := fill(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
