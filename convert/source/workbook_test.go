package source

import (
	"archive/zip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sheetXML wraps rows in a worksheet.
func sheetXML(rows string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + rows + `</sheetData></worksheet>`
}

// writeWorkbook writes the smallest workbook the reader opens: one sheet, shared strings
// when given, and any extra parts, each written by its function so that a large part
// is streamed into the zip rather than held.
func writeWorkbook(t testing.TB, dir, sheet, sst string, extra map[string]func(io.Writer) error) string {
	t.Helper()
	path := filepath.Join(dir, "book.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	rels := `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>`
	if sst != "" {
		rels += `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`
	}
	if _, ok := extra["xl/styles.xml"]; ok {
		rels += `<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`
	}
	parts := map[string]func(io.Writer) error{
		"xl/workbook.xml":            part(`<workbook><sheets><sheet name="Staff" sheetId="1" r:id="rId1" xmlns:r="r"/></sheets></workbook>`),
		"xl/_rels/workbook.xml.rels": part(`<Relationships>` + rels + `</Relationships>`),
		"xl/worksheets/sheet1.xml":   part(sheet),
	}
	if sst != "" {
		parts["xl/sharedStrings.xml"] = part(sst)
	}
	for name, fn := range extra {
		parts[name] = fn
	}
	for name, fn := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := fn(w); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func part(s string) func(io.Writer) error {
	return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
}

// TestWorkbookNotUTF8: a byte that is not UTF-8 in a shared, inline or plain string is an
// error naming the cell and the byte, as the CSV reader names the line; never U+FFFD.
func TestWorkbookNotUTF8(t *testing.T) {
	sst := `<sst><si><t>Email</t></si><si><r><t>Jos</t></r><r><t>` + "\xe9" + `</t></r></si></sst>`
	for _, tc := range []struct{ name, sheet, sst, want string }{
		{"shared", sheetXML(`<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="B2" t="s"><v>1</v></c></row>`), sst,
			`book.xlsx:Staff!B2: the cell's text is not UTF-8 (byte 0xe9 at byte 3 of the text)`},
		{"inline", sheetXML(`<row r="3"><c r="C3" t="inlineStr"><is><t>ab` + "\xff" + `</t></is></c></row>`), "",
			`book.xlsx:Staff!C3: the cell's text is not UTF-8 (byte 0xff at byte 2 of the text)`},
		{"formula", sheetXML(`<row r="4"><c r="D4" t="str"><f>X</f><v>` + "\xc3" + `</v></c></row>`), "",
			`book.xlsx:Staff!D4: the cell's text is not UTF-8 (byte 0xc3 at byte 0 of the text)`},
	} {
		dir := t.TempDir()
		path := writeWorkbook(t, dir, tc.sheet, tc.sst, nil)
		err := readAllErr(path, Options{})
		var e *Error
		if !errors.As(err, &e) || e.Kind != Data || strings.ReplaceAll(e.Msg, dir+string(filepath.Separator), "") != tc.want {
			t.Errorf("%s: got %v, want %s", tc.name, err, tc.want)
		}
	}
}

// TestCellTwice: a row with the same cell twice, or its cells out of order, is an error
// naming the cell, never one value silently kept for the other.
func TestCellTwice(t *testing.T) {
	for _, tc := range []struct{ name, row, want string }{
		{"twice", `<row r="2"><c r="A2" t="inlineStr"><is><t>a@x.io</t></is></c><c r="A2" t="inlineStr"><is><t>b@x.io</t></is></c></row>`,
			`book.xlsx:Staff!A2: a cell of column A after one of column A in the same row`},
		{"twice, the quick way", `<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c><c r="B2"><v>3</v></c></row>`,
			`book.xlsx:Staff!B2: a cell of column B after one of column B in the same row`},
		{"out of order", `<row r="2"><c r="C2"><v>1</v></c><c r="B2" s="0"><v>2</v></c></row>`,
			`book.xlsx:Staff!B2: a cell of column B after one of column C in the same row`},
	} {
		dir := t.TempDir()
		path := writeWorkbook(t, dir, sheetXML(`<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c></row>`+tc.row), "", nil)
		err := readAllErr(path, Options{})
		var e *Error
		if !errors.As(err, &e) || e.Kind != Data || !strings.Contains(strings.ReplaceAll(e.Msg, dir+string(filepath.Separator), ""), tc.want) {
			t.Errorf("%s: got %v, want %s", tc.name, err, tc.want)
		}
	}
	// Cells in order, with and without references, still read.
	dir := t.TempDir()
	path := writeWorkbook(t, dir, sheetXML(`<row r="1"><c r="A1"><v>1</v></c><c><v>2</v></c><c r="D1"><v>4</v></c></row>`), "", nil)
	if err := readAllErr(path, Options{}); err != nil {
		t.Fatal(err)
	}
}

// TestColumnStyle: gnumeric writes the date format of a large sheet's column on <col>
// alone; its cells without a style of their own are dates, the others keep theirs.
func TestColumnStyle(t *testing.T) {
	styles := `<styleSheet><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>`
	sheet := `<?xml version="1.0"?><worksheet><cols><col min="2" max="3" width="10" style="1"/></cols><sheetData>` +
		`<row r="1"><c r="A1"><v>46327</v></c><c r="B1"><v>46327</v></c><c r="C1" s="0"><v>46327</v></c><c r="D1"><v>46327</v></c></row>` +
		`<row r="2"><c r="B2"><v>46327.5</v></c><c r="C2" t="inlineStr"><is><t>Never</t></is></c></row></sheetData></worksheet>`
	path := writeWorkbook(t, t.TempDir(), sheet, "", map[string]func(io.Writer) error{"xl/styles.xml": part(styles)})
	got, _ := readAll(t, path, Options{})
	want := [][]string{{"46327", "2026-11-01", "46327", "46327"}, {"", "2026-11-01T12:00:00", "Never"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestColumnStylesBounded: each <col> sets the style of up to 16,384 columns, so a sheet
// of millions of them (a few MB zipped) would take hours; a sheet has at most one <col>
// a column, and past that it is refused.
func TestColumnStylesBounded(t *testing.T) {
	rows := `<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c></row></sheetData></worksheet>`
	for _, n := range []int{maxCols, maxCols + 1} {
		sheet := `<worksheet><cols>` + strings.Repeat(`<col min="1" max="16384" style="1"/>`, n) + `</cols>` + rows
		path := writeWorkbook(t, t.TempDir(), sheet, "", nil)
		err := readAllErr(path, Options{})
		want := `book.xlsx: sheet "Staff" describes more than 16,384 columns (<col>)`
		if n == maxCols && err != nil || n > maxCols && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("%d <col>: got %v", n, err)
		}
	}
}

// TestChartSheetIsNotATable: a chart sheet (a tab holding only a chart) comes in the
// workbook's list of sheets like the others; it is never the first one read, and naming
// it says what it is, not that the sheet "ends in the middle".
func TestChartSheetIsNotATable(t *testing.T) {
	sheet := sheetXML(`<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c></row>`)
	rels := `<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
		`<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet" Target="chartsheets/sheet1.xml"/></Relationships>`
	path := writeWorkbook(t, t.TempDir(), sheet, "", map[string]func(io.Writer) error{
		"xl/workbook.xml":            part(`<workbook><sheets><sheet name="Chart1" sheetId="2" r:id="rId9" xmlns:r="r"/><sheet name="Staff" sheetId="1" r:id="rId1" xmlns:r="r"/></sheets></workbook>`),
		"xl/_rels/workbook.xml.rels": part(rels),
		"xl/chartsheets/sheet1.xml":  part(`<chartsheet><sheetViews><sheetView workbookViewId="0"/></sheetViews><drawing r:id="rId1" xmlns:r="r"/></chartsheet>`),
	})
	if got, _ := readAll(t, path, Options{}); !reflect.DeepEqual(got, [][]string{{"Email"}}) {
		t.Errorf("the first sheet with a table: got %q", got)
	}
	_, err := Open(path, Options{Sheet: "chart1"})
	var e *Error
	if !errors.As(err, &e) || e.Kind != Usage || !strings.HasSuffix(e.Msg, `sheet "Chart1" is a chart, not a table`) || !strings.Contains(e.Hint, `1 "Chart1" (chart), 2 "Staff"`) {
		t.Errorf("--sheet Chart1: got %v (%+v)", err, e)
	}
}

// TestReadColumns: told which columns are read, a workbook formats only their numbers;
// the others keep their stored text (a date its serial number), so a row is still blank
// or not as before. Every cell's text, shared or not, comes back whole.
func TestReadColumns(t *testing.T) {
	styles := `<styleSheet><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="22"/></cellXfs></styleSheet>`
	sst := `<sst><si><t>shared &amp; kept</t></si></sst>`
	sheet := sheetXML(`<row r="1"><c r="A1" s="1"><v>46327.5</v></c><c r="B1" s="1"><v>46327.5</v></c>` +
		`<c r="C1" t="s"><v>0</v></c><c r="D1" t="inlineStr"><is><t>in&#233;</t></is></c><c r="E1"><v>1.5E+4</v></c><c r="F1"><v>1.5E+4</v></c></row>` +
		`<row r="2"><c r="B2" t="b"><v>1</v></c><c r="G2" s="1"><v>2</v></c></row>`)
	path := writeWorkbook(t, t.TempDir(), sheet, sst, map[string]func(io.Writer) error{"xl/styles.xml": part(styles)})
	src, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	src.(Columns).ReadColumns([]bool{true, false, true, false, true, false})
	var got [][]string
	for {
		r, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, append([]string(nil), r.Cells...))
	}
	want := [][]string{
		{"2026-11-01T12:00:00", "46327.5", "shared & kept", "iné", "15000", "1.5E+4"},
		{"", "TRUE", "", "", "", "", "2"}, // G is past the columns given: not read
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
