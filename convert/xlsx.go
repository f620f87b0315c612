package convert

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"
)

// XLSX is read straight from the zip: the workbook, its relationships and styles through
// encoding/xml (they are small), shared strings and the sheet through xmlScanner, one row
// at a time. excelize's row iterator cannot tell a cell's number format, which is what
// makes a number a date, and is several times slower; it writes the test workbooks and
// checks this reader in the tests instead.

// Limits that keep a hostile or broken workbook from exhausting memory.
const (
	maxRows         = 1 << 20 // what a spreadsheet can hold
	maxCols         = 1 << 14
	maxPartBytes    = 256 << 20 // workbook, relationships, styles
	maxStringsBytes = 2 << 30   // shared strings, which are held in memory
	maxSheetBytes   = 8 << 30   // a sheet, which is streamed
)

type xlsxSource struct {
	file, sheet string
	zr          *zip.ReadCloser
	part        io.ReadCloser
	counted     *countingReader
	size        int64
	x           *xmlScanner
	sst         []string
	styles      []cellFormat // by cell style index
	date1904    bool

	inData bool
	done   bool
	row    int // number of the current row
	cells  []string
}

type cellFormat uint8

const (
	fmtNumber cellFormat = iota
	fmtDate              // has a date part
	fmtTime              // time of day only
)

// Sheet describes one sheet of a workbook.
type Sheet struct {
	Name   string
	Hidden bool
	part   string
}

func openXLSX(file string, opts *Options) (source, error) {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return nil, &Error{Kind: Read, Msg: fmt.Sprintf("reading %s: not a readable XLSX workbook (%v)", file, zipReason(err)),
			Hint: "the file may be damaged or incomplete; export it again"}
	}
	s := &xlsxSource{file: file, zr: zr}
	if err := s.open(opts.Sheet); err != nil {
		zr.Close()
		return nil, err
	}
	return s, nil
}

func zipReason(err error) string {
	if errors.Is(err, zip.ErrFormat) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "the zip structure is broken"
	}
	return err.Error()
}

func (s *xlsxSource) fail(format string, args ...any) error {
	return &Error{Kind: Read, Msg: fmt.Sprintf("reading %s: ", s.file) + fmt.Sprintf(format, args...),
		Hint: "the workbook may be damaged; open it in a spreadsheet application and save it again"}
}

func (s *xlsxSource) open(want string) error {
	files := map[string]*zip.File{}
	for _, f := range s.zr.File {
		files[strings.ToLower(strings.TrimPrefix(f.Name, "/"))] = f
	}
	readPart := func(name string, v any) error {
		f := files[strings.ToLower(name)]
		if f == nil {
			return errNoPart
		}
		if f.UncompressedSize64 > maxPartBytes {
			return s.fail("%s is larger than %d MB", name, maxPartBytes>>20)
		}
		rc, err := f.Open()
		if err != nil {
			return s.fail("%s: %v", name, err)
		}
		defer rc.Close()
		if err := xml.NewDecoder(io.LimitReader(rc, maxPartBytes)).Decode(v); err != nil {
			return s.fail("%s: %v", name, err)
		}
		return nil
	}

	var root xRels
	wbPath := "xl/workbook.xml"
	if err := readPart("_rels/.rels", &root); err == nil {
		if t := root.target("", "/officeDocument"); t != "" {
			wbPath = t
		}
	}
	var wb xWorkbook
	if err := readPart(wbPath, &wb); err != nil {
		if err == errNoPart {
			return s.fail("it is a zip archive but not a workbook (no %s)", wbPath)
		}
		return err
	}
	s.date1904 = wb.Pr.Date1904 == "1" || wb.Pr.Date1904 == "true"
	var rels xRels
	relsPath := path.Join(path.Dir(wbPath), "_rels", path.Base(wbPath)+".rels")
	if err := readPart(relsPath, &rels); err != nil && err != errNoPart {
		return err
	}
	base := path.Dir(wbPath)
	var sheets []Sheet
	for _, sh := range wb.Sheets {
		sheets = append(sheets, Sheet{Name: sh.Name, Hidden: sh.State == "hidden" || sh.State == "veryHidden", part: rels.byID(base, sh.RID)})
	}
	sheet, err := pickSheet(s.file, sheets, want)
	if err != nil {
		return err
	}
	s.sheet = sheet.Name

	if p := rels.target(base, "/styles"); p != "" {
		var st xStyles
		if err := readPart(p, &st); err != nil && err != errNoPart {
			return err
		}
		s.styles = st.formats()
	}
	if p := rels.target(base, "/sharedStrings"); p != "" {
		if err := s.readSharedStrings(files[strings.ToLower(p)]); err != nil {
			return err
		}
	}
	f := files[strings.ToLower(sheet.part)]
	if f == nil {
		return s.fail("sheet %q has no data part", sheet.Name)
	}
	if f.UncompressedSize64 > maxSheetBytes {
		return tooBig(s.file, fmt.Sprintf("sheet %q", sheet.Name), maxSheetBytes)
	}
	if s.part, err = f.Open(); err != nil {
		return s.fail("sheet %q: %v", sheet.Name, err)
	}
	s.counted = &countingReader{r: s.part}
	s.size = int64(f.UncompressedSize64)
	s.x = newXMLScanner(s.counted)
	return nil
}

