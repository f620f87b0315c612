package convert

import (
	"fmt"
	"strings"
	"time"

	"github.com/torii-convert/torii-convert/convert/source"
	"github.com/torii-convert/torii-convert/internal/text"
)

// Date orders for all-number dates such as 03/04/2024.
const (
	MonthFirst = "month-first"
	DayFirst   = "day-first"
)

// dateReader reads the dates of one export into YYYY-MM-DD. It tries the template's
// layouts first, then reads any date whose parts it can tell apart: a year of four
// digits or a month name settle the order; all-number dates such as 03/04/2024 follow the
// template's order, and are refused as ambiguous when the template gives none.
// A time after the date is allowed and dropped: Torii keeps days.
type dateReader struct {
	order   string
	layouts []string
	never   []string
	serials *serials // a workbook's, where a plain number may be a date; else nil
	// seen is what the last date read says of the order, when the template gives none:
	// DayFirst or MonthFirst when a part above 12 proves it, Ambiguous when it could be
	// either (read month-first until the whole export has been seen), else "".
	seen string
}

// serials reads plain numbers in a workbook's date columns as the day numbers that
// spreadsheets store dates as, and counts them for a note.
type serials struct {
	date1904      bool
	n             int
	example, date string
}

func (s *serials) read(v string) (string, bool) {
	d, ok := source.SerialDate(v, s.date1904)
	if ok {
		if s.n++; s.n == 1 {
			s.example, s.date = v, d
		}
	}
	return d, ok
}

// note says, once, how many numbers were read as dates.
func (s *serials) note(file string) string {
	system := "1900"
	if s.date1904 {
		system = "1904"
	}
	return fmt.Sprintf("%s: %s in date columns read as days of the workbook's %s date system, as spreadsheets store dates (%s is %s); format the column as a date to make it plain",
		file, text.Plural(s.n, "number", "numbers"), system, s.example, s.date)
}

// Ambiguous marks an all-number date that could be day-first or month-first.
const Ambiguous = "ambiguous"

var defaultNever = []string{"never", "never logged in", "never accessed", "never signed in", "none", "n/a", "na", "-", "--"}

func newDateReader(d Dates, order string) *dateReader {
	r := &dateReader{order: d.Order, layouts: d.Layouts}
	if order != "" {
		r.order = order
	}
	for _, s := range append(defaultNever, d.Never...) {
		r.never = append(r.never, strings.TrimSpace(s))
	}
	return r
}

// isNever reports whether s means "no date". Dates mostly start with a digit, and those
// need no look at the list.
func (r *dateReader) isNever(s string) bool {
	if s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for _, n := range r.never {
		if strings.EqualFold(s, n) {
			return true
		}
	}
	return false
}

// read returns the date as YYYY-MM-DD, "" when the text means no date, or an error that
// says why not.
func (r *dateReader) read(s string) (string, error) {
	r.seen = ""
	s = trim(s)
	if s == "" || r.isNever(s) {
		return "", nil
	}
	if d, ok := isoDate(s); ok {
		return d, nil
	}
	for _, layout := range r.layouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02"), nil
		}
	}
	if r.serials != nil {
		if d, ok := r.serials.read(s); ok {
			return d, nil
		}
	}
	return r.generic(s)
}

// isoDate is the fast path for the most common form, 2024-03-17 with any time after it.
func isoDate(s string) (string, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' || len(s) > 10 && !hourMinute(s[10:]) && !timeLike(s[10:]) {
		return "", false
	}
	// The digits, as unsigned numbers: a byte below '0' wraps to a large one.
	y1, y2, y3, y4 := uint(s[0])-'0', uint(s[1])-'0', uint(s[2])-'0', uint(s[3])-'0'
	m1, m2, d1, d2 := uint(s[5])-'0', uint(s[6])-'0', uint(s[8])-'0', uint(s[9])-'0'
	if y1 > 9 || y2 > 9 || y3 > 9 || y4 > 9 || m1 > 9 || m2 > 9 || d1 > 9 || d2 > 9 ||
		!validDate(int(y1*1000+y2*100+y3*10+y4), int(m1*10+m2), int(d1*10+d2)) {
		return "", false
	}
	return s[:10], true
}

