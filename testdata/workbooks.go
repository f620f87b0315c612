//go:build ignore

// Command workbooks writes the XLSX inputs of the golden cases with excelize:
//
//	go run testdata/workbooks.go
//
// The workbooks are committed; tests read them, never make them.
package main

import (
	"log"
	"time"

	"github.com/xuri/excelize/v2"
)

func main() {
	figma("testdata/golden/figma-xlsx/members.xlsx", false)
	figma("testdata/golden/figma-xlsx-1904/members.xlsx", true)
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
