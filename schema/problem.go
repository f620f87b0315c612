package schema

import (
	"strconv"
	"strings"
)

// Severity says whether a problem makes a file invalid.
type Severity int

const (
	// Error makes the file invalid: Torii would reject it or lose data.
	Error Severity = iota
	// Warning is accepted by Torii but is likely a mistake.
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Step is one step of a Path: an object key or an array index.
type Step struct {
	Key   string
	Index int // -1 when the step is a key
}

// Key returns the step into an object member.
func Key(k string) Step { return Step{Key: k, Index: -1} }

// Index returns the step into an array element.
func Index(i int) Step { return Step{Index: i} }

// Path locates a value inside a document.
type Path []Step

// With returns a new path that extends p; p itself is never changed.
func (p Path) With(steps ...Step) Path {
	return append(p[:len(p):len(p)], steps...)
}

// Pointer renders the path as a JSON pointer (RFC 6901), "" for the root.
func (p Path) Pointer() string {
	var b strings.Builder
	for _, s := range p {
		b.WriteByte('/')
		if s.Index >= 0 {
			b.WriteString(strconv.Itoa(s.Index))
			continue
		}
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(s.Key))
	}
	return b.String()
}

// String renders the path the way people read it: users[41].email.
func (p Path) String() string {
	var b strings.Builder
	for _, s := range p {
		switch {
		case s.Index >= 0:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(s.Index))
			b.WriteByte(']')
		case isIdentifier(s.Key):
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Key)
		default:
			b.WriteByte('[')
			b.WriteString(strconv.Quote(s.Key))
			b.WriteByte(']')
		}
	}
	if b.Len() == 0 {
		return "(root)"
	}
	return b.String()
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || r == '$' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || i > 0 && '0' <= r && r <= '9' {
			continue
		}
		return false
	}
	return true
}

// Field returns the name of the last key on the path, "" if there is none.
func (p Path) Field() string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i].Index < 0 {
			return p[i].Key
		}
	}
	return ""
}

// Problem is one thing wrong with a document, in words a person can act on.
type Problem struct {
	Severity Severity
	Path     Path
	// Offset is the byte offset of the offending value in the checked text, -1 when the
	// problem belongs to no single value (a rule across records, say).
	Offset int64
	// Keyword names the rule that failed: a JSON Schema keyword ("format", "required", ...)
	// or one of the rules the schema cannot say ("unique-email", "license-user", ...).
	Keyword string
	// Message is a sentence without the path: `"bob@" is not an email address`.
	Message string
	// Line and Col locate Offset in a document (1-based); zero when not known.
	Line, Col int
}

// Invalid reports whether any of the problems is an error.
func Invalid(problems []Problem) bool {
	for _, p := range problems {
		if p.Severity == Error {
			return true
		}
	}
	return false
}
