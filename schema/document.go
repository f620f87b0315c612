package schema

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/torii-convert/torii-convert/internal/text"
)

// Stats counts what a file holds.
type Stats struct {
	Users, Licenses int
}

// CheckFile checks a whole customIntegrationData file: against the schema, and by every
// rule across records. It reads the file as a stream and holds one record at a time,
// plus the emails of the users, so its memory is bounded by the largest record, not by
// the file. Each problem is given to report as it is found, with its line and column;
// the rules that need the whole file report last. Malformed JSON is reported as a
// problem with the keyword "syntax" and ends the check. The error is for reading r.
func (s *Schema) CheckFile(r io.Reader, today time.Time, report func(Problem)) (Stats, error) {
	d, err := s.checkFile(r, today, report)
	return d.stats, err
}

// The work is shared so that a file takes every core: one goroutine reads the file and
// finds where each record ends (reader); checkers, one a core, take its batches of
// records as they come, check them against the schema and read what the rules need of
// them; the calling goroutine (d) takes the batches back in the order of the file and
// runs the rules, which need that order. Problems reach report in the order of the
// file, on the calling goroutine.
func (s *Schema) checkFile(r io.Reader, today time.Time, report func(Problem)) (*document, error) {
	reader := s.newDocument(r, today, nil, Records{})
	checkers := make([]*document, max(1, runtime.GOMAXPROCS(0)))
	reader.pipe = newPipe(len(checkers))
	d := s.newDocument(nil, today, report, Records{})
	var wg sync.WaitGroup
	for i := range checkers {
		k := s.newDocument(nil, today, nil, Records{})
		checkers[i] = k
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range reader.pipe.full {
				k.prepare(b)
				b.ready <- struct{}{}
			}
		}()
	}
	go func() {
		err := reader.run()
		reader.flush(true, err)
		close(reader.pipe.full)
	}()
	var err error
	for b := range reader.pipe.order {
		<-b.ready
		d.check(b)
		if b.last {
			err = b.err
			break
		}
		if b.big { // a record far larger than most: let it go, with the facts that point into it
			b.text, b.facts, b.big = nil, factBuf{}, false
			clear(b.items)
			<-reader.pipe.bigs
		}
		reader.pipe.free <- b
	}
	wg.Wait()
	d.steps += reader.steps
	for _, k := range checkers {
		d.steps += k.steps
	}
	var se *SyntaxError
	if errors.As(err, &se) {
		line, col := reader.lineColAt(se.Offset)
		report(Problem{Severity: Error, Offset: se.Offset, Keyword: "syntax", Message: se.Msg, Line: line, Col: col})
		return d, nil
	}
	if err != nil {
		return d, err
	}
	for _, p := range d.rules.Finish() {
		d.emit(p)
	}
	return d, nil
}

// pipe carries batches of records from the reader to the checkers (full) and, in the
// order of the file, to the rules (order), and back to be reused (free). Three batches
// more than there are checkers exist, so memory stays bounded by a few times the
// largest record.
type pipe struct {
	full, order, free chan *batch
	b                 *batch        // being filled
	bigs              chan struct{} // a place for each big batch in flight
	stop              atomic.Bool   // for ReadRecords: the records are no longer wanted
}

func newPipe(checkers int) *pipe {
	n := checkers + 3
	p := &pipe{full: make(chan *batch, n), order: make(chan *batch, n), free: make(chan *batch, n),
		bigs: make(chan struct{}, checkers)}
	for range n {
		p.free <- &batch{ready: make(chan struct{}, 1)}
	}
	return p
}

// batch is a run of records and problems of the reader, in the order of the file.
type batch struct {
	text  []byte // the records, back to back
	items []item
	facts factBuf       // the bytes of the items' facts
	ready chan struct{} // a checker has prepared the batch
	big   bool          // it holds a record far larger than most, and a place in bigs
	last  bool          // the reader has stopped, with err
	err   error         // why
}

// batchText and batchItems are what fills a batch; one larger record fills one alone.
const (
	batchText  = 256 << 10
	batchItems = 2048
	bigBatch   = 4 * batchText
)

// item is a record of a batch, or a problem the reader found, placed already.
type item struct {
	problem   *Problem
	name      string // of the file's member the record is, or is an element of
	n         *node
	index     int // in the array, -1 for a member checked whole
	end       int // of the record in the batch's text
	off       int64
	line, col int
	// What a checker found: the record's problems with the schema, placed, and whether
	// the rules read its facts.
	problems []Problem
	ruled    bool
	facts    recordFacts
}

// send hands the record just captured to the checks.
func (d *document) send(name string, n *node, index int) {
	b := d.batch()
	if !b.big && len(b.text)+len(d.rec) > bigBatch {
		// As many batches far larger than most as there are checkers, at most: a file of
		// a few huge licenses would otherwise hold them all at once.
		b.big = true
		d.pipe.bigs <- struct{}{}
	}
	b.text = append(b.text, d.rec...)
	b.items = append(b.items, item{name: name, n: n, index: index, end: len(b.text), off: d.recOff, line: d.recLine, col: d.recCol})
	if len(b.text) >= batchText || len(b.items) >= batchItems {
		d.flush(false, nil)
	}
}

