package convert

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/torii-convert/torii-convert/internal/text"
)

// binding is one template field bound to the header of one export.
type binding struct {
	label   string // the field, for messages: "status", "licenses[0].name"
	field   *Field
	cols    []int // the columns that feed it, in the template's order of preference
	mapping map[string]string
	other   *string // the "*" entry of the map
	exclude map[string]bool
	vocab   []string // the values a status field may end with; nil for free text
	lower   []byte   // scratch for lower-casing values to look them up
}

// folded returns v in lower case, in scratch space valid until the next call.
func (b *binding) folded(v string) []byte {
	b.lower = b.lower[:0]
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 0x80 {
			return append(b.lower[:0], strings.ToLower(v)...)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.lower = append(b.lower, c)
	}
	return b.lower
}

// excluded reports whether a value is one the field ignores.
func (b *binding) excluded(v string) bool {
	return b.exclude != nil && b.exclude[string(b.folded(v))]
}

// bind finds the columns of a field in a header. A field with a constant value, or whose
// columns are all missing, binds to no column.
func bind(label string, f *Field, header []string, vocab []string) (*binding, error) {
	if f == nil {
		return nil, nil
	}
	b := &binding{label: label, field: f, vocab: vocab}
	seen := map[int]bool{}
	for _, alias := range f.From {
		name, nth := splitNth(alias)
		want := normHeader(name)
		var found []int
		for i, h := range header {
			if normHeader(h) == want {
				found = append(found, i)
			}
		}
		switch {
		case nth > 0 && nth <= len(found):
			found = found[nth-1 : nth]
		case nth > 0:
			found = nil
		case len(found) > 1:
			var where []string
			for _, i := range found {
				where = append(where, ColumnName(i+1))
			}
			which := strings.Join(where[:len(where)-1], ", ") + " and " + where[len(where)-1] + " all"
			if len(where) == 2 {
				which = where[0] + " and " + where[1] + " both"
			}
			return nil, &Error{Kind: Data, Msg: fmt.Sprintf("columns %s have the header %q, so %s cannot tell which to read", which, strings.TrimSpace(header[found[0]]), label),
				Hint: fmt.Sprintf("say which in the template: %q is the first of them, %q the second", name+"[1]", name+"[2]")}
		}
		for _, i := range found {
			if !seen[i] {
				seen[i] = true
				b.cols = append(b.cols, i)
			}
		}
	}
	if len(f.Map) > 0 {
		b.mapping = make(map[string]string, len(f.Map))
		for k, v := range f.Map {
			if k == "*" {
				v := v
				b.other = &v
				continue
			}
			b.mapping[strings.ToLower(strings.TrimSpace(k))] = v
		}
	}
	if len(f.Exclude) > 0 {
		b.exclude = map[string]bool{}
		for _, v := range f.Exclude {
			b.exclude[strings.ToLower(strings.TrimSpace(v))] = true
		}
	}
	return b, nil
}

// splitNth reads an alias that names one of several columns with the same header:
// "Email[2]" is the second column called Email.
func splitNth(alias string) (string, int) {
	open := strings.LastIndexByte(alias, '[')
	if open < 0 || !strings.HasSuffix(alias, "]") {
		return alias, 0
	}
	n, ok := text.Digits(alias[open+1 : len(alias)-1])
	if !ok || n == 0 {
		return alias, 0
	}
	return alias[:open], n
}

// found reports whether the field reads from a column of this export.
func (b *binding) found() bool { return b != nil && len(b.cols) > 0 }

// cell returns a row's trimmed value in column i; rows shorter than the header read as
// empty cells.
func cell(row []string, i int) string {
	if i < len(row) {
		return strings.TrimSpace(row[i])
	}
	return ""
}

// first returns the first value the field has in a row, and its column (-1 for none).
func (b *binding) first(row []string) (string, int) {
	if b == nil {
		return "", -1
	}
	if b.field.Value != nil {
		return *b.field.Value, -1
	}
	for _, i := range b.cols {
		if v := cell(row, i); v != "" && !b.excluded(v) {
			return v, i
		}
	}
	return "", -1
}

