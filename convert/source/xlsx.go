package source

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// XLSX is read straight from the zip: the workbook, its relationships and styles through
// encoding/xml (they are small), shared strings and the sheet through xmlScanner, one row
// at a time. excelize's row iterator cannot tell a cell's number format, which is what
// makes a number a date, and is several times slower; it writes the test workbooks and
// checks this reader in the tests instead.

type xlsxSource struct {
	file, sheet string
	zr          *zip.Reader
	closer      io.Closer // the workbook's file
	part        io.ReadCloser
	inflated    *inflater // the sheet's part, unzipped ahead of the scanner
	counted     *countingReader
	size        int64
	x           *xmlScanner
	sst         sharedStrings
	styles      []cellFormat // by cell style index
	colStyles   []uint32     // by column number: the style of cells without their own
	cols        int          // <col> elements seen
	date1904    bool

	inData   bool // inside <sheetData>
	done     bool
	row      int // number of the current row
	rowBytes int // text in the row's cells so far
	lastCol  int // column of the row's last cell so far
	cells    []string
	cell     cell
	rowText  []byte // the text of the row's cells, one string at the row's end
	spans    []span // where each of those is in rowText
	scratch  []byte // a formatted date, on its way to rowText
	want     []bool // by column (0-based): read the value in full; nil: every column
}

// Sheet describes one sheet of a workbook.
type Sheet struct {
	Name   string
	Hidden bool
	// Chart: a chart sheet (or a dialog or macro sheet), a tab without cells.
	Chart bool
	part  string
}

