package convert

import (
	"strings"
	"testing"
	"time"
	"unicode"
)

func TestDates(t *testing.T) {
	for _, tc := range []struct {
		in, order, want, err string
		seen                 string // what the date proves of the order, when none is given
		layouts              []string
	}{
		{in: "2024-03-17", want: "2024-03-17"},
		{in: "2024-01-31 12:34", want: "2024-01-31"},
		{in: "2022-03-18 19:49:35Z", want: "2022-03-18"},
		{in: "2026-03-10T09:00:00Z", want: "2026-03-10"},
		{in: "2026-03-10T09:00:00.123+02:00", want: "2026-03-10"},
		{in: "2016/04/04 00:24:13", want: "2016-04-04"},
		{in: "Mar 17, 2025", want: "2025-03-17"},
		{in: "March 17th, 2025 3:04 PM", want: "2025-03-17"},
		{in: "05 Mar 2024", want: "2024-03-05"},
		{in: "15-Mar-2021", want: "2021-03-15"},
		{in: "Mon, 02 Jan 2006 15:04:05 MST", want: "2006-01-02"},
		{in: "20240317", want: "2024-03-17"},
		{in: "3/17/25", want: "2025-03-17", seen: MonthFirst},
		{in: "17/03/2024", want: "2024-03-17", seen: DayFirst},
		{in: "03/04/2024", order: MonthFirst, want: "2024-03-04"},
		{in: "03/04/2024", order: DayFirst, want: "2024-04-03"},
		{in: "03.04.2024 10:00", order: DayFirst, want: "2024-04-03"},
		{in: "4/4/2024", want: "2024-04-04"},
		{in: "Jan 2, 2024, 10:00 (UTC)", want: "2024-01-02"},
		{in: "  Never logged in ", want: ""},
		{in: "N/A", want: ""},
		{in: "", want: ""},
		{in: "2.1.2006", layouts: []string{"2.1.2006"}, want: "2006-01-02"},
		{in: "03/04/2024", want: "2024-03-04", seen: Ambiguous}, // until the export says otherwise
		{in: "03/04/2024", order: DayFirst, want: "2024-04-03", seen: ""},
		{in: "2024-02-30", err: `"2024-02-30" is not a real date`},
		{in: "31/31/2024", err: `is not a real date`},
		{in: "yesterday", err: `"yesterday" is not a date torii-convert can read`},
		{in: "45733", err: `"45733" is not a date torii-convert can read`},
		{in: "2024-03-17 and more", err: `is not a date torii-convert can read`},
		{in: "10:30 Mar 17, 2025", err: `is not a date torii-convert can read`},
		{in: "2026-02-03T10:00:00 UTC", want: "2026-02-03"},
		{in: "2026-02-03 10:00 (CEST)", want: "2026-02-03"},
		{in: "2026-02-03 11:59 pm", want: "2026-02-03"},
		{in: "2026-02-03 23:59:59.999z", want: "2026-02-03"},
		{in: "2026-02-03x", err: `is not a date torii-convert can read`},          // a letter is no zone
		{in: "2026-02-03 10:00 utc", err: `is not a date torii-convert can read`}, // nor are small letters
		{in: "2026-02-03 10:00 ABCDEF", err: `is not a date torii-convert can read`},
		{in: "2026-02-03T25:00:00Z", err: `is not a date torii-convert can read`},
		{in: "2026-02-03 24:30", err: `is not a date torii-convert can read`},
		{in: "2026-02-03T10:60", err: `is not a date torii-convert can read`},
		{in: "2026-02-03T10:00:60Z", err: `is not a date torii-convert can read`},
		{in: "Mar 17, 2025 13:04 PM", err: `is not a date torii-convert can read`},
		{in: "Mar 17, 2025 0:30 am", err: `is not a date torii-convert can read`},
	} {
		r := newDateReader(Dates{Layouts: tc.layouts}, tc.order)
		got, err := r.read(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: got %q, %v; want an error with %q", tc.in, got, err, tc.err)
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("%q: got %q, %v; want %q", tc.in, got, err, tc.want)
		case r.seen != tc.seen:
			t.Errorf("%q: proves %q of the order, want %q", tc.in, r.seen, tc.seen)
		}
	}
}

