package source

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/torii-convert/torii-convert/internal/text"
)

// Next returns the next row of the sheet. Rows the sheet leaves out are not returned:
// Row.Line tells each row's own number.
func (s *xlsxSource) Next() (Row, error) {
	cells, err := s.nextCells()
	return Row{Cells: cells, Line: s.row}, err
}

// nextCells reads the sheet's tags up to the end of the next row.
func (s *xlsxSource) nextCells() ([]string, error) {
	for !s.done {
		if s.inData {
			if ok, err := s.quickCell(); err != nil {
				return nil, err
			} else if ok {
				continue
			}
		}
		err := s.x.next(s.cell.collect)
		if err == io.EOF {
			s.done = true
			return nil, s.fail("sheet %q ends in the middle (after row %d)", s.sheet, s.row)
		}
		if err != nil {
			return nil, s.scanError(err)
		}
		if !s.inData {
			switch x := s.x; {
			case x.is("sheetData") && !x.end:
				s.inData, s.done = !x.empty, x.empty
			case x.is("col") && !x.end:
				if err := s.columnStyle(); err != nil {
					return nil, err
				}
			}
			continue
		}
		if cells, done, err := s.dataTag(); done || err != nil {
			return cells, err
		}
	}
	return nil, io.EOF
}

// columnStyle keeps the style of a <col min="1" max="3" style="1"/> for the cells of
// those columns that have no style of their own: gnumeric writes large sheets with the
// date format on the column alone. Each <col> may span every column, so more of them
// than a sheet has columns are refused: millions would take hours.
func (s *xlsxSource) columnStyle() error {
	if s.cols++; s.cols > maxCols {
		return s.limitError(fmt.Sprintf("reading %s: sheet %q describes more than %s columns (<col>)", s.file, s.sheet, thousands(maxCols)))
	}
	st, ok := s.x.attr("style")
	style, ok2 := text.Digits(string(st))
	lo, ok3 := s.attrInt("min")
	hi, ok4 := s.attrInt("max")
	if !ok || !ok2 || !ok3 || !ok4 || style == 0 || lo < 1 || hi < lo {
		return nil
	}
	hi = min(hi, maxCols)
	for len(s.colStyles) <= hi {
		s.colStyles = append(s.colStyles, 0)
	}
	for c := lo; c <= hi; c++ {
		s.colStyles[c] = uint32(style)
	}
	return nil
}

func (s *xlsxSource) attrInt(name string) (int, bool) {
	v, ok := s.x.attr(name)
	if !ok {
		return 0, false
	}
	return text.Digits(string(v))
}

// scanError words what stopped the scanner in the sheet.
func (s *xlsxSource) scanError(err error) error {
	switch {
	case err == errTextTooLong && s.cell.open:
		return s.limitError(fmt.Sprintf("%s: the cell holds more than %s of text", s.cellPos(), megabytes(MaxRowBytes)))
	case err == errTagTooLong:
		return s.limitError(fmt.Sprintf("reading %s: sheet %q, after row %d: an XML tag is longer than %s; an attribute's quotes may not be closed", s.file, s.sheet, s.row, megabytes(maxTagBytes)))
	}
	return s.fail("sheet %q, after row %d: %v", s.sheet, s.row, err)
}

// cellPos is where the current cell is.
func (s *xlsxSource) cellPos() Pos {
	return Pos{File: s.file, Sheet: s.sheet, Line: s.row, Col: s.cell.col}
}

// dataTag follows one tag inside <sheetData>; done tells that a row is complete.
func (s *xlsxSource) dataTag() (cells []string, done bool, err error) {
	x := s.x
	switch {
	case x.is("row") && !x.end:
		return s.cells, x.empty, s.startRow()
	case x.is("row"):
		return s.endRow(), true, nil
	case x.is("c") && !x.end:
		if err := s.startCell(); err != nil || !s.cell.open {
			return nil, false, err
		}
		return nil, false, s.quickValue()
	case x.is("c"):
		return nil, false, s.endCell(x.text, false)
	case x.is("sheetData") && x.end:
		s.done = true
	case s.cell.open:
		s.cell.inner(x)
	}
	return nil, false, nil
}