// found reports a problem found while reading: through the pipe when there is one, to be
// reported in its turn.
func (d *document) found(p Problem) {
	if d.pipe == nil {
		d.emit(p)
		return
	}
	if p.Offset >= 0 {
		p.Line, p.Col = d.lineColAt(p.Offset)
	}
	b := d.batch()
	b.items = append(b.items, item{problem: &p, end: len(b.text)})
}

func (d *document) batch() *batch {
	if d.pipe.b == nil {
		d.pipe.b = <-d.pipe.free
		d.pipe.b.text, d.pipe.b.items = d.pipe.b.text[:0], d.pipe.b.items[:0]
	}
	return d.pipe.b
}

// flush sends the batch being filled; the last one says why the reader stopped.
func (d *document) flush(last bool, err error) {
	if d.pipe.b == nil && !last {
		return
	}
	b := d.batch()
	b.last, b.err = last, err
	d.pipe.b = nil
	if d.pipe.order != nil {
		d.pipe.order <- b
	}
	d.pipe.full <- b
}

// prepare does for a batch what needs no other record, on a checker's goroutine: it
// checks each record against the schema, placing its problems, and reads the facts the
// rules need of the users and licenses.
func (d *document) prepare(b *batch) {
	b.facts.text, b.facts.held = b.facts.text[:0], b.facts.held[:0]
	d.records(b, func(it *item) error {
		if it.index < 0 {
			it.problems = d.checkRecord(it.n, Path{Key(it.name)})
		} else {
			d.prepareElement(it, &b.facts)
		}
		return nil
	})
}

// records makes each record of a batch d's current record in turn, and calls fn with
// it; an error of fn stops there.
func (d *document) records(b *batch, fn func(*item) error) error {
	start := 0
	for i := range b.items {
		it := &b.items[i]
		if it.problem != nil {
			continue
		}
		d.rec, start = b.text[start:it.end], it.end
		d.recOff, d.recLine, d.recCol = it.off, it.line, it.col
		if err := fn(it); err != nil {
			return err
		}
	}
	return nil
}

// prepareElement checks a user or a license, captured, against the schema, and reads
// the facts the rules need of it into it.facts and fb.
func (d *document) prepareElement(it *item, fb *factBuf) {
	d.at = append(d.at[:0], Key(it.name), Index(it.index)) // reused: checkRecord copies it into the problems
	// The checker keeps the facts as it goes; a record with problems, rare, is read
	// again as the rules have always read it: for what its problems leave, and the facts
	// read before malformed JSON, which the schema has reported.
	text, held := len(fb.text), len(fb.held)
	f := &it.facts
	f.email, f.held = [2]int{text, text}, [2]int{held, held}
	d.tap = tap{d: d, f: f, fb: fb}
	d.k.c.tap = &d.tap
	it.problems = d.checkRecord(it.n, d.at)
	d.k.c.tap = nil
	f.held[1] = len(fb.held)
	if it.ruled = d.decodable() || !Invalid(it.problems); it.ruled && len(it.problems) > 0 {
		fb.text, fb.held = fb.text[:text], fb.held[:held]
		*f = recordFacts{}
		d.readFacts(it.name, f, fb)
	}
}

// check reports the problems of a prepared batch and runs the rules on its records, in
// the order of the file.
func (d *document) check(b *batch) {
	start := 0
	for i := range b.items {
		it := &b.items[i]
		if it.problem != nil {
			d.report(*it.problem)
			continue
		}
		d.rec, start = b.text[start:it.end], it.end
		d.recOff, d.recLine, d.recCol = it.off, it.line, it.col
		for _, p := range it.problems {
			d.report(p)
		}
		if it.index >= 0 && it.ruled {
			d.rule(it, &b.facts)
		}
	}
}

// rule gives the facts of a user or a license, prepared, to the rules.
func (d *document) rule(it *item, fb *factBuf) {
	f, i, where := &it.facts, it.index, d.whereFn
	switch it.name {
	case "users":
		d.stats.Users++
		d.rules.email(fb.text[f.email[0]:f.email[1]], i, where)
		if !Invalid(it.problems) { // warnings about a user that is wrong anyway are noise
			d.user = User{Status: f.status, LastUsedDate: f.lastUsed}
			d.rules.User(&d.user, i, where)
		}
	case "licenses":
		d.stats.Licenses++
		d.rules.License(f.name, f.price, i, where)
		d.held = fb.held[f.held[0]:f.held[1]]
		for k, h := range d.held {
			d.rules.holder(f.name, fb.email(h, d.rec), i, k, func() spot { return d.holderSpot(i, k) })
		}
	}
	for _, p := range d.rules.Problems() {
		d.emit(p)
	}
}

