package convert_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/torii-convert/torii-convert/convert"
)

// TestNoSilentlyUnusedColumns is a property: whatever the header and the built-in, a
// column that looks like Torii data is warned about, ignored by the template on
// purpose, or really feeds a field: alone in a row, the preview shows it feeding one.
func TestNoSilentlyUnusedColumns(t *testing.T) {
	pool := []string{"Email", "Status", "Role", "Roles", "Seat type", "Seat", "Plan", "License", "License Type",
		"Last login", "Last active", "Last Sign In", "Last seen", "Name", "Full name", "First Name", "Last Name",
		"ID", "User ID", "Employee ID", "Login", "Username", "Title", "Department", "Team", "Phone", "Cost",
		"Product Configurations", "Licenses", "Block credential", "billing-active", "userid", "Jira - acme",
		"Last seen in Jira - acme", "Nickname", "Account status", "Subscription", "Display name", "Org role",
		"Status [READ ONLY]", "E-Mail", "Vorname", "Statut", "Last Activity At", "Worker"}
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(1, 2))
	names := convert.Builtins()
	checked := 0
	for iter := 0; iter < 500; iter++ {
		tmpl, err := convert.FindTemplate(names[r.IntN(len(names))])
		if err != nil {
			t.Fatal(err)
		}
		header := []string{"Email"}
		for _, i := range r.Perm(len(pool))[:2+r.IntN(8)] {
			if pool[i] != "Email" {
				header = append(header, pool[i])
			}
		}
		full := writeCSV(t, dir, "full.csv", header, func(int) string { return "x1" })
		res, err := convert.Convert(context.Background(), full, convert.Options{Template: tmpl}, nil)
		var ce *convert.Error
		if errors.As(err, &ce) && (ce.Kind == convert.Usage || strings.Contains(ce.Msg, "cannot tell which")) {
			continue // the template cannot read this header at all, and says so
		}
		if err != nil {
			t.Fatalf("%s on %q: %v", tmpl.Name, header, err)
		}
		warned := map[int]bool{}
		for _, p := range res.Problems {
			if p.Rule == "unused-column" {
				warned[p.Pos.Col-1] = true
			}
		}
		key := strings.NewReplacer(" ", "", "_", "", "-", "").Replace
		ignored := map[string]bool{}
		for _, h := range tmpl.Ignore {
			ignored[key(strings.ToLower(h))] = true
		}
		for col, h := range header {
			if col == 0 || !convert.LooksLikeData(h) || warned[col] || ignored[key(strings.ToLower(h))] {
				continue
			}
			alone := writeCSV(t, dir, "alone.csv", header, func(c int) string {
				if c == col {
					return "2026-01-02"
				}
				return ""
			})
			var out bytes.Buffer
			if err := convert.Preview(context.Background(), alone, convert.Options{Template: tmpl}, 1, &out); err != nil {
				t.Fatalf("%s on %q: %v", tmpl.Name, header, err)
			}
			body, _, _ := strings.Cut(out.String(), "columns that feed nothing")
			if !strings.Contains(body, h+` "2026-01-02"`) && !strings.Contains(body, h+` is "2026-01-02"`) {
				t.Errorf("%s on %q: column %q looks like data, is not warned about, and feeds nothing:\n%s", tmpl.Name, header, h, out.String())
			}
			checked++
		}
	}
	if checked < 100 {
		t.Errorf("only %d columns checked; the property is barely tested", checked)
	}
}

func writeCSV(t *testing.T, dir, name string, header []string, value func(col int) string) string {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(header)
	row := make([]string, len(header))
	for i := range row {
		row[i] = value(i)
	}
	row[0] = "ada@example.com"
	w.Write(row)
	w.Flush()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
