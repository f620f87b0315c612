package convert

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/torii-convert/torii-convert/internal/text"
	"github.com/torii-convert/torii-convert/schema"
)

// repeated gathers the problems of the rows so that each distinct one is said once, with
// how many rows have it and the first of them: an unknown status in 5,000 rows is one
// line, not 5,000.
type repeated struct {
	byKey map[string]*repeat
	order []*repeat
}

type repeat struct {
	rule  string
	pos   Pos
	msg   string
	rows  int
	lines []int
}

// maxRepeats bounds the distinct problems kept for counting; past it, problems are
// reported as they come.
const maxRepeats = 10000

// firstRows is how many row numbers a repeated problem lists.
const firstRows = 3

func (r *repeated) add(c *conversion, rule string, pos Pos, msg string) {
	if r.byKey == nil {
		r.byKey = map[string]*repeat{}
	}
	key := rule + "\x00" + strconv.Itoa(pos.Col) + "\x00" + msg
	p := r.byKey[key]
	if p == nil {
		if len(r.order) >= maxRepeats {
			c.report(schema.Error, rule, pos, msg)
			return
		}
		p = &repeat{rule: rule, pos: pos, msg: msg}
		r.byKey[key] = p
		r.order = append(r.order, p)
	}
	p.rows++
	if len(p.lines) <= firstRows {
		p.lines = append(p.lines, pos.Line)
	}
}

// flush reports each distinct problem once: `3 rows (12, 19, 33): "Suspendu" is not ...`.
func (r *repeated) flush(c *conversion) {
	for _, p := range r.order {
		msg := p.msg
		if p.rows > 1 {
			lines := make([]string, 0, firstRows+1)
			for i, l := range p.lines {
				if i == firstRows {
					lines = append(lines, "...")
					break
				}
				lines = append(lines, strconv.Itoa(l))
			}
			msg = fmt.Sprintf("%d rows (%s): %s", p.rows, strings.Join(lines, ", "), msg)
		}
		c.report(schema.Error, p.rule, p.pos, msg)
	}
	*r = repeated{}
}

// mappingSeverity is how the mapping's warnings count: as errors with Options.Strict.
func (c *conversion) mappingSeverity() schema.Severity {
	if c.opts.Strict {
		return schema.Error
	}
	return schema.Warning
}

// warnUnused lists the columns that look like Torii data but feed nothing.
func (c *conversion) warnUnused() {
	for _, col := range c.m.unusedData() {
		pos := c.src.Where()
		pos.Line, pos.Col = c.headerLine, col+1
		c.report(c.mappingSeverity(), "unused-column", pos,
			`looks like Torii data, but no field of the template reads it; add it to a field's "from", or to the template's "ignore" list`)
	}
}

// dateOrder settles the order of all-number dates the template left open, from what the
// dates themselves prove: a part above 12 is a day. It returns a notice when the export
// must be read again day-first.
func (c *conversion) dateOrder() string {
	day, month := c.proof[0], c.proof[1]
	fix := `set "dates": {"order": "day-first"} (or month-first) in the template, or pass --date-order`
	switch {
	case day != nil && month != nil:
		c.report(schema.Error, "date-order", day.pos, fmt.Sprintf("%s can only be day-first, but %s at %s can only be month-first; correct the dates that are wrong, or %s",
			text.Quote(day.value), text.Quote(month.value), month.pos, fix))
	case c.nAmbiguous == 0:
	case day != nil && c.input == "-":
		c.report(schema.Error, "date-order", c.ambiguous.pos, fmt.Sprintf("%s could be day-first or month-first%s; %s at %s proves day-first, but stdin cannot be read twice; pass --date-order day-first",
			text.Quote(c.ambiguous.value), c.othersAmbiguous(), text.Quote(day.value), day.pos))
	case day != nil:
		return fmt.Sprintf("all-number dates read day-first: %s at %s has a day above 12, and no date has a month above 12 (pass --date-order to say otherwise)", text.Quote(day.value), day.pos)
	case month != nil:
		c.res.Notices = append(c.res.Notices, fmt.Sprintf("all-number dates read month-first: %s at %s has a day above 12 in second place, and no date has one in first place (pass --date-order to say otherwise)", text.Quote(month.value), month.pos))
	default:
		c.report(schema.Error, "date-order", c.ambiguous.pos, fmt.Sprintf("%s could be day-first or month-first%s, and no date has a part above 12 to tell; %s", text.Quote(c.ambiguous.value), c.othersAmbiguous(), fix))
	}
	return ""
}

// othersAmbiguous counts the ambiguous dates besides the one a message names.
func (c *conversion) othersAmbiguous() string {
	if c.nAmbiguous < 2 {
		return ""
	}
	return fmt.Sprintf(" (and so could %s)", text.Plural(c.nAmbiguous-1, "other date", "other dates"))
}

// unmatchedCatalog warns of the catalog and price list entries that name no license of
// the data: a typo must never make a license of its own.
func (c *conversion) unmatchedCatalog(entries []CatalogEntry, licenses []string) {
	for _, e := range entries {
		msg := fmt.Sprintf("%s %s matches no license in the data", e.from, text.Quote(e.name))
		if near := closestHeaders([]string{e.name}, licenses, nil); len(near) > 0 {
			msg += "; closest: " + aliasList(near)
		} else if len(licenses) > 0 {
			shown := licenses[:min(len(licenses), 5)]
			msg += "; the licenses found: " + aliasList(shown)
			if len(licenses) > len(shown) {
				msg += fmt.Sprintf(" and %d more", len(licenses)-len(shown))
			}
		} else {
			msg += "; the data has no licenses"
		}
		c.report(c.mappingSeverity(), "catalog", c.src.Where(), msg)
	}
}