// Records receive the records of a file as ReadRecords reads them. A User has what the
// rules read of it: its email, status and lastUsedDate; a License has its name, price,
// seats, and holders with their emails and license statuses. A pricePerUser or
// unassignedAmount with a fraction is rounded to the nearest whole number. Records that
// are not objects are not given.
//
// The *User is reused for the next user: keep its strings, not the pointer.
type Records struct {
	User    func(*User)
	License func(*License)
	// Borrow gives the emails of users and of license holders as strings that are valid
	// only until User or License returns (they share the reader's buffers): a reader
	// that copies what it keeps saves an allocation for each.
	Borrow bool
}

// ReadRecords reads a file as a stream, as CheckFile does, and gives its records to rec
// in the order the file holds them, without checking them against the schema or the
// rules: for files checked before, or compared whatever they hold. Malformed JSON is a
// *SyntaxError, with its line and column; reading stops there.
func (s *Schema) ReadRecords(r io.Reader, rec Records) error {
	if runtime.GOMAXPROCS(0) > 1 {
		return s.readRecordsPiped(r, rec)
	}
	return s.readRecords(r, rec)
}

// readRecords is ReadRecords on the calling goroutine alone.
func (s *Schema) readRecords(r io.Reader, rec Records) error {
	d := s.newDocument(r, time.Time{}, func(Problem) {}, rec)
	d.unchecked = true
	err := d.run()
	var se *SyntaxError
	if errors.As(err, &se) {
		se.Line, se.Col = d.lineColAt(se.Offset)
	}
	return err
}

// readRecordsPiped is ReadRecords on two cores: a reader finds where the records end,
// as CheckFile's does, and sends them in batches; the calling goroutine reads each
// record's facts and gives them to rec, in the order of the file. The first error in
// that order is the error, and stops the reader.
func (s *Schema) readRecordsPiped(r io.Reader, rec Records) error {
	reader := s.newDocument(r, time.Time{}, func(Problem) {}, Records{})
	reader.unchecked, reader.piped = true, true
	reader.pipe = newPipe(1)
	reader.pipe.order = nil // the batches are taken in order from full: there is one taker
	d := s.newDocument(nil, time.Time{}, func(Problem) {}, rec)
	d.unchecked = true
	go func() {
		err := reader.run()
		reader.flush(true, err)
		close(reader.pipe.full)
	}()
	var err error
	at := d // the document that found err, which places it
	for b := range reader.pipe.full {
		if err == nil {
			if err = d.elements(b); err != nil {
				reader.pipe.stop.Store(true)
			} else if b.last {
				err, at = b.err, reader
			}
		}
		if b.last {
			break
		}
		if b.big {
			b.text, b.facts, b.big = nil, factBuf{}, false
			clear(b.items)
			<-reader.pipe.bigs
		}
		reader.pipe.free <- b
	}
	var se *SyntaxError
	if errors.As(err, &se) {
		se.Line, se.Col = at.lineColAt(se.Offset)
	}
	return err
}

// elements gives the records of a batch to the Records, as element does as it reads.
func (d *document) elements(b *batch) error {
	return d.records(b, func(it *item) error { return d.element(it.name, it.index) })
}

// errStopped ends a piped reader whose records are no longer wanted.
var errStopped = errors.New("stopped")

func (s *Schema) newDocument(r io.Reader, today time.Time, report func(Problem), rec Records) *document {
	d := &document{s: s, line: 1, col: 1, recLine: 1, recCol: 1, k: s.Checker(),
		rules: NewRules(today, 0), report: report, marks: map[int64][2]int{}, visit: rec}
	if r != nil { // the checks of a CheckFile read no file: its reader does
		d.in = bufio.NewReaderSize(r, 256<<10)
	}
	d.whereFn = d.where
	return d
}

// document is the state of one CheckFile or ReadRecords. A CheckFile has two: its
// reader, which finds the records and sends them through pipe, and its checks.
type document struct {
	s      *Schema
	pipe   *pipe
	in     *bufio.Reader
	off    int64 // offset of the next byte
	line   int   // line and column of the next byte
	col    int
	k      *Checker
	rules  *Rules
	report func(Problem)
	stats  Stats
	visit  Records
	// unchecked documents only read their records: no schema, no rules. A piped one
	// sends them through pipe, for ReadRecords to read on another goroutine.
	unchecked, piped bool
	user             User // the user being read, given to Records.User: one, reused

	rec                []byte // the record being checked
	recOff             int64
	recLine, recCol    int
	marks              map[int64][2]int // line and column of offsets the rules kept for later
	keyBuf, recPathBuf []byte
	lines              lineCounter // where lineColAt has counted the record's lines to
	own                factBuf     // the facts of the record read, for ReadRecords
	tap                tap         // of the checker, on the record it checks
	held               []heldBy    // the holders of the license the rules are given
	strs               map[string]string
	sc                 scanner // of facts
	at                 Path    // of the record being checked
	// whereFn is d.where, made once, not a record
	whereFn Where
	// steps counts the bytes the document looks at: once as it reads them, and again
	// where it goes back into a record to find a position. The tests hold it linear.
	steps int64
}

