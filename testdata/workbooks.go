//go:build ignore

// Command workbooks writes the XLSX inputs of the golden cases with excelize, and the
// broken workbooks of the malformed cases from them:
//
//	go run testdata/workbooks.go
//
// The workbooks are committed; tests read them, never make them.
package main

import (
	"archive/zip"
	"bytes"
	"hash/crc32"
	"io"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/xuri/excelize/v2"
)

func main() {
	figma("testdata/golden/figma-xlsx/members.xlsx", false)
	figma("testdata/golden/figma-xlsx-1904/members.xlsx", true)
	// Broken workbooks: each made by hand from a valid one.
	tamper("testdata/golden/figma-xlsx/members.xlsx", "testdata/golden/malformed-zip-bomb/members.xlsx", func(name string, data []byte) ([]byte, uint64) {
		if name == "xl/worksheets/sheet2.xml" {
			return data, 20 << 30 // a header that claims 20 GB once unzipped
		}
		return data, 0
	})
	tamper("testdata/golden/figma-xlsx/members.xlsx", "testdata/golden/malformed-10m-rows/members.xlsx", func(name string, data []byte) ([]byte, uint64) {
		if name == "xl/worksheets/sheet2.xml" {
			return bytes.Replace(data, []byte(`<row r="5"`), []byte(`<row r="10000000"`), 1), 0
		}
		return data, 0
	})
	tamper("testdata/golden/figma-xlsx/members.xlsx", "testdata/golden/malformed-truncated-sheet/members.xlsx", func(name string, data []byte) ([]byte, uint64) {
		if name == "xl/worksheets/sheet2.xml" {
			return data[:bytes.Index(data, []byte(`<row r="4"`))], 0
		}
		return data, 0
	})
	tamper("testdata/golden/figma-xlsx/members.xlsx", "testdata/golden/malformed-shared-string/members.xlsx", func(name string, data []byte) ([]byte, uint64) {
		if name == "xl/worksheets/sheet2.xml" {
			i := bytes.Index(data, []byte(`<c r="C3"`))
			j := i + bytes.Index(data[i:], []byte(`<v>`))
			k := j + bytes.Index(data[j:], []byte(`</v>`))
			return append(append(append([]byte{}, data[:j]...), "<v>9999"...), data[k:]...), 0
		}
		return data, 0
	})
}

// tamper copies a workbook, changing parts; a size other than 0 is written into the
// part's header as its unzipped size, whatever the part holds.
func tamper(from, to string, change func(name string, data []byte) ([]byte, uint64)) {
	zr, err := zip.OpenReader(from)
	must(err)
	defer zr.Close()
	must(os.MkdirAll(filepath.Dir(to), 0o755))
	out, err := os.Create(to)
	must(err)
	defer out.Close()
	zw := zip.NewWriter(out)
	for _, f := range zr.File {
		rc, err := f.Open()
		must(err)
		data, err := io.ReadAll(rc)
		must(err)
		rc.Close()
		data, size := change(f.Name, data)
		if size == 0 {
			w, err := zw.Create(f.Name)
			must(err)
			w.Write(data)
			continue
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: f.Name, Method: zip.Store, CRC32: crc32.ChecksumIEEE(data),
			CompressedSize64: uint64(len(data)), UncompressedSize64: size})
		must(err)
		w.Write(data)
	}
	must(zw.Close())
}

// figma writes a Figma members export with real date cells in three number formats, a
// hidden sheet before it, and numbers stored as numbers.
func figma(path string, date1904 bool) {
	f := excelize.NewFile()
	defer f.Close()
	if date1904 {
		must(f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &date1904}))
	}
	must(f.SetSheetName("Sheet1", "Notes"))
	must(f.SetCellValue("Notes", "A1", "Exported from Figma; do not edit"))
	idx, err := f.NewSheet("Members")
	must(err)
	f.SetActiveSheet(idx)
	must(f.SetSheetVisible("Notes", false))
	short, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	stamp, _ := f.NewStyle(&excelize.Style{NumFmt: 22})
	dayFirst := "dd/mm/yyyy"
	european, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dayFirst})
	at := func(y, m, d, h, min int) time.Time { return time.Date(y, time.Month(m), d, h, min, 0, 0, time.UTC) }
	rows := [][]any{
		{"User ID", "Name", "Email", "Role", "Seat type", "Last active", "Last edit", "Dev Mode last active"},
		{100001, "Ada Lovelace", "ada@example.com", "admin", "Full", at(2026, 11, 2, 14, 3), at(2026, 11, 1, 0, 0), nil},
		{100002, "Grace Hopper", "Grace.Hopper@Example.com", "member", "dev", at(2026, 10, 30, 8, 55), nil, at(2026, 11, 3, 0, 0)},
		{100003, "Alan Turing", "alan@example.com", "member", "Collab", "Never", nil, nil},
		{100004, "Katherine Johnson", "katherine@example.com", "guest", "", at(2026, 2, 29-1, 23, 59), nil, nil},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		must(f.SetSheetRow("Members", cell, &r))
	}
	must(f.SetCellStyle("Members", "F2", "F5", stamp))
	must(f.SetCellStyle("Members", "G2", "G5", short))
	must(f.SetCellStyle("Members", "H2", "H5", european))
	must(f.SaveAs(path))
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