// FuzzDates: any text is a valid date, no date, or an error; never a panic or nonsense.
func FuzzDates(f *testing.F) {
	for _, s := range []string{"2024-03-17", "Mar 17, 2025", "3/17/25", "17-Mar-2021 10:00 PM", "Never", "20240317", "2024/13/45", "2024-02-29 09:18", "2023-02-29", "0999-01-01", "2024-1-017"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, dayFirst bool) {
		order := MonthFirst
		if dayFirst {
			order = DayFirst
		}
		if len(s) >= 10 {
			// isoDate, the fast path, takes what the time package reads as a date
			// from year 1000 on, with a time after it or none.
			_, perr := time.Parse("2006-01-02", s[:10])
			tail := s[10:]
			want := perr == nil && s[0] != '0' && (tail == "" || hourMinute(tail) || timeLike(tail))
			if d, ok := isoDate(s); ok != want || ok && d != s[:10] {
				t.Fatalf("isoDate(%q) = %q, %v; want %v", s, d, ok, want)
			}
		}
		got, err := newDateReader(Dates{}, order).read(s)
		if err != nil || got == "" {
			return
		}
		if _, perr := time.Parse("2006-01-02", got); perr != nil {
			t.Fatalf("%q read as %q, which is not a date", s, got)
		}
	})
}

func TestParsePrice(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  string
	}{
		{"$1,500.00", 150000, ""},
		{"1.500,00 €", 150000, ""},
		{"EUR 12,50", 1250, ""},
		{"15", 1500, ""},
		{"0", 0, ""},
		{"$0.125", 13, ""},
		{"1,000,000", 100000000, ""},
		{"CHF 1'234.50", 123450, ""},
		{"12,5", 1250, ""},
		{" £7.99 ", 799, ""},
		{"-5", 0, "it is negative"},
		{"(15.00)", 0, "it is negative"},
		{"free", 0, "it has no digits"},
		{"12abc3", 0, `'a' does not belong in a number`},
		{"99999999999999999999", 0, "too large"},
		{"$92233720368547758.08", 0, "too large; prices up to 90,071,992,547,409.91 are allowed"}, // wrapped to a negative number
		{"90,071,992,547,409.91", MaxWhole, ""},
		{"90,071,992,547,409.92", 0, "too large"},
		{"90071992547409.915", 0, "too large"},
		// A lone '.' before three digits: 1500 (1.500 €) or 1.50? Never a silent guess.
		{"1.500", 0, "it could be 1500 or 1.50; write it without the '.' or with cents (1.500,00), or as 1.50"},
		{"€ 12.500", 0, "it could be 12500 or 12.50"},
		{"1.500,00", 150000, ""},
		{"1.500.000", 150000000, ""},
		{"0.999", 100, ""},
		{"1234.567", 123457, ""},
		{"1.5", 150, ""},
		{".500", 50, ""},
	} {
		got, err := ParsePrice(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: got %d, %v; want an error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: got %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

func FuzzParsePrice(f *testing.F) {
	for _, s := range []string{"$1,500.00", "1.500,00 €", "12,5", "-1", "١٢٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if cents, err := ParsePrice(s); err == nil && cents < 0 {
			t.Fatalf("%q: negative price %d accepted", s, cents)
		}
	})
}

func TestSplitName(t *testing.T) {
	for in, want := range map[string][2]string{
		"Ada Lovelace":            {"Ada", "Lovelace"},
		"Ludwig van Beethoven":    {"Ludwig", "van Beethoven"},
		"Lovelace, Ada":           {"Ada", "Lovelace"},
		"  Cher ":                 {"Cher", ""},
		"Hopper,  Grace Brewster": {"Grace Brewster", "Hopper"},
		"Ada  Lovelace":           {"Ada", "Lovelace"},
		"Ada \u00a0Lovelace":      {"Ada", "Lovelace"},
		"Ada\u2003Lovelace":       {"Ada", "Lovelace"},
		"Ada\u2003 Lovelace":      {"Ada", "Lovelace"},
		"Ada L":                   {"Ada", "L"},
	} {
		if f, l := splitName(in); f != want[0] || l != want[1] {
			t.Errorf("%q: got %q %q, want %q %q", in, f, l, want[0], want[1])
		}
	}
}

