package schema

// The fast format checks, for FuzzFastFormats.
var (
	FastEmail = fastEmail[[]byte]
	FastDate  = fastDate[[]byte]
)
