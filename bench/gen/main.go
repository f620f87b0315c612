// Command gen writes the benchmark inputs: gen -rows N [-csv FILE] [-xlsx FILE] [-json FILE].
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
	flag.Parse()
	if err := generate(*rows, *csvPath, *xlsxPath, *jsonPath); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func generate(rows int, csvPath, xlsxPath, jsonPath string) error {
	if err := write(jsonPath, func(w io.Writer) error { return exports.File(w, rows) }); err != nil {
		return err
	}
	if err := write(csvPath, func(w io.Writer) error { return exports.CSV(w, rows) }); err != nil {
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
