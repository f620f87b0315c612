package source

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// xmlScanner is a small, fast reader of the XML in a workbook's parts. It yields tags one
// at a time and, when asked, the text between them, decoded. It knows the little of XML
// that SpreadsheetML uses: attributes, character and entity references, CDATA,
// comments, processing instructions and namespace prefixes (which it drops).
// encoding/xml reads the same text ten times slower, and sheets are the bulk of a workbook.
//
// It reads through a buffer of its own and hands out the current tag in place: a tag's
// name and attributes are valid until the next call to next. The buffer grows only for a
// tag longer than itself, and never past maxTagBytes.
type xmlScanner struct {
	r          io.Reader
	buf        []byte
	head, tail int       // the unread bytes are buf[head:tail]
	err        error     // what the last read of r returned, once buf holds the rest
	tag        []byte    // scratch for until
	name       []byte    // the current tag's local name
	attrs      []byte    // its attributes, raw
	end        bool      // </name>
	empty      bool      // <name/>
	text       []byte    // text collected since the last reset
	list       []xmlAttr // the tag's attributes, once split
	split      bool      // list holds them
}

var (
	errXMLSyntax   = errors.New("malformed XML")
	errTagTooLong  = errors.New("an XML tag is too long")
	errTextTooLong = errors.New("the text is too long")
)

const scanBuffer = 64 << 10

// maxReference is the longest character or entity reference worth waiting for when a
// read cuts the text: &#x10FFFF; is 10 bytes, but &#0000065; is a reference too.
const maxReference = 1 << 10

func newXMLScanner(r io.Reader) *xmlScanner {
	return &xmlScanner{r: r, buf: make([]byte, scanBuffer)}
}

// fill reads more of r into the buffer, keeping the unread bytes (and moving them to its
// start); it fails only when nothing more can come.
func (x *xmlScanner) fill() error {
	if x.err != nil {
		return x.err
	}
	if x.head > 0 {
		x.tail = copy(x.buf, x.buf[x.head:x.tail])
		x.head = 0
	}
	if x.tail == len(x.buf) {
		// One tag fills the buffer: grow it, within the limit on tags that readTag keeps.
		x.buf = append(x.buf, make([]byte, len(x.buf))...)
	}
	for range 100 {
		n, err := x.r.Read(x.buf[x.tail:])
		x.tail += n
		if err != nil {
			x.err = err
			if n > 0 {
				return nil
			}
			return err
		}
		if n > 0 {
			return nil
		}
	}
	x.err = io.ErrNoProgress
	return x.err
}

// readByte returns the next byte.
func (x *xmlScanner) readByte() (byte, error) {
	if x.head == x.tail {
		if err := x.fill(); err != nil {
			return 0, err
		}
	}
	c := x.buf[x.head]
	x.head++
	return c, nil
}

// peek returns up to n unread bytes without reading them: fewer at the end of r.
func (x *xmlScanner) peek(n int) []byte {
	for x.tail-x.head < n && x.fill() == nil {
	}
	return x.buf[x.head:min(x.tail, x.head+n)]
}

// next moves to the next tag. With collect, the text before it is appended to x.text;
// past MaxRowBytes of it, next fails with errTextTooLong.
func (x *xmlScanner) next(collect bool) error {
	for {
		for {
			rest := x.buf[x.head:x.tail]
			i := bytes.IndexByte(rest, '<')
			if i >= 0 {
				if collect && i > 0 {
					if x.appendText(rest[:i]); len(x.text) > MaxRowBytes {
						return errTextTooLong
					}
				}
				x.head += i + 1
				break
			}
			keep := 0 // a reference or line end the next read may finish
			if collect {
				keep = unfinished(rest)
				if x.appendText(rest[:len(rest)-keep]); len(x.text) > MaxRowBytes {
					return errTextTooLong
				}
			}
			x.head = x.tail - keep
			if err := x.fill(); err != nil {
				if keep > 0 {
					x.appendText(x.buf[x.head:x.tail])
					x.head = x.tail
				}
				return err
			}
		}
		if x.head == x.tail && x.fill() != nil {
			return errXMLSyntax
		}
		switch x.buf[x.head] {
		case '!':
			if string(x.peek(8)) == "![CDATA[" {
				x.head += 8
				data, err := x.until("]]>", collect)
				if err != nil {
					return err
				}
				if collect {
					if x.text = append(x.text, data...); len(x.text) > MaxRowBytes {
						return errTextTooLong
					}
				}
				continue
			}
			if string(x.peek(3)) == "!--" {
				x.head += 3
				if _, err := x.until("-->", false); err != nil {
					return err
				}
				continue
			}
			if _, err := x.until(">", false); err != nil { // <!DOCTYPE ...>
				return err
			}
			continue
		case '?':
			if _, err := x.until("?>", false); err != nil {
				return err
			}
			continue
		}
		return x.readTag()
	}
}