func (d *document) fail(format string, args ...any) error {
	return &SyntaxError{Offset: d.off, Msg: fmt.Sprintf(format, args...)}
}

func (d *document) peek() (byte, error) {
	b, err := d.in.Peek(1)
	if err == io.EOF {
		return 0, d.fail("the file ends too early")
	}
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

func (d *document) advance(c byte) {
	d.off++
	if c == '\n' {
		d.line, d.col = d.line+1, 1
	} else {
		d.col++
	}
}

// consume moves past a chunk of text.
func (d *document) consume(chunk []byte) {
	d.off += int64(len(chunk))
	d.line, d.col = past(d.line, d.col, chunk)
}

// past returns the line and column just past a chunk of text that starts at line:col.
// Columns count bytes, as compilers count them.
func past(line, col int, chunk []byte) (int, int) {
	if n := bytes.Count(chunk, []byte{'\n'}); n > 0 {
		return line + n, len(chunk) - bytes.LastIndexByte(chunk, '\n')
	}
	return line, col + len(chunk)
}

// buffered returns the text read ahead, reading more when there is none; empty at the end.
func (d *document) buffered() ([]byte, error) {
	if d.in.Buffered() == 0 {
		if _, err := d.in.Peek(1); err == io.EOF {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
	}
	return d.in.Peek(d.in.Buffered())
}

func (d *document) next() (byte, error) {
	c, err := d.in.ReadByte()
	if err == io.EOF {
		return 0, d.fail("the file ends too early")
	}
	if err != nil {
		return 0, err
	}
	d.advance(c)
	return c, nil
}

func (d *document) ws() error {
	for {
		buf, err := d.buffered()
		if err != nil || len(buf) == 0 {
			return err
		}
		i := 0
		for i < len(buf) && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\t' || buf[i] == '\r') {
			i++
		}
		d.consume(buf[:i])
		d.in.Discard(i)
		if i < len(buf) {
			return nil
		}
	}
}

func (d *document) expect(want byte, what string) error {
	if err := d.ws(); err != nil {
		return err
	}
	c, err := d.peek()
	if err != nil {
		return err
	}
	if c != want {
		return d.fail("expected %s, found %s", what, describeByte(c))
	}
	_, err = d.next()
	return err
}

func describeByte(c byte) string {
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("byte 0x%02x", c)
	}
	return strconv.Quote(string(c))
}

func (d *document) run() error {
	if err := d.ws(); err != nil {
		return err
	}
	if b, _ := d.in.Peek(3); string(b) == "\ufeff" {
		return d.fail("the file starts with a byte order mark; save it as UTF-8 without one")
	}
	c, err := d.peek()
	if err != nil {
		return err
	}
	if c != '{' {
		const msg = "the file must be a JSON object with a \"users\" array"
		if d.unchecked { // a reader of records would take it for a file of none
			return d.fail("%s", msg)
		}
		d.found(Problem{Severity: Error, Offset: d.off, Keyword: "type", Message: msg})
		return nil
	}
	objAt := d.off // where a missing member is told, once the object is read
	d.marks[objAt] = [2]int{d.line, d.col}
	d.next()
	root := d.s.root
	seen := map[string]bool{}
	if err := d.ws(); err != nil {
		return err
	}
	if c, err := d.peek(); err != nil {
		return err
	} else if c == '}' {
		d.next()
	} else {
		for {
			if err := d.ws(); err != nil {
				return err
			}
			if err := d.rootMember(root, seen); err != nil {
				return err
			}
			if done, err := d.after('}', "an object member"); err != nil || done {
				if err != nil {
					return err
				}
				break
			}
		}
	}
	if err := d.ws(); err != nil {
		return err
	}
	if _, err := d.in.Peek(1); err != io.EOF {
		return d.fail("unexpected text after the end of the file's object")
	}
	for _, p := range root.required {
		if !seen[p.name] {
			d.found(Problem{Severity: Error, Offset: objAt, Keyword: "required", Message: fmt.Sprintf("missing required field %q", p.name)})
		}
	}
	return nil
}

