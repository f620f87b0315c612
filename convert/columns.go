package convert

import (
	"regexp"
	"sort"
	"strings"

	"github.com/torii-convert/torii-convert/internal/text"
)

// bracketSuffix is a trailing note in brackets that exports add to a header, such as
// Google's "Status [READ ONLY]" or "Email Address [Required]"; "[2]" is not one: it
// picks one of several columns with the same name.
var bracketSuffix = regexp.MustCompile(`\s*\[[^\]]*[^\]\d\s][^\]]*\]\s*$`)

// headerKey is the form in which headers and aliases are compared: as normHeader, and
// without bracketed notes.
func headerKey(s string) string {
	for strings.HasSuffix(strings.TrimSpace(s), "]") {
		t := bracketSuffix.ReplaceAllString(s, "")
		if t == s || strings.TrimSpace(t) == "" {
			break
		}
		s = t
	}
	return normHeader(s)
}

// dataWords are the words of headers that look like Torii data: a column called so that
// feeds nothing is worth a warning.
var dataWords = regexp.MustCompile(`(?i)(^|[^a-z])(status|state|roles?|licen[cs]es?|licensed|seats?|plans?|products?|subscriptions?|skus?|names?|id|login|username|userid|fullname|displayname|last\s*(login|log\s*in|sign\s*-?\s*in|signed\s*in|seen|seen\s*in|active|activity|used|accessed|authenticated|access)|(first|last|given|family|sur)\s*name|vorname|nachname|prénom|nom|nombre|apellidos?|naam|achternaam|voornaam)([^a-z]|$)`)

// looksLikeData reports whether a header names something Torii holds: a status, role,
// license, seat, last login or activity, name or id.
func looksLikeData(header string) bool {
	h := bracketSuffix.ReplaceAllString(header, "")
	h = strings.NewReplacer("_", " ", "-", " ").Replace(h)
	return dataWords.MatchString(h)
}

// closestHeaders returns up to three headers of the file nearest to any of the aliases,
// nearest first; none when nothing is close.
func closestHeaders(aliases []string, header []string, extra func(h string) bool) []string {
	type scored struct {
		h string
		d int
	}
	var found []scored
	seen := map[string]bool{}
	for _, h := range header {
		h = strings.TrimSpace(h)
		k := headerKey(h)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		best := 1 << 30
		for _, a := range aliases {
			name, _ := splitNth(a)
			ak := headerKey(name)
			d := text.Distance(k, ak)
			if strings.Contains(k, ak) || strings.Contains(ak, k) {
				d = min(d, 1+abs(len(k)-len(ak))/4)
			}
			if d <= max(2, len(ak)/3) {
				best = min(best, d)
			}
		}
		if best == 1<<30 && extra != nil && extra(h) {
			best = 100
		}
		if best < 1<<30 {
			found = append(found, scored{h, best})
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].d < found[j].d })
	var out []string
	for i := 0; i < len(found) && i < 3; i++ {
		out = append(out, found[i].h)
	}
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// LooksLikeData reports whether a header names something Torii holds: a status, role,
// license, seat, last login or activity, name or id. Columns so named that feed nothing
// are warned about.
func LooksLikeData(header string) bool { return looksLikeData(header) }