func (s *xlsxSource) progress() (int64, int64) { return s.counted.n, s.size }

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

var errNoPart = errors.New("part not found")

// pickSheet finds a sheet by name (exact, then ignoring case) or 1-based index; with no
// choice, the first visible sheet.
func pickSheet(file string, sheets []Sheet, want string) (Sheet, error) {
	if want == "" {
		for _, sh := range sheets {
			if !sh.Hidden {
				return sh, nil
			}
		}
		return Sheet{}, &Error{Kind: Data, Msg: fmt.Sprintf("reading %s: the workbook has no visible sheet", file),
			Hint: "choose one with --sheet; its sheets: " + listSheets(sheets)}
	}
	for _, sh := range sheets {
		if sh.Name == want {
			return sh, nil
		}
	}
	for _, sh := range sheets {
		if strings.EqualFold(sh.Name, want) {
			return sh, nil
		}
	}
	if n, err := strconv.Atoi(want); err == nil && n >= 1 && n <= len(sheets) {
		return sheets[n-1], nil
	}
	return Sheet{}, &Error{Kind: Usage, Msg: fmt.Sprintf("reading %s: no sheet %q", file, want),
		Hint: "its sheets: " + listSheets(sheets) + "; pass --sheet with a name or a number"}
}

func listSheets(sheets []Sheet) string {
	var names []string
	for i, sh := range sheets {
		n := fmt.Sprintf("%d %q", i+1, sh.Name)
		if sh.Hidden {
			n += " (hidden)"
		}
		names = append(names, n)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// tooBig refuses a part whose unzipped size is past a limit: a zip bomb, or a workbook far
// larger than any export, would exhaust memory or disk.
func tooBig(file, part string, limit uint64) error {
	return &Error{Kind: Read, Msg: fmt.Sprintf("reading %s: its %s unzips to more than %d GB", file, part, limit>>30),
		Hint: "torii-convert refuses such workbooks, to keep memory bounded; export the data as CSV, which has no limit"}
}

func (s *xlsxSource) readSharedStrings(f *zip.File) error {
	if f == nil {
		return nil
	}
	if f.UncompressedSize64 > maxStringsBytes {
		return tooBig(s.file, "shared strings", maxStringsBytes)
	}
	rc, err := f.Open()
	if err != nil {
		return s.fail("shared strings: %v", err)
	}
	defer rc.Close()
	x := newXMLScanner(rc)
	var inSI, inT bool
	phonetic := 0
	for {
		err := x.next(inT)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return s.fail("shared strings: %v", err)
		}
		switch {
		case x.is("si"):
			inSI = !x.end && !x.empty
			if x.end || x.empty {
				s.sst = append(s.sst, string(unescapeOOXML(x.text)))
			}
			x.text = x.text[:0]
		case x.is("rPh"):
			if !x.empty {
				if x.end {
					phonetic--
				} else {
					phonetic++
				}
			}
		case x.is("t"):
			inT = inSI && phonetic == 0 && !x.end && !x.empty
		}
	}
}

// next returns the next row of the sheet. Rows the sheet leaves out are not returned:
// pos tells each row's own number.
func (s *xlsxSource) next() (row, error) {
	cells, err := s.nextCells()
	return row{cells: cells, line: s.row}, err
}

func (s *xlsxSource) nextCells() ([]string, error) {
	if s.done {
		return nil, io.EOF
	}
	var (
		inCell, collect, inInline bool
		phonetic                  int
		col, style                int
		typ                       []byte
		lastCol                   int
	)
	var typBuf [16]byte
	for {
		err := s.x.next(collect)
		if err == io.EOF {
			s.done = true
			return nil, s.fail("sheet %q ends in the middle (after row %d)", s.sheet, s.row)
		}
		if err != nil {
			return nil, s.fail("sheet %q, after row %d: %v", s.sheet, s.row, err)
		}
		x := s.x
		if !s.inData {
			if x.is("sheetData") && !x.end {
				s.inData = !x.empty
				if x.empty {
					s.done = true
					return nil, io.EOF
				}
			}
			continue
		}
		switch {
		case x.is("row") && !x.end:
			n := s.row + 1
			if r, ok := x.attr("r"); ok {
				if v, ok := digitsValue(string(r)); ok {
					n = v
				}
			}
			if n > maxRows || n <= s.row {
				return nil, s.fail("sheet %q: row number %d is out of order or beyond the %d rows a sheet can hold", s.sheet, n, maxRows)
			}
			s.row, s.cells, lastCol = n, s.cells[:0], 0
			if x.empty {
				return s.cells, nil
			}
		case x.is("row"):
			return trimRow(s.cells), nil
		case x.is("c") && !x.end:
			col, style, typ = lastCol+1, 0, typBuf[:0]
			if r, ok := x.attr("r"); ok {
				c, ok := cellColumn(r)
				if !ok {
					return nil, s.fail("sheet %q: bad cell reference %q", s.sheet, r)
				}
				col = c
			}
			if st, ok := x.attr("s"); ok {
				style, _ = digitsValue(string(st))
			}
			if t, ok := x.attr("t"); ok {
				typ = append(typ, t...)
			}
			if col > maxCols {
				return nil, s.fail("sheet %q: column %d of row %d is beyond the %d columns a sheet can hold", s.sheet, col, s.row, maxCols)
			}
			lastCol = col
			x.text = x.text[:0]
			inCell = !x.empty
		case x.is("c"):
			v, err := s.value(typ, style, x.text)
			if err != nil {
				return nil, err
			}
			if v != "" {
				for len(s.cells) < col-1 {
					s.cells = append(s.cells, "")
				}
				if len(s.cells) < col {
					s.cells = append(s.cells, v)
				} else {
					s.cells[col-1] = v
				}
			}
			inCell = false
		case !inCell:
		case x.is("v"):
			collect = !x.end && !x.empty
		case x.is("is"):
			inInline = !x.end && !x.empty
		case x.is("rPh"):
			if !x.empty {
				if x.end {
					phonetic--
				} else {
					phonetic++
				}
			}
		case x.is("t"):
			collect = inInline && phonetic == 0 && !x.end && !x.empty
		}
		if x.is("sheetData") && x.end {
			s.done = true
			return nil, io.EOF
		}
	}
}

func trimRow(cells []string) []string {
	for len(cells) > 0 && cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1]
	}
	return cells
}

