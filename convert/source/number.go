package source

import (
	"bytes"
	"math"
	"strconv"
	"strings"
)

// plainNumber writes a spreadsheet number the way a person reads it: never 1.5E+4, and
// rounded to the 15 significant digits spreadsheets keep, so 0.30000000000000004 is 0.3.
func plainNumber(raw string) string {
	if !strings.ContainsAny(raw, "eE") && significantDigits(raw) <= 15 {
		return raw
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return raw
	}
	f, _ = strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// plainNumberOf is plainNumber of stored text: ok is false when the text is the number
// as it stands, and nothing new was written.
func plainNumberOf(raw []byte) (string, bool) {
	if bytes.IndexAny(raw, "eE") < 0 && significantDigits(raw) <= 15 {
		return "", false
	}
	return plainNumber(string(raw)), true
}

func significantDigits[T string | []byte](s T) int {
	n, leading := 0, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			continue
		}
		if c == '0' && leading {
			continue
		}
		leading = false
		n++
	}
	return n
}