// until skips past the next occurrence of end and, with keep, returns what came before
// it (at most MaxRowBytes). Without keep, what it skips is not held: a comment may be of
// any length.
func (x *xmlScanner) until(end string, keep bool) ([]byte, error) {
	x.tag = x.tag[:0]
	for {
		b, err := x.readByte()
		if err != nil {
			return nil, errXMLSyntax
		}
		x.tag = append(x.tag, b)
		if bytes.HasSuffix(x.tag, []byte(end)) {
			return x.tag[:len(x.tag)-len(end)], nil
		}
		if len(x.tag) > MaxRowBytes {
			if keep {
				return nil, errTextTooLong
			}
			x.tag = append(x.tag[:0], x.tag[len(x.tag)-len(end):]...)
		}
	}
}

// readTag reads the tag after a <, in place in the buffer: its name, its attributes,
// and whether it ends an element or is empty.
func (x *xmlScanner) readTag() error {
	if x.quickTag() {
		return nil
	}
	return x.slowTag()
}

// quickTag reads a well-formed tag that the buffer holds whole, in one pass that splits
// its attributes as well; it reads nothing and reports false on anything else, which
// slowTag reads, to the same result.
func (x *xmlScanner) quickTag() bool {
	b := x.buf[x.head:x.tail]
	i, end, empty := 0, false, false
	if len(b) > 0 && b[0] == '/' {
		end, i = true, 1
	}
	start, nameEnd := quickName(b, i)
	if nameEnd == len(b) {
		return false
	}
	x.list = x.list[:0]
	for i = nameEnd; ; {
		if i == len(b) {
			return false
		}
		c := b[i]
		if isXMLSpace(c) {
			i++
			continue
		}
		if c == '>' {
			break
		}
		if c == '/' {
			if i+1 == len(b) || b[i+1] != '>' {
				return false
			}
			empty = true
			break
		}
		if i == nameEnd {
			return false // the name runs into what slowTag would read as part of it
		}
		a, next, ok := quickAttr(b, i, nameEnd)
		if !ok {
			return false
		}
		x.list = append(x.list, a)
		i = next
	}
	n := i + 1 // the tag, up to its >
	if empty {
		n++
	}
	if n > maxTagBytes {
		return false
	}
	x.name, x.attrs, x.end, x.empty, x.split = b[start:nameEnd], b[nameEnd:i], end, empty, true
	x.head += n
	return true
}

// quickName reads a name at b[i:], up to a byte of tagClass other than a colon: it
// returns where the name starts without its prefix, and where it ends.
func quickName(b []byte, i int) (start, end int) {
	start = i
	for ; ; i++ {
		for i < len(b) && tagClass[b[i]] == 0 {
			i++
		}
		if i == len(b) || b[i] != ':' {
			return start, i
		}
		start = i + 1
	}
}

// quickAttr reads an attribute at b[i:], name="value" or name='value' with no space
// around =, as offsets from base, where the tag's attributes start; next is the index
// after it. ok is false on anything else.
func quickAttr(b []byte, i, base int) (a xmlAttr, next int, ok bool) {
	ks, i := quickName(b, i)
	if i+1 >= len(b) || b[i] != '=' || b[i+1] != '"' && b[i+1] != '\'' {
		return a, 0, false
	}
	ke, q := i, b[i+1]
	vs := i + 2
	for i = vs; i < len(b) && b[i] != q; i++ {
	}
	if i == len(b) {
		return a, 0, false
	}
	return xmlAttr{int32(ks - base), int32(ke - base), int32(vs - base), int32(i - base)}, i + 1, true
}

