package source

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"io"
	"math/bits"
	"unsafe"
)

// csvReader splits CSV text into records as encoding/csv's Reader does with
// FieldsPerRecord -1 and ReuseRecord (no LazyQuotes, no TrimLeadingSpace, no comments):
// the same fields, the same positions (FieldPos, InputOffset) and the same ParseErrors,
// which FuzzCSVReader holds the two to agree on. It differs in what it copies: the text
// is read into chunks that are never written again once read, and a field is a string
// over its chunk, so a row costs no allocation. Only a quoted field with doubled quotes
// or CRLF line breaks inside is copied, to undo them.
type csvReader struct {
	r     io.Reader
	comma byte
	// buf holds the text read: buf[start:end] is not yet parsed. A record is parsed
	// once it is whole in buf; one that runs past end moves, with the text after it,
	// into a new chunk.
	buf        []byte
	start, end int
	offset     int64    // of buf[0] in the text
	eof        bool     // the reader returned io.EOF: buf[end] is the end of the text
	err        error    // what a read returned besides io.EOF, for when buf runs out
	chunk      int      // the size of a new chunk
	max        int      // the most text a record may hold: past it, Read fails with errPastLimit
	numLine    int      // lines read, as encoding/csv counts them
	fields     []string // the fields of the record, from fields[base]
	base       int
	pos        []fieldPos
}

type fieldPos struct{ line, col int }

// csvChunk is the size of the chunks the text is read into: large enough that few
// records straddle two, small enough that a string kept from a row keeps little text.
const csvChunk = 256 << 10

func newCSVReader(r io.Reader, comma byte, max int) *csvReader {
	return &csvReader{r: r, comma: comma, chunk: csvChunk, max: max}
}

// errMoreText is parse's way to ask for more text.
var errMoreText = errors.New("the record runs past the text read")

// Read returns the next record, or io.EOF. The slice is reused by the next call; the
// strings in it are not.
func (r *csvReader) Read() ([]string, error) {
	for {
		next, err := r.parse()
		if err == nil && next-r.start > r.max {
			return nil, errPastLimit // whole in buf, as a chunk may hold up to twice max
		}
		if err != errMoreText {
			if err == nil {
				r.start = next
			}
			return r.fields[r.base:], err
		}
		if err := r.fill(); err != nil {
			return nil, err
		}
	}
}

// ReadAppend is Read, with the record's fields appended to dst rather than to a
// slice of the reader's own: it returns dst with them.
func (r *csvReader) ReadAppend(dst []string) ([]string, error) {
	own := r.fields
	r.fields, r.base = dst, len(dst)
	_, err := r.Read()
	dst = r.fields
	if err != nil {
		dst = dst[:r.base]
	}
	r.fields, r.base = own[:0], 0
	return dst, err
}

// FieldPos returns the line and column (1-based, in bytes) where field i of the last
// record starts.
func (r *csvReader) FieldPos(i int) (line, col int) {
	return r.pos[i].line, r.pos[i].col
}

// InputOffset is the offset, in the text, of the end of the last record.
func (r *csvReader) InputOffset() int64 { return r.offset + int64(r.start) }

// fill reads more text after buf[end], into a new chunk when this one is full: the
// strings of the records already returned keep the bytes of the old one.
func (r *csvReader) fill() error {
	if r.err != nil {
		return r.err
	}
	if r.end-r.start > r.max {
		return errPastLimit
	}
	if r.end == len(r.buf) {
		n := r.end - r.start
		buf := make([]byte, max(r.chunk, 2*n))
		copy(buf, r.buf[r.start:r.end])
		r.offset += int64(r.start)
		r.buf, r.start, r.end = buf, 0, n
	}
	for range 100 {
		n, err := r.r.Read(r.buf[r.end:])
		r.end += n
		switch {
		case err == io.EOF:
			r.eof = true
			return nil
		case err != nil:
			r.err = err
			if n == 0 {
				return err
			}
			return nil
		case n > 0:
			return nil
		}
	}
	return io.ErrNoProgress
}

// csvLine is a line of the text: it starts at p, its text ends at end (without its LF,
// the CR of a CRLF, or a CR that ends the text, as encoding/csv drops them), the next
// line starts at next, and nl tells whether a line break ended it.
type csvLine struct {
	p, end, next int
	nl           bool
}

// line finds the line that starts at p, and counts it; false when the text read so far
// ends inside it.
func (r *csvReader) line(p int) (csvLine, bool) {
	b := r.buf[:r.end]
	l := csvLine{p: p}
	if i := bytes.IndexByte(b[p:], '\n'); i >= 0 {
		l.next = p + i + 1
		l.end, l.nl = l.next-1, true
	} else if r.eof {
		l.end, l.next = r.end, r.end
	} else {
		return l, false
	}
	if l.end > p && b[l.end-1] == '\r' {
		l.end--
	}
	r.numLine++
	return l, true
}