// startRow begins a row at <row>, numbered by its r attribute or after the last.
func (s *xlsxSource) startRow() error {
	n := s.row + 1
	if r, ok := s.x.attr("r"); ok {
		if v, ok := digits(r); ok {
			n = v
		}
	}
	if n > maxRows || n <= s.row {
		return s.fail("sheet %q: row number %d is out of order or beyond the %d rows a sheet can hold", s.sheet, n, maxRows)
	}
	s.row, s.cells, s.lastCol, s.rowBytes = n, s.cells[:0], 0, 0
	s.rowText, s.spans = s.rowText[:0], s.spans[:0]
	return nil
}

// endRow ends a row at </row>: the cells whose text was kept in the row's text get
// their strings, all of them cut from one: a row costs one allocation, not one a cell.
func (s *xlsxSource) endRow() []string {
	if len(s.spans) > 0 {
		text := string(s.rowText)
		for _, sp := range s.spans {
			if s.cells[sp.col] == "" {
				s.cells[sp.col] = text[sp.start:sp.end]
			}
		}
	}
	return trimRow(s.cells)
}

// span is where the text of a cell is in its row's text.
type span struct{ col, start, end int }

// startCell begins a cell at <c>: its column, by its r attribute or after the last, its
// style and its type.
func (s *xlsxSource) startCell() error {
	x, c := s.x, &s.cell
	*c = cell{col: s.lastCol + 1, style: -1, open: !x.empty}
	for _, a := range x.attrList() {
		if a.ke-a.ks != 1 {
			continue
		}
		switch val := x.val(a); x.attrs[a.ks] {
		case 'r':
			col, ok := cellColumn(val)
			if !ok {
				return s.fail("sheet %q: bad cell reference %q", s.sheet, val)
			}
			if col <= s.lastCol {
				return s.cellsOutOfOrder(col)
			}
			c.col = col
		case 's':
			c.style, _ = digits(val)
		case 't':
			c.typ = typeOf(val)
		}
	}
	s.columnDefault(c)
	if c.col > maxCols {
		return s.fail("sheet %q: column %d of row %d is beyond the %d columns a sheet can hold", s.sheet, c.col, s.row, maxCols)
	}
	s.lastCol = c.col
	x.text = x.text[:0]
	return nil
}

// cellsOutOfOrder reports a cell of a column at or before the last cell's in its row:
// the same cell twice, or cells out of order, which spreadsheet applications never
// write, and which would leave one value for another without a word.
func (s *xlsxSource) cellsOutOfOrder(col int) error {
	at := Pos{File: s.file, Sheet: s.sheet, Line: s.row, Col: col}
	return &Error{Kind: Data, Msg: fmt.Sprintf("%s: a cell of column %s after one of column %s in the same row: the row has a cell twice, or its cells out of order",
		at, ColumnName(col), ColumnName(s.lastCol)),
		Hint: "the workbook is damaged or was written by a faulty tool; open it in a spreadsheet application and save it again"}
}

// columnDefault gives a cell with no style of its own its column's.
func (s *xlsxSource) columnDefault(c *cell) {
	if c.style < 0 {
		c.style = 0
		if c.col < len(s.colStyles) {
			c.style = int(s.colStyles[c.col])
		}
	}
}

// quickCell reads a cell's start tag straight from the scanner's buffer when it is
// written the common way, <c r="B2" s="1" t="s"> with no text before it and one space
// before each attribute, all of them r, s or t: it begins the cell as startCell does,
// and reads its value with quickValue. On anything else, a bad reference included, it
// reads nothing and reports false, and the tag is read as any other, to the same result.
func (s *xlsxSource) quickCell() (bool, error) {
	x := s.x
	b := x.buf[x.head:x.tail]
	if len(b) < 4 || b[0] != '<' || b[1] != 'c' || b[2] != ' ' {
		return false, nil
	}
	c := cell{col: s.lastCol + 1, style: -1, open: true}
	i := 3
	for {
		if i+3 > len(b) || b[i+1] != '=' || b[i+2] != '"' {
			return false, nil
		}
		k := b[i]
		i += 3
		vs := i
		for i < len(b) && b[i] != '"' {
			i++
		}
		if i+1 >= len(b) {
			return false, nil
		}
		switch val := b[vs:i]; k {
		case 'r':
			col, ok := cellColumn(val)
			if !ok || col <= s.lastCol {
				return false, nil
			}
			c.col = col
		case 's':
			c.style, _ = digits(val)
		case 't':
			c.typ = typeOf(val)
		default:
			return false, nil
		}
		if i++; b[i] != ' ' {
			break
		}
		i++
	}
	switch {
	case b[i] == '>':
	case b[i] == '/' && i+1 < len(b) && b[i+1] == '>':
		c.open = false
		i++
	default:
		return false, nil
	}
	if i > maxTagBytes || c.col > maxCols {
		return false, nil
	}
	x.head += i + 1
	s.columnDefault(&c)
	s.cell, s.lastCol, x.text = c, c.col, x.text[:0]
	if !c.open {
		return true, nil
	}
	return true, s.quickValue()
}