// hourMinute is the fast path of timeLike for the time most exports write: " 09:18".
func hourMinute(s string) bool {
	digit := func(c byte) bool { return '0' <= c && c <= '9' }
	return len(s) == 6 && s[0] == ' ' && digit(s[1]) && digit(s[2]) && s[3] == ':' && digit(s[4]) && digit(s[5]) &&
		(s[1] < '2' || s[1] == '2' && s[2] <= '3') && s[4] <= '5'
}

func validDate(y, m, d int) bool {
	if y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 {
		return false
	}
	return d <= text.DaysIn(y, m)
}

type datePart struct {
	n      int
	digits int  // 0 for a month name
	month  bool // n is a month number taken from its name
}

var monthNames = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
	"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
	"september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

var ignoredWords = map[string]bool{
	"mon": true, "monday": true, "tue": true, "tues": true, "tuesday": true, "wed": true, "wednesday": true,
	"thu": true, "thur": true, "thurs": true, "thursday": true, "fri": true, "friday": true,
	"sat": true, "saturday": true, "sun": true, "sunday": true,
	"st": true, "nd": true, "rd": true, "th": true, "of": true,
}

func (r *dateReader) generic(s string) (string, error) {
	var parts []datePart
	i := 0
	for i < len(s) && len(parts) < 3 {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			j := i
			for j < len(s) && '0' <= s[j] && s[j] <= '9' {
				j++
			}
			if j < len(s) && s[j] == ':' {
				return "", r.unreadable(s) // a time before the date is complete
			}
			n, _ := text.Digits(s[i:j])
			if j-i == 8 && len(parts) == 0 { // 20240317
				parts = append(parts, datePart{n: n / 10000, digits: 4}, datePart{n: n / 100 % 100, digits: 2}, datePart{n: n % 100, digits: 2})
			} else if j-i > 4 {
				return "", r.unreadable(s)
			} else {
				parts = append(parts, datePart{n: n, digits: j - i})
			}
			i = j
		case 'a' <= c|0x20 && c|0x20 <= 'z':
			j := i
			for j < len(s) && 'a' <= s[j]|0x20 && s[j]|0x20 <= 'z' {
				j++
			}
			word := strings.ToLower(s[i:j])
			if m, ok := monthNames[word]; ok {
				parts = append(parts, datePart{n: m, month: true})
			} else if !ignoredWords[word] {
				return "", r.unreadable(s)
			}
			i = j
		case c == ' ' || c == '/' || c == '-' || c == '.' || c == ',' || c == '\t':
			i++
		default:
			return "", r.unreadable(s)
		}
	}
	if len(parts) < 3 || !timeLike(s[i:]) {
		return "", r.unreadable(s)
	}
	y, m, d, err := r.arrange(parts, s)
	if err != nil {
		return "", err
	}
	if !validDate(y, m, d) {
		return "", fmt.Errorf("%s is not a real date", text.Quote(s))
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d), nil
}

// arrange tells year, month and day apart.
func (r *dateReader) arrange(p []datePart, s string) (y, m, d int, err error) {
	year := func(q datePart) int {
		if q.digits == 2 { // like Python's %y: 69-99 are the 1900s
			if q.n < 69 {
				return 2000 + q.n
			}
			return 1900 + q.n
		}
		return q.n
	}
	names := 0
	for _, q := range p {
		if q.month {
			names++
		}
	}
	switch {
	case names > 1:
		return 0, 0, 0, r.unreadable(s)
	case names == 1:
		var nums []datePart
		for _, q := range p {
			if q.month {
				m = q.n
			} else {
				nums = append(nums, q)
			}
		}
		if nums[0].digits == 4 || nums[0].n > 31 { // 2024 Mar 17
			return year(nums[0]), m, nums[1].n, nil
		}
		return year(nums[1]), m, nums[0].n, nil // Mar 17, 2024 and 17 Mar 2024
	case p[0].digits == 4:
		return p[0].n, p[1].n, p[2].n, nil // 2024/03/17
	case p[2].digits != 4 && p[2].digits != 2:
		return 0, 0, 0, r.unreadable(s)
	}
	a, b := p[0].n, p[1].n
	order := r.order
	if order == "" {
		switch {
		case a > 12 && b > 12:
			return 0, 0, 0, fmt.Errorf("%s is not a real date", text.Quote(s))
		case a > 12:
			order, r.seen = DayFirst, DayFirst
		case b > 12:
			order, r.seen = MonthFirst, MonthFirst
		case a == b:
			order = MonthFirst
		default:
			order, r.seen = MonthFirst, Ambiguous
		}
	}
	if order == DayFirst {
		return year(p[2]), b, a, nil
	}
	return year(p[2]), a, b, nil
}

