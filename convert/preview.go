package convert

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/torii-convert/torii-convert/internal/text"
)

// MaxPreview bounds the rows Preview explains.
const MaxPreview = 1000

// Preview writes to w, for the first n rows of an export, which column fed which field
// and why each value came out as it did; then the columns that feed nothing and the
// template's entries that no column matched. Nothing is converted or checked.
func Preview(ctx context.Context, input string, opts Options, n int, w io.Writer) error {
	c, err := newConversion(input, opts)
	if err != nil {
		return err
	}
	src := c.src
	defer src.Close()
	header, err := c.header()
	if err != nil {
		return err
	}
	if err := c.pickTemplate(header); err != nil {
		return err
	}
	if c.res.Detected != "" {
		fmt.Fprintln(w, c.res.Detected)
	}
	if c.res.BetterFit != "" {
		fmt.Fprintln(w, "note: "+c.res.BetterFit)
	}
	m, err := newMapper(c.opts.Template, header, opts.DateOrder, nil)
	if err != nil {
		return err
	}
	c.workbookDates(m.dates)
	at := src.Where()
	at.Line = c.headerLine
	fmt.Fprintf(w, "template %s, header at %s\n", c.opts.Template.File, at)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	table := src.Where()
	for shown := 0; shown < n; {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		r, err := c.nextRow()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		shown++
		fmt.Fprintf(tw, "\n%s\n", r.Pos(table, -1))
		m.explainRow(tw, r.Cells)
		tw.Flush()
	}
	fmt.Fprintln(w)
	m.explainColumns(w, c.opts.Template)
	return nil
}

// explainColumns ends a preview: the columns that feed nothing, those the template
// ignores, and the template's entries no column matched.
func (m *mapper) explainColumns(w io.Writer, t *Template) {
	var unused, ignored []string
	for i, h := range m.header {
		h = strings.Join(strings.Fields(h), " ")
		switch label, ok := m.used[i]; {
		case h == "":
		case !ok:
			unused = append(unused, h)
		case label == "ignored":
			ignored = append(ignored, h)
		}
	}
	list := func(what string, items []string) {
		if len(items) == 0 {
			fmt.Fprintf(w, "%s: none\n", what)
			return
		}
		fmt.Fprintf(w, "%s: %s\n", what, aliasList(items))
	}
	list("columns that feed nothing", unused)
	list("columns the template ignores", ignored)
	list("template entries no column matched", m.unmatched(t))
}

// explainer writes what one row gives each field, and why.
type explainer struct {
	m   *mapper
	w   io.Writer
	row []string
}

func (x *explainer) line(field, value, why string) {
	fmt.Fprintf(x.w, "  %s\t%s\t%s\n", field, value, why)
}

// from names where a value came from: a column and its text, or the template.
func (x *explainer) from(col int, v string) string {
	if col < 0 {
		return "the template's constant"
	}
	return fmt.Sprintf("%s %s", x.m.columnName(col), text.Quote(v))
}

// explainRow writes what one row gives each field, and why.
func (m *mapper) explainRow(w io.Writer, row []string) {
	x := &explainer{m: m, w: w, row: row}
	if m.footer(row) {
		x.line("(row)", "skipped", "a footer: few cells, one a total, count or page number")
		return
	}
	if reason := m.skip(row); reason != "" {
		x.line("(row)", "skipped", "skip rule "+text.Quote(reason))
		return
	}
	x.plain("email", m.email)
	x.plain("id", m.id)
	x.plain("firstName", m.first)
	x.plain("lastName", m.last)
	x.name()
	x.mapped("status", m.status)
	x.plain("externalStatus", m.ext)
	m.roles.each(row, func(v string, col int) { x.line("roles", v, x.from(col, v)) })
	x.lastUsed()
	for i := range m.licenses {
		x.license(i)
	}
}

// plain explains a field taken as it is.
func (x *explainer) plain(label string, b *binding) {
	if b == nil {
		return
	}
	raw, col := b.raw(x.row)
	if raw == "" {
		if b.found() {
			x.line(label, "-", "empty in "+x.m.columnName(b.cols[0]))
		}
		return
	}
	v, _ := b.first(x.row)
	why := x.from(col, raw)
	if v != raw {
		why += " (rewritten)"
	}
	if label == "email" && strings.ToLower(v) != v {
		why += " (lower-cased)"
		v = strings.ToLower(v)
	}
	x.line(label, v, why)
}