// endCell puts the cell's value in its column at </c> (or <c/>). Text is kept in the
// row's text, which makes one string at the end of the row; the value of a column the
// reader was not asked for in full is its stored text, a number unformatted.
func (s *xlsxSource) endCell(raw []byte, plain bool) error {
	c := &s.cell
	c.open, c.collect = false, false
	// A </c> with no <c> before it in the sheet ends a cell of column 0.
	full := s.want == nil || c.col >= 1 && c.col <= len(s.want) && s.want[c.col-1]
	v, b, err := s.value(c.typ, c.style, raw, full, plain)
	if err != nil || v == "" && len(b) == 0 {
		return err
	}
	// What comes of plain text is ASCII, and a shared-string table is checked whole as
	// it is read: only the string of a cell that refers to a bad one needs a look.
	switch {
	case c.typ == typShared:
		if s.sst.invalid && !utf8.ValidString(v) {
			return s.notUTF8(v)
		}
	case plain:
	case b != nil:
		if !utf8.Valid(b) {
			return s.notUTF8(string(b))
		}
	case !utf8.ValidString(v):
		return s.notUTF8(v)
	}
	if s.rowBytes += len(v) + len(b); s.rowBytes > MaxRowBytes {
		return s.limitError(fmt.Sprintf("reading %s: sheet %q: row %d holds more than %s of text", s.file, s.sheet, s.row, megabytes(MaxRowBytes)))
	}
	for len(s.cells) < c.col {
		s.cells = append(s.cells, "")
	}
	s.cells[c.col-1] = v
	if b != nil {
		start := len(s.rowText)
		s.rowText = append(s.rowText, b...)
		s.spans = append(s.spans, span{c.col - 1, start, len(s.rowText)})
	}
	return nil
}

// quickValue reads the rest of a cell just begun straight from the scanner's buffer,
// when it is written the common way, <v>text</v></c> or <is><t>text</t></is></c>, with
// no reference or CR in the text: five tags fewer to follow one by one. On anything
// else it reads nothing, and the tags are followed one by one, to the same result.
// Text of ASCII alone and no _ (of an _xHHHH_ escape) is plain: it needs no check
// that it is UTF-8, and no unescaping.
func (s *xlsxSource) quickValue() error {
	x := s.x
	b := x.buf[x.head:x.tail]
	var n int
	var closing string
	switch {
	case len(b) > 3 && b[0] == '<' && b[1] == 'v' && b[2] == '>':
		n, closing = 3, "</v></c>"
	case len(b) > 7 && string(b[:7]) == "<is><t>":
		n, closing = 7, "</t></is></c>"
	default:
		return nil
	}
	i, plain := plainText(b, n)
	if i == len(b) || b[i] != '<' || len(b)-i < len(closing) || string(b[i:i+len(closing)]) != closing || i-n > MaxRowBytes {
		return nil
	}
	x.head += i + len(closing)
	return s.endCell(b[n:i], plain)
}

// plainText reads text in b from start up to a tag, a reference or a CR, and tells where
// it stops and whether the text is plain.
func plainText(b []byte, start int) (end int, plain bool) {
	i, plain := start, true
	for ; i < len(b); i++ {
		if k := textClass[b[i]]; k != 0 {
			if k == textEnd {
				break
			}
			plain = false
		}
	}
	return i, plain
}

// textClass sorts the bytes of the text quickValue reads: those that end what it can
// read (a tag, a reference, a CR), and those that make text not plain.
var textClass = func() (t [256]uint8) {
	t['<'], t['&'], t['\r'] = textEnd, textEnd, textEnd
	t['_'] = textNotPlain
	for c := 0x80; c < 0x100; c++ {
		t[c] = textNotPlain
	}
	return t
}()

const (
	textEnd = 1 + iota
	textNotPlain
)

