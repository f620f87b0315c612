package source

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/xuri/excelize/v2"
)

func readAll(t *testing.T, path string, opts Options) ([][]string, []int) {
	t.Helper()
	src, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var rows [][]string
	var lines []int
	for {
		r, err := src.Next()
		if err == io.EOF {
			return rows, lines
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, append([]string(nil), r.Cells...))
		lines = append(lines, r.Line)
	}
}

// oracleWorkbook writes a workbook with every kind of cell; its date cells are formatted
// as ISO 8601, so that excelize's formatted values are what the reader must return.
func oracleWorkbook(t *testing.T, date1904 bool) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if date1904 {
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &date1904}); err != nil {
			t.Fatal(err)
		}
	}
	iso, isoTime := "yyyy-mm-dd", `yyyy-mm-dd"T"hh:mm:ss`
	day, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &iso})
	stamp, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &isoTime})
	money, _ := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00: shown as 15,000.00
	const sh = "Sheet1"
	set := func(cell string, v any, style int) {
		if err := f.SetCellValue(sh, cell, v); err != nil {
			t.Fatal(err)
		}
		if style != 0 {
			f.SetCellStyle(sh, cell, cell, style)
		}
	}
	set("A1", "Name", 0)
	set("B1", "Amount", 0)
	set("C1", "Day", 0)
	set("D1", "When", 0)
	set("E1", "Flag", 0)
	set("A2", "Ada & <Lovelace>", 0)
	set("B2", 15000, money)
	set("C2", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), day)
	set("D2", time.Date(2026, 11, 2, 14, 3, 0, 0, time.UTC), stamp)
	set("E2", true, 0)
	set("A4", "line\nbreak", 0) // row 3 is left out
	set("B4", 0.1, 0)
	set("C4", time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), day)
	set("E4", false, 0)
	set("G4", "far", 0)
	if err := f.SetCellRichText(sh, "A5", []excelize.RichTextRun{{Text: "Grace "}, {Text: "Hopper", Font: &excelize.Font{Bold: true}}}); err != nil {
		t.Fatal(err)
	}
	set("B5", 1.5e20, 0)
	path := filepath.Join(t.TempDir(), "oracle.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestXLSXAgreesWithExcelize(t *testing.T) {
	for _, date1904 := range []bool{false, true} {
		path := oracleWorkbook(t, date1904)
		got, lines := readAll(t, path, Options{})
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want, err := f.GetRows("Sheet1")
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		var nonEmpty [][]string
		for _, r := range want {
			if len(r) > 0 {
				nonEmpty = append(nonEmpty, r)
			}
		}
		// The reader writes numbers in full where the format would show 15,000.00.
		nonEmpty[1][1] = "15000"
		if !reflect.DeepEqual(got, nonEmpty) {
			t.Errorf("1904: %v\n got %q\nwant %q", date1904, got, nonEmpty)
		}
		if !reflect.DeepEqual(lines, []int{1, 2, 4, 5}) {
			t.Errorf("row numbers %v, want 1 2 4 5", lines)
		}
	}
}

func TestXLSXSheets(t *testing.T) {
	f := excelize.NewFile()
	f.SetCellValue("Sheet1", "A1", "first")
	f.SetSheetName("Sheet1", "Cover")
	idx, _ := f.NewSheet("Members")
	f.SetCellValue("Members", "A1", "members")
	f.SetActiveSheet(idx) // excelize does not hide the active sheet
	if err := f.SetSheetVisible("Cover", false); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "sheets.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	for sheet, want := range map[string]string{"": "members", "members": "members", "Cover": "first", "1": "first", "2": "members"} {
		rows, _ := readAll(t, path, Options{Sheet: sheet})
		if rows[0][0] != want {
			t.Errorf("--sheet %q read %q, want %q", sheet, rows[0][0], want)
		}
	}
	_, err := Open(path, Options{Sheet: "Staff"})
	want := `reading ` + path + `: no sheet "Staff"`
	var e *Error
	if !errors.As(err, &e) || e.Error() != want || e.Kind != Usage || e.Hint != `its sheets: 1 "Cover" (hidden), 2 "Members"` || e.Option != "Sheet" {
		t.Errorf("got %v (%+v)", err, e)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o644)
		return p
	}
	csvNamedXLSX := write("members.xlsx", []byte("Name,Email\nAda,ada@example.com\n"))
	empty := write("empty.xlsx", nil)
	corrupt := write("corrupt.xlsx", []byte("PK\x03\x04 this is not really a zip"))
	ole := write("old.xlsx", append([]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, make([]byte, 512)...))
	zipNamedCSV := write("book.csv", []byte("PK\x03\x04 zip"))
	var notBook strings.Builder
	zw := zip.NewWriter(&notBook)
	w, _ := zw.Create("hello.txt")
	w.Write([]byte("hi"))
	zw.Close()
	plainZip := write("plain.xlsx", []byte(notBook.String()))
	for _, tc := range []struct {
		path, msg, hint string
		kind            Kind
	}{
		{filepath.Join(dir, "missing.csv"), "reading " + filepath.Join(dir, "missing.csv") + ": no such file", "", Read},
		{csvNamedXLSX, "reading " + csvNamedXLSX + ": not an XLSX workbook; it looks like text, perhaps CSV", "if it is CSV, rename it to .csv or read it as CSV", Read},
		{empty, "reading " + empty + ": not an XLSX workbook; it is empty", "if it is CSV, rename it to .csv or read it as CSV", Read},
		{corrupt, "reading " + corrupt + ": not a readable XLSX workbook (the zip structure is broken)", "the file may be damaged or incomplete; export it again", Read},
		{ole, "reading " + ole + ": not an XLSX workbook; it is an old binary Excel (.xls) file or a password-protected workbook", "open it in Excel or LibreOffice, remove any password, and save it as .xlsx", Read},
		{zipNamedCSV, "reading " + zipNamedCSV + ": not a CSV file; it is a binary file, perhaps a workbook", "if it is an XLSX workbook, rename it to .xlsx or read it as XLSX", Read},
		{plainZip, "reading " + plainZip + ": it is a zip archive but not a workbook (no xl/workbook.xml)", "the workbook may be damaged; open it in a spreadsheet application and save it again", Read},
		{filepath.Join(dir, "old.xls"), "reading " + filepath.Join(dir, "old.xls") + ": old binary Excel (.xls) workbooks are not supported", "open it in Excel or LibreOffice and save it as .xlsx (or export the sheet as CSV)", Read},
	} {
		_, err := Open(tc.path, Options{})
		var e *Error
		if !errors.As(err, &e) || e.Error() != tc.msg || e.Hint != tc.hint || e.Kind != tc.kind {
			t.Errorf("%s:\n got %v (hint %q)\nwant %s (hint %q)", filepath.Base(tc.path), err, hintOf(e), tc.msg, tc.hint)
		}
	}
}

