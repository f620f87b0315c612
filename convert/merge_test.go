package convert

import (
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
)

// TestEmailIndexClashes holds the email index to finding every user, and no one else,
// when emails' hashes clash: all in full, or in the table and often in the top half the
// slots keep.
func TestEmailIndexClashes(t *testing.T) {
	for name, hash := range map[string]func(string) uint64{
		"same hash":  func(string) uint64 { return 0xabcd_0000_0000_0007 },
		"same table": func(s string) uint64 { return 0xab00_0000_0000_0000 | uint64(len(s)*31+int(s[len(s)-1]))<<32 },
	} {
		t.Run(name, func(t *testing.T) {
			p := newPeople(0)
			p.hash = hash
			const n = 3000 // past the first size of the table, so that it grows many times
			for round := 0; round < 2; round++ {
				for i := 0; i < n; i++ {
					if err := p.add(&record{email: fmt.Sprintf("u%d@example.com", i), id: fmt.Sprint(i)}, i+2); err != nil {
						t.Fatal(err)
					}
				}
			}
			if p.len() != n || p.merged != n {
				t.Fatalf("%d users and %d rows merged, want %d and %d", p.len(), p.merged, n, n)
			}
			for i := 0; i < n; i++ {
				email := fmt.Sprintf("u%d@example.com", i)
				if k, ok := p.index(email); !ok || p.view(int(k), nil).Email != email || p.view(int(k), nil).ID != fmt.Sprint(i) {
					t.Fatalf("index(%q) = %d, %v", email, k, ok)
				}
			}
			if k, ok := p.index("nobody@example.com"); ok {
				t.Fatalf("index found user %d for an email no row has", k)
			}
		})
	}
}

// TestPersonLimits holds add to its limits: the 65,536th license name and email column
// are taken, the next ones refused with a message that names the limit.
func TestPersonLimits(t *testing.T) {
	p := newPeople(0)
	for i := range maxLicenses {
		if err := p.add(&record{email: fmt.Sprint(i, "@example.com"), licenses: []held{{name: fmt.Sprint("seat ", i)}}}, 2); err != nil {
			t.Fatalf("license %d: %v", i, err)
		}
	}
	err := p.add(&record{email: "bob@example.com", licenses: []held{{name: "one more"}}}, 3)
	if err == nil || err.Msg != "more than 65536 different license names" || err.Hint == "" {
		t.Fatalf("license %d: %#v", maxLicenses, err)
	}
	p = newPeople(0)
	for i := range maxEmailColumns {
		if err := p.add(&record{email: fmt.Sprint(i, "@example.com"), emailCol: i - 1}, 2); err != nil {
			t.Fatalf("column %d: %v", i, err)
		}
	}
	err = p.add(&record{email: "ada@example.com", emailCol: maxEmailColumns}, 3)
	if err == nil || err.Msg != "users' emails come from more than 65536 different columns" || err.Hint == "" {
		t.Fatalf("column %d: %#v", maxEmailColumns, err)
	}
	if p.len() != maxEmailColumns {
		t.Fatalf("%d users after a refused one, want %d", p.len(), maxEmailColumns)
	}
}

// TestBoundGarbage holds conversions that bound garbage, one inside another, to setting
// GOGC back as they found it, to lowering it only, and to leaving a lower one alone.
func TestBoundGarbage(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(200))
	boundGarbage(50, true)
	boundGarbage(60, true)
	boundGarbage(300, false)
	unboundGarbage()
	if got := debug.SetGCPercent(50); got != 60 {
		t.Fatalf("GOGC %d with a conversion still on, want 60", got)
	}
	unboundGarbage()
	if got := debug.SetGCPercent(5); got != 200 {
		t.Fatalf("GOGC %d after, want 200", got)
	}
	boundGarbage(boundedGC, true)
	if got := debug.SetGCPercent(5); got != 5 {
		t.Fatalf("GOGC %d with 5 set before, want 5", got)
	}
	unboundGarbage()
	if p := gcPercent(gcUsers); p <= boundedGC || p >= 100 {
		t.Fatalf("gcPercent(%d) = %d", gcUsers, p)
	}
	if p := gcPercent(4_000_000); p != boundedGC {
		t.Fatalf("gcPercent(4M) = %d", p)
	}
}