// notUTF8 reports a cell whose text is not UTF-8, as XML must be: the byte and where it
// is in the cell's text, as the CSV reader tells the line.
func (s *xlsxSource) notUTF8(v string) error {
	at := 0
	for at < len(v) {
		r, n := utf8.DecodeRuneInString(v[at:])
		if r == utf8.RuneError && n == 1 {
			break
		}
		at += n
	}
	return &Error{Kind: Data, Msg: fmt.Sprintf("%s: the cell's text is not UTF-8 (byte 0x%02x at byte %d of the text)", s.cellPos(), v[at], at),
		Hint: "the workbook is damaged or was written by a faulty tool; open it in a spreadsheet application, fix the cell and save it again"}
}

// digits reads a whole number written in ASCII digits, as text.Digits does.
func digits(b []byte) (int, bool) {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' || n > (math.MaxInt-9)/10 {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(b) > 0
}

// cell is what the reader knows of the cell it is in.
type cell struct {
	open       bool // between <c> and </c>
	col, style int
	typ        cellType
	collect    bool // the text that follows belongs to the value
	inline     textRuns
}

// inner follows a tag inside <c>: the value <v>, or the runs of an inline string <is>.
func (c *cell) inner(x *xmlScanner) {
	switch {
	case x.is("v"):
		c.collect = !x.end && !x.empty
	case x.is("is"):
		c.inline = textRuns{in: !x.end && !x.empty}
	default:
		c.collect = c.inline.tag(x, c.collect)
	}
}

// textRuns picks the text of a string, shared (<si>) or inline (<is>): the <t> elements
// of all its rich-text runs, but not those of the phonetic guides (<rPh>) that Japanese
// workbooks add.
type textRuns struct {
	in       bool // inside the string
	phonetic int  // depth of <rPh>
}

// tag follows one tag, and tells whether the text after it belongs to the string;
// tags it does not know leave collect as it was.
func (r *textRuns) tag(x *xmlScanner, collect bool) bool {
	switch {
	case x.is("rPh") && !x.empty:
		if x.end {
			r.phonetic--
		} else {
			r.phonetic++
		}
	case x.is("t"):
		return r.in && r.phonetic == 0 && !x.end && !x.empty
	}
	return collect
}

func trimRow(cells []string) []string {
	for len(cells) > 0 && cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1]
	}
	return cells
}

// cellType is a cell's t attribute.
type cellType uint8

const (
	typNumber cellType = iota // no t, t="n", or one the reader does not know
	typShared                 // s: an index in the shared strings
	typInline                 // inlineStr, str: the text itself
	typBool                   // b
	typError                  // e
	typDate                   // d: ISO 8601 text
)

func typeOf(t []byte) cellType {
	switch string(t) {
	case "s":
		return typShared
	case "inlineStr", "str":
		return typInline
	case "b":
		return typBool
	case "e":
		return typError
	case "d":
		return typDate
	}
	return typNumber
}

// value turns a cell's stored text into what the cell shows, minus the formatting:
// dates as ISO 8601, numbers in full, booleans as TRUE and FALSE. It returns a string,
// or the bytes of one (which change with the next cell). Numbers and dates are
// formatted only when full is set; else their stored text stands for them.
func (s *xlsxSource) value(typ cellType, style int, raw []byte, full, plain bool) (string, []byte, error) {
	switch typ {
	case typShared:
		i, ok := digits(bytes.TrimSpace(raw))
		v, found := s.sst.get(i)
		if !ok || !found {
			return "", nil, s.fail("sheet %q, row %d: a cell refers to shared string %q, which does not exist", s.sheet, s.row, raw)
		}
		return v, nil, nil
	case typInline:
		if plain {
			return "", raw, nil
		}
		return "", unescapeOOXML(raw), nil
	case typBool:
		if string(raw) == "1" {
			return "TRUE", nil, nil
		}
		return "FALSE", nil, nil
	case typError:
		return "", raw, nil
	}
	if len(raw) == 0 || !full {
		return "", raw, nil
	}
	if typ == typDate {
		return isoDateTime(string(raw)), nil, nil
	}
	f := fmtNumber
	if style >= 0 && style < len(s.styles) {
		f = s.styles[style]
	}
	if f != fmtNumber {
		if v, err := strconv.ParseFloat(string(raw), 64); err == nil {
			s.scratch = appendSerialTime(s.scratch[:0], v, s.date1904, f)
			return "", s.scratch, nil
		}
	}
	if v, ok := plainNumberOf(raw); ok {
		return v, nil, nil
	}
	return "", raw, nil
}

