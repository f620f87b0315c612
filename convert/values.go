package convert

import (
	"fmt"
	"math/bits"
	"strings"
	"unicode"

	"github.com/torii-convert/torii-convert/internal/text"
)

// MaxWhole is the largest price in cents, and the most seats, that torii-convert writes:
// 2^53-1, the largest whole number that every JSON reader (JavaScript's included) keeps
// exactly. Prices up to 90,071,992,547,409.91 in the major unit.
const MaxWhole = 1<<53 - 1

// ParsePrice reads a price in the currency's major unit, as people write it ("$1,500.00",
// "1.500,00 €", "EUR 12,50", "15"), and returns it in cents, exactly: no floating point
// touches it. Fractions of a cent round half up. Prices above MaxWhole cents are refused.
func ParsePrice(s string) (int64, error) {
	orig := s
	bad := func(why string) (int64, error) {
		return 0, fmt.Errorf("%s is not a price: %s", text.Quote(orig), why)
	}
	s = strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsLetter(r) || unicode.Is(unicode.Sc, r)
	})
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "(") {
		return bad("it is negative")
	}
	s = strings.TrimFunc(strings.TrimPrefix(s, "+"), func(r rune) bool { return unicode.IsSpace(r) || unicode.Is(unicode.Sc, r) })
	if s == "" {
		return bad("it has no digits")
	}
	intPart, frac := splitDecimal(s)
	if ambiguousThousands(intPart, frac, s) {
		return bad(fmt.Sprintf("it could be %s%s or %s.%s; write it without the '.' or with cents (%s.%s,00), or as %s.%s",
			intPart, frac, intPart, frac[:2], intPart, frac, intPart, frac[:2]))
	}
	var cents int64
	for _, r := range intPart {
		switch {
		case '0' <= r && r <= '9':
			if cents = cents*10 + int64(r-'0'); cents > MaxWhole/100 {
				return bad(tooLarge)
			}
		case r == ',' || r == '.' || r == '\'' || r == ' ' || r == '\u00a0' || r == '\u202f':
		default:
			return bad(fmt.Sprintf("%q does not belong in a number", r))
		}
	}
	cents *= 100
	for i, r := range frac {
		if r < '0' || r > '9' {
			return bad(fmt.Sprintf("%q does not belong in a number", r))
		}
		switch i {
		case 0:
			cents += 10 * int64(r-'0')
		case 1:
			cents += int64(r - '0')
		case 2:
			if r >= '5' {
				cents++
			}
		}
	}
	if !strings.ContainsAny(s, "0123456789") {
		return bad("it has no digits")
	}
	if cents > MaxWhole {
		return bad(tooLarge)
	}
	return cents, nil
}

// splitDecimal splits a number at its decimal separator: the last of '.' and ','. A lone
// ',' followed by exactly three digits groups thousands (1,500), and so does any
// separator that repeats.
func splitDecimal(s string) (intPart, frac string) {
	dot, comma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	sep := max(dot, comma)
	if sep < 0 {
		return s, ""
	}
	c := s[sep]
	if strings.Count(s, string(c)) > 1 || c == ',' && dot < 0 && len(s)-sep-1 == 3 {
		return s, ""
	}
	return s[:sep], s[sep+1:]
}

// ambiguousThousands reports whether a price split at a lone '.' could as well group
// thousands: 1.500 is 1500 where Europeans write it (1.500 €), 1.50 where the '.' marks
// cents, and three decimals say nothing either way. (A lone ',' before three digits
// groups thousands: 1,500 with three decimals is rarely written.)
func ambiguousThousands(intPart, frac, s string) bool {
	return len(frac) == 3 && len(s) == len(intPart)+4 && s[len(intPart)] == '.' &&
		len(intPart) >= 1 && len(intPart) <= 3 && intPart[0] >= '1' && intPart[0] <= '9' && strings.Trim(intPart+frac, "0123456789") == ""
}

const tooLarge = "it is too large; prices up to 90,071,992,547,409.91 are allowed"

// trim is strings.TrimSpace for the cells of a row, most of which have no space to trim:
// it settles those inline, by their first and last bytes.
func trim(v string) string {
	if len(v) == 0 || v[0] > ' ' && v[0] < 0x80 && v[len(v)-1] > ' ' && v[len(v)-1] < 0x80 {
		return v
	}
	return strings.TrimFunc(v, padding)
}

// padding tells the characters trim takes off a cell's ends: white space, and the
// invisible ones that copying from web pages and other tools leaves (zero-width spaces
// and joiners, the word joiner, a byte-order mark), which would make
// "\u200bada@example.com" a user other than ada@example.com.
func padding(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
		return true
	}
	return unicode.IsSpace(r)
}