// TestEmailDomains holds the users' emails to what the rows said when their domains are
// kept once: shared, past maxDomains, with no "@" or two, and through a merge.
func TestEmailDomains(t *testing.T) {
	p := newPeople(0)
	emails := []string{"ada@example.com", "bob@example.com", "no-at-sign", "a@b@example.com", "ada@example.co", "@example.com", "ada@"}
	for i := range maxDomains + 10 {
		emails = append(emails, fmt.Sprintf("u%d@d%d.example", i, i))
	}
	for round := range 2 {
		for i, e := range emails {
			id := fmt.Sprint(round, i)
			if round == 0 && i == 1 {
				id = "" // the second row's is kept, and the record written again
			}
			if err := p.add(&record{email: e, id: id}, i+2); err != nil {
				t.Fatal(err)
			}
		}
	}
	if p.len() != len(emails) || p.merged != len(emails) {
		t.Fatalf("%d users and %d rows merged, want %d and %d", p.len(), p.merged, len(emails), len(emails))
	}
	if len(p.domains) != maxDomains {
		t.Fatalf("%d domains kept, want %d", len(p.domains), maxDomains)
	}
	var scratch []byte
	for i, e := range emails {
		k, ok := p.index(e)
		want := fmt.Sprint(0, i)
		if i == 1 {
			want = fmt.Sprint(1, i)
		}
		if u := p.view(int(k), &scratch); !ok || u.Email != e || u.ID != want {
			t.Fatalf("index(%q) = %d, %v: %q, id %q", e, k, ok, u.Email, u.ID)
		}
	}
	for _, e := range []string{"ada@example.c", "ada@example.comm", "adaexample.com", "ada@d1.example"} {
		if k, ok := p.index(e); ok {
			t.Fatalf("index(%q) found user %d", e, k)
		}
	}
}

// TestManyLicensesAgreeWithScan gives users licenses by many rules, fallbacks among
// them, until some hold far more than manyHeld, and holds the indexed path to the plain
// scan of every license a user holds, which a model here does.
func TestManyLicensesAgreeWithScan(t *testing.T) {
	type give struct {
		email string
		held
	}
	// First a user who crosses manyHeld both ways: manyHeld seats by one rule and a
	// fallback by another, which a seat by that rule then replaces.
	var gives []give
	for k := range manyHeld {
		gives = append(gives, give{"edge@example.com", held{name: fmt.Sprint("seat ", k)}})
	}
	gives = append(gives, give{"edge@example.com", held{name: "no seat", rule: 1, fallback: true}},
		give{"edge@example.com", held{name: "seat by rule 1", rule: 1}})
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 20_000 {
		h := held{rule: int8(rnd.IntN(3)), status: licenseState(rnd.IntN(3)), fallback: rnd.IntN(8) == 0}
		if rnd.IntN(4) == 0 { // a rarer rule, mostly its fallback, left while a user holds many
			h.rule, h.fallback = int8(3+rnd.IntN(120)), rnd.IntN(4) != 0
		}
		h.name = fmt.Sprint("seat ", rnd.IntN(60))
		if h.fallback {
			h.name = fmt.Sprint("no seat ", h.rule)
		}
		gives = append(gives, give{fmt.Sprint(rnd.IntN(3), "@example.com"), h})
	}
	p := newPeople(0)
	model := map[string][]membership{} // email: the licenses, in people's order
	for row, g := range gives {
		if err := p.add(&record{email: g.email, licenses: []held{g.held}}, row+2); err != nil {
			t.Fatal(err)
		}
		l, _ := p.license(g.name)
		model[g.email] = giveByScan(model[g.email], membership{license: l, state: g.status, rule: g.rule, fallback: g.fallback})
		i, _ := p.index(g.email)
		u := p.user(int(i))
		var got []membership
		for k := range p.heldLen(i, u) {
			got = append(got, *p.held(i, u, k))
		}
		if !slices.Equal(got, model[g.email]) {
			t.Fatalf("row %d, %s: holds %v, the scan says %v", row, g.email, got, model[g.email])
		}
		for _, m := range got {
			if k, ok := p.placeOf(i, u, m.license); !ok || *p.held(i, u, k) != m {
				t.Fatalf("row %d, %s: license %d not found at its place", row, g.email, m.license)
			}
		}
	}
	indexed := 0
	for email, ms := range model {
		if len(ms) <= manyHeld {
			t.Errorf("%s holds %d licenses: the test never took the indexed path", email, len(ms))
		}
		indexed += len(ms)
	}
	if len(p.many.place) != indexed {
		t.Errorf("the index has %d licenses, the users hold %d", len(p.many.place), indexed)
	}
}

// giveByScan is give as a scan of every license the user holds.
func giveByScan(ms []membership, x membership) []membership {
	for k := 0; k < len(ms); k++ {
		if ms[k].rule != x.rule || ms[k].fallback == x.fallback {
			continue
		}
		if x.fallback {
			return ms
		}
		ms[k] = ms[len(ms)-1]
		ms = ms[:len(ms)-1]
		k--
	}
	for k := range ms {
		if ms[k].license == x.license {
			ms[k].state = max(ms[k].state, x.state)
			return ms
		}
	}
	return append(ms, x)
}

