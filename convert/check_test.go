package convert

import (
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
