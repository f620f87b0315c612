package schema

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/torii-convert/torii-convert/internal/text"
)

// checker validates JSON text held in memory against a compiled node, collecting every
// problem rather than stopping at the first.
type checker struct {
	sc   scanner
	base int64 // offset of sc.data[0] in the document
	path Path
	out  []Problem
	buf  []byte   // scratch for decoded strings
	keys []byte   // scratch for decoded member names
	sub  *checker // scratch for the alternatives of anyOf
	tap  *tap     // when set, the facts of the record are kept as it is checked
	last []byte   // the string or number value read last, decoded
	// lastAt is where last starts in the text checked, -1 when it was decoded elsewhere
	lastAt int
}

func (c *checker) problem(at int, keyword, msg string) {
	c.out = append(c.out, Problem{
		Severity: Error,
		Path:     append(Path(nil), c.path...),
		Offset:   c.base + int64(at),
		Keyword:  keyword,
		Message:  msg,
	})
}

// value checks the value at the scanner against n and consumes it. Only malformed JSON
// is returned as an error; schema violations are collected.
func (c *checker) value(n *node) error {
	n = n.resolved()
	c.sc.ws()
	if n == nil {
		return c.sc.skip()
	}
	start := c.sc.pos
	k, err := c.sc.kindAt()
	if err != nil {
		return err
	}
	if len(n.anyOf) > 0 && (k != kString || !c.anyString(n, start)) {
		if err := c.anyOf(n, start); err != nil {
			return err
		}
	}
	switch k {
	case kObject:
		if !c.typeOK(n, k, start, nil) {
			return c.sc.skip()
		}
		return c.object(n, start)
	case kArray:
		if !c.typeOK(n, k, start, nil) {
			return c.sc.skip()
		}
		return c.array(n, start)
	case kString:
		s, decoded, err := c.sc.text(c.buf[:0], true)
		if decoded {
			c.buf = s
		}
		if err != nil {
			return err
		}
		c.last, c.lastAt = s, c.sc.pos-1-len(s)
		if decoded {
			c.lastAt = -1
		}
		if c.typeOK(n, k, start, nil) {
			c.str(n, s, start)
		}
		return nil
	case kNumber:
		raw, err := c.sc.number()
		if err != nil {
			return err
		}
		c.last, c.lastAt = raw, -1 // kept as a copy, were a fact a number
		if c.typeOK(n, k, start, raw) {
			c.number(n, raw, start)
		}
		return nil
	default:
		return c.literal(n, k, start)
	}
}

// literal checks true, false or null.
func (c *checker) literal(n *node, k kind, start int) error {
	word := "null"
	if c.sc.peek() == 't' {
		word = "true"
	} else if k == kBool {
		word = "false"
	}
	if err := c.sc.literal(word); err != nil {
		return err
	}
	if c.typeOK(n, k, start, nil) && n.enum != nil {
		c.problem(start, "enum", fmt.Sprintf("%s is not one of %s", word, strings.Join(n.enum, ", ")))
	}
	return nil
}

// typeOK reports whether the kind is allowed, recording a problem when it is not.
func (c *checker) typeOK(n *node, k kind, start int, number []byte) bool {
	if n.types == 0 || n.types&k != 0 {
		return true
	}
	if k == kNumber && n.types&kInteger != 0 {
		if f, err := strconv.ParseFloat(string(number), 64); err == nil && f == math.Trunc(f) {
			return true
		}
		c.problem(start, "type", fmt.Sprintf("%s is not a whole number", number))
		return false
	}
	if n.enum != nil && n.types == kString {
		c.problem(start, "type", fmt.Sprintf("is %s; expected one of %s", kindNames[k], strings.Join(n.enum, ", ")))
		return false
	}
	c.problem(start, "type", fmt.Sprintf("is %s; expected %s", kindNames[k], n.typeNames()))
	return false
}

func (n *node) typeNames() string {
	var names []string
	for _, k := range []kind{kObject, kArray, kString, kNumber, kInteger, kBool, kNull} {
		if n.types&k != 0 && !(k == kInteger && n.types&kNumber != 0) {
			names = append(names, kindNames[k])
		}
	}
	return strings.Join(names, " or ")
}

func (c *checker) str(n *node, s []byte, start int) { checkString(c, n, s, start) }

