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

// The runs of plain string bytes, for FuzzPlainBytes.
var (
	PlainRun   = plainRun[[]byte]
	PlainBytes = plainBytes
)

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
