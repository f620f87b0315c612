package diff

import (
	"fmt"
	"strings"
	"testing"
)

func people(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%03d@example.com", prefix, i)
	}
	return out
}

func TestGuard(t *testing.T) {
	hundred := people("p", 100)
	cases := []struct {
		name          string
		before, after Population
		limit         Limit
		want          []string // the groups refused
	}{
		{"the same", Population{Active: hundred}, Population{Active: hundred}, DefaultLimit, nil},
		{"10 of 100 gone is the limit, not past it", Population{Active: hundred}, Population{Active: hundred[10:]}, DefaultLimit, nil},
		{"11 of 100 gone", Population{Active: hundred}, Population{Active: hundred[11:]}, DefaultLimit, []string{"active users"}},
		{"11 gone and 50 new still loses 11", Population{Active: hundred}, Population{Active: append(hundred[11:], people("n", 50)...)}, DefaultLimit, []string{"active users"}},
		{"4 of 10 gone is under 5 people", Population{Active: hundred[:10]}, Population{Active: hundred[4:10]}, DefaultLimit, nil},
		{"5 of 10 gone", Population{Active: hundred[:10]}, Population{Active: hundred[5:10]}, DefaultLimit, []string{"active users"}},
		{"a larger limit lets it through", Population{Active: hundred}, Population{Active: hundred[40:]}, Limit{Share: 0.5, People: 5}, nil},
		{"0% and 1 person refuses any loss", Population{Active: hundred}, Population{Active: hundred[1:]}, Limit{Share: 0, People: 1}, []string{"active users"}},
		{"a license losing its holders",
			Population{Active: hundred, Licenses: map[string][]string{"Full": hundred[:20], "View": hundred[20:]}},
			Population{Active: hundred, Licenses: map[string][]string{"Full": hundred[:10], "View": hundred[20:]}},
			DefaultLimit, []string{`license "Full"`}},
		{"a license gone",
			Population{Active: hundred, Licenses: map[string][]string{"Full": hundred[:20], "View": hundred[20:]}},
			Population{Active: hundred, Licenses: map[string][]string{"Full": hundred[:20]}},
			DefaultLimit, []string{`license "View"`}},
		{"no licenses where there were some",
			Population{Active: hundred, Licenses: map[string][]string{"Full": hundred[:2]}},
			Population{Active: hundred},
			DefaultLimit, []string{"licenses"}},
		{"a new license is no shrink",
			Population{Active: hundred, Licenses: map[string][]string{"Full": hundred}},
			Population{Active: hundred, Licenses: map[string][]string{"Full": hundred, "Dev": hundred[:50]}},
			DefaultLimit, nil},
		{"IPEX requestors: no licenses on either side", Population{Active: hundred}, Population{Active: hundred[:50]}, DefaultLimit, []string{"active users"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, s := range Guard(c.before, c.after, c.limit) {
				got = append(got, s.Group)
				if s.Message == "" {
					t.Errorf("%s: no message", s.Group)
				}
			}
			if strings.Join(got, "; ") != strings.Join(c.want, "; ") {
				t.Errorf("refused %q, want %q", got, c.want)
			}
		})
	}
}

func TestGuardNamesTheGone(t *testing.T) {
	before := Population{Active: []string{"a@x.com", "b@x.com", "c@x.com", "d@x.com", "e@x.com", "f@x.com"}}
	after := Population{Active: []string{"a@x.com", "g@x.com"}}
	s := Guard(before, after, DefaultLimit)
	if len(s) != 1 || s[0].Lost != 5 || s[0].Before != 6 || s[0].After != 2 || strings.Join(s[0].Removed, ",") != "b@x.com,c@x.com,d@x.com,e@x.com,f@x.com" {
		t.Fatalf("got %+v", s)
	}
	if want := "active users would drop from 6 to 2: 5 of them would be gone (83.3%)"; s[0].Message != want {
		t.Errorf("message %q, want %q", s[0].Message, want)
	}
	if want := "active users: 6 -> 2 (5 gone, 1 new)"; s[0].Line() != want {
		t.Errorf("line %q, want %q", s[0].Line(), want)
	}
}

func TestParseLimit(t *testing.T) {
	for in, want := range map[string]Limit{"10%": {0.10, 5}, "25%,20": {0.25, 20}, " 0% , 1 ": {0, 1}, "100%": {1, 5}, "12.5%": {0.125, 5}} {
		got, err := ParseLimit(in)
		if err != nil || got != want {
			t.Errorf("ParseLimit(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "10", "abc%", "-1%", "101%", "10%,x", "10%,-2"} {
		if _, err := ParseLimit(in); err == nil {
			t.Errorf("ParseLimit(%q): no error", in)
		}
	}
	if s := DefaultLimit.String(); s != "10%,5" {
		t.Errorf("DefaultLimit is written %q", s)
	}
}

// TestLimitExactShare: losing exactly the share --max-shrink names is within it, for
// every whole percentage; 0.29*100 is 28.999999999999996 in floating point, so 29 of 100
// was refused by --max-shrink 29%.
func TestLimitExactShare(t *testing.T) {
	for pct := 1; pct < 100; pct++ {
		l, err := ParseLimit(fmt.Sprintf("%d%%,0", pct))
		if err != nil {
			t.Fatal(err)
		}
		for _, before := range []int{100, 200, 300, 1000} {
			lost := pct * before / 100
			if l.exceeded(lost, before) {
				t.Errorf("--max-shrink %d%%: losing %d of %d refused", pct, lost, before)
			}
			if !l.exceeded(lost+1, before) {
				t.Errorf("--max-shrink %d%%: losing %d of %d let through", pct, lost+1, before)
			}
		}
	}
}

func TestRecordRoundTrip(t *testing.T) {
	path := t.TempDir() + "/guard/host_1.json"
	if r, err := LoadRecord(path); r != nil || err != nil {
		t.Fatalf("no record yet: got %v, %v", r, err)
	}
	rec := Record{Host: "api.toriihq.com", AppAccount: 1, FileID: 7, File: "f.json", Users: 2, LicenseCount: 1,
		Population: Population{Active: []string{"a@x.com"}, Licenses: map[string][]string{"Full": {"a@x.com", "b@x.com"}}}}
	if err := rec.Save(path); err != nil {
		t.Fatal(err)
	}
	got, err := LoadRecord(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != RecordVersion || got.FileID != 7 || strings.Join(got.Licenses["Full"], ",") != "a@x.com,b@x.com" || got.LicenseCount != 1 {
		t.Errorf("read back %+v", got)
	}
}