// tagClass marks the bytes that end a name in quickTag: all but those of plain names.
var tagClass = func() (t [256]uint8) {
	for _, c := range " \t\r\n>/=\"':" {
		t[c] = 1
	}
	return t
}()

// xmlAttr is where one attribute of a tag is in its attributes (x.attrs): its name
// without prefix, attrs[ks:ke], and its raw value, attrs[vs:ve]. Offsets rather than
// slices: they cost no write barrier.
type xmlAttr struct{ ks, ke, vs, ve int32 }

// slowTag reads the tag after a <, up to the > that no attribute's quotes hold, in place
// in the buffer, filling it as needed. Tags are short: a loop over their bytes beats
// searching them.
func (x *xmlScanner) slowTag() error {
	var q byte // the quote of the attribute value the tag is in, if any
	n := 0     // bytes of the tag read so far, their quotes followed
	for {
		buf := x.buf[x.head:x.tail]
		for ; n < len(buf); n++ {
			c := buf[n]
			if !inTag[c] {
				continue
			}
			switch {
			case c == '>' && q == 0:
				goto found
			case c == '>':
			case q == 0:
				q = c
			case c == q:
				q = 0
			}
		}
		if n > maxTagBytes {
			return errTagTooLong
		}
		if err := x.fill(); err != nil {
			return errXMLSyntax
		}
	}
found:
	if n++; n > maxTagBytes {
		return errTagTooLong
	}
	t := x.buf[x.head : x.head+n-1]
	x.head += n
	x.end, x.empty = false, false
	if len(t) > 0 && t[0] == '/' {
		x.end = true
		t = t[1:]
	}
	if len(t) > 0 && t[len(t)-1] == '/' {
		x.empty = true
		t = t[:len(t)-1]
	}
	i := 0
	for i < len(t) && !isXMLSpace(t[i]) {
		i++
	}
	x.name, x.attrs, x.split = t[:i], t[i:], false
	if j := bytes.LastIndexByte(x.name, ':'); j >= 0 {
		x.name = x.name[j+1:]
	}
	return nil
}

// inTag marks the bytes readTag looks at: the end of a tag, and quotes.
var inTag = [256]bool{'>': true, '"': true, '\'': true}

var xmlSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

func isXMLSpace(c byte) bool { return xmlSpace[c] }

func (x *xmlScanner) is(name string) bool { return string(x.name) == name }

// attr returns the raw value of the attribute with the given (unprefixed) name.
func (x *xmlScanner) attr(name string) ([]byte, bool) {
	for _, a := range x.attrList() {
		if string(x.key(a)) == name {
			return x.val(a), true
		}
	}
	return nil, false
}

// key and val are the name and the raw value of one of the current tag's attributes.
func (x *xmlScanner) key(a xmlAttr) []byte { return x.attrs[a.ks:a.ke] }
func (x *xmlScanner) val(a xmlAttr) []byte { return x.attrs[a.vs:a.ve] }

// attrList returns the current tag's attributes, up to the first that is not one.
func (x *xmlScanner) attrList() []xmlAttr {
	if !x.split {
		x.list = x.list[:0]
		for at := 0; ; {
			a, ok := nextAttr(x.attrs, at)
			if !ok {
				break
			}
			x.list = append(x.list, a)
			at = int(a.ve) + 1
		}
		x.split = true
	}
	return x.list
}

// nextAttr reads the attribute at or after from in a tag's attributes; ok is false when
// none is left, or what is left is not an attribute.
func nextAttr(a []byte, from int) (_ xmlAttr, ok bool) {
	i := from
	for i < len(a) && isXMLSpace(a[i]) {
		i++
	}
	start, colon := i, -1
	for ; i < len(a) && a[i] != '='; i++ {
		if a[i] == ':' {
			colon = i
		}
	}
	if i == len(a) {
		return xmlAttr{}, false
	}
	ks, ke := start, i
	if colon >= 0 {
		ks = colon + 1
	}
	for ke > ks && isXMLSpace(a[ke-1]) {
		ke--
	}
	for i++; i < len(a) && isXMLSpace(a[i]); i++ {
	}
	if i == len(a) || a[i] != '"' && a[i] != '\'' {
		return xmlAttr{}, false
	}
	q := a[i]
	i++
	for j := i; j < len(a); j++ {
		if a[j] == q {
			return xmlAttr{int32(ks), int32(ke), int32(i), int32(j)}, true
		}
	}
	return xmlAttr{}, false
}