func TestCompleteName(t *testing.T) {
	for _, c := range []struct{ first, last, full, wantFirst, wantLast string }{
		{"", "", "Ada Lovelace", "Ada", "Lovelace"},
		{"Ada", "Lovelace", "Augusta Ada King", "Ada", "Lovelace"},
		{"Jürgen", "", "Müller", "Jürgen", "Müller"}, // German "Vorname;Name"
		{"Richard", "", "von Weizsäcker", "Richard", "von Weizsäcker"},
		{"Klaus", "", "klaus Schmidt", "Klaus", "Schmidt"},
		{"Cher", "", "Cher", "Cher", ""},
		{"Ada", "", "Lovelace, Ada", "Ada", "Lovelace"},
		{"Ada", "", "Lovelace, Augusta", "Ada", ""},
		{"", "Lovelace", "Ada Lovelace", "Ada", "Lovelace"},
		{"", "Lovelace", "Ada", "Ada", "Lovelace"},
		{"", "Lovelace", "Lovelace", "", "Lovelace"},
		{"", "Lovelace", "Augusta Ada King", "", "Lovelace"},
		{"", "Lovelace", "Lovelace, Ada", "Ada", "Lovelace"},
		{"Ada", "", "", "Ada", ""},
	} {
		f, l := completeName(c.first, c.last, c.full)
		if f != c.wantFirst || l != c.wantLast {
			t.Errorf("completeName(%q, %q, %q) = %q, %q; want %q, %q", c.first, c.last, c.full, f, l, c.wantFirst, c.wantLast)
		}
	}
}

func TestNormHeader(t *testing.T) {
	for _, pair := range [][2]string{
		{"Email Address [Required]", "emailaddress[required]"},
		{"Seat_Type", "seattype"},
		{"Last\nactive", "lastactive"},
		{"\ufeffE-mail", "email"},
		{"Dev\u00a0Mode", "devmode"},
	} {
		if got := normHeader(pair[0]); got != pair[1] {
			t.Errorf("%q: got %q, want %q", pair[0], got, pair[1])
		}
	}
}

// FuzzTrim holds the fast paths of the mapper's text handling to the strings and
// unicode functions they stand for.
func FuzzTrim(f *testing.F) {
	for _, s := range []string{"", "a", " a ", "Ada Lovelace", "\u00a0x", "x\u2003", "é b", "a\tb", "\x85z",
		"user0@example.com", "User0@example.com", "user0@example.coM", "user0@exAmple.com", "abcdefgh@[\\]^_`{|}~", "@@@@@@@@ZZZZZZZZ", "user0@example.cöm", "\u200bada@example.com", "\ufeffbob@x.io\u2060", "Ada\u200d Lovelace\u200c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := trim(s), strings.TrimFunc(s, padding); got != want {
			t.Errorf("trim(%q) = %q, want %q", s, got, want)
		}
		if got, want := lower(s), strings.ToLower(s); got != want {
			t.Errorf("lower(%q) = %q, want %q", s, got, want)
		}
		if f, l := splitName(s); !strings.Contains(s, ",") {
			full := strings.TrimFunc(s, padding)
			wantF, wantL := full, ""
			if i := strings.IndexFunc(full, unicode.IsSpace); i > 0 {
				wantF, wantL = full[:i], strings.TrimSpace(full[i:])
			}
			if f != wantF || l != wantL {
				t.Errorf("splitName(%q) = %q, %q; want %q, %q", s, f, l, wantF, wantL)
			}
		}
		if got, want := indexSpace(s), strings.IndexFunc(s, unicode.IsSpace); got != want {
			t.Errorf("indexSpace(%q) = %d, want %d", s, got, want)
		}
		if got, want := hourMinute(s), len(s) == 6 && s[0] == ' ' && timeLike(s); got && !want {
			t.Errorf("hourMinute(%q) but not timeLike", s)
		}
	})
}