// rootMember reads one member of the file's object, its name then its value.
func (d *document) rootMember(root *node, seen map[string]bool) error {
	keyOff := d.off
	if err := d.capture(); err != nil {
		return err
	}
	sc := scanner{data: d.rec}
	key, err := sc.str(&d.keyBuf)
	if err != nil || sc.pos != len(d.rec) {
		return &SyntaxError{Offset: keyOff, Msg: "expected a member name in double quotes"}
	}
	name := string(key)
	if len(sc.bad) > 0 && d.unchecked { // as in records: the first bad byte ends the reading
		return d.recordError(&SyntaxError{Offset: int64(sc.bad[0].pos), Msg: sc.bad[0].msg})
	}
	for _, b := range sc.bad {
		d.found(Problem{Severity: Error, Path: Path{Key(name)}, Offset: keyOff + int64(b.pos), Keyword: "syntax", Message: b.msg})
	}
	if err := d.expect(':', "':' after a member name"); err != nil {
		return err
	}
	if seen[name] {
		d.found(Problem{Severity: Error, Path: Path{Key(name)}, Offset: keyOff, Keyword: "duplicate-key",
			Message: fmt.Sprintf("field %q appears more than once", name)})
	}
	seen[name] = true
	p, child, ok := root.child(key)
	if !ok {
		d.found(Problem{Severity: Error, Path: Path{Key(name)}, Offset: keyOff, Keyword: "additionalProperties", Message: unknownField(name, root)})
	}
	return d.member(name, p, child.resolved())
}

// after reads what follows a member or an element: a comma, or the closing bracket, in
// which case it reports done.
func (d *document) after(closing byte, what string) (done bool, err error) {
	if err := d.ws(); err != nil {
		return false, err
	}
	c, err := d.peek()
	if err != nil {
		return false, err
	}
	if c != ',' && c != closing {
		return false, d.fail("expected ',' or '%c' after %s, found %s", closing, what, describeByte(c))
	}
	d.next()
	return c == closing, nil
}

// member checks one member of the file's object. An array of records is read one record
// at a time; anything else is read whole.
func (d *document) member(name string, p *prop, n *node) error {
	if err := d.ws(); err != nil {
		return err
	}
	c, err := d.peek()
	if err != nil {
		return err
	}
	if n == nil || c != '[' || n.types != 0 && n.types&kArray == 0 {
		if err := d.capture(); err != nil {
			return err
		}
		if d.unchecked {
			return d.grammar()
		}
		d.send(name, n, -1)
		return nil
	}
	start := d.off
	d.marks[start] = [2]int{d.line, d.col} // for "is empty", said once the array is read
	d.next()
	count := 0
	if err := d.ws(); err != nil {
		return err
	}
	if c, err := d.peek(); err != nil {
		return err
	} else if c == ']' {
		d.next()
	} else {
		for {
			if err := d.ws(); err != nil {
				return err
			}
			if err := d.capture(); err != nil {
				return err
			}
			switch {
			case !d.unchecked || d.piped:
				if d.piped && d.pipe.stop.Load() {
					return errStopped
				}
				d.send(name, n.items.resolved(), count)
			default:
				if err := d.element(name, count); err != nil {
					return err
				}
			}
			count++
			if done, err := d.after(']', "an array element"); err != nil || done {
				if err != nil {
					return err
				}
				break
			}
		}
	}
	d.minItems(name, n, count, start)
	return nil
}

// minItems tells an array of the file's object, at start, that has fewer items than n asks.
func (d *document) minItems(name string, n *node, count int, start int64) {
	if count >= n.minItems {
		return
	}
	msg := fmt.Sprintf("has %s; at least %d are required", text.Plural(count, "item", "items"), n.minItems)
	if count == 0 {
		msg = fmt.Sprintf("is empty; at least %s required", text.Plural(n.minItems, "item is", "items are"))
		if name == "users" {
			msg = "is empty; Torii needs at least one user"
		}
	}
	d.found(Problem{Severity: Error, Path: Path{Key(name)}, Offset: start, Keyword: "minItems", Message: msg})
}

// element reads one record of the users or licenses for ReadRecords and gives it to
// the Records: malformed JSON is the error.
func (d *document) element(name string, i int) error {
	if !d.decodable() {
		return d.grammar()
	}
	d.own.text, d.own.held = d.own.text[:0], d.own.held[:0]
	var f recordFacts
	if err := d.readFacts(name, &f, &d.own); err != nil {
		return d.recordError(err)
	}
	switch name {
	case "users":
		d.stats.Users++
		if d.visit.User != nil {
			d.user = User{Email: d.visitString(d.own.text[f.email[0]:f.email[1]]), Status: f.status, LastUsedDate: f.lastUsed}
			d.visit.User(&d.user)
		}
	case "licenses":
		d.stats.Licenses++
		if d.visit.License != nil {
			lic := License{Name: f.name, UnassignedAmount: f.unassigned, Users: f.users}
			if f.price != nil {
				lic.PricePerUser = whole(*f.price)
			}
			d.visit.License(&lic)
		}
	}
	return nil
}

// recordFacts is what the rules and the Records read of a user or a license.
type recordFacts struct {
	email            [2]int // of a user: where it is in factBuf.text
	status, lastUsed string // of a user
	name             string // of a license
	price            *float64
	unassigned       *int64
	held             [2]int        // of a license: where its holders are in factBuf.held
	users            []LicenseUser // of a license, for the Records only
}

