// Package exports generates large, realistic exports for benchmarks: the same data as
// CSV for Miller and as XLSX for in2csv, so every tool is timed on the same input.
package exports

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// Header is the header of the generated exports, a Figma members export.
var Header = []string{"Name", "Email", "Role", "Seat type", "Job title", "Date added", "Last active", "Last edit", "Teams", "User ID"}

var (
	first  = []string{"Ada", "Grace", "Alan", "Katherine", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Frances", "John", "Radia"}
	last   = []string{"Lovelace", "Hopper", "Turing", "Johnson", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Thompson", "Allen", "McCarthy", "Perlman"}
	roles  = []string{"member", "member", "member", "admin", "guest"}
	seats  = []string{"Full", "Full", "Dev", "Collab", "View", ""}
	titles = []string{"Designer", "Engineer", "Product Manager", "Researcher", "Contractor"}
	teams  = []string{"Design", "Platform", "Design, Brand", "Product, Research", ""}
)

// Row returns row i (0-based) of an export of n rows: about 5% of rows repeat the email of
// an earlier row, as exports with one row per seat or product do.
func Row(i int) []string { return RowOf(i, 0) }

// RowOf returns row i of an export whose rows belong to users people, picked at random,
// or is Row when users is 0.
func RowOf(i, users int) []string {
	r := rand.New(rand.NewPCG(uint64(i), 42))
	id := i
	if users > 0 {
		id = r.IntN(users)
	} else if i > 20 && r.IntN(20) == 0 {
		id = r.IntN(i)
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	active := base.Add(time.Duration(r.IntN(300*24*60)) * time.Minute)
	lastActive, lastEdit := active.Format("2006-01-02 15:04"), ""
	if r.IntN(10) == 0 {
		lastActive = "Never"
	} else if r.IntN(2) == 0 {
		lastEdit = active.Add(-time.Duration(r.IntN(72)) * time.Hour).Format("2006-01-02 15:04")
	}
	return []string{
		first[id%len(first)] + " " + last[id/len(first)%len(last)],
		"user" + strconv.Itoa(id) + "@example.com",
		roles[r.IntN(len(roles))],
		seats[r.IntN(len(seats))],
		titles[r.IntN(len(titles))],
		base.AddDate(0, 0, -r.IntN(1500)).Format("2006-01-02"),
		lastActive,
		lastEdit,
		teams[r.IntN(len(teams))],
		strconv.Itoa(100000 + id),
	}
}

// CSV writes an export of n rows as CSV.
func CSV(w io.Writer, n int) error { return CSVOf(w, n, 0) }

// CSVOf writes an export of n rows of users people (RowOf) as CSV.
func CSVOf(w io.Writer, n, users int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	writeCSV(bw, Header)
	for i := 0; i < n; i++ {
		writeCSV(bw, RowOf(i, users))
	}
	return bw.Flush()
}

func writeCSV(w *bufio.Writer, rec []string) {
	for i, v := range rec {
		if i > 0 {
			w.WriteByte(',')
		}
		if needsQuotes(v) {
			w.WriteByte('"')
			w.WriteString(v)
			w.WriteByte('"')
		} else {
			w.WriteString(v)
		}
	}
	w.WriteByte('\n')
}

func needsQuotes(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' || s[i] == '"' || s[i] == '\n' {
			return true
		}
	}
	return false
}

// XLSX writes an export of n rows as a workbook, with the dates as real date cells and
// the strings shared, as spreadsheet applications write them.
func XLSX(path string, n int) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Members"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(len(Header), n+1)
	// Readers such as openpyxl trust the dimension; the stream writer leaves it at A1.
	if err := f.SetSheetDimension(sheet, "A1:"+last); err != nil {
		return err
	}
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		return err
	}
	stamp, err := f.NewStyle(&excelize.Style{NumFmt: 22})
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	head := make([]any, len(Header))
	for i, h := range Header {
		head[i] = h
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	cells := make([]any, len(Header))
	for i := 0; i < n; i++ {
		for c, v := range Row(i) {
			cells[c] = v
			switch c {
			case 5:
				t, _ := time.Parse("2006-01-02", v)
				cells[c] = excelize.Cell{StyleID: date, Value: t}
			case 6, 7:
				if t, err := time.Parse("2006-01-02 15:04", v); err == nil {
					cells[c] = excelize.Cell{StyleID: stamp, Value: t}
				}
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, cells); err != nil {
			return fmt.Errorf("row %d: %w", i+2, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(path)
}
