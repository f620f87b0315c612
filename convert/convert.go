// Package convert reads spreadsheet exports (CSV and XLSX) and maps their rows, as a
// template says, to the users and licenses of a Torii customIntegrationData file. It
// streams the rows, merges the rows of one person, checks the result against the
// contract in package schema, and traces every problem back to the cell it came from.
package convert

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/torii-convert/torii-convert/convert/source"
	"github.com/torii-convert/torii-convert/schema"
)

// Options tell Convert how to read an export.
type Options struct {
	// Template maps the rows; nil detects it among the built-ins from the header.
	Template *Template
	// Format is FormatCSV or FormatXLSX; empty tells it from the file.
	Format string
	// Sheet picks a workbook's sheet by name or 1-based number; empty is the first visible.
	Sheet string
	// Delimiter separates CSV fields; 0 guesses it from the text.
	Delimiter rune
	// Encoding is the text encoding of CSV exports; empty guesses it.
	Encoding string
	// HeaderRow is the line (CSV) or row (XLSX) of the header; 0 finds it.
	HeaderRow int
	// Prices, from a price list, take precedence over the template's catalog.
	Prices map[string]CatalogEntry
	// DateOrder overrides the template's order for all-number dates.
	DateOrder string
	// Today dates the check for lastUsedDate in the future; zero is now.
	Today time.Time
	// MaxProblems caps the problems kept in the result; 0 keeps them all.
	MaxProblems int
	// Strict makes errors of the mapping's warnings: catalog entries that match no
	// license, and columns that look like Torii data but feed nothing.
	Strict bool
	// Stdin is read when the input is "-".
	Stdin io.Reader
	// Progress, when set, is called as rows are read (every thousand or so), from the
	// goroutine that reads them.
	Progress func(Progress)
	// Columns are more values to keep for each user, read from the export's columns as
	// the template's fields are (the values a target other than Torii needs, such as a
	// phone number). A user's value is the first non-empty one of its rows. Result.User
	// returns them.
	Columns []Field
	// SpillAfter is the number of users kept in memory: past it, users are kept in a
	// temporary file in SpillDir (on Linux; elsewhere they stay in memory), and a notice
	// says so. 0 keeps them all in memory.
	SpillAfter int
	SpillDir   string
}

// Result tells what a conversion found.
type Result struct {
	Rows     int // data rows read, blank rows aside
	Users    int
	Licenses int
	Merged   int // rows that added to a user already seen
	Skipped  []Skipped
	// Problems are sorted by position; at most Options.MaxProblems of them are kept.
	Problems []Problem
	// Errors and Warnings count all the problems found, kept or not.
	Errors, Warnings int
	// Missing lists the template's optional fields for which the export has no column.
	Missing []string
	// Defaults says where the template's defaults stood in for values, a field a line.
	Defaults []string
	// Template is the template used; Detected says why, when it was detected.
	Template *Template
	Detected string
	// BetterFit names the built-in that fits the export better than the template given.
	BetterFit string
	// AbsentColumns are the indexes of Options.Columns the export has no column for:
	// their values are their defaults.
	AbsentColumns []int
	// Notices are what was guessed about the export that a person should know.
	Notices []string
	// Source tells how the export was read, and Phases how long each part took.
	Source SourceInfo
	Phases []Phase

	people *people
}

// User returns the i-th user (0 <= i < Users) as the file holds it and as it was checked,
// the row it first came from, and its values of Options.Columns.
func (r *Result) User(i int) (u schema.User, row int, columns []string) {
	p := r.people
	u = p.view(i, nil)
	if k := p.columns; k > 0 {
		columns = make([]string, k)
		for j, v := range p.extras[i*k : (i+1)*k] {
			columns[j] = p.value(v)
		}
	}
	return u, int(p.user(i).line), columns
}

// Skipped counts the rows left out: by a skip rule (its reason), or as "banner" lines
// above the header and "footer" lines.
type Skipped struct {
	Reason string
	Rows   int
}

// Valid reports whether the conversion made a file Torii accepts.
func (r *Result) Valid() bool { return r.Errors == 0 }