// TestRolesOfManyRows unites a user's roles over rows, past the lists users share, and
// refuses the user whose rows give more than maxRoles roles.
func TestRolesOfManyRows(t *testing.T) {
	p := newPeople(0)
	var want []string
	for k := range maxRoles {
		role := fmt.Sprint("role ", k)
		want = append(want, role)
		// Later rows repeat a role before theirs in capitals: it is the same role.
		roles := []string{role}
		if k > 0 {
			roles = append(roles, strings.ToUpper(want[k/2]))
		}
		if err := p.add(&record{email: "ada@example.com", roles: roles}, k+2); err != nil {
			t.Fatalf("row %d: %v", k+2, err)
		}
		if err := p.add(&record{email: fmt.Sprint(k, "@example.com"), roles: []string{"viewer"}}, k+2); err != nil {
			t.Fatal(err)
		}
	}
	i, _ := p.index("ada@example.com")
	if got := p.view(int(i), nil).Roles; !slices.Equal(got, want) {
		t.Errorf("roles %q, want %q", got, want)
	}
	// The lists on the way to a hundred roles are not kept: only the short ones are shared.
	if len(p.roles) > sharedRoles+1 || len(p.ownRoles) != 1 {
		t.Errorf("%d shared lists and %d own lists kept, want at most %d and 1", len(p.roles), len(p.ownRoles), sharedRoles+1)
	}
	err := p.add(&record{email: "ada@example.com", roles: []string{"role 0", "one more"}}, maxRoles+2)
	if err == nil || !strings.Contains(err.Msg, "ada@example.com has more than 100 roles") || err.Hint == "" {
		t.Errorf("a user past %d roles: %v", maxRoles, err)
	}
	many := make([]string, maxRoles+1)
	for k := range many {
		many[k] = fmt.Sprint("r", k)
	}
	if err := p.add(&record{email: "bob@example.com", roles: many}, 200); err == nil {
		t.Errorf("a row of %d roles was taken", len(many))
	}
}

// TestRecentLookups looks up more values than people remembers, in an order that reuses
// and evicts its slots: every index found must hold the value looked for.
func TestRecentLookups(t *testing.T) {
	p := newPeople(0)
	for round := range 3 {
		for i := range 3 * recentSize {
			k := (i * 7919 * (round + 1)) % (3 * recentSize)
			date := fmt.Sprintf("2026-%02d-%02d", 1+k%12, 1+k%28)
			if got := p.value(p.share(date)); got != date {
				t.Fatalf("share(%q) found %q", date, got)
			}
			name := fmt.Sprintf("Seat %d", k)
			if round == 2 {
				name = strings.ToUpper(name) // found ignoring case, first spelling kept
			}
			l, err := p.license(name)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.licenses[l]; !strings.EqualFold(got, name) {
				t.Fatalf("license(%q) found %q", name, got)
			}
			roles := []string{fmt.Sprint("r", k%5), fmt.Sprint("r", k)}[:1+k%2]
			if got := p.roles[p.roleList(roles)]; !slices.Equal(got, roles) {
				t.Fatalf("roleList(%q) found %q", roles, got)
			}
		}
	}
	if len(p.licenses) != 3*recentSize {
		t.Fatalf("%d license names, want %d", len(p.licenses), 3*recentSize)
	}
}

// FuzzArena reads back what the arena was given: short values and long ones, whose
// lengths take more than a byte, in records that fill chunks.
func FuzzArena(f *testing.F) {
	f.Add("ada", "7", "Ada", "Lovelace", 3, 1, 0)
	f.Add("", "", "", "", 0, 200, 300)
	f.Fuzz(func(t *testing.T, a, b, c, e string, d, long, times int) {
		var m memory
		ar := arena{mem: &m}
		d, long, times = max(d, 0)%300, max(long, 0)%400, 1+max(times, 0)%50
		v := [4]string{a, b + strings.Repeat("x", long), c, e}
		type at struct {
			chunk uint32
			at    uint16
		}
		var ats []at
		for range times {
			k, i := ar.add(v, d)
			ats = append(ats, at{k, i})
		}
		for _, x := range ats {
			if got, gd := ar.str(x.chunk, x.at); got != v || gd != d {
				t.Fatalf("read back %q, %d; want %q, %d", got, gd, v, d)
			}
		}
	})
}

// TestIndexExpectsUsers holds the email index near the users' need when it is sized by
// the users expected: exports of only new users, and exports whose second half repeats
// the first (two snapshots), where users stop coming halfway.
func TestIndexExpectsUsers(t *testing.T) {
	const users = 200_000
	for name, rows := range map[string]int{"new users": users, "two snapshots": 2 * users} {
		t.Run(name, func(t *testing.T) {
			p := newPeople(0)
			for r := range rows {
				if r%1024 == 0 {
					p.expect(float64(r) / float64(rows))
				}
				if err := p.add(&record{email: fmt.Sprintf("u%d@example.com", r%users)}, r+2); err != nil {
					t.Fatal(err)
				}
			}
			load := float64(p.len()) / float64(p.indexBytes()/8)
			t.Logf("%d users, %d expected, index %d KB, %.2f full", p.len(), p.expected, p.indexBytes()>>10, load)
			if p.len() != users || load < 0.5 || load > 0.75 {
				t.Errorf("%d users fill %.2f of the index; want 0.5 to 0.75", p.len(), load)
			}
		})
	}
}