// each calls fn for every value the field has in a row: each column with pick "all", and
// each item of a cell with split.
func (b *binding) each(row []string, fn func(v string, col int)) {
	if b == nil {
		return
	}
	emit := func(v string, col int) {
		if b.field.Split == "" {
			if !b.excluded(v) {
				fn(v, col)
			}
			return
		}
		for v != "" {
			item := v
			if i := strings.IndexAny(v, b.field.Split); i >= 0 {
				item, v = v[:i], v[i+1:]
			} else {
				v = ""
			}
			if item = strings.TrimSpace(item); item != "" && !b.excluded(item) {
				fn(item, col)
			}
		}
	}
	if b.field.Value != nil || b.field.Pick != "all" {
		if v, col := b.first(row); v != "" {
			emit(v, col)
		}
		return
	}
	for _, i := range b.cols {
		if v := cell(row, i); v != "" {
			emit(v, i)
		}
	}
}

// translate applies the field's map. Status fields must end in their vocabulary.
func (b *binding) translate(v string) (string, error) {
	if b.mapping != nil {
		if m, ok := b.mapping[string(b.folded(v))]; ok {
			return m, nil
		}
		if b.other != nil {
			return *b.other, nil
		}
	}
	if b.vocab == nil {
		return v, nil
	}
	for _, w := range b.vocab {
		if strings.EqualFold(v, w) {
			return w, nil
		}
	}
	known := make([]string, 0, len(b.mapping))
	for k := range b.mapping {
		known = append(known, fmt.Sprintf("%q", k))
	}
	if len(known) == 0 {
		return "", fmt.Errorf("%s is not a %s Torii knows (%s); add a \"map\" for it to the template", text.Quote(v), b.label, strings.Join(b.vocab, ", "))
	}
	sort.Strings(known)
	return "", fmt.Errorf("%s is not in the template's %s map (%s); add it to the map, or map \"*\" for every other value", text.Quote(v), b.label, strings.Join(known, ", "))
}

type licenseBinding struct {
	name, status *binding
	unlessUsed   bool
}

type skipBinding struct {
	reason string
	cols   []int
	equals map[string]bool
	re     *regexp.Regexp
}

// mapper turns the rows of one export into user records, as its template says.
type mapper struct {
	header                                                     []string
	email, id, name, first, last, status, ext, roles, lastUsed *binding
	licenses                                                   []licenseBinding
	skips                                                      []skipBinding
	dates                                                      *dateReader
	missing                                                    []string // fields whose columns this export lacks
}

// noteworthy are the fields worth a note when an export lacks their column: without
// them Torii sees users without activity, status or roles.
var noteworthy = map[string]bool{"status": true, "roles": true, "lastUsedDate": true}

func newMapper(t *Template, header []string, dateOrder string) (*mapper, error) {
	m := &mapper{header: header, dates: newDateReader(t.Dates, dateOrder)}
	u := t.User
	fields := []struct {
		dst   **binding
		label string
		f     *Field
		vocab []string
	}{
		{&m.email, "email", u.Email, nil},
		{&m.id, "id", u.ID, nil},
		{&m.name, "name", u.Name, nil},
		{&m.first, "firstName", u.FirstName, nil},
		{&m.last, "lastName", u.LastName, nil},
		{&m.status, "status", u.Status, userStatuses},
		{&m.ext, "externalStatus", u.ExternalStatus, nil},
		{&m.roles, "roles", u.Roles, nil},
		{&m.lastUsed, "lastUsedDate", u.LastUsedDate, nil},
	}
	for _, f := range fields {
		b, err := bind(f.label, f.f, header, f.vocab)
		if err != nil {
			return nil, err
		}
		*f.dst = b
		if b != nil && b.field.Value == nil && !b.found() && noteworthy[f.label] {
			m.missing = append(m.missing, fmt.Sprintf("%s (tried %s)", f.label, aliasList(f.f.From)))
		}
	}
	if !m.email.found() && m.email.field.Value == nil {
		return nil, m.noEmailColumn(u.Email.From)
	}
	for i, r := range t.Licenses {
		label := fmt.Sprintf("licenses[%d].name", i)
		name, err := bind(label, r.Name, header, nil)
		if err != nil {
			return nil, err
		}
		status, err := bind(fmt.Sprintf("licenses[%d].status", i), r.Status, header, licenseStatuses)
		if err != nil {
			return nil, err
		}
		if name.field.Value == nil && !name.found() {
			m.missing = append(m.missing, fmt.Sprintf("%s (tried %s)", label, aliasList(r.Name.From)))
		}
		m.licenses = append(m.licenses, licenseBinding{name: name, status: status, unlessUsed: r.InactiveWithoutUsage})
	}
	for _, s := range t.Skip {
		sb := skipBinding{reason: s.Reason, equals: map[string]bool{}}
		b, err := bind("skip "+s.Reason, &Field{From: s.From}, header, nil)
		if err != nil {
			return nil, err
		}
		sb.cols = b.cols
		for _, v := range s.Equals {
			sb.equals[strings.ToLower(strings.TrimSpace(v))] = true
		}
		if s.Matches != "" {
			sb.re = regexp.MustCompile(s.Matches) // checked when the template was loaded
		}
		m.skips = append(m.skips, sb)
	}
	return m, nil
}

