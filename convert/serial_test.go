package convert_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/torii-convert/torii-convert/convert"
)

// TestSerialDates: a plain number feeding a date field of a workbook is a day of the
// workbook's date system, said once in a note; in a CSV it stays an error.
func TestSerialDates(t *testing.T) {
	for _, date1904 := range []bool{false, true} {
		f := excelize.NewFile()
		if date1904 {
			f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &date1904})
		}
		// figma needs its Seat type column; an export without it is refused (exit 2).
		rows := [][]any{{"Email", "Seat type", "Last active"}, {"ada@example.com", "Full", 46327}, {"grace@example.com", "Dev", 46327.75}, {"alan@example.com", "Dev", "2026-01-05"}}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
				t.Fatal(err)
			}
		}
		path := filepath.Join(t.TempDir(), "m.xlsx")
		if err := f.SaveAs(path); err != nil {
			t.Fatal(err)
		}
		tmpl, _ := convert.FindTemplate("figma")
		var out bytes.Buffer
		res, err := convert.Convert(context.Background(), path, convert.Options{Template: tmpl}, &out)
		if err != nil || !res.Valid() {
			t.Fatalf("%v %+v", err, res)
		}
		day, system := "2026-11-01", "1900"
		if date1904 {
			day, system = "2030-11-02", "1904"
		}
		if n := strings.Count(out.String(), `"lastUsedDate": "`+day+`"`); n != 2 {
			t.Errorf("1904: %v: %d users last used on %s in:\n%s", date1904, n, day, out.String())
		}
		want := path + ": 2 numbers in date columns read as days of the workbook's " + system + " date system, as spreadsheets store dates (46327 is " + day + "); format the column as a date to make it plain"
		if len(res.Notices) != 1 || res.Notices[0] != want {
			t.Errorf("notices %q, want %q", res.Notices, want)
		}
	}
	csv := filepath.Join(t.TempDir(), "m.csv")
	if err := os.WriteFile(csv, []byte("Email,Seat type,Last active\nada@example.com,Full,46327\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tmpl, _ := convert.FindTemplate("figma")
	res, err := convert.Convert(context.Background(), csv, convert.Options{Template: tmpl}, nil)
	if err != nil || res.Valid() || len(res.Notices) > 0 {
		t.Errorf("a number as a date in a CSV: %v %+v", err, res)
	}
}