func openXLSX(file string, r io.ReaderAt, size int64, closer io.Closer, opts *Options) (Source, error) {
	dir := &dirBudget{r: r, left: maxZipDirBytes}
	zr, err := zip.NewReader(dir, size)
	dir.left = -1 // the parts are read through it too, within their own limits
	switch {
	case errors.Is(err, errZipDirTooLarge):
		closer.Close()
		return nil, &Error{Kind: Read, Msg: fmt.Sprintf("reading %s: its zip directory is larger than %s, far more parts than a workbook has", file, megabytes(maxZipDirBytes)),
			Hint: "torii-convert refuses it, to keep memory bounded (see Limits in its README); if the workbook is real, export the sheet as CSV"}
	case err != nil:
		closer.Close()
		return nil, &Error{Kind: Read, Msg: fmt.Sprintf("reading %s: not a readable XLSX workbook (%v)", file, zipReason(err)),
			Hint: "the file may be damaged or incomplete; export it again"}
	}
	s := &xlsxSource{file: file, zr: zr, closer: closer}
	if err := s.open(opts.Sheet); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// dirBudget bounds what zip.NewReader reads, which is the zip's directory: it keeps
// every entry in memory, some 300 bytes each. left < 0 is no bound.
type dirBudget struct {
	r    io.ReaderAt
	left int64
}

var errZipDirTooLarge = errors.New("the zip directory is too large")

func (d *dirBudget) ReadAt(p []byte, off int64) (int, error) {
	if d.left >= 0 {
		if d.left < int64(len(p)) {
			return 0, errZipDirTooLarge
		}
		d.left -= int64(len(p))
	}
	return d.r.ReadAt(p, off)
}

// spoolXLSX copies a workbook that comes through a pipe to a temporary file, which a zip
// reader can seek in. The file is removed as soon as it is open, so nothing is left
// behind however the run ends (where the system allows it; else when the source closes).
func spoolXLSX(file string, r io.Reader, closer io.Closer, opts *Options) (Source, error) {
	defer closeIf(closer)
	tmp, err := os.CreateTemp("", "torii-convert-*.xlsx")
	if err != nil {
		return nil, &Error{Kind: Read, Msg: fmt.Sprintf("reading %s: a workbook that comes through a pipe is copied to a temporary file first, and that failed", file), Err: err,
			Hint: "give the workbook's path, or set TMPDIR to a writable directory"}
	}
	sp := &spooled{File: tmp, removed: os.Remove(tmp.Name()) == nil}
	n, err := io.Copy(tmp, io.LimitReader(r, maxSpooledBytes+1))
	switch {
	case err != nil:
		sp.Close()
		return nil, ReadError(file, err)
	case n > maxSpooledBytes:
		sp.Close()
		return nil, &Error{Kind: Read, Msg: fmt.Sprintf("reading %s: a workbook that comes through a pipe is copied to a temporary file of at most %d GB, and this one is larger", file, maxSpooledBytes>>30),
			Hint: "give the workbook's path instead, or export the sheet as CSV"}
	}
	return openXLSX(file, tmp, n, sp, opts)
}

// spooled is a temporary copy of a workbook, removed when closed if not before.
type spooled struct {
	*os.File
	removed bool
}

func (s *spooled) Close() error {
	err := s.File.Close()
	if !s.removed {
		os.Remove(s.Name())
	}
	return err
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

// open reads what the workbook says of its sheets and styles, opens the sheet to read,
// and reads the shared strings while the sheet starts unzipping.
func (s *xlsxSource) open(want string) error {
	p := indexParts(s.zr)
	wb, err := s.readWorkbook(p)
	if err != nil {
		return err
	}
	sheet, err := pickSheet(s.file, wb.sheets, want)
	if err != nil {
		return err
	}
	s.sheet = sheet.Name
	if part := wb.rels.target(wb.base, "/styles"); part != "" {
		var st xStyles
		if err := s.readPart(p, part, &st); err != nil && err != errNoPart {
			return err
		}
		s.styles = st.formats()
	}
	// The sheet starts unzipping while the shared strings are read.
	if err := s.openSheet(p, sheet); err != nil {
		return err
	}
	if part := wb.rels.target(wb.base, "/sharedStrings"); part != "" {
		if err := s.readSharedStrings(p[strings.ToLower(part)]); err != nil {
			return err
		}
	}
	return nil
}

// parts are a workbook's zip entries, by their names in lower case.
type parts map[string]*zip.File

// workbook is what the workbook part and its relationships say.
type workbook struct {
	base   string // the workbook part's folder, which its relationships are relative to
	rels   xRels
	sheets []Sheet
}

// readWorkbook finds the workbook part through the package's relationships and reads
// its sheets and date system.
func (s *xlsxSource) readWorkbook(p parts) (*workbook, error) {
	var root xRels
	wbPath := "xl/workbook.xml"
	if err := s.readPart(p, "_rels/.rels", &root); err == nil {
		if t := root.target("", "/officeDocument"); t != "" {
			wbPath = t
		}
	}
	var x xWorkbook
	if err := s.readPart(p, wbPath, &x); err != nil {
		if err == errNoPart {
			return nil, s.fail("it is a zip archive but not a workbook (no %s)", wbPath)
		}
		return nil, err
	}
	s.date1904 = x.Pr.Date1904 == "1" || x.Pr.Date1904 == "true"
	wb := &workbook{base: path.Dir(wbPath)}
	relsPath := path.Join(wb.base, "_rels", path.Base(wbPath)+".rels")
	if err := s.readPart(p, relsPath, &wb.rels); err != nil && err != errNoPart {
		return nil, err
	}
	byID := make(map[string]int, len(wb.rels.Rels)) // a lookup each would be quadratic
	for i, rel := range wb.rels.Rels {
		if _, ok := byID[rel.ID]; !ok {
			byID[rel.ID] = i
		}
	}
	for _, sh := range x.Sheets {
		s := Sheet{Name: sh.Name, Hidden: sh.State == "hidden" || sh.State == "veryHidden"}
		if i, ok := byID[sh.RID]; ok {
			rel := wb.rels.Rels[i]
			s.part, s.Chart = resolvePart(wb.base, rel.Target), !strings.HasSuffix(rel.Type, "/worksheet")
		}
		wb.sheets = append(wb.sheets, s)
	}
	return wb, nil
}

// readPart decodes one of the small parts of a workbook with encoding/xml.
func (s *xlsxSource) readPart(p parts, name string, v any) error {
	f := p[strings.ToLower(name)]
	if f == nil {
		return errNoPart
	}
	if f.UncompressedSize64 > maxPartBytes {
		return s.limitError(fmt.Sprintf("reading %s: its part %s unzips to more than %s", s.file, name, megabytes(maxPartBytes)))
	}
	rc, err := f.Open()
	if err != nil {
		return s.fail("%s: %v", name, err)
	}
	defer rc.Close()
	tags := &tagCounter{r: io.LimitReader(rc, maxPartBytes), left: maxPartTags}
	if err := xml.NewDecoder(tags).Decode(v); errors.Is(err, errTooManyTags) {
		return s.limitError(fmt.Sprintf("reading %s: its part %s holds more than %s XML tags", s.file, name, thousands(maxPartTags)))
	} else if err != nil {
		return s.fail("%s: %v", name, err)
	}
	return nil
}

// tagCounter fails with errTooManyTags once more than left tags ('<') come through it:
// a small part of a million empty elements would cost encoding/xml a struct each.
type tagCounter struct {
	r    io.Reader
	left int
}

var errTooManyTags = errors.New("too many XML tags")

func (t *tagCounter) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if t.left -= bytes.Count(p[:n], []byte{'<'}); t.left < 0 {
		return 0, errTooManyTags
	}
	return n, err
}

// openSheet starts streaming the sheet's part.
func (s *xlsxSource) openSheet(p parts, sheet Sheet) error {
	f := p[strings.ToLower(sheet.part)]
	if f == nil {
		return s.fail("sheet %q has no data part", sheet.Name)
	}
	if f.UncompressedSize64 > maxSheetBytes {
		return tooBig(s.file, fmt.Sprintf("sheet %q", sheet.Name), maxSheetBytes)
	}
	var err error
	if s.part, err = f.Open(); err != nil {
		return s.fail("sheet %q: %v", sheet.Name, err)
	}
	s.inflated = inflate(s.part)
	s.counted = &countingReader{r: s.inflated}
	s.size = int64(f.UncompressedSize64)
	s.x = newXMLScanner(s.counted)
	return nil
}

func (s *xlsxSource) Progress() (int64, int64) { return s.counted.n, s.size }

// countingReader counts the bytes read through it, and fails with errPastLimit past
// limit, when limit is set.
type countingReader struct {
	r     io.Reader
	n     int64
	limit int64
}

var errPastLimit = errors.New("past the limit")

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n += int64(n); c.limit > 0 && c.n > c.limit {
		return 0, errPastLimit
	}
	return n, err
}