func aliasList(aliases []string) string {
	q := make([]string, len(aliases))
	for i, a := range aliases {
		q[i] = fmt.Sprintf("%q", a)
	}
	return strings.Join(q, ", ")
}

func (m *mapper) noEmailColumn(aliases []string) error {
	var found []string
	for _, h := range m.header {
		if h = strings.TrimSpace(h); h != "" {
			found = append(found, fmt.Sprintf("%q", h))
		}
	}
	hint := "add the header of the email column to the template's user.email.from"
	for _, h := range m.header {
		if strings.Contains(strings.ToLower(h), "mail") {
			hint = fmt.Sprintf("%q looks like one: add it to the template's user.email.from", strings.TrimSpace(h))
			break
		}
	}
	return &Error{Kind: Data,
		Msg:  fmt.Sprintf("no email column: the header has %s; the template looks for %s", strings.Join(found, ", "), aliasList(aliases)),
		Hint: hint}
}

// columnName is what messages call a column: its header, or its letter when it has none.
func (m *mapper) columnName(col int) string {
	if col < len(m.header) {
		if h := strings.Join(strings.Fields(m.header[col]), " "); h != "" {
			return h
		}
	}
	return "column " + ColumnName(col+1)
}

// footerWords starts the lines reports end with: totals, counts, page numbers.
var footerWords = regexp.MustCompile(`(?i)^\s*(grand\s+total|totals?|sum|count|page\s+\d+(\s+of\s+\d+)?|\d+\s+(rows?|records?|users?|members?|workers?|employees?)|records?|rows?|end\s+of\s+(report|file|data)|(report\s+)?(generated|printed|run)\s+(on|at|by)|confidential)\b`)

// footer reports whether a row is a report's footer rather than data: no email, a few
// cells, one of them a total, a count or a page number.
func (m *mapper) footer(row []string) bool {
	if v, _ := m.email.first(row); v != "" {
		return false
	}
	filled, words := 0, false
	for _, v := range row {
		if v = strings.TrimSpace(v); v != "" {
			filled++
			words = words || footerWords.MatchString(v)
		}
	}
	return words && filled <= 3
}

// skip returns the reason a row is to be left out, "" to keep it.
func (m *mapper) skip(row []string) string {
	for _, s := range m.skips {
		for _, i := range s.cols {
			v := cell(row, i)
			if v == "" {
				continue
			}
			if s.equals[strings.ToLower(v)] || s.re != nil && s.re.MatchString(v) {
				return s.reason
			}
		}
	}
	return ""
}

// record is what one row says about one user.
type record struct {
	email           string
	emailCol        int
	id, first, last string
	status, ext     string
	roles           []string
	lastUsed        string
	licenses        []held
}

// held is one license a row gives its user.
type held struct {
	name     string
	status   licenseState
	rule     int8 // the license rule that gave it
	fallback bool // given for want of a name: the rule's default
}

// licenseState orders what rows say of a license: when several rows give a user the same
// license, the highest wins.
type licenseState uint8

const (
	lsFollowUser licenseState = iota // no licenseStatus: Torii follows the user's status
	lsDeleted
	lsInactive
	lsUnlessUsed // inactive unless the user has a lastUsedDate
	lsActive
)

