package source

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Text exports come in whatever encoding and dialect the tool that wrote them chose:
// UTF-8 with or without a byte order mark, UTF-16 from Excel's "Unicode text",
// Windows-1252 from Excel in many locales; commas, semicolons, tabs or pipes; CRLF, LF or
// CR line ends. This file turns all of them into UTF-8 with LF line ends, for
// encoding/csv, and guesses the delimiter.

// sampleSize is how much of a file the guesses look at.
const sampleSize = 64 << 10

// decoded is an export's text as UTF-8, and what was guessed about it.
type decoded struct {
	r        *bufio.Reader
	encoding string // "UTF-8", "UTF-16LE", "Windows-1252", ...
	guessed  bool   // the encoding was guessed from bytes that are not UTF-8
}

// decodeText reads an export's text as UTF-8: by its byte order mark, or name when given,
// else as UTF-8 when its start is, else as UTF-16 when its start looks like it, else as
// Windows-1252. Text taken for UTF-8 is checked as it is read, so that a file that only
// stops being UTF-8 further down fails with the line, rather than turning into
// replacement characters.
func decodeText(file string, raw io.Reader, name string) (*decoded, error) {
	in := bufio.NewReaderSize(raw, sampleSize)
	head, _ := in.Peek(sampleSize)
	var enc encoding.Encoding
	d := &decoded{}
	switch {
	case name != "":
		e, label, err := encodingByName(name)
		if err != nil {
			return nil, &Error{Kind: Usage, Option: "Encoding", Msg: fmt.Sprintf("encoding %q: %v", name, err),
				Hint: "known encodings include utf-8, utf-16le, utf-16be, windows-1252, iso-8859-1, shift_jis"}
		}
		enc, d.encoding = e, label
		if e == nil && bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
			in.Discard(3)
		}
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		in.Discard(3)
		d.encoding = "UTF-8"
	case bytes.HasPrefix(head, []byte("\xff\xfe")):
		enc, d.encoding = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), "UTF-16LE"
	case bytes.HasPrefix(head, []byte("\xfe\xff")):
		enc, d.encoding = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), "UTF-16BE"
	case validUTF8Prefix(head):
		d.encoding = "UTF-8"
	default:
		if order, ok := utf16Order(head); ok {
			enc, d.encoding = unicode.UTF16(order, unicode.IgnoreBOM), map[unicode.Endianness]string{unicode.LittleEndian: "UTF-16LE", unicode.BigEndian: "UTF-16BE"}[order]
		} else {
			enc, d.encoding, d.guessed = charmap.Windows1252, "Windows-1252", true
		}
	}
	// Line ends are made LF before the UTF-8 check counts them, so that the line it
	// names is the one encoding/csv numbers, lone CRs included.
	var r io.Reader
	if enc != nil {
		r = &lineEnds{r: transform.NewReader(in, enc.NewDecoder())}
	} else {
		r = &utf8Check{r: &lineEnds{r: in}, file: file, line: 1}
	}
	d.r = bufio.NewReaderSize(r, sampleSize)
	return d, nil
}

func encodingByName(name string) (encoding.Encoding, string, error) {
	switch strings.ToLower(strings.ReplaceAll(name, "_", "-")) {
	case "utf-16le", "utf16le":
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "UTF-16LE", nil
	case "utf-16be", "utf16be":
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "UTF-16BE", nil
	case "utf-16", "utf16":
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), "UTF-16", nil
	case "latin1", "latin-1", "iso-8859-1", "iso8859-1":
		return charmap.ISO8859_1, "ISO-8859-1", nil // htmlindex maps it to Windows-1252
	}
	e, err := htmlindex.Get(name)
	if err != nil {
		return nil, "", fmt.Errorf("not an encoding torii-convert knows")
	}
	label, _ := htmlindex.Name(e)
	if label == "utf-8" {
		// nil: read as UTF-8 is, checked byte by byte (x/text's decoder would turn a bad
		// byte into U+FFFD without a word).
		return nil, "UTF-8", nil
	}
	return e, strings.ToUpper(label), nil
}

// validUTF8Prefix reports whether a sample is UTF-8, but for a character cut at its end.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return true
		}
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}

// utf16Order recognises UTF-16 without a byte order mark by its zero bytes: text that is
// mostly ASCII has one in every other byte.
func utf16Order(b []byte) (unicode.Endianness, bool) {
	if len(b) < 4 {
		return unicode.LittleEndian, false
	}
	var even, odd int
	for i := 0; i+1 < len(b); i += 2 {
		if b[i] == 0 {
			even++
		}
		if b[i+1] == 0 {
			odd++
		}
	}
	pairs := len(b) / 2
	switch {
	case odd > pairs*3/4 && even < pairs/10:
		return unicode.LittleEndian, true
	case even > pairs*3/4 && odd < pairs/10:
		return unicode.BigEndian, true
	}
	return unicode.LittleEndian, false
}