// Convert reads the export at input, makes the customIntegrationData file, checks it,
// and writes it to out as it goes (out may be nil). What out received is only worth
// keeping when the result is valid: callers write to a temporary file, and move or copy
// it into place then. An error means the export could not be read at all; problems
// with its data are in the result.
func Convert(ctx context.Context, input string, opts Options, out io.Writer) (*Result, error) {
	if opts.Today.IsZero() {
		opts.Today = time.Now()
	}
	start := time.Now()
	c, err := readExport(ctx, input, opts)
	if err != nil {
		return nil, err
	}
	if c.dayFirst != "" {
		// Some dates proved day-first and none month-first: read the export again, so
		// that the ambiguous ones are read day-first too.
		c.src.Close()
		c.people.mem.release()
		c.people.done()
		notice := c.dayFirst
		opts.DateOrder = DayFirst
		if c, err = readExport(ctx, input, opts); err != nil {
			return nil, err
		}
		c.res.Notices = append(c.res.Notices, notice)
	}
	defer c.src.Close()
	defer c.people.mem.settle()
	defer c.people.done()
	c.res.Phases = append(c.res.Phases, Phase{"read, map and merge rows", time.Since(start)})
	c.res.Source = sourceInfo(c.src, c.res.Template, c.headerLine)
	c.res.Users = c.people.len()
	start = time.Now()
	if c.people.len() == 0 {
		c.report(schema.Error, "no-users", c.src.Where(), c.noUsers())
	} else if err := c.write(out); err != nil {
		return nil, err
	}
	c.res.Phases = append(c.res.Phases, Phase{"write and check the file", time.Since(start)})
	c.res.Licenses = len(c.lics)
	c.finish()
	return c.res, nil
}

// newConversion opens an export for reading.
func newConversion(input string, opts Options) (*conversion, error) {
	src, err := source.Open(input, source.Options{Format: opts.Format, Sheet: opts.Sheet, Delimiter: opts.Delimiter, Encoding: opts.Encoding, Stdin: opts.Stdin})
	if err != nil {
		return nil, err
	}
	return &conversion{opts: opts, src: src, res: &Result{}, skipped: map[string]int{}, input: input}, nil
}

// readExport reads and maps the rows of an export, and merges them into users.
func readExport(ctx context.Context, input string, opts Options) (*conversion, error) {
	c, err := newConversion(input, opts)
	if err != nil {
		return nil, err
	}
	c.people = newPeople(len(opts.Columns))
	c.res.people = c.people
	// A temporary file for users that cannot grow (a full disk) stops the reading.
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	c.people.mem = memory{after: opts.SpillAfter, dir: opts.SpillDir, fail: stop}
	err = c.read(ctx)
	if c.people.mem.err != nil {
		err = c.people.mem.err
	}
	if err != nil {
		c.src.Close()
		c.people.mem.release()
		c.people.done()
		return nil, err
	}
	if n := c.people.mem.notice(); n != "" {
		c.res.Notices = append(c.res.Notices, n)
	}
	c.dayFirst = c.dateOrder()
	return c, nil
}

type conversion struct {
	replay  []source.Row // rows read while looking for the header
	lics    []schema.License
	opts    Options
	src     source.Source
	res     *Result
	people  *people
	m       *mapper
	skipped map[string]int
	input   string

	headerLine int           // where the header is
	repeats    repeated      // problems of the rows, one per distinct message
	proof      [2]*dateProof // the first date that proves day-first, and month-first
	ambiguous  *dateProof    // the first date that could be either
	nAmbiguous int
	dayFirst   string // set when the export must be read again day-first: the notice saying why
}

// dateProof is a date that says something of the order of all-number dates.
type dateProof struct {
	pos   Pos
	value string
}

// report records a problem, keeping the MaxProblems first by position: problems are
// not found in the order of the file (the checks of the built file come after the
// reading), and a capped list must still start where the file does.
func (c *conversion) report(sev schema.Severity, rule string, pos Pos, msg string) {
	if sev == schema.Error {
		c.res.Errors++
	} else {
		c.res.Warnings++
	}
	ps := c.res.Problems
	// Problems stay sorted by position, those found first first among equals.
	at := sort.Search(len(ps), func(i int) bool { return before(pos, ps[i].Pos) })
	max := c.opts.MaxProblems
	if max > 0 && at >= max {
		return
	}
	if pos.Col > 0 && c.m != nil {
		pos.Header = c.m.columnName(pos.Col - 1)
	}
	if max == 0 || len(ps) < max {
		ps = append(ps, Problem{})
	}
	copy(ps[at+1:], ps[at:])
	ps[at] = Problem{Severity: sev, Pos: pos, Rule: rule, Message: msg}
	c.res.Problems = ps
}