var errNoPart = errors.New("part not found")

// inflater unzips a part in a goroutine of its own, a few chunks ahead of its reader, so
// that unzipping and scanning the XML take a core each: together they took one, and
// unzipping about a quarter of it.
type inflater struct {
	chunks chan chunk  // unzipped, in order
	free   chan []byte // chunks read, to fill again
	done   chan struct{}
	exited chan struct{}
	cur    []byte // what is left of the chunk being read
	buf    []byte // the chunk being read, whole
	err    error  // what came with it
	once   sync.Once
}

type chunk struct {
	b   []byte
	err error
}

const (
	inflateChunk  = 256 << 10
	inflateChunks = 4
)

func inflate(r io.Reader) *inflater {
	in := &inflater{chunks: make(chan chunk, inflateChunks), free: make(chan []byte, inflateChunks), done: make(chan struct{}), exited: make(chan struct{})}
	for range inflateChunks {
		in.free <- make([]byte, inflateChunk)
	}
	go in.run(r)
	return in
}

func (in *inflater) run(r io.Reader) {
	defer close(in.exited)
	for {
		var b []byte
		select {
		case b = <-in.free:
		case <-in.done:
			return
		}
		n, err := io.ReadFull(r, b)
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		select {
		case in.chunks <- chunk{b[:n], err}:
		case <-in.done:
			return
		}
		if err != nil {
			return
		}
	}
}

func (in *inflater) Read(p []byte) (int, error) {
	for len(in.cur) == 0 {
		if in.err != nil {
			return 0, in.err
		}
		if in.buf != nil {
			in.free <- in.buf[:cap(in.buf)]
		}
		c := <-in.chunks
		in.cur, in.buf, in.err = c.b, c.b, c.err
	}
	n := copy(p, in.cur)
	in.cur = in.cur[n:]
	return n, nil
}

// stop ends the goroutine, and waits for it: the part may be closed then.
func (in *inflater) stop() {
	in.once.Do(func() { close(in.done) })
	<-in.exited
}