// checkString runs a node's checks for strings on text held either way: scanned from a
// file, or given as a Go value.
func checkString[T []byte | string](c *checker, n *node, s T, start int) {
	if n.enum != nil {
		found := false
		for _, e := range n.enum {
			if string(s) == e {
				found = true
				break
			}
		}
		if !found {
			msg := fmt.Sprintf("%s is not one of %s", text.Quote(string(s)), strings.Join(n.enum, ", "))
			for _, e := range n.enum {
				if strings.EqualFold(strings.TrimSpace(string(s)), e) {
					msg += fmt.Sprintf(" (did you mean %q?)", e)
					break
				}
			}
			c.problem(start, "enum", msg)
		}
	}
	if n.minLength > 0 && utf8.RuneCountInString(string(s)) < n.minLength {
		if len(s) == 0 {
			c.problem(start, "minLength", "is empty")
		} else {
			c.problem(start, "minLength", fmt.Sprintf("%s is shorter than %d characters", text.Quote(string(s)), n.minLength))
		}
	}
	if n.formatFn != nil && !n.fast.check(any(s)) && !n.formatFn(string(s)) {
		c.problem(start, "format", fmt.Sprintf("%s is not %s", text.Quote(string(s)), describeFormat(n.format)))
	}
}

var formatNames = map[string]string{
	"email":     "an email address",
	"date":      "a date (YYYY-MM-DD)",
	"date-time": "a date-time (RFC 3339, like 2024-03-17T09:30:00Z)",
}

func describeFormat(name string) string {
	if d, ok := formatNames[name]; ok {
		return d
	}
	return "a valid " + name
}

func (c *checker) number(n *node, raw []byte, start int) {
	if n.enum != nil {
		c.problem(start, "enum", fmt.Sprintf("%s is not one of %s", raw, strings.Join(n.enum, ", ")))
	}
	if n.hasMin {
		f, _ := strconv.ParseFloat(string(raw), 64)
		if f < n.minimum {
			c.problem(start, "minimum", fmt.Sprintf("%s is below the minimum, %s", raw, strconv.FormatFloat(n.minimum, 'f', -1, 64)))
		}
	}
}

func (c *checker) array(n *node, start int) error {
	i := 0
	depth := len(c.path)
	err := c.sc.elements(func() error {
		c.path = append(c.path[:depth], Index(i))
		i++
		return c.value(n.items)
	})
	c.path = c.path[:depth]
	if err != nil {
		return err
	}
	if i < n.minItems {
		if i == 0 {
			c.problem(start, "minItems", fmt.Sprintf("is empty; at least %s required", text.Plural(n.minItems, "item is", "items are")))
		} else {
			c.problem(start, "minItems", fmt.Sprintf("has %s; at least %d are required", text.Plural(i, "item", "items"), n.minItems))
		}
	}
	return nil
}

func (c *checker) object(n *node, start int) error {
	var seen, met uint64 // the required members met, and all the known ones
	var present [16]*prop
	known := present[:0]
	depth := len(c.path)
	err := c.sc.members(func(key []byte, keyAt int) error {
		p, child, ok := n.child(key)
		c.path = append(c.path[:depth], Key(c.keyString(p, key)))
		if !ok {
			c.problem(keyAt, "additionalProperties", unknownField(string(key), n))
			return c.sc.skip()
		}
		if p != nil {
			if met&p.key != 0 { // rare: a problem for each time before
				for _, q := range known {
					if q == p {
						c.problem(keyAt, "duplicate-key", fmt.Sprintf("field %q appears more than once", p.name))
					}
				}
			}
			met |= p.key
			known = append(known, p)
			seen |= p.bit
			if p.fact != 0 && c.tap != nil {
				return c.tapped(p.fact, child)
			}
		}
		return c.value(child)
	}, &c.keys)
	c.path = c.path[:depth]
	if err != nil {
		return err
	}
	for _, p := range n.required {
		if seen&p.bit == 0 {
			c.problem(start, "required", fmt.Sprintf("missing required field %q", p.name))
		}
	}
	return nil
}

// fact is a member of a user, a license or a license's user that the rules read.
type fact uint8

const (
	factEmail fact = 1 + iota
	factStatus
	factLastUsed
	factName
	factPrice
	factUnassigned
	factHolder // the email of a license's user
)

// tap is where a checker keeps the facts of the user or license it checks, for the
// rules: what readFacts would read, when the record turns out to have no problem.
type tap struct {
	d  *document // whose strings are interned
	f  *recordFacts
	fb *factBuf
}

