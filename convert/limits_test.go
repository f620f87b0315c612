package convert_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
