package schema

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

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
	if len(n.anyOf) > 0 {
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
		s, err := c.sc.str(&c.buf)
		if err != nil {
			return err
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
		if c.typeOK(n, k, start, raw) {
			c.number(n, raw, start)
		}
		return nil
	default:
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

func (c *checker) str(n *node, s []byte, start int) {
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
	if n.minLength > 0 && utf8.RuneCount(s) < n.minLength {
		if len(s) == 0 {
			c.problem(start, "minLength", "is empty")
		} else {
			c.problem(start, "minLength", fmt.Sprintf("%s is shorter than %d characters", text.Quote(string(s)), n.minLength))
		}
	}
	if n.formatFn != nil && !(n.fastFn != nil && n.fastFn(s)) && !n.formatFn(string(s)) {
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
			c.problem(start, "minItems", fmt.Sprintf("is empty; at least %s required", plural(n.minItems, "item is", "items are")))
		} else {
			c.problem(start, "minItems", fmt.Sprintf("has %s; at least %d are required", plural(i, "item", "items"), n.minItems))
		}
	}
	return nil
}

func (c *checker) object(n *node, start int) error {
	var seen uint64
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
			for _, q := range known {
				if q == p {
					c.problem(keyAt, "duplicate-key", fmt.Sprintf("field %q appears more than once", p.name))
				}
			}
			known = append(known, p)
			seen |= p.bit
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

// keyString returns the member name without allocating when the schema knows it.
func (c *checker) keyString(p *prop, key []byte) string {
	if p != nil {
		return p.name
	}
	return string(key)
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
	c.problem(start, "anyOf", anyOfMessage(raw, failed))
	return nil
}

// anyOfMessage says why no alternative matched: "x" is not a date or a date-time.
func anyOfMessage(raw []byte, failed [][]Problem) string {
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
		var s scanner
		s.data = raw
		var scratch []byte
		value, _ := s.str(&scratch)
		return fmt.Sprintf("%s is not %s", text.Quote(string(value)), strings.Join(wants, " nor "))
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

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