// tapped checks the value of a member the rules read, and keeps it.
func (c *checker) tapped(fact fact, n *node) error {
	at := c.sc.pos
	c.last = nil
	if err := c.value(n); err != nil || c.last == nil {
		return err // not a string or a number: the record has a problem, and is read again
	}
	depth := 3 // users[i].email
	if fact == factHolder {
		depth = 5 // licenses[i].users[k].email
	}
	if len(c.path) != depth {
		return nil
	}
	t, v := c.tap, c.last
	switch fact {
	case factEmail:
		t.fb.text = append(t.fb.text[:t.f.email[0]], v...)
		t.f.email[1] = len(t.fb.text)
	case factStatus:
		t.f.status = c.lastString(t.d)
	case factLastUsed:
		t.f.lastUsed = c.lastString(t.d)
	case factName:
		t.f.name = string(v)
	case factPrice:
		if x, err := strconv.ParseFloat(string(v), 64); err == nil {
			t.f.price = &x
		}
	case factUnassigned:
		if x, err := strconv.ParseFloat(string(v), 64); err == nil {
			t.f.unassigned = whole(x)
		}
	case factHolder:
		// A license may have hundreds of thousands of holders: their emails are mostly
		// left where they are in the record, and their list grows by doubling, not by
		// the quarter append gives large slices, which made five times its size in garbage.
		h := heldBy{start: ^c.lastAt, end: c.lastAt + len(v), at: at}
		if c.lastAt < 0 {
			h.start = len(t.fb.text)
			t.fb.text = append(t.fb.text, v...)
			h.end = len(t.fb.text)
		}
		if len(t.fb.held) == cap(t.fb.held) {
			t.fb.held = slices.Grow(t.fb.held, len(t.fb.held)+64)
		}
		t.fb.held = append(t.fb.held, h)
	}
	return nil
}

// lastString returns the string read last, for a fact: the record's own bytes when it
// has no escape, else interned. The record lives in its batch, which is not reused
// before the rules are done with the record, and the rules copy what they keep (a
// status or a date only goes into a message).
func (c *checker) lastString(d *document) string {
	if c.lastAt < 0 || len(c.last) == 0 {
		return d.intern(c.last)
	}
	return unsafe.String(&c.last[0], len(c.last))
}

// keyString returns the member name without allocating when the schema knows it.
func (c *checker) keyString(p *prop, key []byte) string {
	if p != nil {
		return p.name
	}
	return string(key)
}

// anyString reports whether the string at start matches an alternative of n that needs
// only a look at the string, tried in order: a date passes its first, without the
// sub-checker that anyOf sets up for each alternative. Otherwise anyOf decides, and says
// why none matched.
func (c *checker) anyString(n *node, start int) bool {
	probe := scanner{data: c.sc.data, pos: start}
	s, err := probe.str(&c.buf)
	if err != nil {
		return false
	}
	for _, b := range n.anyOf {
		if b = b.resolved(); b == nil {
			return true
		}
		if len(b.anyOf) > 0 || b.types != 0 && b.types&kString == 0 {
			return false
		}
		if stringOK(b, s) {
			return true
		}
	}
	return false
}

// stringOK reports whether checkString finds no problem with s.
func stringOK(n *node, s []byte) bool {
	return (n.enum == nil || slices.Contains(n.enum, string(s))) &&
		(n.minLength == 0 || utf8.RuneCount(s) >= n.minLength) &&
		(n.formatFn == nil || n.fast.check(s) || n.formatFn(string(s)))
}

func (c *checker) anyOf(n *node, start int) error {
	probe := scanner{data: c.sc.data, pos: start}
	if err := probe.skip(); err != nil {
		return err
	}
	raw := c.sc.data[start:probe.pos]
	if c.sub == nil {
		c.sub = &checker{}
	}
	sub := c.sub
	var failed [][]Problem
	for _, branch := range n.anyOf {
		*sub = checker{sc: scanner{data: raw}, base: c.base + int64(start), path: append(sub.path[:0], c.path...),
			buf: sub.buf, keys: sub.keys, sub: sub.sub}
		if err := sub.value(branch); err != nil {
			return err
		}
		if len(sub.out) == 0 {
			return nil
		}
		failed = append(failed, sub.out)
	}
	var s scanner
	s.data = raw
	var scratch []byte
	value, _ := s.str(&scratch)
	c.problem(start, "anyOf", anyOfMessage(string(value), failed))
	return nil
}

