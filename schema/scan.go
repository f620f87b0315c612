package schema

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// kind is the JSON type of a value, as told by its first byte.
type kind uint8

const (
	kNull kind = 1 << iota
	kBool
	kNumber
	kString
	kArray
	kObject
	kInteger // a number without a fractional part; only ever part of a node's allowed set
)

var kindNames = map[kind]string{
	kNull: "null", kBool: "a boolean", kNumber: "a number", kString: "a string",
	kArray: "an array", kObject: "an object", kInteger: "a whole number",
}

// SyntaxError is malformed JSON, at a byte offset of the checked text, and at a line and
// column when ReadRecords found it.
type SyntaxError struct {
	Offset    int64
	Msg       string
	Line, Col int
}

func (e *SyntaxError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%d:%d: invalid JSON: %s", e.Line, e.Col, e.Msg)
	}
	return "invalid JSON: " + e.Msg
}

// maxDepth is how deeply arrays and objects may nest, as in encoding/json: deeper text is
// refused with a message rather than exhausting the stack.
const maxDepth = 10000

// scanner reads JSON values from text held in memory. It checks the grammar as strictly
// as encoding/json does, and more (strings must be UTF-8, RFC 8259), and never allocates
// for values it only steps over.
type scanner struct {
	data    []byte
	pos     int
	depth   int       // of the arrays and objects the scanner is in
	scratch []byte    // member names of the objects skip steps over
	bad     []badText // strings that are not UTF-8 or hold control characters
}

// badText is a string the scanner read past although it breaks RFC 8259: an invalid
// UTF-8 byte or a raw control character, at pos. The string's extent is clear, so the
// scanner goes on and the checker reports it with everything else.
type badText struct {
	pos int
	msg string
}

// end finishes reading one whole value: after err (from reading it), text after the
// value, or a string that is not UTF-8 or holds a control character, is the error.
func (s *scanner) end(err error) error {
	if err != nil {
		return err
	}
	if s.ws(); s.pos < len(s.data) {
		return s.fail("unexpected %s after the end of the value", s.found())
	}
	if len(s.bad) > 0 {
		return &SyntaxError{Offset: int64(s.bad[0].pos), Msg: s.bad[0].msg}
	}
	return nil
}

func (s *scanner) fail(format string, args ...any) error {
	return &SyntaxError{Offset: int64(s.pos), Msg: fmt.Sprintf(format, args...)}
}

func (s *scanner) ws() {
	if s.pos < len(s.data) && s.data[s.pos] > ' ' { // none, as often: inlined, no call
		return
	}
	s.wsRun()
}

// wsRun steps over the whitespace at the scanner.
func (s *scanner) wsRun() {
	d, i := s.data, s.pos // locals stay in registers; this loop sees every indentation byte
	for i < len(d) {
		if c := d[i]; c > ' ' || c != ' ' && c != '\n' && c != '\t' && c != '\r' {
			break
		}
		i++
	}
	s.pos = i
}

// plainRun returns the end of the run of plain string bytes that starts at i.
func plainRun[T []byte | string](d T, i int) int {
	for i < len(d) && plain[d[i]] {
		i++
	}
	return i
}

// plainBytes is plainRun over bytes, eight at a time while they are plain: strings are
// most of a file's bytes.
func plainBytes(d []byte, i int) int {
	for i+8 <= len(d) {
		w := binary.LittleEndian.Uint64(d[i:])
		// A byte is not plain if it has its high bit set, is below 0x20, or is a quote or a
		// backslash; the lowest byte flagged is exact (borrows only run upwards).
		odd := w&highs | (w-lows*0x20)&^w&highs | (w^(lows*'"')-lows)&^(w^(lows*'"'))&highs |
			(w^(lows*'\\')-lows)&^(w^(lows*'\\'))&highs
		if odd != 0 {
			return i + bits.TrailingZeros64(odd)>>3
		}
		i += 8
	}
	return plainRun(d, i)
}

const (
	lows  = 0x0101010101010101
	highs = 0x8080808080808080
)

// plain marks the bytes a string may hold as they are: not a quote, a backslash, a
// control character or the start of a multi-byte character.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// peek returns the next byte without consuming it, 0 at the end.
func (s *scanner) peek() byte {
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

func (s *scanner) found() string {
	if s.pos >= len(s.data) {
		return "the end of the text"
	}
	c := s.data[s.pos]
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("byte 0x%02x", c)
	}
	return fmt.Sprintf("%q", string(c))
}

