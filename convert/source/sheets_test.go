package source

import (
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestSheets(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Cover")
	for _, name := range []string{"Staff list", "Old"} {
		if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SetSheetVisible("Old", false); err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/book.xlsx"
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	got, err := Sheets(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []Sheet{{Name: "Cover"}, {Name: "Staff list"}, {Name: "Old", Hidden: true}}
	if len(got) != len(want) {
		t.Fatalf("Sheets = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].Name != want[i].Name || got[i].Hidden != want[i].Hidden {
			t.Errorf("sheet %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if _, err := Sheets("testdata/nonexistent.xlsx"); err == nil {
		t.Error("Sheets of a missing file: no error")
	}
}