// Workbook is a Source that reads a sheet of a workbook, where a date is a number.
type Workbook interface {
	Source
	// Date1904 reports whether the workbook counts days from 1904 rather than 1900.
	Date1904() bool
}

// Date1904 reports whether the workbook counts days from 1904 rather than 1900.
func (s *xlsxSource) Date1904() bool { return s.date1904 }

// SerialDate reads a plain number, such as 46327, as a date in a workbook's date system,
// as YYYY-MM-DD; ok is false for anything else, and for numbers past 9999-12-31.
func SerialDate(v string, date1904 bool) (string, bool) {
	whole, frac, _ := strings.Cut(v, ".")
	if _, ok := text.Digits(whole); !ok || len(whole) > 7 {
		return "", false
	}
	if _, ok := text.Digits(frac); !ok && frac != "" {
		return "", false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 1 || f >= 2958466 {
		return "", false
	}
	return serialTime(f, date1904, fmtDate)[:10], true
}

// serialTime turns a spreadsheet serial number into ISO 8601: 2024-03-17 for a whole
// day, 2024-03-17T09:30:00 with a time, 09:30:00 for a time of day alone.
func serialTime(v float64, date1904 bool, f cellFormat) string {
	return string(appendSerialTime(nil, v, date1904, f))
}

// appendSerialTime appends serialTime's text to b: a cell's date costs no allocation,
// and, counted on the calendar's days rather than through package time, a tenth of the
// work (TestSerialTimeEveryDay holds the two to each other).
func appendSerialTime(b []byte, v float64, date1904 bool, f cellFormat) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 2958466 { // 9999-12-31
		return strconv.AppendFloat(b, v, 'f', -1, 64)
	}
	days := math.Floor(v)
	secs := int(math.Round((v - days) * 86400))
	if secs >= 86400 {
		days, secs = days+1, 0
	}
	epoch := -25569 // 1899-12-30, in days from 1970-01-01
	switch {
	case date1904:
		epoch = -24107 // 1904-01-01
	case days < 61:
		// Serials before 1900-03-01 count the 29 February 1900 that Lotus 1-2-3 invented.
		epoch++
	}
	if f == fmtTime && days == 0 {
		return appendClock(b, secs)
	}
	y, m, d := civil(epoch + int(days))
	if y > 9999 { // in the 1904 date system, the last serials are past 9999-12-31
		b = strconv.AppendInt(b, int64(y), 10)
	} else {
		b = append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
	}
	b = append(b, '-', byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
	if secs == 0 {
		return b
	}
	return appendClock(append(b, 'T'), secs)
}

// appendClock appends a time of day, given in seconds, as 15:04:05.
func appendClock(b []byte, secs int) []byte {
	h, m, s := secs/3600, secs/60%60, secs%60
	return append(b, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10), ':', byte('0'+s/10), byte('0'+s%10))
}

// civil returns the date of a day counted from 1970-01-01, in the proleptic Gregorian
// calendar, for days from 0000-03-01 on (Howard Hinnant's days_from_civil, inverted).
func civil(days int) (y, m, d int) {
	z := days + 719468 // from 0000-03-01: a year that ends with February
	era := z / 146097
	doe := z - era*146097                                  // day of the 400-year era
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // year of the era
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // day of the year, from March
	mp := (5*doy + 2) / 153                                // month, from March
	y, d, m = yoe+era*400, doy-(153*mp+2)/5+1, mp+3
	if m > 12 {
		y, m = y+1, m-12
	}
	return y, m, d
}

// isoDateTime normalizes the ISO 8601 text of a t="d" cell.
func isoDateTime(s string) string {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
				return t.Format("2006-01-02")
			}
			return t.Format("2006-01-02T15:04:05")
		}
	}
	return s
}

// cellColumn returns the 1-based column of a reference such as "AB12".
func cellColumn(ref []byte) (int, bool) {
	col, i := 0, 0
	for ; i < len(ref) && col <= maxCols; i++ {
		c := ref[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c < 'A' || c > 'Z' {
			break
		}
		col = col*26 + int(c-'A'+1)
	}
	return col, i > 0
}
