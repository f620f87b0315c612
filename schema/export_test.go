package schema

// The fast format checks, for FuzzFastFormats.
var (
	FastEmail = fastEmail[[]byte]
	FastDate  = fastDate[[]byte]
)

// Valid reports whether the scanner reads data as one JSON value and nothing else, with
// strings all UTF-8 and free of raw control characters.
func Valid(data []byte) bool {
	sc := scanner{data: data}
	err := sc.skip()
	sc.ws()
	return err == nil && sc.pos == len(data) && len(sc.bad) == 0
}
