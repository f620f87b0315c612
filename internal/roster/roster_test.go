package roster

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/torii-convert/torii-convert/schema"
)

func TestRoster(t *testing.T) {
	const file = `{
  "licenses": [
    {"name": "Full", "pricePerUser": 1500, "users": [{"email": "ADA@example.com", "licenseStatus": "inactive"}, {"email": "ghost@example.com"}]}
  ],
  "users": [
    {"email": "Ada@Example.com", "status": "active", "lastUsedDate": "2026-11-02T10:00:00Z"},
    {"email": "bob@example.com", "status": "deleted"},
    {"email": "", "status": "active"},
    {"email": "ada@example.com", "status": "deleted"}
  ]
}`
	r, err := Read("f.json", strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if r.Users() != 2 || r.Len() != 3 || r.NoEmail != 1 {
		t.Fatalf("%d users, %d entries, %d without email; want 2, 3 (ghost holds a license), 1", r.Users(), r.Len(), r.NoEmail)
	}
	ada, ok := r.Find("aDa@EXAMPLE.com")
	if !ok || r.Email(ada) != "ADA@example.com" || r.Status(ada) != Active || r.LastUsed(ada) != Day("2026-11-02") {
		t.Errorf("ada: found %v, email %q (as first written), status %d, last used %d", ok, r.Email(ada), r.Status(ada), r.LastUsed(ada))
	}
	if g, ok := r.Find("ghost@example.com"); !ok || r.Status(g) != Unknown {
		t.Errorf("ghost holds a license without being a user: found %v, status %d", ok, r.Status(g))
	}
	l, ok := r.License("Full")
	if !ok || r.HolderState(l, 0) != Inactive || r.HolderState(l, 1) != Unknown || len(l.Holders) != 2 || *l.PricePerUser != 1500 {
		t.Errorf("Full: %+v; ada holds it inactively", l)
	}
	if _, ok := r.Find("carol@example.com"); ok {
		t.Error("found someone who is not there")
	}
}

// TestRosterGrows adds past the table's first size, many times over.
// TestRosterCountsWhatItLeavesOut: a second user with an email, or license with a name,
// seen before is left out, and counted so that no one is dropped silently.
func TestRosterCountsWhatItLeavesOut(t *testing.T) {
	r, err := Read("dup", strings.NewReader(`{"users":[{"email":"a@x.com"},{"email":"A@x.com","status":"deleted"},{"email":""}],
		"licenses":[{"name":"P","users":[{"email":"a@x.com"}]},{"name":"P","users":[{"email":"b@x.com"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if r.Users() != 1 || r.SameEmail != 1 || r.NoEmail != 1 || len(r.Licenses) != 1 || r.SameName != 1 {
		t.Errorf("users %d, same email %d, no email %d, licenses %d, same name %d; want 1 each", r.Users(), r.SameEmail, r.NoEmail, len(r.Licenses), r.SameName)
	}
}

// TestRosterHoldersOnce: a holder listed twice in one license (ignoring case) holds it
// once, and the repeat is counted; holding two licenses is no repeat.
func TestRosterHoldersOnce(t *testing.T) {
	r, err := Read("dup", strings.NewReader(`{"licenses":[{"name":"P","users":[{"email":"a@x.com"},{"email":"A@x.com"},{"email":"b@x.com"}]},
		{"name":"Q","users":[{"email":"a@x.com"},{"email":"b@x.com"},{"email":"b@x.com"}]}],"users":[{"email":"a@x.com"},{"email":"b@x.com"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Licenses[0].Holders) != 2 || len(r.Licenses[1].Holders) != 2 || r.SameHolder != 2 {
		t.Errorf("holders %d and %d, repeats %d; want 2, 2 and 2", len(r.Licenses[0].Holders), len(r.Licenses[1].Holders), r.SameHolder)
	}
}

func TestRosterGrows(t *testing.T) {
	r := New("big")
	for i := range 100_000 {
		r.AddUser(&schema.User{Email: fmt.Sprintf("User%d@Example.com", i)})
	}
	for i := range 100_000 {
		if j, ok := r.Find(fmt.Sprintf("user%d@example.com", i)); !ok || j != int32(i) {
			t.Fatalf("user %d: entry %d, found %v", i, j, ok)
		}
	}
	if r.Users() != 100_000 {
		t.Errorf("%d users", r.Users())
	}
}

func TestDay(t *testing.T) {
	for in, want := range map[string]int32{"1970-01-02": 1, "2026-11-23": 20780, "2026-11-23T23:59:59Z": 20780, "": NoDate, "2026-13-01": NoDate, "yesterday": NoDate} {
		if got := Day(in); got != want {
			t.Errorf("Day(%q) = %d, want %d", in, got, want)
		}
	}
}

// parseDay is Day by time.Parse, as Day was written before: the reference.
func parseDay(s string) int32 {
	if len(s) < 10 {
		return NoDate
	}
	d, err := time.Parse("2006-01-02", s[:10])
	if err != nil {
		return NoDate
	}
	return int32(d.Unix() / 86400)
}

// FuzzDay holds Day to time.Parse on any text.
func FuzzDay(f *testing.F) {
	for _, s := range []string{"2026-11-23", "2024-02-29T10:00:00Z", "2026-02-29", "0000-01-01", "9999-12-31", "2026-1-011"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Day(s), parseDay(s); got != want {
			t.Errorf("Day(%q) = %d, time.Parse says %d", s, got, want)
		}
	})
}

// TestDayAsTimeParse: Day reads every date time.Parse reads, to the same day, and
// refuses what it refuses.
func TestDayAsTimeParse(t *testing.T) {
	parse := parseDay
	var in []string
	for d := time.Date(1599, 12, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2401; d = d.AddDate(0, 0, 1) {
		in = append(in, d.Format("2006-01-02"))
	}
	for y := 0; y < 10000; y += 37 {
		for _, md := range []string{"01-01", "02-28", "02-29", "02-30", "03-01", "04-31", "12-31", "12-32", "13-01", "00-10", "06-00"} {
			in = append(in, fmt.Sprintf("%04d-%s", y, md))
		}
	}
	in = append(in, "2026-1-01", "+026-01-01", "2026-01-01x", "2026/01/01", "2026-01-0a", "２026-01-01", "2026-11-23 10:00", " 2026-11-23", "-0001-01-01")
	for _, s := range in {
		if got, want := Day(s), parse(s); got != want {
			t.Errorf("Day(%q) = %d, time.Parse says %d", s, got, want)
		}
	}
}

// TestReadSized: a roster made for a larger file than it reads, or a smaller one, holds
// what the file holds.
func TestReadSized(t *testing.T) {
	users := make([]string, 5000)
	for i := range users {
		users[i] = fmt.Sprintf(`{"email":"u%d@x.com"}`, i)
	}
	file := `{"users":[` + strings.Join(users, ",") + `],"licenses":[]}`
	for _, size := range []int64{0, 10, int64(len(file)), 1 << 40} {
		r, err := ReadSized("f", strings.NewReader(file), size)
		if err != nil {
			t.Fatal(err)
		}
		if j, ok := r.Find("u4999@x.com"); r.Users() != 5000 || !ok || j != 4999 {
			t.Errorf("size %d: %d users, u4999 at %d (%v)", size, r.Users(), j, ok)
		}
	}
}

// TestKey: Key lowercases whatever needs it, wherever in the email the capital or the
// non-ASCII byte falls, and leaves the rest as it is.
func TestKey(t *testing.T) {
	base := "abcdefghijklmnopqrstuvwxyz0123456789@.-_+"
	for n := 0; n <= 24; n++ {
		for i := 0; i < n; i++ {
			for _, c := range []byte{'A', 'Z', '@', '[', 0x80, 0xc3, 'a', 'z', 0x7f} {
				b := []byte(base[:n])
				b[i] = c
				s := string(b)
				if got, want := Key(s), strings.ToLower(s); got != want {
					t.Errorf("Key(%q) = %q, want %q", s, got, want)
				}
			}
		}
	}
	if Key("Ada.Lovelace@Example.COM") != "ada.lovelace@example.com" || Key("ÉMILE@x.fr") != "émile@x.fr" {
		t.Error("Key does not lowercase")
	}
}

// TestHoldersInAnyOrder gives a license its holders in the users' order (as convert
// writes them, where holder looks just past the last one first), in reverse, shuffled,
// in other case, and among emails that are no users: each holder is the entry of its
// email.
func TestHoldersInAnyOrder(t *testing.T) {
	const n = 500
	emails := make([]string, n)
	for i := range emails {
		emails[i] = fmt.Sprintf("user%d@example.com", i)
	}
	orders := map[string][]int{}
	for i := range n {
		if i%3 != 0 {
			orders["users' order"] = append(orders["users' order"], i)
		}
		orders["reverse"] = append(orders["reverse"], n-1-i)
		orders["shuffled"] = append(orders["shuffled"], (i*7919)%n)
		if i < n/2 {
			orders["every other, and ghosts"] = append(orders["every other, and ghosts"], 2*i, n+i)
		}
	}
	for name, order := range orders {
		t.Run(name, func(t *testing.T) {
			r := New("test")
			for _, e := range emails {
				r.AddUser(&schema.User{Email: e})
			}
			l := schema.License{Name: "Full"}
			for k, i := range order {
				e := fmt.Sprintf("ghost%d@example.com", i)
				if i < n {
					e = emails[i]
				}
				if k%5 == 0 {
					e = strings.ToUpper(e)
				}
				l.Users = append(l.Users, schema.LicenseUser{Email: e})
			}
			r.AddLicense(&l)
			lic, _ := r.License("Full")
			if len(lic.Holders) != len(l.Users) {
				t.Fatalf("%d holders, want %d", len(lic.Holders), len(l.Users))
			}
			for k, e := range lic.Holders {
				if got, want := r.Email(e), strings.ToLower(l.Users[k].Email); strings.ToLower(got) != want {
					t.Fatalf("holder %d is %q, want %q", k, got, want)
				}
			}
		})
	}
}

// TestFindNear finds an email of another roster by a guess that is right, wrong, out
// of range or none, and one that is not there: always the entry of that email.
func TestFindNear(t *testing.T) {
	a, b := New("a"), New("b")
	for _, e := range []string{"ada@x.io", "bob@x.io", "cy@x.io"} {
		a.AddUser(&schema.User{Email: e})
	}
	for _, e := range []string{"BOB@x.io", "ada@x.io", "dee@x.io"} {
		b.AddUser(&schema.User{Email: e})
	}
	for _, tc := range []struct {
		i, guess, want int32
	}{{0, 1, 1}, {0, 0, 1}, {1, 0, 0}, {1, 7, 0}, {1, -1, 0}, {2, 2, -1}, {2, 3, -1}} {
		j, ok := b.FindNear(a, tc.i, tc.guess)
		if !ok {
			j = -1
		}
		if j != tc.want {
			t.Errorf("entry %d of a (%s), guessing %d: %d, want %d", tc.i, a.Email(tc.i), tc.guess, j, tc.want)
		}
	}
}
