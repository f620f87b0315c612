// Package diff tells what changes between two rosters (two customIntegrationData files,
// an export, or what Torii holds): users added, removed and whose status changed, and per
// license the holders gained and lost, the seats and the price. It also holds the shrink
// guard, which refuses a sync that would mark too many people as gone.
package diff

import (
	"sort"
	"sync"

	"github.com/torii-convert/torii-convert/internal/roster"
)

// Side counts what one side holds.
type Side struct {
	Name        string `json:"name"`
	Users       int    `json:"users"`
	ActiveUsers int    `json:"activeUsers"`
	Licenses    int    `json:"licenses"`
}

// Result is what changed from the old side to the new. Every list of emails is sorted;
// emails are as the side that has them wrote them.
type Result struct {
	Old         Side            `json:"old"`
	New         Side            `json:"new"`
	Same        bool            `json:"same"`
	Added       []string        `json:"added"`       // users only the new side has
	Removed     []string        `json:"removed"`     // users only the old side has
	Deactivated []string        `json:"deactivated"` // active, then deleted
	Reactivated []string        `json:"reactivated"` // deleted, then active
	Licenses    []LicenseChange `json:"licenses"`    // by name; only those that changed
	// NotCompared names what one side cannot say (what Torii's list of users lacks), so
	// that no difference is claimed there.
	NotCompared []string `json:"notCompared,omitempty"`
}

// LicenseChange is what changed in one license.
type LicenseChange struct {
	Name          string   `json:"name"`
	Change        string   `json:"change"` // added, removed or changed
	OldHolders    int      `json:"oldHolders"`
	NewHolders    int      `json:"newHolders"`
	Gained        []string `json:"gained"`
	Lost          []string `json:"lost"`
	OldPrice      *int64   `json:"oldPricePerUser,omitempty"`
	NewPrice      *int64   `json:"newPricePerUser,omitempty"`
	OldUnassigned *int64   `json:"oldUnassignedAmount,omitempty"`
	NewUnassigned *int64   `json:"newUnassignedAmount,omitempty"`
}

// Options say what a side cannot tell.
type Options struct {
	// NoLicenses: a side holds no licenses because it cannot know them (Torii's list of
	// users), not because there are none; licenses are then not compared.
	NoLicenses bool
	// NoPrices: a side cannot know prices and unassigned seats (Torii's list of users);
	// they are then not compared.
	NoPrices bool
}

func count(r *roster.Roster) Side {
	s := Side{Name: r.Name, Users: r.Users(), Licenses: len(r.Licenses)}
	for i := range int32(r.Len()) {
		if r.Status(i) == roster.Active {
			s.ActiveUsers++
		}
	}
	return s
}

// Compare tells what changed from old to new. Emails match ignoring case; the order of
// users, of licenses and of holders makes no difference. It takes time and memory in
// proportion to the users and holders of both sides.
func Compare(old, new *roster.Roster, opts Options) *Result {
	res := &Result{Old: count(old), New: count(new), Added: []string{}, Removed: []string{},
		Deactivated: []string{}, Reactivated: []string{}, Licenses: []LicenseChange{}}
	o2n, n2o := match(old, new)
	for i := range int32(old.Len()) {
		if old.Status(i) == roster.Unknown {
			continue
		}
		j := o2n[i]
		if j < 0 || new.Status(j) == roster.Unknown {
			res.Removed = append(res.Removed, old.Email(i))
			continue
		}
		switch {
		case old.Status(i) == roster.Active && new.Status(j) == roster.Deleted:
			res.Deactivated = append(res.Deactivated, new.Email(j))
		case old.Status(i) == roster.Deleted && new.Status(j) == roster.Active:
			res.Reactivated = append(res.Reactivated, new.Email(j))
		}
	}
	for j := range int32(new.Len()) {
		if new.Status(j) == roster.Unknown {
			continue
		}
		if i := n2o[j]; i < 0 || old.Status(i) == roster.Unknown {
			res.Added = append(res.Added, new.Email(j))
		}
	}
	switch {
	case opts.NoLicenses:
		res.NotCompared = append(res.NotCompared, "licenses")
	case opts.NoPrices:
		res.NotCompared = append(res.NotCompared, "prices", "unassigned seats")
		fallthrough
	default:
		res.Licenses = compareLicenses(old, new, o2n, n2o, !opts.NoPrices)
	}
	for _, list := range [][]string{res.Added, res.Removed, res.Deactivated, res.Reactivated} {
		sort.Strings(list)
	}
	res.Same = len(res.Added)+len(res.Removed)+len(res.Deactivated)+len(res.Reactivated)+len(res.Licenses) == 0
	return res
}

