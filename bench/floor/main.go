// Command floor does the least work a converter must do to read an export, for
// bench/compare.sh to measure torii-convert against:
//
//	floor -xlsx FILE   inflate the first sheet and the shared strings of a workbook to io.Discard
//	floor -csv FILE    read every record with encoding/csv (ReuseRecord), keeping nothing
//
// It prints what it read to stderr, so a run that read nothing shows.
package main

import (
	"archive/zip"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	xlsx := flag.String("xlsx", "", "a workbook to inflate")
	csvPath := flag.String("csv", "", "a CSV file to read")
	flag.Parse()
	var err error
	switch {
	case *xlsx != "":
		err = inflate(*xlsx)
	case *csvPath != "":
		err = readCSV(*csvPath)
	default:
		err = errors.New("give -xlsx FILE or -csv FILE")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

// inflate copies the first worksheet and the shared strings to io.Discard: what any
// reader of the workbook must at least do.
func inflate(path string) error {
	z, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer z.Close()
	var sheet, strs *zip.File
	for _, f := range z.File {
		switch {
		case f.Name == "xl/sharedStrings.xml":
			strs = f
		case strings.HasPrefix(f.Name, "xl/worksheets/") && strings.HasSuffix(f.Name, ".xml") && (sheet == nil || f.Name < sheet.Name):
			sheet = f
		}
	}
	if sheet == nil {
		return fmt.Errorf("%s: no worksheet", path)
	}
	var total int64
	for _, f := range []*zip.File{sheet, strs} {
		if f == nil {
			continue
		}
		r, err := f.Open()
		if err != nil {
			return err
		}
		n, err := io.Copy(io.Discard, r)
		r.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		total += n
	}
	fmt.Fprintf(os.Stderr, "floor: %s: %d bytes inflated\n", path, total)
	return nil
}

// readCSV reads every record of a CSV file with encoding/csv, keeping nothing.
func readCSV(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	r.FieldsPerRecord = -1
	rows := 0
	for {
		_, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		rows++
	}
	fmt.Fprintf(os.Stderr, "floor: %s: %d records\n", path, rows)
	return nil
}
