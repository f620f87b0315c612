package convert

import (
	"fmt"
	"testing"
)

// TestEmailIndexClashes holds the email index to finding every user, and no one else,
// when emails' hashes clash: all in full, or only in the top half kept in the slots.
func TestEmailIndexClashes(t *testing.T) {
	for name, hash := range map[string]func(string) uint64{
		"same hash":     func(string) uint64 { return 0xabcd_0000_0000_0007 },
		"same top half": func(s string) uint64 { return 0xabcd_0000_0000_0000 | uint64(len(s)*31+int(s[len(s)-1])) },
	} {
		t.Run(name, func(t *testing.T) {
			p := newPeople(0)
			p.hash = hash
			const n = 3000 // past the first size of the table, so that it grows
			for round := 0; round < 2; round++ {
				for i := 0; i < n; i++ {
					p.add(&record{email: fmt.Sprintf("u%d@example.com", i), id: fmt.Sprint(i)}, i+2)
				}
			}
			if p.len() != n || p.merged != n {
				t.Fatalf("%d users and %d rows merged, want %d and %d", p.len(), p.merged, n, n)
			}
			for i := 0; i < n; i++ {
				email := fmt.Sprintf("u%d@example.com", i)
				if k, ok := p.index(email); !ok || p.email(p.user(int(k))) != email || p.id(p.user(int(k))) != fmt.Sprint(i) {
					t.Fatalf("index(%q) = %d, %v", email, k, ok)
				}
			}
			if k, ok := p.index("nobody@example.com"); ok {
				t.Fatalf("index found user %d for an email no row has", k)
			}
		})
	}
}