// name explains the full name, split when there is no first or last name.
func (x *explainer) name() {
	full, col := x.m.name.first(x.row)
	if full == "" {
		return
	}
	first, _ := x.m.first.first(x.row)
	last, _ := x.m.last.first(x.row)
	switch f, l := completeName(first, last, full); {
	case first == "" && last == "":
		x.line("name", f+" / "+l, x.from(col, full)+" split into first and last name")
	case first == "" && f != "":
		x.line("name", f+" / "+l, x.from(col, full)+" gives the first name the row lacks")
	case last == "" && l != "":
		x.line("name", f+" / "+l, x.from(col, full)+" gives the last name the row lacks")
	default:
		x.line("name", "(unused)", "the row has a first and last name of its own")
	}
}

// mapped explains a field whose values a map translates.
func (x *explainer) mapped(label string, b *binding) {
	if b == nil {
		return
	}
	raw, col := b.first(x.row)
	if raw != "" {
		v, why := b.explain(raw)
		x.line(label, v, x.from(col, raw)+why)
		return
	}
	if d := b.field.Default; d != "" {
		why := "the template's default: the cell is empty"
		if !b.found() && b.field.Value == nil {
			why = "the template's default: no column"
		}
		x.line(label, d, why)
	} else if b.found() {
		x.line(label, "-", "empty in "+x.m.columnName(b.cols[0]))
	}
}

// lastUsed explains lastUsedDate: each date read, and which one won.
func (x *explainer) lastUsed() {
	m, b := x.m, x.m.lastUsed
	if b == nil {
		return
	}
	var parts []string
	latest := ""
	for _, i := range b.cols {
		v := cell(x.row, i)
		if v == "" {
			continue
		}
		d, err := m.dates.read(v)
		what := fmt.Sprintf("%s %s", m.columnName(i), text.Quote(v))
		switch {
		case err != nil:
			what += ": " + err.Error()
		case d == "":
			what += " (no date)"
		case m.dates.seen == Ambiguous:
			what += " (read month-first here; convert settles the order from every date of the export)"
		}
		parts = append(parts, what)
		latest = max(latest, d)
		if b.field.Pick != "latest" {
			break
		}
	}
	if len(parts) == 0 {
		return
	}
	why := strings.Join(parts, ", ")
	if len(parts) > 1 {
		why = "the latest of " + why
	}
	if latest == "" {
		latest = "-"
	}
	x.line("lastUsedDate", latest, why)
}

// license explains the licenses one rule gives the row.
func (x *explainer) license(i int) {
	l := &x.m.licenses[i]
	label := "license"
	if len(x.m.licenses) > 1 {
		label = fmt.Sprintf("licenses[%d]", i)
	}
	status := ""
	if raw, col := l.status.first(x.row); raw != "" {
		v, why := l.status.explain(raw)
		status = "; licenseStatus " + v + " from " + x.from(col, raw) + why
	} else if l.unlessUsed {
		status = "; inactive unless the user has a lastUsedDate"
	}
	if l.name != nil {
		n := 0
		l.name.each(x.row, func(v string, col int) {
			name, why := l.name.explain(v)
			x.line(label, name, x.from(col, v)+why+status)
			n++
		})
		if n == 0 && l.name.field.Default != "" {
			x.line(label, l.name.field.Default, "the template's default: the cell is empty"+status)
		}
	}
	for _, pc := range l.perColumn {
		if v := cell(x.row, pc.col); v != "" && !l.exclude[strings.ToLower(v)] {
			x.line(label, pc.name, fmt.Sprintf("%s is %s", x.m.columnName(pc.col), text.Quote(v)))
		}
	}
}

// explain is translate, saying which rule gave the value.
func (b *binding) explain(v string) (string, string) {
	out, err := b.translate(v)
	if err != nil {
		return "ERROR", ": " + err.Error()
	}
	if b.mapping != nil {
		if _, ok := b.mapping[string(b.folded(v))]; ok {
			return out, fmt.Sprintf(" (map %s)", text.Quote(strings.ToLower(v)))
		}
		if b.other != nil {
			return out, ` (map "*": every other value)`
		}
	}
	if b.vocab != nil {
		return out, " (a word Torii knows)"
	}
	return out, ""
}

// unmatched lists the template's entries that no column of the export matched.
func (m *mapper) unmatched(t *Template) []string {
	var out []string
	t.eachField(func(at string, f *Field) {
		if f.Value != nil {
			return
		}
		b, err := bind(at, f, m.header, nil)
		if err != nil || b.found() {
			return
		}
		out = append(out, strings.TrimPrefix(at, "/user/"))
	})
	for _, s := range t.Skip {
		b, err := bind("", &Field{From: s.From}, m.header, nil)
		if err == nil && !b.found() {
			out = append(out, "skip "+s.Reason)
		}
	}
	for i, l := range m.licenses {
		if t.Licenses[i].PerColumn != nil && len(l.perColumn) == 0 {
			out = append(out, fmt.Sprintf("licenses/%d/perColumn", i))
		}
	}
	return out
}