// pickSheet finds a sheet by name (exact, then ignoring case) or 1-based index; with no
// choice, the first visible sheet of cells (not a chart sheet).
func pickSheet(file string, sheets []Sheet, want string) (Sheet, error) {
	if want == "" {
		for _, sh := range sheets {
			if !sh.Hidden && !sh.Chart {
				return sh, nil
			}
		}
		return Sheet{}, &Error{Kind: Data, Option: "Sheet", Msg: fmt.Sprintf("reading %s: the workbook has no visible sheet of cells", file),
			Hint: "choose one of its sheets: " + listSheets(sheets)}
	}
	sh, ok := findSheet(sheets, want)
	switch {
	case !ok:
		return Sheet{}, &Error{Kind: Usage, Option: "Sheet", Msg: fmt.Sprintf("reading %s: no sheet %q", file, want),
			Hint: "its sheets: " + listSheets(sheets)}
	case sh.Chart:
		return Sheet{}, &Error{Kind: Usage, Option: "Sheet", Msg: fmt.Sprintf("reading %s: sheet %q is a chart, not a table", file, sh.Name),
			Hint: "choose a sheet of cells; its sheets: " + listSheets(sheets)}
	}
	return sh, nil
}

// findSheet finds a sheet by name (exact, then ignoring case) or 1-based index.
func findSheet(sheets []Sheet, want string) (Sheet, bool) {
	for _, sh := range sheets {
		if sh.Name == want {
			return sh, true
		}
	}
	for _, sh := range sheets {
		if strings.EqualFold(sh.Name, want) {
			return sh, true
		}
	}
	if n, err := strconv.Atoi(want); err == nil && n >= 1 && n <= len(sheets) {
		return sheets[n-1], true
	}
	return Sheet{}, false
}

// listedSheets is how many sheets a message lists: a workbook may have thousands.
const listedSheets = 10

func listSheets(sheets []Sheet) string {
	var names []string
	for i, sh := range sheets[:min(len(sheets), listedSheets)] {
		n := fmt.Sprintf("%d %q", i+1, sh.Name)
		if sh.Hidden {
			n += " (hidden)"
		}
		if sh.Chart {
			n += " (chart)"
		}
		names = append(names, n)
	}
	if len(names) == 0 {
		return "none"
	}
	if more := len(sheets) - len(names); more > 0 {
		names = append(names, "and "+thousands(more)+" more")
	}
	return strings.Join(names, ", ")
}

// tooBig refuses a part whose unzipped size is past a limit: a zip bomb, or a workbook far
// larger than any export, would exhaust memory or disk.
func tooBig(file, part string, limit int64) error {
	return &Error{Kind: Read, Msg: fmt.Sprintf("reading %s: its %s unzips to more than %d GB", file, part, limit>>30),
		Hint: "torii-convert refuses such workbooks, to keep memory bounded; export the data as CSV, which has no limit"}
}

// readSharedStrings reads the workbook's table of shared strings, which cells refer to by
// number. It is held in memory, as one text and where each string ends, within limits.
func (s *xlsxSource) readSharedStrings(f *zip.File) error {
	if f == nil {
		return nil
	}
	if f.UncompressedSize64 > maxStringsPart {
		return tooBig(s.file, "shared strings", maxStringsPart)
	}
	rc, err := f.Open()
	if err != nil {
		return s.fail("shared strings: %v", err)
	}
	defer rc.Close()
	in := inflate(rc)
	defer in.stop()
	return s.scanSharedStrings(in)
}

// scanSharedStrings reads the table of shared strings from its part's XML.
func (s *xlsxSource) scanSharedStrings(r io.Reader) error {
	x := newXMLScanner(r)
	var (
		runs    textRuns
		collect bool
	)
	for {
		err := x.next(collect)
		if err == io.EOF {
			s.sst.done()
			return nil
		}
		if err != nil {
			return s.stringsError(len(s.sst.ends), err)
		}
		if !x.is("si") {
			collect = runs.tag(x, collect)
			continue
		}
		runs = textRuns{in: !x.end && !x.empty}
		if runs.in {
			x.text = x.text[:0]
			if text, plain, ok := quickString(x); ok {
				if err := s.addString(text, plain); err != nil {
					return err
				}
				runs, collect = textRuns{}, false
			}
			continue
		}
		if err := s.addString(x.text, false); err != nil {
			return err
		}
		x.text = x.text[:0]
	}
}

// addString adds a string to the table of shared strings, within its limits.
func (s *xlsxSource) addString(text []byte, plain bool) error {
	if len(s.sst.ends) == maxStrings || int(s.sst.size)+len(text) > maxStringsText {
		return s.limitError(fmt.Sprintf("reading %s: its shared-string table holds more than %s strings or %s of text", s.file, thousands(maxStrings), megabytes(maxStringsText)))
	}
	if !plain {
		text = unescapeOOXML(text)
	}
	s.sst.add(text)
	return nil
}