// before orders positions: by line, then column.
func before(a, b Pos) bool {
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return a.Col < b.Col
}

func blank(row []string) bool {
	for _, v := range row {
		if trim(v) != "" {
			return false
		}
	}
	return true
}

// read runs three stages at once: reading rows, mapping them to records, and merging
// records into users. Each costs about a third of the work.
func (c *conversion) read(ctx context.Context) error {
	header, err := c.header()
	if err != nil {
		return err
	}
	if err := c.pickTemplate(header); err != nil {
		return err
	}
	if c.m, err = newMapper(c.opts.Template, header, c.opts.DateOrder, c.opts.Columns); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Msg = "reading " + c.src.Where().String() + ": " + e.Msg
			if c.res.BetterFit != "" {
				e.Hint = c.res.BetterFit + "\n" + e.Hint
			}
		}
		return err
	}
	c.res.Missing, c.res.AbsentColumns = c.m.missing, c.m.absent
	if cs, ok := c.src.(source.Columns); ok {
		cs.ReadColumns(c.m.readColumns())
	}
	c.res.Notices = append(c.src.Notices(), c.res.Notices...)
	c.workbookDates(c.m.dates)
	c.warnUnused()
	rows, rowsFree := pool[rowBatch](4)
	recs, recsFree := pool[batch](4)
	readErr := make(chan error, 1)
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		readErr <- c.readRows(ctx, rows, rowsFree)
		close(rows)
	}()
	merged := make(chan error, 1)
	table := c.src.Where()
	go func() { merged <- c.merge(table, recs, recsFree, stop) }()
	c.mapRows(header, rows, rowsFree, recs, recsFree)
	close(recs)
	if err := <-merged; err != nil {
		<-readErr
		return err
	}
	c.repeats.flush(c)
	c.res.Defaults = c.m.Defaults()
	if err := <-readErr; err != nil {
		return err
	}
	if c.res.Rows == 0 {
		return &Error{Kind: Data, Msg: fmt.Sprintf("reading %s: the header has no rows under it", c.src.Where().File)}
	}
	return nil
}

// warmRecords is how many records' index slots people.warm reads at once: about as many
// reads as a core has waiting on memory.
const warmRecords = 8

// merge merges the mapped records into the users. Past a limit of the users' layout,
// it stops the reading and returns the error once the records stop coming.
func (c *conversion) merge(table Pos, recs <-chan *batch, free chan<- *batch, stop func()) error {
	var err *Error
	for b := range recs {
		c.people.expect(b.read)
		for i := 0; i < len(b.recs) && err == nil; i++ {
			if i%warmRecords == 0 {
				c.people.warm(b.recs[i:min(i+warmRecords, len(b.recs))])
			}
			if err = c.people.add(&b.recs[i], int(b.lines[i])); err != nil {
				table.Line, table.Col, err.Pos = int(b.lines[i]), err.Pos.Col, Pos{} // the column, when the error has one
				err.Msg = "reading " + table.String() + ": " + err.Msg
				stop()
			}
		}
		b.reset()
		free <- b
	}
	if err != nil {
		return err
	}
	return nil
}

// pickTemplate settles the template: the one given, with a note when a built-in fits
// the header better; or, when none was given, the built-in the header clearly fits.
func (c *conversion) pickTemplate(header []string) error {
	if c.opts.Template != nil {
		c.res.BetterFit = betterFit(c.opts.Template, header)
	} else {
		cands, err := Detect(header)
		if err != nil {
			return err
		}
		w := Winner(cands)
		if w == nil {
			return noWinner(c.src.Where().String(), cands)
		}
		c.opts.Template = w.Template
		c.res.Detected = announce(w)
	}
	c.res.Template = c.opts.Template
	return nil
}

// next returns the rows read while looking for the header, then the source's.
func (c *conversion) next() (source.Row, error) {
	if len(c.replay) > 0 {
		r := c.replay[0]
		c.replay = c.replay[1:]
		return r, nil
	}
	return c.src.Next()
}

// workbookDates lets a workbook's plain numbers in date columns be read as dates.
func (c *conversion) workbookDates(d *dateReader) {
	if wb, ok := c.src.(source.Workbook); ok {
		d.serials = &serials{date1904: wb.Date1904()}
	}
}

// nextRow returns the next row that is not blank.
func (c *conversion) nextRow() (source.Row, error) {
	for {
		r, err := c.next()
		if err != nil || !blank(r.Cells) {
			return r, err
		}
	}
}