// unfinished returns how many bytes at the end of some text may be the start of a
// character or entity reference (up to maxReference bytes), or of a CR LF line end,
// that the text after it ends.
func unfinished(text []byte) int {
	amp := bytes.LastIndexByte(text, '&')
	if amp >= 0 && len(text)-amp <= maxReference && !bytes.ContainsAny(text[amp:], "; \t\r\n") {
		return len(text) - amp
	}
	if n := len(text); n > 0 && text[n-1] == '\r' {
		return 1
	}
	return 0
}

// appendText appends raw XML text to x.text, decoding references and line ends.
func (x *xmlScanner) appendText(raw []byte) {
	if bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '\r') < 0 {
		x.text = append(x.text, raw...)
		return
	}
	for len(raw) > 0 {
		c := raw[0]
		switch {
		case c == '\r':
			x.text = append(x.text, '\n')
			raw = raw[1:]
			if len(raw) > 0 && raw[0] == '\n' {
				raw = raw[1:]
			}
		case c == '&':
			semi := bytes.IndexByte(raw, ';')
			if semi < 0 || semi > maxReference || bytes.ContainsAny(raw[1:semi], "& \t\r\n") {
				x.text = append(x.text, c) // not a reference
				raw = raw[1:]
				continue
			}
			x.text = appendEntity(x.text, raw[1:semi], raw[:semi+1])
			raw = raw[semi+1:]
		default:
			x.text = append(x.text, c)
			raw = raw[1:]
		}
	}
}

func appendEntity(b, ref, whole []byte) []byte {
	switch string(ref) {
	case "lt":
		return append(b, '<')
	case "gt":
		return append(b, '>')
	case "amp":
		return append(b, '&')
	case "quot":
		return append(b, '"')
	case "apos":
		return append(b, '\'')
	}
	if len(ref) > 1 && ref[0] == '#' {
		var n uint64
		var err error
		if ref[1] == 'x' || ref[1] == 'X' {
			n, err = strconv.ParseUint(string(ref[2:]), 16, 32)
		} else {
			n, err = strconv.ParseUint(string(ref[1:]), 10, 32)
		}
		if err == nil && utf8.ValidRune(rune(n)) {
			return utf8.AppendRune(b, rune(n))
		}
	}
	return append(b, whole...)
}

// unescapeOOXML decodes the _xHHHH_ escapes Office writes for characters XML cannot hold.
// Each is a UTF-16 code unit: a surrogate pair is one character; a lone surrogate is no
// character at all and stays as it is written, rather than becoming U+FFFD.
func unescapeOOXML(s []byte) []byte {
	if !bytes.Contains(s, []byte("_x")) {
		return s
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		r, ok := ooxmlEscape(s[i:])
		switch {
		case !ok:
			out = append(out, s[i])
			i++
			continue
		case !utf16.IsSurrogate(r):
			out = utf8.AppendRune(out, r)
		case i+14 <= len(s):
			if lo, ok := ooxmlEscape(s[i+7:]); ok && utf16.DecodeRune(r, lo) != utf8.RuneError {
				out = utf8.AppendRune(out, utf16.DecodeRune(r, lo))
				i += 14
				continue
			}
			fallthrough
		default:
			out = append(out, s[i:i+7]...)
		}
		i += 7
	}
	return out
}

// ooxmlEscape reads the code unit of an _xHHHH_ escape at the start of s.
func ooxmlEscape(s []byte) (rune, bool) {
	if len(s) < 7 || s[0] != '_' || s[1] != 'x' || s[6] != '_' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(s[2:6]), 16, 16)
	return rune(n), err == nil
}
