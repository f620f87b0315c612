package convert

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/torii-convert/torii-convert/schema"
)

// FuzzCheckByConstruction holds checkUser, which checks only what the converter does not
// make valid by construction, to the check of the whole user: any values merged into a
// user give the same problems, at the same paths, in the same words. And a license's
// holder, no longer checked, could only fail by its email, the user's.
func FuzzCheckByConstruction(f *testing.F) {
	f.Add("ada@example.com", "7", "Ada", "Lovelace", "active", "Active", "admin", "", "2024-03-17", uint8(0))
	f.Add("bob@", "", "", "", "Deleted", "", "", "x", "03/04/2024", uint8(3))
	f.Add("", "é", "x\"y", "\x00", "deleted", "on", "a", "a", "2021-07-05T20:43:14Z", uint8(4))
	f.Fuzz(func(t *testing.T, email, id, first, last, status, ext, role1, role2, date string, state uint8) {
		p := newPeople(0)
		var roles []string
		for _, r := range []string{role1, role2} {
			if r != "" {
				roles = append(roles, r)
			}
		}
		lic := held{name: "Pro", status: licenseState(state) % (lsActive + 1)}
		err := p.add(&record{email: email, id: id, first: first, last: last, status: status, ext: ext,
			roles: roles, lastUsed: date, licenses: []held{lic}}, 2)
		if err != nil {
			t.Fatal(err)
		}
		k := schema.Contract().Checker()
		at := schema.Path{schema.Key("users"), schema.Index(5)}
		u := p.view(0, nil)
		if got, want := lines(checkUser(k, &u, at)), lines(k.UserValue(&u, at)); got != want {
			t.Fatalf("%+v\nby construction: %s\nin full:         %s", u, got, want)
		}
		person := p.user(0)
		h := schema.LicenseUser{Email: u.Email, LicenseStatus: p.held(0, person, 0).state.text(person)}
		hat := schema.Path{schema.Key("licenses"), schema.Index(0), schema.Key("users"), schema.Index(0)}
		for _, pr := range k.LicenseUserValue(&h, hat) {
			if len(pr.Path) != 5 || pr.Path.Field() != "email" {
				t.Fatalf("holder %+v: %s [%s] %s", h, pr.Path, pr.Keyword, pr.Message)
			}
		}
	})
}

func lines(ps []schema.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.Path.String() + " [" + p.Keyword + "] " + p.Message + "\n")
	}
	return b.String()
}

// FuzzUserJSON holds the users' encoder, which copies what users share once encoded and
// passes a date once checked, to AppendUser and checkUser of the same users: the same
// bytes, and the same problems at the same paths, on the first pass and from the cache.
func FuzzUserJSON(f *testing.F) {
	f.Add("ada@example.com", "bob@", "7", "Ada", "x\"y\u2028", "Active", "admin", "guest", "2024-03-17", "2024-13-01")
	f.Add("é@x.io", "", "", "", "", "", "", "", "", "\xff")
	f.Add("a@b.c", "a@b.c", "\x00", "\t", "\\", "on", "a", "a", "2021-07-05T20:43:14Z", "03/04/2024")
	f.Fuzz(func(t *testing.T, email1, email2, id, first, last, ext, role1, role2, date1, date2 string) {
		rows := []record{
			{email: email1, id: id, first: first, last: last, status: "active", ext: ext, roles: []string{role1}, lastUsed: date1},
			{email: email2, status: "deleted", roles: []string{role1, role2}, lastUsed: date1},
			{email: "2" + email1, last: first, lastUsed: date2, roles: []string{role2, role1, "r3", "r4", "r5"}},
			{email: "2" + email2, ext: ext, lastUsed: date2},
			{email: "3" + email1, lastUsed: date1, roles: []string{role1}},
		}
		p := newPeople(0)
		for k := range rows {
			r := &rows[k]
			r.roles = slices.DeleteFunc(r.roles, func(s string) bool { return s == "" })
			if err := p.add(r, k+2); err != nil {
				t.Fatal(err)
			}
		}
		sameUsers(t, p)
	})
}

// TestUserJSONPastCache encodes more shared values than a worker keeps encoded.
func TestUserJSONPastCache(t *testing.T) {
	p := newPeople(0)
	for i := range sharedCached + 500 {
		r := record{email: fmt.Sprintf("u%d@example.com", i), lastUsed: fmt.Sprintf("2024-01-%02d", i%40), ext: fmt.Sprint("e", i),
			roles: []string{fmt.Sprint("r", i%5000)}}
		if i%7 == 0 {
			r.email = fmt.Sprintf("u%d@", i)
		}
		if err := p.add(&r, i+2); err != nil {
			t.Fatal(err)
		}
	}
	if len(p.values) <= sharedCached || len(p.roles) <= sharedCached {
		t.Fatalf("%d values, %d lists of roles: the test needs more than %d", len(p.values), len(p.roles), sharedCached)
	}
	sameUsers(t, p)
}

// sameUsers checks every user of p, twice over one encoder, against AppendUser and
// checkUser.
func sameUsers(t *testing.T, p *people) {
	t.Helper()
	k := schema.Contract().Checker()
	var e userJSON
	var scratch []byte
	for pass := range 2 {
		for i := range p.len() {
			got, problems := e.append(nil, p, i, k, &scratch)
			u := p.view(i, nil)
			if want := schema.AppendUser(nil, &u); string(got) != string(want) {
				t.Fatalf("pass %d, user %d:\n got %s\nwant %s", pass, i, got, want)
			}
			at := schema.Path{schema.Key("users"), schema.Index(i)}
			if got, want := lines(problems), lines(checkUser(k, &u, at)); got != want {
				t.Fatalf("pass %d, user %d %+v:\n got %s\nwant %s", pass, i, u, got, want)
			}
		}
	}
}

// FuzzAppendHolder holds the encoder of license holders to schema.AppendLicenseUser,
// which escapes every email: a plain one, copied as it is, must need no escaping.
func FuzzAppendHolder(f *testing.F) {
	f.Add("ada@example.com", uint8(0), 0)
	f.Add("x\"y\u2028@\xff", uint8(2), 3)
	f.Add("a.b+c!#$%&'*/=?^_`{|}~-@x-y.example", uint8(1), 1)
	f.Fuzz(func(t *testing.T, email string, state uint8, h int) {
		status := []string{"", "active", "inactive", "deleted"}[state%4]
		h = max(h, 0) % 3
		got := appendHolder([]byte("x"), email, schema.PlainEmail(email), status, h)
		want := schema.AppendLicenseUser([]byte("x"), &schema.LicenseUser{Email: email, LicenseStatus: status}, h)
		if string(got) != string(want) {
			t.Fatalf("\n got %s\nwant %s", got, want)
		}
	})
}