// pool makes a channel of full batches and one of n empty ones to fill.
func pool[T any](n int) (chan *T, chan *T) {
	full, free := make(chan *T, n), make(chan *T, n)
	for range n {
		free <- new(T)
	}
	return full, free
}

// rowBatch carries rows from the reading goroutine to the mapping one.
type rowBatch struct {
	rows  []source.Row
	cells []string // the rows' cells, in one allocation
	lines []int32
	bytes int     // the text of the rows' cells
	read  float64 // the share of the export read past the batch, 0 when unknown
}

// A batch of rows is passed on at batchSize rows or batchBytes of text, whichever comes
// first: rows may be up to source.MaxRowBytes long, and a few batches are in flight.
const (
	batchSize  = 1024
	batchBytes = 16 << 20
)

// push adds a row, copying its cells into the batch's.
func (b *rowBatch) push(r source.Row) {
	n := len(b.cells)
	b.cells = append(b.cells, r.Cells...)
	r.Cells = b.cells[n:len(b.cells):len(b.cells)]
	b.add(r)
}

// add adds a row whose cells are the batch's already.
func (b *rowBatch) add(r source.Row) {
	for _, c := range r.Cells {
		b.bytes += len(c)
	}
	if r.Lines != nil {
		n := len(b.lines)
		b.lines = append(b.lines, r.Lines...)
		r.Lines = b.lines[n:len(b.lines):len(b.lines)]
	}
	b.rows = append(b.rows, r)
}

func (c *conversion) readRows(ctx context.Context, full chan<- *rowBatch, free <-chan *rowBatch) error {
	b := <-free
	defer func() { full <- b }()
	appender, _ := c.src.(source.Appender)
	for n := 1; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return fmt.Errorf("reading %s: %w", c.src.Where().File, ctx.Err())
		}
		var r source.Row
		var err error
		direct := appender != nil && len(c.replay) == 0 // the cells go straight into the batch
		if direct {
			r, b.cells, err = appender.NextAppend(b.cells)
		} else {
			r, err = c.next()
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if direct {
			r.Cells = r.Cells[:len(r.Cells):len(r.Cells)]
			b.add(r)
		} else {
			b.push(r)
		}
		if c.opts.Progress != nil && n%batchSize == 0 {
			done, total := c.src.Progress()
			c.opts.Progress(Progress{Rows: n, Bytes: done, Size: total})
		}
		if len(b.rows) == batchSize || b.bytes >= batchBytes {
			b.read = readShare(c.src)
			full <- b
			b = <-free
			*b = rowBatch{rows: b.rows[:0], cells: b.cells[:0], lines: b.lines[:0]}
		}
	}
}

// readShare is the share of an export read so far; 0 when its size is not known.
func readShare(src source.Source) float64 {
	if done, total := src.Progress(); total > 0 && done > 0 {
		return float64(done) / float64(total)
	}
	return 0
}

func (c *conversion) mapRows(header []string, rows <-chan *rowBatch, rowsFree chan<- *rowBatch, full chan<- *batch, free <-chan *batch) {
	b := <-free
	table := c.src.Where()
	var cur *source.Row
	bad := func(rule string, col int, msg string) { c.repeats.add(c, rule, cur.Pos(table, col), msg) }
	c.m.evidence = func(order string, col int, v string) {
		keep := func(p **dateProof) {
			if *p == nil {
				*p = &dateProof{pos: cur.Pos(table, col), value: v}
			}
		}
		switch order {
		case Ambiguous:
			c.nAmbiguous++
			keep(&c.ambiguous)
		case DayFirst:
			keep(&c.proof[0])
		case MonthFirst:
			keep(&c.proof[1])
		}
	}
	for rb := range rows {
		for i := range rb.rows {
			r := &rb.rows[i]
			cur = r
			if blank(r.Cells) {
				continue
			}
			c.res.Rows++
			if len(r.Cells) > len(header) && !blank(r.Cells[len(header):]) {
				c.report(schema.Error, "row-width", r.Pos(table, -1), fmt.Sprintf("the row has %d cells but the header only %d; a field may hold an unquoted delimiter", len(r.Cells), len(header)))
				continue
			}
			email, emailCol := c.m.email.first(r.Cells)
			if email == "" && c.m.footerCells(r.Cells) {
				c.skipped["footer"]++
				continue
			}
			if reason := c.m.skip(r.Cells); reason != "" {
				c.skipped[reason]++
				continue
			}
			rec := b.next()
			if !c.m.row(r.Cells, email, emailCol, rec, bad) {
				b.drop()
				continue
			}
			rec.hash = c.people.hash(rec.email)
			b.lines = append(b.lines, lineOf(r, rec.emailCol))
			if len(b.recs) == batchSize {
				full <- b
				b = <-free
			}
		}
		b.read = rb.read
		rowsFree <- rb
	}
	full <- b
}