func hintOf(e *Error) string {
	if e == nil {
		return ""
	}
	return e.Hint
}

// TestManySheetsListedBriefly: a wrong --sheet lists the sheets, but a workbook of
// thousands of them gets the first few and a count, not a message of megabytes.
func TestManySheetsListedBriefly(t *testing.T) {
	sheets := make([]Sheet, 100000)
	for i := range sheets {
		sheets[i].Name = fmt.Sprintf("S%d", i+1)
	}
	_, err := pickSheet("book.xlsx", sheets, "Staff")
	var e *Error
	want := `its sheets: 1 "S1", 2 "S2", 3 "S3", 4 "S4", 5 "S5", 6 "S6", 7 "S7", 8 "S8", 9 "S9", 10 "S10", and 99,990 more`
	if !errors.As(err, &e) || e.Hint != want {
		t.Errorf("got %.300v", e.Hint)
	}
}

// TestSharedStringChunks: strings are found across the chunks of the table's text, the
// empty ones included, and none straddles two chunks.
func TestSharedStringChunks(t *testing.T) {
	var st sharedStrings
	var want []string
	for i := 0; i < 40; i++ {
		s := strings.Repeat(string(rune('a'+i%26)), (i*997_001)%(MaxRowBytes+1))
		if i%7 == 0 {
			s = ""
		}
		st.add([]byte(s))
		want = append(want, s)
	}
	st.done()
	if len(st.chunks) < 2 {
		t.Fatalf("%d chunks", len(st.chunks))
	}
	for i, w := range want {
		if got, ok := st.get(i); !ok || got != w {
			t.Errorf("string %d: %d bytes, want %d", i, len(got), len(w))
		}
	}
	if _, ok := st.get(len(want)); ok {
		t.Errorf("string %d found", len(want))
	}
}

// FuzzSharedStrings reads any bytes as a table of shared strings, whole and byte by
// byte, and wants the same strings and error: byte by byte the buffer never holds a
// whole string, so that quickString is held to the tags read one by one.
func FuzzSharedStrings(f *testing.F) {
	for _, s := range []string{
		`<sst><si><t>a</t></si><si><t xml:space="preserve"> b </t></si><si><r><t>c</t></r><r><t>d</t></r></si><si/></sst>`,
		`<sst><si><t>_x0041_&amp;` + "\xc3\xa9\r\n" + `</t><rPh><t>x</t></rPh></si><si><t>e</t></si></sst>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		whole, oneByOne := tableOf(bytes.NewReader(data)), tableOf(iotest.OneByteReader(bytes.NewReader(data)))
		if !reflect.DeepEqual(whole, oneByOne) {
			t.Fatalf("%q\nread whole: %q\nbyte by byte: %q", data, whole, oneByOne)
		}
	})
}

// tableOf lists the strings of a table of shared strings, then how reading it ended.
func tableOf(r io.Reader) []string {
	s := &xlsxSource{file: "f.xlsx"}
	err := s.scanSharedStrings(r)
	s.sst.done() // a table read up to an error is not used, but may be listed
	var strs []string
	for i := 0; ; i++ {
		v, ok := s.sst.get(i)
		if !ok {
			break
		}
		strs = append(strs, v)
	}
	return append(strs, fmt.Sprint(err), fmt.Sprint(s.sst.invalid))
}
