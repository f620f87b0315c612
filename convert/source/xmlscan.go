package source

import (
	"bufio"
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
type xmlScanner struct {
	r     *bufio.Reader
	tag   []byte // the current tag, between < and >
	name  []byte // its local name
	attrs []byte // its attributes, raw
	end   bool   // </name>
	empty bool   // <name/>
	text  []byte // text collected since the last reset
	cut   []byte // the end of a chunk of text, a reference or a CR, that waits for the next
}

var (
	errXMLSyntax   = errors.New("malformed XML")
	errTagTooLong  = errors.New("an XML tag is too long")
	errTextTooLong = errors.New("the text is too long")
)

func newXMLScanner(r io.Reader) *xmlScanner {
	return &xmlScanner{r: bufio.NewReaderSize(r, 64<<10)}
}

// next moves to the next tag. With collect, the text before it is appended to x.text;
// past MaxRowBytes of it, next fails with errTextTooLong.
func (x *xmlScanner) next(collect bool) error {
	x.cut = x.cut[:0]
	for {
		for {
			chunk, err := x.r.ReadSlice('<')
			if collect {
				n := len(chunk)
				if err == nil {
					n--
				}
				x.collectText(chunk[:n], err == bufio.ErrBufferFull)
				if len(x.text) > MaxRowBytes {
					return errTextTooLong
				}
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err != nil {
				return err
			}
			break
		}
		c, err := x.r.Peek(1)
		if err != nil {
			return errXMLSyntax
		}
		switch c[0] {
		case '!':
			if head, _ := x.r.Peek(8); string(head) == "![CDATA[" {
				x.r.Discard(8)
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
			if head, _ := x.r.Peek(3); string(head) == "!--" {
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
		b, err := x.r.ReadByte()
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

func (x *xmlScanner) readTag() error {
	x.tag = x.tag[:0]
	var q byte // the quote of the attribute value the tag is in, if any
	for {
		chunk, err := x.r.ReadSlice('>')
		if x.tag = append(x.tag, chunk...); len(x.tag) > maxTagBytes {
			return errTagTooLong
		}
		q = openQuote(q, chunk)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return errXMLSyntax
		}
		if q == 0 {
			break
		}
	}
	t := x.tag[:len(x.tag)-1]
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
	x.name, x.attrs = t[:i], t[i:]
	if j := bytes.LastIndexByte(x.name, ':'); j >= 0 {
		x.name = x.name[j+1:]
	}
	return nil
}

// openQuote follows the quotes of attribute values through the next chunk of a tag:
// q is the quote open before it (0 for none), and the result the one open after it.
func openQuote(q byte, chunk []byte) byte {
	for _, c := range chunk {
		switch {
		case q == 0 && (c == '"' || c == '\''):
			q = c
		case c == q:
			q = 0
		}
	}
	return q
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (x *xmlScanner) is(name string) bool { return string(x.name) == name }

// attr returns the raw value of the attribute with the given (unprefixed) name.
func (x *xmlScanner) attr(name string) ([]byte, bool) {
	a := x.attrs
	for {
		for len(a) > 0 && isXMLSpace(a[0]) {
			a = a[1:]
		}
		eq := bytes.IndexByte(a, '=')
		if eq < 0 {
			return nil, false
		}
		key := bytes.TrimSpace(a[:eq])
		if j := bytes.LastIndexByte(key, ':'); j >= 0 {
			key = key[j+1:]
		}
		a = bytes.TrimLeft(a[eq+1:], " \t\r\n")
		if len(a) == 0 || a[0] != '"' && a[0] != '\'' {
			return nil, false
		}
		end := bytes.IndexByte(a[1:], a[0])
		if end < 0 {
			return nil, false
		}
		val := a[1 : 1+end]
		a = a[end+2:]
		if string(key) == name {
			return val, true
		}
	}
}

// collectText appends a chunk of raw XML text to x.text. When more of the same text
// follows (the chunk filled the buffer), a reference or a CR at its end, which the next
// chunk may complete, waits in x.cut for it.
func (x *xmlScanner) collectText(raw []byte, more bool) {
	if len(x.cut) > 0 {
		raw = append(x.cut, raw...)
	}
	keep := 0
	if more && len(raw) > 0 {
		if amp := bytes.LastIndexByte(raw, '&'); amp >= 0 && len(raw)-amp <= maxReference && bytes.IndexByte(raw[amp:], ';') < 0 {
			keep = len(raw) - amp
		} else if raw[len(raw)-1] == '\r' {
			keep = 1
		}
	}
	x.appendText(raw[:len(raw)-keep])
	x.cut = append(x.cut[:0], raw[len(raw)-keep:]...)
}

// maxReference is the longest character or entity reference worth waiting for:
// &#x10FFFF; and &#1114111; are 10 bytes.
const maxReference = 10

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
			if semi < 0 {
				x.text = append(x.text, raw...)
				return
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