// utf8Check passes UTF-8 through, failing at the first byte that is not.
type utf8Check struct {
	r     io.Reader
	file  string
	line  int
	carry []byte // the start of a character cut at the end of the last read
}

func (c *utf8Check) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	chunk := p[:n]
	if len(c.carry) > 0 {
		chunk = append(c.carry, chunk...)
	}
	// The last few bytes may be a character cut by the end of the read.
	whole := len(chunk)
	if err == nil {
		for k := 1; k < utf8.UTFMax && k <= whole; k++ {
			if b := chunk[whole-k]; b >= 0xc0 { // the start of a multi-byte character
				if !utf8.FullRune(chunk[whole-k:]) {
					whole -= k
				}
				break
			} else if b < 0x80 {
				break
			}
		}
	}
	if !utf8.Valid(chunk[:whole]) {
		bad := 0
		for bad < whole {
			r, size := utf8.DecodeRune(chunk[bad:whole])
			if r == utf8.RuneError && size == 1 {
				break
			}
			bad += size
		}
		line := c.line + bytes.Count(chunk[:bad], []byte{'\n'})
		return 0, &Error{Kind: Data, Msg: fmt.Sprintf("reading %s: line %d is not UTF-8 (byte 0x%02x), though the lines above are", c.file, line, chunk[bad]),
			Option: "Encoding"}
	}
	c.line += bytes.Count(chunk[:whole], []byte{'\n'})
	c.carry = append(c.carry[:0], chunk[whole:]...)
	return n, err
}

// lineEnds turns lone CRs (old Mac line ends) into LFs; encoding/csv knows CRLF and LF.
type lineEnds struct {
	r      io.Reader
	lastCR bool
}

func (l *lineEnds) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if !l.lastCR && bytes.IndexByte(p[:n], '\r') < 0 {
		return n, err // LF line ends: nothing to do
	}
	for i := 0; i < n; i++ {
		switch p[i] {
		case '\r':
			if i+1 < n && p[i+1] != '\n' {
				p[i] = '\n'
			}
		case '\n':
			if i == 0 && l.lastCR {
				// CRLF split across reads: the CR was kept, so this LF goes.
				copy(p, p[1:n])
				n--
				i--
				l.lastCR = false
				continue
			}
		}
	}
	if n > 0 && p[n-1] == '\r' {
		// A CR at the end of a read may be half a CRLF: write it as LF, and drop an LF
		// that starts the next read.
		p[n-1] = '\n'
		l.lastCR = true
	} else if n > 0 {
		l.lastCR = false
	}
	return n, err
}

// delimiters are the field separators torii-convert tells apart.
var delimiters = []rune{',', ';', '\t', '|'}

// sniffDelimiter guesses the field separator from a sample of text: the one that splits
// the most lines into the same number of fields, weighed by that number, quotes
// respected. Banner and footer lines, split by chance, are outvoted by the rows.
func sniffDelimiter(sample []byte) rune {
	best, bestScore := ',', 0
	for _, d := range delimiters {
		freq := map[int]int{}
		for _, fields := range fieldCounts(sample, byte(d), 50) {
			if fields > 1 {
				freq[fields]++
			}
		}
		for fields, lines := range freq {
			if score := lines * (fields - 1); score > bestScore {
				best, bestScore = d, score
			}
		}
	}
	return best
}

// fieldCounts counts the fields of the first lines of a sample, quotes respected: a
// quoted field may hold delimiters and line breaks. A line where a quote turns up in the
// middle of a field is one the delimiter splits wrongly: it counts as 0.
func fieldCounts(sample []byte, delim byte, lines int) []int {
	var counts []int
	fields, quoted, atStart, bad := 1, false, true, false
	for i := 0; i < len(sample) && len(counts) < lines; i++ {
		c := sample[i]
		switch {
		case quoted:
			if c == '"' {
				if i+1 < len(sample) && sample[i+1] == '"' {
					i++
				} else {
					quoted = false
				}
			}
		case c == '"' && atStart:
			quoted = true
		case c == '"':
			bad = true
		case c == delim:
			fields++
			atStart = true
			continue
		case c == '\n':
			if bad {
				fields = 0
			}
			counts = append(counts, fields)
			fields, atStart, bad = 1, true, false
			continue
		}
		atStart = atStart && (c == ' ' || c == '\r')
	}
	return counts
}