// factBuf holds the emails of the records read, back to back, and the holders of the
// licenses.
type factBuf struct {
	text []byte
	held []heldBy
}

// heldBy is a holder of a license: where its email is in factBuf.text, or, when start
// is negative, in the record, from ^start to end, as it is written there (no escapes);
// and where in the record the holder's email is (-1 for nowhere).
type heldBy struct {
	start, end int
	at         int
}

// email returns the email of the holder h of the license rec.
func (fb *factBuf) email(h heldBy, rec []byte) []byte {
	if h.start < 0 {
		return rec[^h.start:h.end]
	}
	return fb.text[h.start:h.end]
}

// readFacts reads what the rules and the Records need of the user or license in d.rec
// into f, its emails into fb. Malformed JSON is the error; what was read before it is
// kept.
func (d *document) readFacts(name string, f *recordFacts, fb *factBuf) error {
	switch name {
	case "users":
		f.email = [2]int{len(fb.text), len(fb.text)}
		return d.facts(func(key, v []byte, _ *scanner) error {
			switch string(key) {
			case "email":
				fb.text = append(fb.text[:f.email[0]], v...)
				f.email[1] = len(fb.text)
			case "status":
				f.status = d.intern(v)
			case "lastUsedDate":
				f.lastUsed = d.intern(v)
			}
			return nil
		})
	case "licenses":
		f.held = [2]int{len(fb.held), len(fb.held)}
		return d.facts(func(key, v []byte, sc *scanner) error {
			var err error
			switch string(key) {
			case "name":
				f.name = string(v)
			case "pricePerUser":
				if x, err := strconv.ParseFloat(string(v), 64); err == nil {
					f.price = &x
				}
			case "unassignedAmount":
				if x, err := strconv.ParseFloat(string(v), 64); err == nil {
					f.unassigned = whole(x)
				}
			case "users":
				if sc != nil { // an array; anything else is the schema's to report
					fb.held = fb.held[:f.held[0]]
					f.users, err = d.holders(sc, fb)
					f.held[1] = len(fb.held)
				}
			}
			return err
		})
	}
	return nil
}

// recordError places a syntax error found in the record in the file.
func (d *document) recordError(err error) error {
	var se *SyntaxError
	if errors.As(err, &se) {
		se.Offset += d.recOff
	}
	return err
}

// intern returns v as a string, the same string for the same text, for the values that
// repeat from record to record (statuses, dates); it keeps at most 4,096 of them.
func (d *document) intern(v []byte) string {
	if s, ok := d.strs[string(v)]; ok {
		return s
	}
	s := string(v)
	if len(d.strs) < 4096 {
		if d.strs == nil {
			d.strs = map[string]string{}
		}
		d.strs[s] = s
	}
	return s
}

// visitString is b as a string for Records: borrowed when they say so, else a copy.
func (d *document) visitString(b []byte) string {
	if d.visit.Borrow && len(b) > 0 {
		return unsafe.String(&b[0], len(b))
	}
	return string(b)
}

// whole rounds a number of the file to the nearest int64.
func whole(f float64) *int64 {
	n := int64(math.Round(f))
	return &n
}

// decodable reports whether the record is an object the rules can read facts from.
func (d *document) decodable() bool {
	sc := scanner{data: d.rec}
	sc.ws()
	return sc.peek() == '{'
}

// facts calls fn with the members of the record's object: the decoded text of strings,
// the text of numbers, and for arrays the scanner positioned on them (fn must consume
// them or leave them; facts skips what remains). Malformed JSON, or an error of fn, is
// the error.
func (d *document) facts(fn func(key, v []byte, sc *scanner) error) error {
	sc := &d.sc // not a local: fn's use of it would put it on the heap, once a record
	*sc = scanner{data: d.rec, scratch: sc.scratch}
	sc.ws()
	if sc.peek() != '{' {
		return nil
	}
	var scratch []byte
	err := sc.members(func(k []byte, _ int) error {
		switch c := sc.peek(); {
		case c == '"':
			v, err := sc.str(&scratch)
			if err == nil {
				err = fn(k, v, nil)
			}
			return err
		case c == '-' || '0' <= c && c <= '9':
			v, err := sc.number()
			if err == nil {
				err = fn(k, v, nil)
			}
			return err
		case c == '[':
			start := sc.pos
			if err := fn(k, nil, sc); err != nil || sc.pos != start {
				return err
			}
		}
		return sc.skip()
	}, &d.keyBuf)
	return sc.end(err)
}

// grammar checks only that the record is well-formed JSON, for unchecked documents.
func (d *document) grammar() error {
	sc := scanner{data: d.rec}
	return d.recordError(sc.end(sc.skip()))
}