// match pairs the entries of both sides by email: o2n maps each entry of old to the
// same email's entry in new, n2o the other way, -1 where the other side has none.
// Holders that are no users match too, as users do. Each email is looked up once, from
// old into new, after the entry that matched the one before (FindNear); the lookups,
// which wait on memory, are shared between the cores.
func match(old, new *roster.Roster) (o2n, n2o []int32) {
	o2n = make([]int32, old.Len())
	var wg sync.WaitGroup
	half := len(o2n) / 2
	for _, part := range [][2]int{{0, half}, {half, len(o2n)}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			guess := int32(-1)
			for i := part[0]; i < part[1]; i++ {
				j, ok := new.FindNear(old, int32(i), guess)
				if !ok {
					j = -1
				}
				o2n[i], guess = j, j+1
			}
		}()
	}
	wg.Wait()
	n2o = make([]int32, new.Len())
	for j := range n2o {
		n2o[j] = -1
	}
	for i, j := range o2n {
		if j >= 0 {
			n2o[j] = int32(i)
		}
	}
	return o2n, n2o
}

// compareLicenses compares the licenses of both sides by name, marking holders in a
// stamp array per side, so that each license costs its holders and nothing more.
func compareLicenses(old, new *roster.Roster, o2n, n2o []int32, prices bool) []LicenseChange {
	out := []LicenseChange{}
	m := holderMarks{new: make([]int32, new.Len()), old: make([]int32, old.Len())}
	for li := range old.Licenses {
		ol := &old.Licenses[li]
		c := LicenseChange{Name: ol.Name, Change: "removed", OldHolders: len(ol.Holders), Gained: []string{}, Lost: []string{},
			OldPrice: ol.PricePerUser, OldUnassigned: ol.UnassignedAmount}
		nl, ok := new.License(ol.Name)
		if !ok {
			c.Lost = emailsOf(old, ol.Holders)
		} else {
			c.Change, c.NewHolders, c.NewPrice, c.NewUnassigned = "changed", len(nl.Holders), nl.PricePerUser, nl.UnassignedAmount
			c.Gained, c.Lost = m.gainedLost(old, new, ol, nl, o2n, n2o, int32(li+1))
		}
		if !prices {
			c.OldPrice, c.NewPrice, c.OldUnassigned, c.NewUnassigned = nil, nil, nil, nil
		}
		if !ok || len(c.Gained)+len(c.Lost) > 0 || !sameNumber(c.OldPrice, c.NewPrice) || !sameNumber(c.OldUnassigned, c.NewUnassigned) {
			out = append(out, c)
		}
	}
	for _, nl := range new.Licenses {
		if _, ok := old.License(nl.Name); ok {
			continue
		}
		c := LicenseChange{Name: nl.Name, Change: "added", NewHolders: len(nl.Holders), Gained: emailsOf(new, nl.Holders), Lost: []string{},
			NewPrice: nl.PricePerUser, NewUnassigned: nl.UnassignedAmount}
		if !prices {
			c.NewPrice, c.NewUnassigned = nil, nil
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// holderMarks are the stamp arrays, one a side: a person's entry holds the number
// (1-based) of the last license whose holders were marked, so that no array is
// cleared between licenses.
type holderMarks struct{ new, old []int32 }

// gainedLost are the people a license gained and lost, sorted by email.
func (m holderMarks) gainedLost(old, new *roster.Roster, ol, nl *roster.License, o2n, n2o []int32, stamp int32) (gained, lost []string) {
	gained, lost = []string{}, []string{}
	for _, h := range nl.Holders {
		m.new[h] = stamp
	}
	for _, h := range ol.Holders {
		m.old[h] = stamp
		if n := o2n[h]; n < 0 || m.new[n] != stamp {
			lost = append(lost, old.Email(h))
		}
	}
	for _, h := range nl.Holders {
		if i := n2o[h]; i < 0 || m.old[i] != stamp {
			gained = append(gained, new.Email(h))
		}
	}
	sort.Strings(gained)
	sort.Strings(lost)
	return gained, lost
}

// emailsOf are the holders' emails, sorted.
func emailsOf(r *roster.Roster, holders []int32) []string {
	out := make([]string, 0, len(holders))
	for _, h := range holders {
		out = append(out, r.Email(h))
	}
	sort.Strings(out)
	return out
}

func sameNumber(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
