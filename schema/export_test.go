package schema

import (
	"io"
	"time"
)

// The fast format checks, for FuzzFastFormats.
var (
	FastEmail = fastEmail[[]byte]
	FastDate  = fastDate[[]byte]
)

// WordScans are the scans that read eight bytes at a time, with the bytes each stops
// at, for FuzzWordScans.
var WordScans = []struct {
	Name string
	Scan func([]byte, int) int
	Stop func(byte) bool
}{
	{"plainBytes", plainBytes, func(c byte) bool { return !plain[c] }},
	{"quoteOrEscape", quoteOrEscape, func(c byte) bool { return c == '"' || c == '\\' }},
	{"lowerRun", lowerRun, func(c byte) bool { return c >= 0x80 || 'A' <= c && c <= 'Z' }},
}

// Valid reports whether the scanner reads data as one JSON value and nothing else, with
// strings all UTF-8 and free of raw control characters.
func Valid(data []byte) bool {
	sc := scanner{data: data}
	err := sc.skip()
	sc.ws()
	return err == nil && sc.pos == len(data) && len(sc.bad) == 0
}

// CheckSteps checks a file as CheckFile does and returns how many bytes it looked at.
func CheckSteps(r io.Reader, report func(Problem)) (int64, error) {
	d, err := Contract().checkFile(r, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), report)
	return d.steps, err
}