var licenseStateOf = map[string]licenseState{"active": lsActive, "inactive": lsInactive, "deleted": lsDeleted}

// problemFunc receives a problem in a cell of the current row (col -1 means the row),
// and the rule that found it.
type problemFunc func(rule string, col int, msg string)

// row maps one row into rec; it reports what is wrong through bad and returns false when
// the row cannot make a user.
func (m *mapper) row(row []string, rec *record, bad problemFunc) bool {
	ok := true
	*rec = record{roles: rec.roles[:0], licenses: rec.licenses[:0]}
	rec.email, rec.emailCol = m.email.first(row)
	rec.email = strings.ToLower(rec.email)
	if rec.email == "" {
		col := -1
		if m.email.found() {
			col = m.email.cols[0]
		}
		bad("email", col, "no email; Torii needs one for every user (fill it in, or add a skip rule for such rows)")
		ok = false
	}
	rec.id, _ = m.id.first(row)
	rec.first, _ = m.first.first(row)
	rec.last, _ = m.last.first(row)
	if rec.first == "" && rec.last == "" {
		if full, _ := m.name.first(row); full != "" {
			rec.first, rec.last = splitName(full)
		}
	}
	if raw, col := m.status.first(row); raw != "" {
		st, err := m.status.translate(raw)
		if err != nil {
			bad("status", col, err.Error())
			ok = false
		}
		rec.status = st
		if col >= 0 {
			rec.ext = raw
		}
	} else if m.status != nil && m.status.field.Default != "" {
		rec.status = m.status.field.Default
	}
	if v, _ := m.ext.first(row); v != "" {
		rec.ext = v
	}
	m.roles.each(row, func(v string, _ int) {
		if v, err := m.roles.translate(v); err == nil && !containsFold(rec.roles, v) {
			rec.roles = append(rec.roles, v)
		}
	})
	if !m.readLastUsed(row, rec, bad) {
		ok = false
	}
	for i := range m.licenses {
		if !m.license(i, &m.licenses[i], row, rec, bad) {
			ok = false
		}
	}
	return ok
}

func (m *mapper) readLastUsed(row []string, rec *record, bad problemFunc) bool {
	b := m.lastUsed
	if b == nil {
		return true
	}
	ok := true
	read := func(v string, col int) {
		d, err := m.dates.read(v)
		if err != nil {
			bad("date", col, err.Error())
			ok = false
		}
		if d > rec.lastUsed {
			rec.lastUsed = d
		}
	}
	if b.field.Pick == "latest" {
		for _, i := range b.cols {
			if v := cell(row, i); v != "" {
				read(v, i)
			}
		}
	} else if v, col := b.first(row); v != "" {
		read(v, col)
	}
	if rec.lastUsed == "" && b.field.Default != "" {
		read(b.field.Default, -1)
	}
	return ok
}

func (m *mapper) license(rule int, l *licenseBinding, row []string, rec *record, bad problemFunc) bool {
	ok := true
	state := lsFollowUser
	if raw, col := l.status.first(row); raw != "" {
		st, err := l.status.translate(raw)
		if err != nil {
			bad("license-status", col, err.Error())
			ok = false
		}
		state = licenseStateOf[st]
	} else if l.status != nil && l.status.field.Default != "" {
		state = licenseStateOf[l.status.field.Default]
	}
	if l.unlessUsed && state == lsFollowUser {
		state = lsUnlessUsed
	}
	give := func(name string, fallback bool) {
		name, _ = l.name.translate(name)
		for i, h := range rec.licenses {
			if strings.EqualFold(h.name, name) {
				rec.licenses[i].status = max(h.status, state)
				return
			}
		}
		rec.licenses = append(rec.licenses, held{name: name, status: state, rule: int8(rule), fallback: fallback})
	}
	n := len(rec.licenses)
	l.name.each(row, func(v string, _ int) { give(v, false) })
	if len(rec.licenses) == n && l.name.field.Default != "" {
		give(l.name.field.Default, true)
	}
	return ok
}

func containsFold(list []string, v string) bool {
	for _, s := range list {
		if strings.EqualFold(s, v) {
			return true
		}
	}
	return false
}