// lineOf is r.Pos(t, col).Line, without building the Pos.
func lineOf(r *source.Row, col int) int32 {
	if uint(col) < uint(len(r.Lines)) {
		return r.Lines[col]
	}
	return int32(r.Line)
}

// batch carries mapped records from the mapping goroutine to the merging one. Rows are
// mapped straight into its records, whose lists of roles, licenses and columns are
// used again by the rows of the next batch it carries: nothing is copied on the way.
type batch struct {
	recs  []record
	lines []int32
	read  float64 // rowBatch.read of the last rows mapped into it
}

// next returns the record for the next row. A batch holds batchSize records: the
// first time, they are made at once, with room for a few roles and licenses each.
func (b *batch) next() *record {
	if cap(b.recs) == 0 {
		const room = 2
		recs := make([]record, batchSize)
		roles, held := make([]string, room*batchSize), make([]held, room*batchSize)
		for i := range recs {
			recs[i].roles, recs[i].licenses = roles[i*room:i*room:(i+1)*room], held[i*room:i*room:(i+1)*room]
		}
		b.recs = recs[:0]
	}
	b.recs = b.recs[:len(b.recs)+1]
	return &b.recs[len(b.recs)-1]
}

// drop takes back the record of a row that made no user.
func (b *batch) drop() { b.recs = b.recs[:len(b.recs)-1] }

func (b *batch) reset() {
	b.recs, b.lines = b.recs[:0], b.lines[:0]
}

// headerScore scores a row as the header: against the template, or without one, against
// the built-in that fits it best.
func (c *conversion) headerScore(row []string) int {
	if c.opts.Template != nil {
		return c.opts.Template.headerScore(row)
	}
	all, _ := builtins()
	best := 0
	for _, t := range all {
		best = max(best, t.headerScore(row))
	}
	return best
}

// headerScan is how many rows above the data the header may be found in.
const headerScan = 30

// header finds the header: the row at --header-row, or among the first rows, the one
// whose cells best match the template's column names. Rows above it are banners, such
// as "Worker Report - as of 09/01/2026"; rows read below it are kept for the data.
func (c *conversion) header() ([]string, error) {
	var rows []source.Row
	for len(rows) < headerScan || c.opts.HeaderRow > 0 {
		r, err := c.src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if blank(r.Cells) {
			continue
		}
		rows = append(rows, source.Row{Cells: append([]string(nil), r.Cells...), Line: r.Line, Lines: append([]int32(nil), r.Lines...)})
		if c.opts.HeaderRow > 0 && r.Line >= c.opts.HeaderRow {
			break
		}
	}
	where := c.src.Where()
	if len(rows) == 0 {
		return nil, &Error{Kind: Data, Msg: fmt.Sprintf("reading %s: no rows at all", where), Hint: "export the data again; the file is empty"}
	}
	at := 0
	if c.opts.HeaderRow > 0 {
		at = len(rows) - 1
		if rows[at].Line != c.opts.HeaderRow {
			return nil, &Error{Kind: Usage, Option: "HeaderRow",
				Msg: fmt.Sprintf("reading %s: header row %d is blank or past the end", where, c.opts.HeaderRow)}
		}
	} else {
		best := 0
		for i, r := range rows {
			if score := c.headerScore(r.Cells); score > best {
				at, best = i, score
			}
		}
	}
	if at > 0 {
		c.skipped["banner"] += at
	}
	c.headerLine = rows[at].Line
	c.replay = rows[at+1:]
	return rows[at].Cells, nil
}

func (c *conversion) finish() {
	res := c.res
	res.Merged = c.people.merged
	if s := c.m.dates.serials; s != nil && s.n > 0 {
		res.Notices = append(res.Notices, s.note(c.src.Where().File))
	}
	for reason, n := range c.skipped {
		res.Skipped = append(res.Skipped, Skipped{Reason: reason, Rows: n})
	}
	sort.Slice(res.Skipped, func(i, j int) bool { return res.Skipped[i].Reason < res.Skipped[j].Reason })
}
