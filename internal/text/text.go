// Package text holds the small helpers for messages and text that several packages share.
package text

import (
	"bytes"
	"math"
	"strconv"
	"strings"
)

// Quote renders a value for a message, shortened so one bad cell cannot flood a terminal.
func Quote(s string) string {
	const max = 60
	if r := []rune(s); len(r) > max {
		s = string(r[:max]) + "…"
	}
	return strconv.Quote(s)
}

// Nearest returns the candidate a mistyped word most likely meant, or "" when none is
// close: within two edits, ignoring case, or one that starts with the word.
func Nearest(word string, candidates []string) string {
	best, bestDist := "", 3
	lower := strings.ToLower(word)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := Distance(lower, lc)
		if len(lower) >= 3 && strings.HasPrefix(lc, lower) {
			d = min(d, 1)
		}
		if d < bestDist || d == bestDist && best != "" && c < best {
			best, bestDist = c, d
		}
	}
	return best
}

// Distance is the Levenshtein edit distance between two strings, counted in runes.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// LineCol turns a byte offset into text into a 1-based line and column (in bytes).
func LineCol(src []byte, offset int64) (line, col int) {
	offset = max(0, min(offset, int64(len(src))))
	before := src[:offset]
	return bytes.Count(before, []byte{'\n'}) + 1, len(before) - bytes.LastIndexByte(before, '\n')
}

// Digits reads a decimal number written in ASCII digits alone, as cell references and
// dates have them: no sign, no space, and not past what an int holds.
func Digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' || n > (math.MaxInt-9)/10 {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, len(s) > 0
}

// Plural counts: Plural(1, "row", "rows") is "1 row", Plural(3, "row", "rows") "3 rows".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// Thousands writes a count with commas between groups of three digits: 8,388,608.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Cents writes an amount in cents in major units, with thousands separators: 1500 as
// 15.00, 123456 as 1,234.56.
func Cents(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	whole := strconv.FormatInt(c/100, 10)
	var b strings.Builder
	b.WriteString(sign)
	for i, ch := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	b.WriteByte('.')
	b.WriteByte(byte('0' + c%100/10))
	b.WriteByte(byte('0' + c%10))
	return b.String()
}

// DaysIn is the number of days of month m (1-12) of year y in the Gregorian calendar,
// as time.Date counts them.
func DaysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
