// Command gen writes the benchmark inputs: gen -rows N [-csv FILE] [-xlsx FILE] [-json FILE].
package main

import (
	"flag"
	"fmt"
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
	if jsonPath != "" {
		f, err := os.Create(jsonPath)
		if err != nil {
			return err
		}
		if err := exports.File(f, rows); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	if csvPath != "" {
		f, err := os.Create(csvPath)
		if err != nil {
			return err
		}
		if err := exports.CSV(f, rows); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	if xlsxPath != "" {
		return exports.XLSX(xlsxPath, rows)
	}
	return nil
}