func (s *scanner) expect(c byte, what string) error {
	s.ws()
	if s.peek() != c {
		return s.fail("expected %s, found %s", what, s.found())
	}
	s.pos++
	return nil
}

// kindAt tells the kind of the value starting at the current position.
func (s *scanner) kindAt() (kind, error) {
	switch c := s.peek(); {
	case c == '{':
		return kObject, nil
	case c == '[':
		return kArray, nil
	case c == '"':
		return kString, nil
	case c == 't' || c == 'f':
		return kBool, nil
	case c == 'n':
		return kNull, nil
	case c == '-' || '0' <= c && c <= '9':
		return kNumber, nil
	}
	return 0, s.fail("expected a value, found %s", s.found())
}

// str reads a string and returns its decoded bytes: the text itself when it has no
// escapes, else a decoding into *scratch, which it may grow. The bytes are valid until
// the next use of scratch.
func (s *scanner) str(scratch *[]byte) ([]byte, error) {
	v, decoded, err := s.text((*scratch)[:0], true)
	if decoded {
		*scratch = v
	}
	return v, err
}

// skipString steps over a string, checking it, without decoding it anywhere.
func (s *scanner) skipString() error {
	_, _, err := s.text(nil, false)
	return err
}

// text reads a string. Without escapes it returns the bytes of the text itself, not a
// copy; with them it decodes into buf (when keep), returns that, and says so.
func (s *scanner) text(buf []byte, keep bool) (v []byte, decoded bool, err error) {
	if s.peek() != '"' {
		return buf, false, s.fail("expected a string, found %s", s.found())
	}
	s.pos++
	start, strAt := s.pos, len(s.bad)
	s.pos = plainBytes(s.data, s.pos)
	if s.pos < len(s.data) && s.data[s.pos] == '"' {
		s.pos++
		return s.data[start : s.pos-1], false, nil
	}
	buf = buf[:0]
	for s.pos < len(s.data) {
		s.pos = plainBytes(s.data, s.pos)
		if s.pos == len(s.data) {
			break
		}
		c := s.data[s.pos]
		switch {
		case c == '"':
			if keep {
				buf = append(buf, s.data[start:s.pos]...)
			}
			s.pos++
			return buf, true, nil
		case c == '\\':
			if !keep {
				var tmp [utf8.UTFMax]byte
				if _, err := s.escape(tmp[:0]); err != nil {
					return buf, false, err
				}
				continue
			}
			buf = append(buf, s.data[start:s.pos]...)
			if buf, err = s.escape(buf); err != nil {
				return buf, true, err
			}
			start = s.pos
		case c < 0x20:
			s.badText(strAt, fmt.Sprintf("control character 0x%02x in a string; write it as \\u%04x", c, c))
			s.pos++
		default:
			r, n := utf8.DecodeRune(s.data[s.pos:])
			if r == utf8.RuneError && n == 1 {
				s.badText(strAt, fmt.Sprintf("invalid UTF-8 in a string (byte 0x%02x); save the file as UTF-8", c))
			}
			s.pos += n
		}
	}
	return buf, true, s.fail("unterminated string")
}

// badText records a bad byte at the current position, once a string: strAt is how many
// were recorded before the string began.
func (s *scanner) badText(strAt int, msg string) {
	if len(s.bad) == strAt {
		s.bad = append(s.bad, badText{pos: s.pos, msg: msg})
	}
}

func (s *scanner) escape(buf []byte) ([]byte, error) {
	s.pos++ // the backslash
	if s.pos >= len(s.data) {
		return buf, s.fail("unterminated string")
	}
	c := s.data[s.pos]
	s.pos++
	switch c {
	case '"', '\\', '/':
		return append(buf, c), nil
	case 'b':
		return append(buf, '\b'), nil
	case 'f':
		return append(buf, '\f'), nil
	case 'n':
		return append(buf, '\n'), nil
	case 'r':
		return append(buf, '\r'), nil
	case 't':
		return append(buf, '\t'), nil
	case 'u':
		r, err := s.hex4()
		if err != nil {
			return buf, err
		}
		if utf16.IsSurrogate(r) {
			r2 := utf8.RuneError
			if s.pos+1 < len(s.data) && s.data[s.pos] == '\\' && s.data[s.pos+1] == 'u' {
				save := s.pos
				s.pos += 2
				lo, err := s.hex4()
				if err != nil {
					return buf, err
				}
				if r2 = utf16.DecodeRune(r, lo); r2 == utf8.RuneError {
					s.pos = save
				}
			}
			r = r2
		}
		return utf8.AppendRune(buf, r), nil
	}
	s.pos--
	return buf, s.fail("invalid escape \\%c in a string", c)
}