// holders reads the emails of a license's users from the array at sc into fb, keeping
// where each email is for holderSpot: going back into the record for each would make a
// license of n holders cost n times its size. For the Records, it returns the users
// with their license statuses.
func (d *document) holders(sc *scanner, fb *factBuf) ([]LicenseUser, error) {
	var out []LicenseUser
	var scratch []byte
	visit := d.visit.License != nil
	err := sc.elements(func() error {
		sc.ws()
		var h LicenseUser
		at, start := -1, len(fb.text)
		if sc.peek() != '{' {
			if visit {
				out = append(out, h)
			}
			fb.held = append(fb.held, heldBy{start: start, end: start, at: at})
			return sc.skip()
		}
		err := sc.members(func(key []byte, _ int) error {
			if k := string(key); (k == "email" || k == "licenseStatus") && sc.peek() == '"' {
				email := k == "email"
				if email {
					at = sc.pos
				}
				v, err := sc.str(&scratch)
				switch {
				case email:
					fb.text = append(fb.text[:start], v...)
				case visit:
					h.LicenseStatus = d.intern(v)
				}
				return err
			}
			return sc.skip()
		}, &d.recPathBuf)
		if visit {
			h.Email = d.visitString(fb.text[start:]) // fb.text is only appended to until the license is given
			out = append(out, h)
		}
		fb.held = append(fb.held, heldBy{start: start, end: len(fb.text), at: at})
		return err
	})
	return out, err
}

// holderSpot is where the email of the holder at index k of the license at index i is:
// its place was kept as it was read, and lineColAt counts the record's lines in one
// pass, as the rules ask for them in order. A holder without an email is looked for.
func (d *document) holderSpot(i, k int) spot {
	var off int64
	if at := d.held[k].at; at >= 0 {
		off = d.recOff + int64(at)
	} else {
		off = d.where(licensePath(i).With(Key("users"), Index(k), Key("email")))
	}
	line, col := d.lineColAt(off)
	return spot{off: off, line: int32(line), col: int32(col)}
}

// lineCounter is the line and column of an offset, rel, in the record at recOff.
type lineCounter struct {
	recOff    int64
	rel       int64
	line, col int
}

// checkRecord checks the captured record against n and returns its problems, placed.
// Malformed JSON inside it is a problem like any other: capture found where the record
// ends, so the next one is read.
func (d *document) checkRecord(n *node, at Path) []Problem {
	problems, err := d.k.c.check(n, d.rec, at, d.recOff)
	var se *SyntaxError
	if errors.As(err, &se) {
		problems = append(problems, Problem{Severity: Error, Path: append(Path(nil), at...), Offset: se.Offset, Keyword: "syntax", Message: se.Msg})
	}
	for i := range problems {
		if p := &problems[i]; p.Offset >= 0 {
			p.Line, p.Col = d.lineColAt(p.Offset)
		}
	}
	return problems
}

// capture reads the next value into d.rec, checking only where it ends; the checker
// reads it closely. It scans what is buffered, a chunk at a time.
func (d *document) capture() error {
	d.rec = d.rec[:0]
	d.recOff, d.recLine, d.recCol = d.off, d.line, d.col
	first, err := d.peek()
	if err != nil {
		return err
	}
	var (
		depth                      int
		inString, escaped, started bool
	)
	for {
		buf, err := d.buffered()
		if err != nil {
			return err
		}
		if len(buf) == 0 {
			if first != '"' && first != '{' && first != '[' && len(d.rec) > 0 {
				return nil // a number or a literal that ends the text
			}
			return &SyntaxError{Offset: d.recOff, Msg: "this value is not closed before the end of the file"}
		}
		end := -1 // the end of the value in buf, when found
		if first != '"' && first != '{' && first != '[' {
			for i, c := range buf {
				if c == ',' || c == '}' || c == ']' || c == ':' || c <= ' ' {
					end = i
					break
				}
			}
		} else if i, deep := scanValue(buf, &depth, &inString, &escaped, &started); deep {
			d.consume(buf[:i])
			d.in.Discard(i)
			return d.fail("arrays and objects nested more than %d deep", maxDepth)
		} else {
			end = i
		}
		n := len(buf)
		if end >= 0 {
			n = end
		}
		if len(d.rec)+n > cap(d.rec) { // by doubling: append's quarter makes five times a huge record in garbage
			d.rec = slices.Grow(d.rec, len(d.rec)+n)
		}
		d.rec = append(d.rec, buf[:n]...)
		d.steps += int64(n)
		d.consume(buf[:n])
		d.in.Discard(n)
		if end >= 0 {
			if len(d.rec) == 0 {
				return d.fail("expected a value, found %s", describeByte(first))
			}
			return nil
		}
	}
}