// lower is strings.ToLower for emails, most of which are lower case already: it
// returns those as they are after one look at each byte, eight bytes at a time.
func lower(v string) string {
	if len(v) < 8 {
		for i := 0; i < len(v); i++ {
			if c := v[i]; c-'A' < 26 || c >= 0x80 {
				return strings.ToLower(v)
			}
		}
		return v
	}
	for i := 0; ; i += 8 {
		if i > len(v)-8 {
			i = len(v) - 8 // the last word overlaps the one before
		}
		if notLower(load64(v, i)) {
			return strings.ToLower(v)
		}
		if i == len(v)-8 {
			return v
		}
	}
}

// notLower reports whether a word of text holds an upper-case ASCII letter or a
// byte of a multi-byte character.
func notLower(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	// With no byte at or above 0x80, a byte gets its high bit from w+0x3f..
	// when it is at least 'A', and from w+0x25.. when it is above 'Z'.
	return w&highs != 0 || (w+(0x80-'A')*ones)&^(w+(0x80-'Z'-1)*ones)&highs != 0
}

// load64 reads the eight bytes of s from i as a little-endian word (one load: the
// compiler merges the byte loads).
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// splitName splits a full name: "Last, First" as HR systems write it, otherwise the first
// word is the first name and the rest the last name.
func splitName(full string) (first, last string) {
	if l, f, ok := strings.Cut(full, ","); ok {
		return strings.TrimSpace(f), strings.TrimSpace(l)
	}
	full = trim(full)
	if i := indexSpace(full); i > 0 {
		// Mostly one ASCII space: what follows it needs no trimming at its start.
		rest := full[i+1:]
		if full[i] >= 0x80 || len(rest) > 0 && (rest[0] <= ' ' || rest[0] >= 0x80) {
			rest = trim(full[i:])
		}
		return full[:i], rest
	}
	return full, ""
}

// indexSpace is strings.IndexFunc(s, unicode.IsSpace), without a rune decoded while s
// is ASCII.
func indexSpace(s string) int {
	// Eight bytes at a time while there are eight: the lowest byte found below '!' or
	// from 0x80 on is the first such (a borrow only marks bytes above it).
	i := 0
	for ; i+8 <= len(s); i += 8 {
		const ones, highs = 0x0101010101010101, 0x8080808080808080
		w := load64(s, i)
		if m := ((w - '!'*ones) | w) & highs; m != 0 {
			i += bits.TrailingZeros64(m) / 8
			break
		}
	}
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x80:
			if j := strings.IndexFunc(s[i:], unicode.IsSpace); j >= 0 {
				return i + j
			}
			return -1
		case c == ' ' || '\t' <= c && c <= '\r':
			return i
		}
	}
	return -1
}

// completeName fills in the first or last name a row lacks from its full name. With
// neither, the full name is split. With a first name only, the last name is the rest of a
// full name that starts with it, else the whole cell: German and Dutch reports call the
// surname "Name" or "Naam" beside "Vorname" or "Voornaam" ("von Weizsäcker" stays whole).
// With a last name only, the first name is what comes before it, or a lone word.
func completeName(first, last, full string) (string, string) {
	full = trim(full)
	switch {
	case full == "" || first != "" && last != "":
		return first, last
	case first == "" && last == "":
		return splitName(full)
	case strings.Contains(full, ","):
		f, l := splitName(full)
		if first == "" && strings.EqualFold(l, last) {
			return f, last
		}
		if last == "" && strings.EqualFold(f, first) {
			return first, l
		}
		return first, last
	case last == "":
		if len(full) > len(first) && strings.EqualFold(full[:len(first)], first) && unicode.IsSpace(rune(full[len(first)])) {
			return first, strings.TrimSpace(full[len(first):])
		}
		if strings.EqualFold(full, first) {
			return first, ""
		}
		return first, full
	default:
		if n := len(full) - len(last); n > 0 && strings.EqualFold(full[n:], last) && unicode.IsSpace(rune(full[n-1])) {
			return strings.TrimSpace(full[:n]), last
		}
		if !strings.ContainsFunc(full, unicode.IsSpace) && !strings.EqualFold(full, last) {
			return full, last
		}
		return "", last
	}
}

// normHeader is the form in which headers and aliases are compared: case, spaces
// (line breaks too), '_' and '-' do not count.
func normHeader(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r), r == '_', r == '-', r == '\ufeff', r == '\u200b':
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