func (r *dateReader) unreadable(s string) error {
	return fmt.Errorf("%s is not a date torii-convert can read; add its layout to the template's \"dates\": {\"layouts\": [...]}, written with Go's reference date 2006-01-02 15:04:05", text.Quote(s))
}

// timeLike reports whether what follows a date is a time of day, a zone, or nothing:
// " 12:34", "T09:30:00.000Z", " 3:04 PM", ", 10:00 (UTC)".
func timeLike(s string) bool {
	c := timeScan{s: s}
	c.skip(" \tTt,@")
	hour, ok := c.clock()
	if !ok {
		return false
	}
	c.skip(" ")
	if c.meridiem() && (hour < 1 || hour > 12) {
		return false // "13:00 PM", "0:30 AM"
	}
	c.skip(" ")
	if !c.zone() {
		return false
	}
	c.skip(" ")
	return c.i == len(s)
}

// timeScan reads what follows a date, byte by byte.
type timeScan struct {
	s string
	i int
}

func (c *timeScan) skip(set string) {
	for c.i < len(c.s) && strings.IndexByte(set, c.s[c.i]) >= 0 {
		c.i++
	}
}

// digits reads up to max digits and says how many it read.
func (c *timeScan) digits(max int) int {
	n := 0
	for c.i < len(c.s) && n < max && '0' <= c.s[c.i] && c.s[c.i] <= '9' {
		c.i++
		n++
	}
	return n
}

// clock reads a time of day, if there is one: "9", "09:30", "09:30:00.000", and returns
// its hour (-1 for none); false when it is no time of day: an hour past 23, a minute or
// second past 59.
func (c *timeScan) clock() (int, bool) {
	s := c.s
	from := c.i
	if c.digits(2) == 0 {
		return -1, true
	}
	hour := number(s[from:c.i])
	for k := 0; k < 2 && c.i < len(s) && (s[c.i] == ':' || s[c.i] == '.') && c.i+1 < len(s) && '0' <= s[c.i+1] && s[c.i+1] <= '9'; k++ {
		c.i++
		if c.digits(2) != 2 || number(s[c.i-2:c.i]) > 59 {
			return hour, false
		}
	}
	if c.i < len(s) && (s[c.i] == '.' || s[c.i] == ',') {
		c.i++
		if c.digits(9) == 0 {
			return hour, false
		}
	}
	return hour, hour <= 23
}

// number is the value of one or two digits.
func number(d string) int {
	n := 0
	for i := 0; i < len(d); i++ {
		n = 10*n + int(d[i]-'0')
	}
	return n
}

// meridiem reads "AM" or "p.m.", if there is one, and says whether there was.
func (c *timeScan) meridiem() bool {
	rest := c.s[c.i:]
	prefix := func(p string) bool { return len(rest) >= len(p) && strings.EqualFold(rest[:len(p)], p) }
	switch {
	case prefix("a.m.") || prefix("p.m."):
		c.i += 4
	case prefix("am") || prefix("pm"):
		c.i += 2
	default:
		return false
	}
	return true
}

// zone reads a zone, if there is one: an offset ("+02", "-05:30", "+0100"), "Z", or an
// abbreviation of two to five capitals ("UTC", "(CEST)"). Other letters are no zone:
// "2024-03-17x" is no date.
func (c *timeScan) zone() bool {
	s := c.s
	if c.i < len(s) && (s[c.i] == '+' || s[c.i] == '-') {
		c.i++
		if c.digits(2) != 2 {
			return false
		}
		if c.i < len(s) && s[c.i] == ':' {
			c.i++
		}
		n := c.digits(2)
		return n == 0 || n == 2
	}
	open := c.i < len(s) && s[c.i] == '('
	if open {
		c.i++
	}
	from := c.i
	for c.i < len(s) && 'a' <= s[c.i]|0x20 && s[c.i]|0x20 <= 'z' {
		c.i++
	}
	switch letters := s[from:c.i]; {
	case letters == "Z" || letters == "z" || letters == "" && !open:
	case len(letters) < 2 || len(letters) > 5 || strings.ToUpper(letters) != letters:
		return false
	}
	if open {
		if c.i >= len(s) || s[c.i] != ')' {
			return false
		}
		c.i++
	}
	return true
}