func (s *scanner) hex4() (rune, error) {
	if s.pos+4 > len(s.data) {
		return 0, s.fail("short \\u escape in a string")
	}
	var r rune
	for _, c := range s.data[s.pos : s.pos+4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, s.fail("invalid \\u escape in a string")
		}
		r = r<<4 | rune(c)
	}
	s.pos += 4
	return r, nil
}

// number reads a number and returns its text.
func (s *scanner) number() ([]byte, error) {
	start := s.pos
	if s.peek() == '-' {
		s.pos++
	}
	switch c := s.peek(); {
	case c == '0':
		s.pos++
	case '1' <= c && c <= '9':
		s.digits()
	default:
		return nil, s.fail("expected a digit, found %s", s.found())
	}
	if s.peek() == '.' {
		s.pos++
		if !s.digits() {
			return nil, s.fail("expected a digit after the decimal point, found %s", s.found())
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.pos++
		if c := s.peek(); c == '+' || c == '-' {
			s.pos++
		}
		if !s.digits() {
			return nil, s.fail("expected a digit in the exponent, found %s", s.found())
		}
	}
	return s.data[start:s.pos], nil
}

func (s *scanner) digits() bool {
	start := s.pos
	for s.pos < len(s.data) && '0' <= s.data[s.pos] && s.data[s.pos] <= '9' {
		s.pos++
	}
	return s.pos > start
}

func (s *scanner) literal(word string) error {
	if len(s.data)-s.pos < len(word) || string(s.data[s.pos:s.pos+len(word)]) != word {
		return s.fail("expected a value, found %s", s.found())
	}
	s.pos += len(word)
	return nil
}

// skip steps over one value, checking its grammar.
func (s *scanner) skip() error {
	s.ws()
	k, err := s.kindAt()
	if err != nil {
		return err
	}
	switch k {
	case kString:
		err = s.skipString()
	case kNumber:
		_, err = s.number()
	case kBool:
		if s.peek() == 't' {
			return s.literal("true")
		}
		return s.literal("false")
	case kNull:
		return s.literal("null")
	case kArray:
		return s.elements(func() error { return s.skip() })
	case kObject:
		return s.members(func([]byte, int) error { return s.skip() }, &s.scratch)
	}
	return err
}

// nest enters an array or object, refusing text nested past maxDepth.
func (s *scanner) nest() error {
	if s.depth++; s.depth > maxDepth {
		return s.fail("arrays and objects nested more than %d deep", maxDepth)
	}
	return nil
}

// elements reads an array, calling each for every element with the scanner on it.
func (s *scanner) elements(each func() error) error {
	if err := s.nest(); err != nil {
		return err
	}
	defer func() { s.depth-- }()
	s.pos++ // [
	s.ws()
	if s.peek() == ']' {
		s.pos++
		return nil
	}
	for {
		if err := each(); err != nil {
			return err
		}
		s.ws()
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return nil
		default:
			return s.fail("expected ',' or ']' after an array element, found %s", s.found())
		}
	}
}

// members reads an object, calling each for every member with its decoded key, the key's
// offset, and the scanner on the value. buf, when given, is scratch space for keys.
func (s *scanner) members(each func(key []byte, keyAt int) error, buf *[]byte) error {
	if err := s.nest(); err != nil {
		return err
	}
	defer func() { s.depth-- }()
	s.pos++ // {
	var scratch []byte
	if buf == nil {
		buf = &scratch
	}
	s.ws()
	if s.peek() == '}' {
		s.pos++
		return nil
	}
	for {
		s.ws()
		keyAt := s.pos
		if s.peek() != '"' {
			return s.fail("expected a member name in double quotes, found %s", s.found())
		}
		key, err := s.str(buf)
		if err != nil {
			return err
		}
		if s.pos < len(s.data) && s.data[s.pos] == ':' { // as most files write it: no call
			s.pos++
		} else if err := s.expect(':', "':' after a member name"); err != nil {
			return err
		}
		s.ws()
		if err := each(key, keyAt); err != nil {
			return err
		}
		s.ws()
		switch s.peek() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return nil
		default:
			return s.fail("expected ',' or '}' after an object member, found %s", s.found())
		}
	}
}
