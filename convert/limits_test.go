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

// TestLicensesAtTheLimit converts an export of exactly as many license names as
// convert takes (65,536, a user each): every one is written, the last one too, whose
// number is the largest a license has.
func TestLicensesAtTheLimit(t *testing.T) {
	const n = 1 << 16
	var b strings.Builder
	b.WriteString("Customer Email,Status,Plan\n")
	for i := range n {
		fmt.Fprintf(&b, "u%d@example.com,active,plan %d\n", i, i)
	}
	path := filepath.Join(t.TempDir(), "plans.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	tmpl, err := convert.FindTemplate("stripe-subscriptions")
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	res, err := convert.Convert(context.Background(), path, convert.Options{Template: tmpl}, &out)
	if err != nil || !res.Valid() || res.Users != n || res.Licenses != n {
		t.Fatalf("convert: %v, %d users and %d licenses, valid %v", err, res.Users, res.Licenses, res.Valid())
	}
	last := fmt.Sprintf(`"name": "plan %d"`, n-1)
	if !strings.Contains(out.String(), last) || !strings.Contains(out.String(), fmt.Sprintf(`"u%d@example.com"`, n-1)) {
		t.Errorf("the last license or its holder is missing from the file")
	}
}

// TestTooManyRolesNamesTheCell: a user past the roles a user may have is refused at the
// row and column the roles came from, in one row or over several.
func TestTooManyRolesNamesTheCell(t *testing.T) {
	roles := make([]string, 101)
	for k := range roles {
		roles[k] = fmt.Sprint("role ", k)
	}
	for name, tc := range map[string]struct{ csv, at string }{
		"one row": {"Email,Name,Role\nbob@example.com,Bob,viewer\nada@example.com,Ada,\"" + strings.Join(roles, ",") + "\"\n", "people.csv:3:3: ada@example.com has more than 100 roles"},
		"two rows": {"Email,Name,Role\nada@example.com,Ada,\"" + strings.Join(roles[:60], ",") + "\"\nbob@example.com,Bob,viewer\nada@example.com,Ada,\"" + strings.Join(roles[60:], ",") + "\"\n",
			"people.csv:4:3: ada@example.com has more than 100 roles"},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "people.csv")
			if err := os.WriteFile(path, []byte(tc.csv), 0o600); err != nil {
				t.Fatal(err)
			}
			tmpl, err := convert.LoadTemplate(fstest.MapFS{"t.json": {Data: []byte(`{"name": "t", "user": {"email": {"from": ["Email"]},
				"name": {"from": ["Name"]}, "roles": {"from": ["Role"], "split": ","}}}`)}}, "t.json")
			if err != nil {
				t.Fatal(err)
			}
			_, err = convert.Convert(context.Background(), path, convert.Options{Template: tmpl}, nil)
			if err == nil || !strings.Contains(err.Error(), tc.at) {
				t.Errorf("got %v, want an error at %s", err, tc.at)
			}
		})
	}
}
