package schema

import (
	"fmt"
	"testing"
	"time"
)

// TestTappedFactsAreReadFacts: the facts the checker keeps of a record with no problem
// as it checks it are those readFacts reads of it, which the rules have always read.
func TestTappedFactsAreReadFacts(t *testing.T) {
	records := map[string][]string{
		"users": {
			`{"email": "Ada@Example.com", "status": "active", "lastUsedDate": "2026-03-17"}`,
			`{"lastUsedDate": "2026-03-17T09:30:00Z", "email": "a\u0042c@b.co", "roles": ["x", "y"], "id": "7"}`,
			"{\n  \"firstName\": \"Grace\",\n  \"email\": \"grace@example.com\"\n}",
		},
		"licenses": {
			`{"name": "Pro", "pricePerUser": 1500.5, "unassignedAmount": 3, "users": [{"email": "a@b.co", "licenseStatus": "active"}, {"email": "C\u0040d.co"}]}`,
			`{"users": [], "name": "Free"}`,
			`{"name": "Seats"}`,
			"{\"name\": \"x\", \"users\": [\n  {\"licenseStatus\": \"inactive\",\n   \"email\": \"e@f.co\"}\n]}",
		},
	}
	d := Contract().newDocument(nil, time.Now(), nil, Records{})
	for name, recs := range records {
		n := Contract().user
		if name == "licenses" {
			n = Contract().license
		}
		for i, rec := range recs {
			d.rec, d.recOff, d.recLine, d.recCol = []byte(rec), 100, 3, 5
			tapped := item{name: name, n: n, index: i}
			var tb factBuf
			tb.text = append(tb.text, "earlier"...) // a batch holds the facts of records before
			d.prepareElement(&tapped, &tb)
			if len(tapped.problems) > 0 || !tapped.ruled {
				t.Fatalf("%s[%d] has problems: %v", name, i, tapped.problems)
			}
			var want recordFacts
			wb := factBuf{text: []byte("earlier")}
			if err := d.readFacts(name, &want, &wb); err != nil {
				t.Fatal(err)
			}
			if got := describeFacts(&tapped.facts, &tb, d.rec); got != describeFacts(&want, &wb, d.rec) {
				t.Errorf("%s[%d]: tapped %s, read %s", name, i, got, describeFacts(&want, &wb, d.rec))
			}
		}
	}
}

func describeFacts(f *recordFacts, fb *factBuf, rec []byte) string {
	s := fmt.Sprintf("email %q status %q lastUsed %q name %q", fb.text[f.email[0]:f.email[1]], f.status, f.lastUsed, f.name)
	if f.price != nil {
		s += fmt.Sprintf(" price %v", *f.price)
	}
	if f.unassigned != nil {
		s += fmt.Sprintf(" unassigned %d", *f.unassigned)
	}
	for _, h := range fb.held[f.held[0]:f.held[1]] {
		s += fmt.Sprintf(" holder %q at %d", fb.email(h, rec), h.at)
	}
	return s
}
