package schema

// Fast checks for the common case of the formats the contract asserts. Each is
// sufficient, never necessary: when one says yes, jsonschema/v5's checker says yes too
// (FuzzFastFormats holds them to that); when it says no, v5's checker decides. v5's email
// check parses the address with net/mail and costs a microsecond and six allocations, and
// a million-row export has two million emails to check.
var fastFormats = map[string]fastFormat{
	"email": {fastEmail[[]byte], fastEmail[string]},
	"date":  {fastDate[[]byte], fastDate[string]},
}

// fastFormat is a fast check for text in both its forms.
type fastFormat struct {
	bytes func([]byte) bool
	text  func(string) bool
}

func (f fastFormat) check(s any) bool {
	switch s := s.(type) {
	case []byte:
		return f.bytes != nil && f.bytes(s)
	case string:
		return f.text != nil && f.text(s)
	}
	return false
}

// fastEmail accepts plain addresses: a dot-atom local part and a host name of letters,
// digits and hyphens.
func fastEmail[T []byte | string](s T) bool {
	if len(s) > 254 {
		return false
	}
	at := 0
	for at < len(s) && s[at] != '@' {
		at++
	}
	return at < len(s) && fastLocal(s[:at]) && fastHost(s[at+1:])
}

// fastLocal accepts a dot-atom local part of at most 64 bytes.
func fastLocal[T []byte | string](s T) bool {
	if len(s) < 1 || len(s) > 64 || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !atext[c] && (c != '.' || s[i-1] == '.') {
			return false
		}
	}
	return true
}

// atext marks the bytes of a dot-atom's atoms: letters, digits and the symbols RFC 5322
// allows.
var atext = func() (t [256]bool) {
	for c := range 256 {
		t[c] = isAlnum(byte(c)) || isAtextSymbol(byte(c))
	}
	return t
}()

// fastHost accepts a host name: labels of letters, digits and hyphens, 1 to 63 bytes,
// neither starting nor ending with a hyphen, joined by dots.
func fastHost[T []byte | string](domain T) bool {
	label := 0
	for i := 0; i < len(domain); i++ {
		c := domain[i]
		switch {
		case c == '.':
			if label == 0 || domain[i-1] == '-' {
				return false
			}
			label = 0
		case isAlnum(c):
			label++
		case c == '-':
			if label == 0 {
				return false
			}
			label++
		default:
			return false
		}
		if label > 63 {
			return false
		}
	}
	return label > 0 && domain[len(domain)-1] != '-'
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isAtextSymbol(c byte) bool {
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '/', '=', '?', '^', '_', '`', '{', '|', '}', '~':
		return true
	}
	return false
}

// fastDate accepts YYYY-MM-DD with a real month and day.
func fastDate[T []byte | string](s T) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	n := func(b T) int {
		v := 0
		for i := 0; i < len(b); i++ {
			if b[i] < '0' || b[i] > '9' {
				return -1
			}
			v = v*10 + int(b[i]-'0')
		}
		return v
	}
	y, m, d := n(s[:4]), n(s[5:7]), n(s[8:])
	if y < 0 || m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m]
	if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

// PlainEmail reports whether s is a plain address (see fastEmail), which the email
// format accepts without its full check. False says nothing: the full check decides.
func PlainEmail(s string) bool { return fastEmail(s) }

// PlainLocal and PlainHost check the parts of a plain address: PlainEmail(s) is
// PlainLocal of s up to its first '@' and PlainHost of the rest, for s of at most 254
// bytes. A caller that keeps the hosts of many addresses once checks each host once.
func PlainLocal(s string) bool { return fastLocal(s) }

// PlainHost: see PlainLocal.
func PlainHost(s string) bool { return fastHost(s) }