// scanValue finds the end of a string, object or array in buf: -1 when buf ends first,
// the state carrying over to the next buf; or, with deep, the bracket that nests past
// maxDepth. Strings are crossed eight bytes at a time (quoteOrEscape): strings are most
// of a file, and the checker reads them closely after.
func scanValue(buf []byte, depth *int, inString, escaped, started *bool) (end int, deep bool) {
	i := 0
	if !*started {
		*started = true
		if buf[0] == '"' {
			*inString = true
		} else {
			*depth = 1
		}
		i = 1
	}
	for i < len(buf) {
		if *inString {
			if *escaped {
				*escaped = false
				i++
				continue
			}
			if i = quoteOrEscape(buf, i); i == len(buf) {
				return -1, false
			}
			if buf[i] == '\\' {
				*escaped = true
				i++
				continue
			}
			*inString = false
			i++
			if *depth == 0 {
				return i, false
			}
			continue
		}
		for i < len(buf) && !structural[buf[i]] {
			i++
		}
		if i == len(buf) {
			return -1, false
		}
		switch buf[i] {
		case '"':
			*inString = true
		case '{', '[':
			if *depth++; *depth > maxDepth {
				return i, true
			}
		default: // '}' or ']'
			if *depth--; *depth == 0 {
				return i + 1, false
			}
		}
		i++
	}
	return -1, false
}

// quoteOrEscape returns the offset of the first quote or backslash in buf at or after
// i, len(buf) when there is none, reading eight bytes at a time.
func quoteOrEscape(buf []byte, i int) int {
	for i+8 <= len(buf) {
		w := binary.LittleEndian.Uint64(buf[i:])
		q, b := w^(lows*'"'), w^(lows*'\\')
		// the lowest byte flagged is exact (borrows only run upwards)
		if odd := (q-lows)&^q&highs | (b-lows)&^b&highs; odd != 0 {
			return i + bits.TrailingZeros64(odd)>>3
		}
		i += 8
	}
	for i < len(buf) && buf[i] != '"' && buf[i] != '\\' {
		i++
	}
	return i
}

// structural marks the bytes that matter between the strings of a value.
var structural = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true}

// where finds the offset of the value at a path inside the current record, for the
// rules, and remembers its line and column: the rules may report it after the record is
// gone.
func (d *document) where(at Path) int64 {
	off := d.recOff
	if len(at) >= 2 {
		rel := locate(d.rec, at[2:])
		d.steps += int64(rel)
		off += int64(rel)
	}
	line, col := d.lineColAt(off)
	d.marks[off] = [2]int{line, col}
	return off
}

// lineColAt turns an offset in the current record, or one remembered, into a line and
// column.
func (d *document) lineColAt(off int64) (int, int) {
	if m, ok := d.marks[off]; ok {
		return m[0], m[1]
	}
	rel := off - d.recOff
	if rel < 0 || rel > int64(len(d.rec)) {
		if off == d.off {
			return d.line, d.col
		}
		return 0, 0
	}
	// Places are mostly asked for in order: count on from the last one, so that a record
	// of many problems is read once, not once a problem. Problems about an object (a
	// missing field) come just after those inside it: those are counted back.
	c := &d.lines
	if c.line == 0 || c.recOff != d.recOff {
		*c = lineCounter{recOff: d.recOff, line: d.recLine, col: d.recCol}
	}
	if rel >= c.rel {
		chunk := d.rec[c.rel:rel]
		d.steps += int64(len(chunk))
		c.line, c.col = past(c.line, c.col, chunk)
	} else {
		chunk := d.rec[rel:c.rel]
		d.steps += int64(len(chunk))
		if n := bytes.Count(chunk, []byte{'\n'}); n > 0 {
			// the column is the distance from the newline before rel, on its line
			before := bytes.LastIndexByte(d.rec[:rel], '\n')
			d.steps += rel - int64(before)
			c.line -= n
			if before >= 0 {
				c.col = int(rel) - before
			} else {
				c.col = d.recCol + int(rel)
			}
		} else {
			c.col -= len(chunk)
		}
	}
	c.rel = rel
	return c.line, c.col
}

func (d *document) emit(p Problem) {
	if p.Offset >= 0 && p.Line == 0 {
		p.Line, p.Col = d.lineColAt(p.Offset)
	}
	d.report(p)
}

// locate returns the offset of the value at a path inside one JSON value, or 0 when the
// path does not lead anywhere.
func locate(data []byte, at Path) int {
	sc := scanner{data: data}
	for _, step := range at {
		sc.ws()
		found := -1
		switch {
		case step.Index >= 0 && sc.peek() == '[':
			i := 0
			sc.elements(func() error {
				sc.ws()
				if i == step.Index {
					found = sc.pos
				}
				i++
				return sc.skip()
			})
		case step.Index < 0 && sc.peek() == '{':
			var scratch []byte
			sc.members(func(key []byte, _ int) error {
				if string(key) == step.Key && found < 0 {
					found = sc.pos
				}
				return sc.skip()
			}, &scratch)
		}
		if found < 0 {
			return 0
		}
		sc.pos = found
	}
	sc.ws()
	return sc.pos
}
