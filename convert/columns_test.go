package convert_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/torii-convert/torii-convert/convert"
)

// Columns other targets need travel with the users: the first non-empty value of a
// user's rows, mapped and defaulted as template fields are.
func TestConvertKeepsColumns(t *testing.T) {
	res := convertPeople(t, "Email,Name,Phone,Dept\n"+
		"ada@example.com,Ada Lovelace,,Research\n"+
		"bob@example.com,Bob Smith,+420 1,\n"+
		"ADA@example.com,Ada Lovelace,+420 2,Sales\n", convert.Options{Columns: []convert.Field{
		{From: []string{"Phone"}},
		{From: []string{"Dept"}, Map: map[string]string{"research": "R&D"}, Default: "none"},
		{From: []string{"Fax"}},
	}})
	var got []string
	for i := range res.Users {
		u, row, cols := res.User(i)
		got = append(got, fmt.Sprintf("%s %s %s row %d %q", u.Email, u.FirstName, u.LastName, row, cols))
	}
	want := `ada@example.com Ada Lovelace row 2 ["+420 2" "R&D" ""]
bob@example.com Bob Smith row 3 ["+420 1" "none" ""]`
	if strings.Join(got, "\n") != want {
		t.Errorf("users:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	if len(res.Missing) != 0 || fmt.Sprint(res.AbsentColumns) != "[2]" {
		t.Errorf("missing %q, absent columns %v; want none and [2] (Fax)", res.Missing, res.AbsentColumns)
	}
}

// A workbook reads only the columns something uses: those of Options.Columns too.
func TestConvertKeepsColumnsOfWorkbooks(t *testing.T) {
	tmpl, err := convert.LoadTemplate(fstest.MapFS{"t.json": {Data: []byte(`{"name": "t", "user": {"email": {"from": ["Work Email"]}}}`)}}, "t.json")
	if err != nil {
		t.Fatal(err)
	}
	opts := convert.Options{Template: tmpl, Columns: []convert.Field{{From: []string{"Job Title"}}}}
	res, err := convert.Convert(context.Background(), "../testdata/golden/dialect-xlsx-libreoffice/roster.xlsx", opts, nil)
	if err != nil || !res.Valid() {
		t.Fatalf("convert: %v %+v", err, res)
	}
	if u, _, cols := res.User(0); u.Email != "jose.muller@example.com" || len(cols) != 1 || cols[0] != "Engineer, Platform" {
		t.Errorf("first user %s with columns %q, want jose.muller@example.com with [\"Engineer, Platform\"]", u.Email, cols)
	}
}

// TestInvisibleCharactersTrimmed: a zero-width space, joiner or byte-order mark copied
// in at a cell's ends is padding like a space: the user is ada@example.com, once, not a
// second user Torii would never match.
func TestInvisibleCharactersTrimmed(t *testing.T) {
	res := convertPeople(t, "Email,Name\n"+
		"ada@example.com,Ada Lovelace\n"+
		"\u200bada@example.com\u2060,Ada\n"+
		"\ufeffBob@example.com,\u200dBob Smith\u200c\n", convert.Options{})
	var got []string
	for i := range res.Users {
		u, _, _ := res.User(i)
		got = append(got, fmt.Sprintf("%q %q %q", u.Email, u.FirstName, u.LastName))
	}
	if want := `"ada@example.com" "Ada" "Lovelace"` + "\n" + `"bob@example.com" "Bob" "Smith"`; strings.Join(got, "\n") != want {
		t.Errorf("users:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
}

// convertPeople converts csv with a template that reads Email and Name, and fails the
// test unless the result is valid.
func convertPeople(t *testing.T, csv string, opts convert.Options) *convert.Result {
	t.Helper()
	path := filepath.Join(t.TempDir(), "people.csv")
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	tmpl, err := convert.LoadTemplate(fstest.MapFS{"t.json": {Data: []byte(`{"name": "t", "user": {"email": {"from": ["Email"]}, "name": {"from": ["Name"]}}}`)}}, "t.json")
	if err != nil {
		t.Fatal(err)
	}
	opts.Template = tmpl
	res, err := convert.Convert(context.Background(), path, opts, nil)
	if err != nil || !res.Valid() {
		t.Fatalf("convert: %v %+v", err, res)
	}
	return res
}