// value turns a cell's stored text into what the cell shows, minus the formatting:
// dates as ISO 8601, numbers in full, booleans as TRUE and FALSE.
func (s *xlsxSource) value(typ []byte, style int, raw []byte) (string, error) {
	switch string(typ) {
	case "s":
		i, ok := digitsValue(strings.TrimSpace(string(raw)))
		if !ok || i >= len(s.sst) {
			return "", s.fail("sheet %q, row %d: a cell refers to shared string %q, which does not exist", s.sheet, s.row, raw)
		}
		return s.sst[i], nil
	case "inlineStr", "str":
		return string(unescapeOOXML(raw)), nil
	case "b":
		if string(raw) == "1" {
			return "TRUE", nil
		}
		return "FALSE", nil
	case "e":
		return string(raw), nil
	case "d":
		return isoDateTime(string(raw)), nil
	}
	if len(raw) == 0 {
		return "", nil
	}
	f := fmtNumber
	if style >= 0 && style < len(s.styles) {
		f = s.styles[style]
	}
	if f != fmtNumber {
		if v, err := strconv.ParseFloat(string(raw), 64); err == nil {
			return serialTime(v, s.date1904, f), nil
		}
	}
	return plainNumber(string(raw)), nil
}

// serialTime turns a spreadsheet serial number into ISO 8601: 2024-03-17 for a whole
// day, 2024-03-17T09:30:00 with a time, 09:30:00 for a time of day alone.
func serialTime(v float64, date1904 bool, f cellFormat) string {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 2958466 { // 9999-12-31
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	days := math.Floor(v)
	secs := math.Round((v - days) * 86400)
	if secs >= 86400 {
		days, secs = days+1, 0
	}
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	switch {
	case date1904:
		epoch = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case days < 61:
		// Serials before 1900-03-01 count the 29 February 1900 that Lotus 1-2-3 invented.
		epoch = epoch.AddDate(0, 0, 1)
	}
	t := epoch.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second)
	switch {
	case f == fmtTime && days == 0:
		return t.Format("15:04:05")
	case secs == 0:
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02T15:04:05")
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

func (s *xlsxSource) where() Pos { return Pos{File: s.file, Sheet: s.sheet} }

func (s *xlsxSource) notices() []string { return nil }

func (s *xlsxSource) close() error {
	if s.part != nil {
		s.part.Close()
	}
	return s.zr.Close()
}

// The small parts, read with encoding/xml.

type xWorkbook struct {
	Pr struct {
		Date1904 string `xml:"date1904,attr"`
	} `xml:"workbookPr"`
	Sheets []struct {
		Name  string `xml:"name,attr"`
		State string `xml:"state,attr"`
		RID   string `xml:"id,attr"`
	} `xml:"sheets>sheet"`
}

type xRels struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

// target returns the part of the first relationship whose type ends with suffix.
func (r xRels) target(base, suffix string) string {
	for _, rel := range r.Rels {
		if strings.HasSuffix(rel.Type, suffix) {
			return resolvePart(base, rel.Target)
		}
	}
	return ""
}

func (r xRels) byID(base, id string) string {
	for _, rel := range r.Rels {
		if rel.ID == id {
			return resolvePart(base, rel.Target)
		}
	}
	return ""
}

func resolvePart(base, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(target, "/")
	}
	return path.Join(base, target)
}

type xStyles struct {
	NumFmts []struct {
		ID   int    `xml:"numFmtId,attr"`
		Code string `xml:"formatCode,attr"`
	} `xml:"numFmts>numFmt"`
	CellXfs []struct {
		NumFmtID int `xml:"numFmtId,attr"`
	} `xml:"cellXfs>xf"`
}

// formats classifies every cell style by its number format.
func (st xStyles) formats() []cellFormat {
	custom := map[int]string{}
	for _, f := range st.NumFmts {
		custom[f.ID] = f.Code
	}
	out := make([]cellFormat, len(st.CellXfs))
	for i, xf := range st.CellXfs {
		if code, ok := custom[xf.NumFmtID]; ok {
			out[i] = classifyFormat(code)
		} else {
			out[i] = builtinFormat(xf.NumFmtID)
		}
	}
	return out
}

// builtinFormat classifies the number formats spreadsheets know by id alone.
func builtinFormat(id int) cellFormat {
	switch {
	case id >= 14 && id <= 17, id == 22, id >= 27 && id <= 36, id >= 50 && id <= 58:
		return fmtDate
	case id >= 18 && id <= 21, id == 45, id == 47:
		return fmtTime
	}
	return fmtNumber
}

// classifyFormat tells from a format code whether it shows a date, a time or a number.
// Quoted text, escaped characters, colours and conditions do not count; elapsed time
// ([h]:mm) is a duration, so a number; an m beside h or s is minutes, alone a month.
func classifyFormat(code string) cellFormat {
	if i := strings.IndexByte(code, ';'); i >= 0 {
		code = code[:i]
	}
	lower := strings.ToLower(code)
	var day, month, clock bool
	for i := 0; i < len(lower); i++ {
		switch c := lower[i]; {
		case c == '"':
			if j := strings.IndexByte(lower[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(lower)
			}
		case c == '\\' || c == '_' || c == '*':
			i++
		case c == '[':
			j := strings.IndexByte(lower[i:], ']')
			if j < 0 {
				return fmtNumber
			}
			if inner := lower[i+1 : i+j]; inner != "" && strings.Trim(inner, "hms") == "" {
				return fmtNumber // elapsed time
			}
			i += j
		case strings.HasPrefix(lower[i:], "general"):
			i += len("general") - 1
		case strings.HasPrefix(lower[i:], "am/pm"):
			clock = true
			i += len("am/pm") - 1
		case strings.HasPrefix(lower[i:], "a/p"):
			clock = true
			i += len("a/p") - 1
		case c == 'e' && i+1 < len(lower) && (lower[i+1] == '+' || lower[i+1] == '-'):
			return fmtNumber // scientific notation
		case c == 'y' || c == 'd':
			day = true
		case c == 'h' || c == 's':
			clock = true
		case c == 'm':
			month = true
		}
	}
	switch {
	case day, month && !clock:
		return fmtDate
	case clock:
		return fmtTime
	}
	return fmtNumber
}