// parse reads the record at buf[start], as encoding/csv's readRecord does, and returns
// where the text after it starts; errMoreText when the record is not whole in buf.
func (r *csvReader) parse() (int, error) {
	var l csvLine
	var line int // lines read before the record
	for {
		if r.start == r.end && r.eof {
			return 0, io.EOF
		}
		line = r.numLine
		var ok bool
		if l, ok = r.line(r.start); !ok {
			return 0, errMoreText
		}
		if l.end > r.start {
			break
		}
		// An empty line is skipped, and read: it counts toward no record's limit.
		r.start = l.next
	}
	r.fields, r.pos = r.fields[:r.base], r.pos[:0]
	rec := csvRecord{startLine: r.numLine, line: r.numLine, col: 1}
	q := l.p // where the field starts
	for {
		var last bool
		var err error
		q, last, err = r.unquoted(&rec, &l, q)
		if err == nil && !last {
			q, last, err = r.quoted(&rec, &l, q)
		}
		if err == errMoreText {
			r.numLine = line // the record is read again, whole
		}
		if err != nil || last {
			return l.next, err
		}
	}
}

// csvRecord is where parse is in a record: the line it starts on, and the line and
// column of the field being read.
type csvRecord struct {
	startLine, line, col int
}

// unquoted reads the fields from q on that are not quoted, up to one that is, and
// returns where that one starts; last tells that the line ended the record. It looks
// at eight bytes at a time for the delimiters and quotes that end fields.
func (r *csvReader) unquoted(rec *csvRecord, l *csvLine, q int) (next int, last bool, err error) {
	b := r.buf[:l.end]
	fields, pos, col := r.fields, r.pos, rec.col
	commas := lo * uint64(r.comma)
	start := q // of the field being read
	for w := q; w < len(b); w += 8 {
		var x uint64
		if w+8 <= len(b) {
			x = binary.LittleEndian.Uint64(b[w:])
		} else {
			x = tail(b[w:])
		}
		// The top bit of byte i of m is set where b[w+i] is a delimiter or a quote.
		for m := zeros(x^commas) | zeros(x^(lo*'"')); m != 0; m &= m - 1 {
			k := w + bits.TrailingZeros64(m)/8
			if b[k] == '"' {
				if k == start {
					r.fields, r.pos, rec.col = fields, pos, col
					return start, false, nil
				}
				return 0, false, &csv.ParseError{StartLine: rec.startLine, Line: r.numLine, Column: col + k - start, Err: csv.ErrBareQuote}
			}
			fields = append(fields, str(b[start:k]))
			pos = append(pos, fieldPos{rec.line, col})
			col += k - start + 1
			start = k + 1
		}
	}
	fields = append(fields, str(b[start:]))
	pos = append(pos, fieldPos{rec.line, col})
	r.fields, r.pos, rec.col = fields, pos, col+len(b)-start+1
	return len(b) + 1, true, nil
}

const lo, low7 = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f

// tail reads the last bytes of a line, fewer than eight, as a word whose other bytes
// are zeros: neither a delimiter nor a quote.
func tail(b []byte) uint64 {
	var x uint64
	for i, c := range b {
		x |= uint64(c) << (8 * i)
	}
	return x
}

// zeros sets the top bit of every byte of x that is zero, and no other bit.
func zeros(x uint64) uint64 { return ^((x&low7 + low7) | x | low7) }

// quoted reads the field whose quote is at q, across lines: l moves to the line where
// it ends. Its text is copied only to undo doubled quotes and CRLFs.
func (r *csvReader) quoted(rec *csvRecord, l *csvLine, q int) (int, bool, error) {
	b := r.buf
	at := fieldPos{rec.line, rec.col}
	q++
	rec.col++
	from, copied := q, false
	for {
		j := l.end
		if k := bytes.IndexByte(b[q:l.end], '"'); k >= 0 {
			j = q + k
		}
		switch {
		case j < l.end: // the quote closes the field, or doubles
			rec.col += j - q + 1
			q = j + 1
			switch {
			case q < l.end && b[q] == '"':
				copied = true
				q++
				rec.col++
				continue
			case q < l.end && b[q] == r.comma:
				rec.col++
			case q < l.end:
				return 0, false, &csv.ParseError{StartLine: rec.startLine, Line: r.numLine, Column: rec.col - 1, Err: csv.ErrQuote}
			}
			r.fields = append(r.fields, field(b[from:j], copied))
			r.pos = append(r.pos, at)
			return q + 1, q == l.end, nil
		case q < l.end || l.nl: // the line ends inside the field: go on with the next
			rec.col += l.end - q
			if l.nl {
				rec.col++
				copied = copied || l.next-l.end > 1 // a CRLF, read as LF
			}
			p := l.next
			if p == r.end && r.eof {
				return 0, false, &csv.ParseError{StartLine: rec.startLine, Line: rec.line, Column: rec.col, Err: csv.ErrQuote}
			}
			var ok bool
			if *l, ok = r.line(p); !ok {
				return 0, false, errMoreText
			}
			if l.end > p || l.nl {
				rec.line++
				rec.col = 1
			}
			q = p
		default:
			return 0, false, &csv.ParseError{StartLine: rec.startLine, Line: rec.line, Column: rec.col, Err: csv.ErrQuote}
		}
	}
}

// str is the bytes of a chunk as a string, without a copy: they are never written again.
func str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// field is a quoted field's text, b (the bytes between its quotes), with its doubled
// quotes undone and its CRLFs made LF when copied says it has any.
func field(b []byte, copied bool) string {
	if !copied {
		return str(b)
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '"' || c == '\r' && i+1 < len(b) && b[i+1] == '\n' {
			i++
			c = b[i]
		}
		out = append(out, c)
	}
	return string(out)
}
