package convert_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/torii-convert/torii-convert/bench/exports"
	"github.com/torii-convert/torii-convert/convert"
	"github.com/torii-convert/torii-convert/schema"
)

var csvSeeds = []string{
	"Name,Email,Role,Seat type,Last active,Last edit\nAda Lovelace,ada@example.com,admin,Full,2026-11-02 14:03,\nGrace,GRACE@example.com,\"member, guest\",,Never,3/17/25\n",
	"\ufeffEmail,Seat type\r\nada@example.com,Dev\r\nada@example.com,Full\r\n",
	"Email,Name\n\"multi\nline@example.com\",\"Hopper, Grace\"\n,Nobody\n",
	"Email\nbob@\n",
	"Email,Seat type\n\"unterminated,x\n",
	"Name\nno email column\n",
	"Email,Last active\na@b.co,03/04/2024\n",
	"Email,Email\na@b.co,c@d.co\n",
	"Email\na@b.co,extra,cells\n",
}

// FuzzConvert feeds any text to the whole conversion with the figma template. It must
// never panic; when it says the result is valid, the file must end as a file does and
// pass every check a customIntegrationData file gets, including the rules convert relies
// on merging for. go test runs it on the seeds.
func FuzzConvert(f *testing.F) {
	for _, s := range csvSeeds {
		f.Add([]byte(s))
	}
	tmpl, err := convert.FindTemplate("figma")
	if err != nil {
		f.Fatal(err)
	}
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "export.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		res, err := convert.Convert(context.Background(), path, convert.Options{Template: tmpl, Today: today}, &out)
		if err != nil {
			var ce *convert.Error
			if !errors.As(err, &ce) || ce.Msg == "" && ce.Err == nil {
				t.Fatalf("an error without words: %v", err)
			}
			return
		}
		for _, p := range res.Problems {
			if p.Pos.File != path || p.Message == "" {
				t.Fatalf("a problem without a place or words: %+v", p)
			}
		}
		if !res.Valid() {
			return
		}
		if !strings.HasSuffix(out.String(), "]\n}\n") {
			t.Fatalf("the file does not end as a file should:\n%s", out.Bytes())
		}
		st, err := schema.Contract().CheckFile(bytes.NewReader(out.Bytes()), today, func(p schema.Problem) {
			if p.Severity == schema.Error {
				t.Errorf("%d:%d %s: %s\n%s", p.Line, p.Col, p.Path, p.Message, out.Bytes())
			}
		})
		if err != nil || st.Users != res.Users || st.Licenses != res.Licenses {
			t.Fatalf("the file holds %+v, the result says %d users and %d licenses (%v)", st, res.Users, res.Licenses, err)
		}
	})
}

// TestXLSXAndCSVAgree converts the same generated export as CSV and as a workbook with
// real date cells: the files must be the same, byte for byte.
func TestXLSXAndCSVAgree(t *testing.T) {
	dir := t.TempDir()
	csvPath, xlsxPath := filepath.Join(dir, "m.csv"), filepath.Join(dir, "m.xlsx")
	f, _ := os.Create(csvPath)
	if err := exports.CSV(f, 3000); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := exports.XLSX(xlsxPath, 3000); err != nil {
		t.Fatal(err)
	}
	tmpl, _ := convert.FindTemplate("figma")
	var files [2]bytes.Buffer
	for i, path := range []string{csvPath, xlsxPath} {
		res, err := convert.Convert(context.Background(), path, convert.Options{Template: tmpl}, &files[i])
		if err != nil || !res.Valid() || res.Users < 2000 {
			t.Fatalf("%s: %v %+v", path, err, res)
		}
	}
	if !bytes.Equal(files[0].Bytes(), files[1].Bytes()) {
		t.Errorf("the workbook converts to another file than the CSV")
	}
}