// quickString reads the rest of a shared string just begun straight from the scanner's
// buffer, when it is written the common way, <t>text</t></si> (or <t xml:space=
// "preserve">), its text plain as quickValue reads it; ok is false, and nothing read,
// on anything else.
func quickString(x *xmlScanner) (text []byte, plain, ok bool) {
	b := x.buf[x.head:x.tail]
	var n int
	switch {
	case len(b) > 3 && b[0] == '<' && b[1] == 't' && b[2] == '>':
		n = 3
	case bytes.HasPrefix(b, []byte(`<t xml:space="preserve">`)):
		n = len(`<t xml:space="preserve">`)
	default:
		return nil, false, false
	}
	i, plain := plainText(b, n)
	const closing = "</t></si>"
	if i == len(b) || b[i] != '<' || len(b)-i < len(closing) || string(b[i:i+len(closing)]) != closing || i-n > MaxRowBytes {
		return nil, false, false
	}
	x.head += i + len(closing)
	return b[n:i], plain, true
}

// sharedStrings is a workbook's table of shared strings: their text, and where each string
// ends in it, so that a table of many short strings costs four bytes a string. The text
// is kept in chunks of at most sstChunk bytes, none of which a string straddles: one
// text grown by doubling would hold twice the table's size meanwhile.
type sharedStrings struct {
	chunks []string
	bases  []uint32 // where each chunk starts in the whole text
	ends   []uint32 // where each string ends in the whole text
	size   uint32   // of the whole text
	cur    strings.Builder
	// invalid: some string is not UTF-8; when none is, cells need not check theirs.
	invalid bool
}

// sstChunk is the most text of a chunk, unless one string is longer.
const sstChunk = 4 << 20

// add appends a string to the table.
func (t *sharedStrings) add(s []byte) {
	if !t.invalid && !utf8.Valid(s) {
		t.invalid = true
	}
	if len(s) > 0 {
		if t.cur.Len() > 0 && t.cur.Len()+len(s) > sstChunk {
			t.done()
		}
		if t.cur.Len() == 0 {
			t.bases = append(t.bases, t.size)
		}
		t.cur.Write(s)
		t.size += uint32(len(s))
	}
	t.ends = append(t.ends, t.size)
}

// done ends the chunk being written.
func (t *sharedStrings) done() {
	if t.cur.Len() > 0 {
		t.chunks = append(t.chunks, t.cur.String())
		t.cur = strings.Builder{}
	}
}

func (t *sharedStrings) get(i int) (string, bool) {
	if i < 0 || i >= len(t.ends) {
		return "", false
	}
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	end := t.ends[i]
	if start == end {
		return "", true
	}
	// The string's chunk is the last to start before its end.
	c := sort.Search(len(t.bases), func(c int) bool { return t.bases[c] >= end }) - 1
	return t.chunks[c][start-t.bases[c] : end-t.bases[c]], true
}

func (s *xlsxSource) stringsError(n int, err error) error {
	switch err {
	case errTextTooLong:
		return s.limitError(fmt.Sprintf("reading %s: shared string %d holds more than %s of text", s.file, n, megabytes(MaxRowBytes)))
	case errTagTooLong:
		return s.limitError(fmt.Sprintf("reading %s: its shared strings hold an XML tag longer than %s; an attribute's quotes may not be closed", s.file, megabytes(maxTagBytes)))
	}
	return s.fail("shared strings: %v", err)
}

// limitError refuses a workbook past one of the limits that keep memory bounded; msg
// says where and which.
func (s *xlsxSource) limitError(msg string) error {
	return &Error{Kind: Read, Msg: msg,
		Hint: "torii-convert refuses it, to keep memory bounded (see Limits in its README); if the workbook is real, export the sheet as CSV"}
}

func (s *xlsxSource) Where() Pos { return Pos{File: s.file, Sheet: s.sheet} }

func (s *xlsxSource) Notices() []string { return nil }

func (s *xlsxSource) Close() error {
	if s.inflated != nil {
		s.inflated.stop()
	}
	if s.part != nil {
		s.part.Close()
	}
	return s.closer.Close()
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

func resolvePart(base, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(target, "/")
	}
	return path.Join(base, target)
}

// ReadColumns says which columns are read in full.
func (s *xlsxSource) ReadColumns(want []bool) { s.want = want }
