package convert_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/torii-convert/torii-convert/convert"
)

// TestDetectGolden: every golden case that converts with a built-in template picks that
// template when none is given.
func TestDetectGolden(t *testing.T) {
	cases, _ := filepath.Glob("../testdata/golden/*/args")
	seen := map[string]bool{}
	for _, argsFile := range cases {
		dir := filepath.Dir(argsFile)
		if _, err := os.Stat(filepath.Join(dir, "exit")); err == nil {
			continue // a failing case: nothing to detect
		}
		b, _ := os.ReadFile(argsFile)
		args := strings.Fields(string(b))
		var name, input string
		var opts convert.Options
		for i := 1; i < len(args); i++ {
			switch a := args[i]; a {
			case "--template", "--encoding", "--header-row", "--sheet", "--date-order", "--prices", "-o", "--preview", "--explain":
				i++
				switch a {
				case "--template":
					name = args[i]
				case "--encoding":
					opts.Encoding = args[i]
				case "--header-row":
					opts.HeaderRow, _ = strconv.Atoi(args[i])
				case "--sheet":
					opts.Sheet = args[i]
				case "--date-order":
					opts.DateOrder = args[i]
				}
			default:
				if !strings.HasPrefix(a, "-") {
					input = a
				}
			}
		}
		if _, err := convert.BuiltinSource(name); err != nil || input == "" {
			continue // a template file of the case's own
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			res, err := convert.Convert(context.Background(), filepath.Join(dir, input), opts, nil)
			if err != nil {
				if name == "hr" && opts.HeaderRow > 0 {
					return // two columns, Email and Status: as hr as stripe; see TestDetectNearMisses
				}
				t.Fatalf("detecting the template of %s: %v", input, err)
			}
			if res.Template.Name != name {
				t.Errorf("detected %s (%s), want %s", res.Template.Name, res.Detected, name)
			}
			seen[name] = true
		})
	}
	for _, name := range convert.Builtins() {
		if !seen[name] {
			t.Errorf("no golden case detects the built-in %s", name)
		}
	}
}

// TestDetectNearMisses: headers that fit two built-ins alike, or none, pick nothing.
func TestDetectNearMisses(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   string // "" for no winner
	}{
		{"Email,Status", ""},                              // hr and stripe alike
		{"Mail,Flavour,Colour", ""},                       // nothing known
		{"email,status,billing-active,userid", "slack"},   // every column, and only slack
		{"Email,Seat type", "figma"},                      // only figma knows Seat type
		{"Email,Name,Favourite colour,Shoe size,Pet", ""}, // known, but less than half
		{"ID,First Name,Last Name,Email,Role,Status,Last Used Date,License Type", "workspace-one"},
		{"ID,First Name,Last Name,Email,Role,Status,License Type", "zoom"}, // workspace-one lacks Last Used Date
		{"User,Login,Status,Last Login", "okta"},
		{"Login,Last Activity At", ""}, // Copilot without emails: nothing can be used
		// Stripe writes a column per metadata key: more of them than known columns.
		{"id,Description,Email,Name,Created (UTC),Delinquent,Plan,Status,Total Spend,Payment Count,Refunded Volume,Dispute Losses," +
			"a (metadata),b (metadata),c (metadata),d (metadata),e (metadata),f (metadata),g (metadata),h (metadata),i (metadata),j (metadata),k (metadata),l (metadata),m (metadata)", "stripe-customers"},
	} {
		cands, err := convert.Detect(strings.Split(tc.header, ","))
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if w := convert.Winner(cands); w != nil {
			got = w.Template.Name
		}
		if got != tc.want {
			var top []string
			for _, c := range cands[:3] {
				top = append(top, c.String())
			}
			t.Errorf("%s: winner %q, want %q; candidates:\n%s", tc.header, got, tc.want, strings.Join(top, "\n"))
		}
	}
}

// FuzzDetect: any header row scores against every built-in without a panic, and the
// winner, if any, knows at least half the columns.
func FuzzDetect(f *testing.F) {
	f.Add("Email,Status [READ ONLY],Seat type")
	f.Add("First Name [Required],Jira - acme,Last seen in Jira - acme")
	f.Add("[x],a [1],,Email[2]")
	f.Fuzz(func(t *testing.T, line string) {
		header := strings.Split(line, ",")
		cands, err := convert.Detect(header)
		if err != nil {
			t.Fatal(err)
		}
		if w := convert.Winner(cands); w != nil && (w.Known*2 < w.Columns || !w.Usable()) {
			t.Errorf("%q: winner %s", line, w)
		}
	})
}

// TestDetectNamesWhatIsLacking: a built-in that cannot be used says which field lacks a
// column as other messages name fields, with the headers it looked for.
func TestDetectNamesWhatIsLacking(t *testing.T) {
	cands, err := convert.Detect(strings.Split("username,email,status,userid,fullname,displayname", ","))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cands {
		if c.Template.Name != "slack" {
			continue
		}
		if want := `slack: 6 of 6 columns known; no column for licenses[0].status ("billing-active")`; c.String() != want {
			t.Errorf("got  %s\nwant %s", c.String(), want)
		}
		return
	}
	t.Fatal("no slack candidate")
}