// anyOfMessage says why no alternative matched a value: "x" is not a date or a
// date-time, when the alternatives are formats.
func anyOfMessage(value string, failed [][]Problem) string {
	var wants []string
	formats := true
	for _, problems := range failed {
		p := problems[0]
		if p.Keyword != "format" || len(problems) > 1 {
			formats = false
		}
		_, want, _ := strings.Cut(p.Message, " is not ")
		wants = append(wants, want)
	}
	if formats {
		return fmt.Sprintf("%s is not %s", text.Quote(value), strings.Join(wants, " nor "))
	}
	var msgs []string
	for _, problems := range failed {
		msgs = append(msgs, problems[0].Message)
	}
	return "matches none of the allowed forms: " + strings.Join(msgs, "; ")
}

// unknownField names a member the schema does not allow, suggesting the likely intended one.
func unknownField(key string, n *node) string {
	msg := fmt.Sprintf("unknown field %q", key)
	if best := closest(key, n); best != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", best)
	}
	return msg + "; Torii ignores it"
}

func closest(key string, n *node) string {
	names := make([]string, 0, len(n.props))
	for name := range n.props {
		names = append(names, name)
	}
	return text.Nearest(key, names)
}

// checkMembers checks a record given as the members the encoder writes (userMembers and
// the like) against an object node, with the verdicts and words the text of the record
// would get, without reading the text back. Its problems have no offset.
func (c *checker) checkMembers(n *node, ms []member, at Path) []Problem {
	*c = checker{base: -1, path: append(c.path[:0], at...), buf: c.buf, keys: c.keys, sub: c.sub}
	n = n.resolved()
	if n == nil || !c.typeOK(n, kObject, 0, nil) {
		return c.out
	}
	var seen uint64
	depth := len(c.path)
	for i := range ms {
		m := &ms[i]
		p, child, ok := n.child([]byte(m.name))
		c.path = append(c.path[:depth], Key(m.name))
		if !ok {
			c.problem(0, "additionalProperties", unknownField(m.name, n))
			continue
		}
		if p != nil {
			seen |= p.bit
		}
		c.memberValue(child.resolved(), m)
	}
	c.path = c.path[:depth]
	for _, p := range n.required {
		if seen&p.bit == 0 {
			c.problem(0, "required", fmt.Sprintf("missing required field %q", p.name))
		}
	}
	return c.out
}

func (c *checker) memberValue(n *node, m *member) {
	if n == nil {
		return
	}
	if len(n.anyOf) > 0 {
		if c.sub == nil {
			c.sub = &checker{}
		}
		sub := c.sub
		var failed [][]Problem
		for _, branch := range n.anyOf {
			*sub = checker{base: -1, path: append(sub.path[:0], c.path...), sub: sub.sub}
			sub.memberValue(branch.resolved(), m)
			if len(sub.out) == 0 {
				failed = nil
				break
			}
			failed = append(failed, sub.out)
		}
		if failed != nil {
			c.problem(0, "anyOf", anyOfMessage(asEncoded(m.str), failed))
		}
	}
	switch m.kind {
	case kString:
		if c.typeOK(n, kString, 0, nil) {
			checkString(c, n, asEncoded(m.str), 0)
		}
	case kInteger:
		raw := strconv.AppendInt(c.buf[:0], m.num, 10)
		if c.typeOK(n, kNumber, 0, raw) {
			c.number(n, raw, 0)
		}
	case kArray:
		if !c.typeOK(n, kArray, 0, nil) {
			return
		}
		depth := len(c.path)
		var item member
		for i, s := range m.list {
			c.path = append(c.path[:depth], Index(i))
			item = member{kind: kString, str: s}
			c.memberValue(n.items.resolved(), &item)
		}
		c.path = c.path[:depth]
		if len(m.list) < n.minItems {
			c.problem(0, "minItems", fmt.Sprintf("has %s; at least %d are required", text.Plural(len(m.list), "item", "items"), n.minItems))
		}
	}
}

// asEncoded returns s as its JSON encoding reads back: each byte that is not UTF-8
// becomes U+FFFD.
func asEncoded(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r) // RuneError for a byte that is not UTF-8
		i += n
	}
	return b.String()
}
