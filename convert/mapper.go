package convert

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/torii-convert/torii-convert/internal/text"
)

// binding is one template field bound to the header of one export.
type binding struct {
	label    string // the field, for messages: "status", "licenses[0].name"
	field    *Field
	cols     []int   // the columns that feed it, in the template's order of preference
	constant *string // field.Value: a constant, read from no column
	mapping  map[string]string
	other    *string // the "*" entry of the map
	exclude  map[string]bool
	vocab    []string // the values a status field may end with; nil for free text
	rewrite  []rewriteRule
	lower    []byte // scratch for lower-casing values to look them up
	// same tells that translate gives back what it is given: the field has no map
	// and no vocabulary.
	same bool
	// seen holds the last values translate was given, and what it gave: a field's
	// values repeat (a constant always; a status, a seat type or a role among a few).
	// next is the one to replace, hit the last one found.
	seen      [memoSize]memo
	next, hit int
	// counted is the field's count of the rows its default stood in for, once it has one.
	counted *defaulted
}

// memo is a value translate was given, and what it gave.
type memo struct {
	in, out string
	err     error
	ok      bool
}

const memoSize = 8

type rewriteRule struct {
	re *regexp.Regexp
	to string
}

// rewritten applies the field's rewrite rules to a value.
func (b *binding) rewritten(v string) string {
	for _, r := range b.rewrite {
		if r.re.MatchString(v) {
			return strings.TrimSpace(r.re.ReplaceAllString(v, r.to))
		}
	}
	return v
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
	b := &binding{label: label, field: f, vocab: vocab, same: len(f.Map) == 0 && vocab == nil}
	if err := b.findColumns(header); err != nil {
		return nil, err
	}
	for _, r := range f.Rewrite {
		b.rewrite = append(b.rewrite, rewriteRule{regexp.MustCompile(r.Match), r.To})
	}
	if len(f.Map) > 0 {
		b.mapping = make(map[string]string, len(f.Map))
		for k, v := range f.Map {
			if k == "*" {
				v := v
				b.other = &v
				continue
			}
			b.mapping[foldValue(k)] = v
		}
	}
	if len(f.Exclude) > 0 {
		b.exclude = foldedSet(f.Exclude)
	}
	b.constant = f.Value
	return b, nil
}

// findColumns finds the field's columns, each once: those its aliases name, in their
// order, then those its pattern matches.
func (b *binding) findColumns(header []string) error {
	seen := map[int]bool{}
	keys := make([]string, len(header))
	for i, h := range header {
		keys[i] = headerKey(h)
	}
	for _, alias := range b.field.From {
		found, err := b.aliasColumns(alias, keys, header)
		if err != nil {
			return err
		}
		for _, i := range found {
			if !seen[i] {
				seen[i] = true
				b.cols = append(b.cols, i)
			}
		}
	}
	if b.field.FromMatching != "" {
		re := regexp.MustCompile(b.field.FromMatching) // checked when the template was loaded
		for i, h := range header {
			if !seen[i] && re.MatchString(strings.TrimSpace(h)) {
				seen[i] = true
				b.cols = append(b.cols, i)
			}
		}
	}
	return nil
}

// aliasColumns finds the column an alias names: "Email[2]" is the second called Email;
// plain "Email" where several are is an error, as the mapping cannot tell which to read.
func (b *binding) aliasColumns(alias string, keys, header []string) ([]int, error) {
	name, nth := splitNth(alias)
	want := headerKey(name)
	var found []int
	for i, k := range keys {
		if k == want {
			found = append(found, i)
		}
	}
	switch {
	case nth > 0 && nth <= len(found):
		return found[nth-1 : nth], nil
	case nth > 0:
		return nil, nil
	case len(found) <= 1:
		return found, nil
	}
	var where []string
	for _, i := range found {
		where = append(where, ColumnName(i+1))
	}
	which := strings.Join(where[:len(where)-1], ", ") + " and " + where[len(where)-1] + " all"
	if len(where) == 2 {
		which = where[0] + " and " + where[1] + " both"
	}
	return nil, &Error{Kind: Data, Msg: fmt.Sprintf("columns %s have the header %q, so %s cannot tell which to read", which, strings.TrimSpace(header[found[0]]), b.label),
		Hint: fmt.Sprintf("say which in the template: %q is the first of them, %q the second", name+"[1]", name+"[2]")}
}

// foldValue is a cell's value as the template's maps and lists compare it.
func foldValue(v string) string { return strings.ToLower(strings.TrimSpace(v)) }

// foldedSet is a set of the folded values.
func foldedSet(values ...[]string) map[string]bool {
	set := map[string]bool{}
	for _, vs := range values {
		for _, v := range vs {
			set[foldValue(v)] = true
		}
	}
	return set
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
		return trim(row[i])
	}
	return ""
}

// first returns the first value the field has in a row, and its column (-1 for none).
// It is small enough to be inlined: the mapper asks every row for fields that the
// template or the export lacks.
func (b *binding) first(row []string) (string, int) {
	if b == nil {
		return "", -1
	}
	return b.firstOf(row)
}

func (b *binding) firstOf(row []string) (string, int) {
	v, col := b.raw(row)
	if v != "" && b.rewrite != nil {
		v = b.rewritten(v)
	}
	return v, col
}

// raw is first, before the rewrite rules.
func (b *binding) raw(row []string) (string, int) {
	if b == nil {
		return "", -1
	}
	if b.constant != nil {
		return *b.constant, -1
	}
	for _, i := range b.cols {
		if uint(i) >= uint(len(row)) {
			continue
		}
		v := row[i]
		if v == "" {
			continue
		}
		if c, d := v[0], v[len(v)-1]; c <= ' ' || c >= 0x80 || d <= ' ' || d >= 0x80 {
			v = trim(v) // cell's, without the call its fast path costs most cells
		}
		if v != "" && !b.excluded(v) {
			return v, i
		}
	}
	return "", -1
}

// value returns the field's value in a row: the first non-empty, mapped, else its default.
func (b *binding) value(row []string) string {
	v, _ := b.first(row)
	if v != "" {
		v, _ = b.translate(v) // free text: no vocabulary to fail
	}
	if v == "" {
		v = b.field.Default
	}
	return v
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
				fn(b.rewritten(v), col)
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
			if item = trim(item); item != "" && !b.excluded(item) {
				fn(b.rewritten(item), col)
			}
		}
	}
	if b.field.Value != nil || b.field.Pick != "all" {
		if v, col := b.raw(row); v != "" {
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
	if b.same {
		return v, nil
	}
	if m := &b.seen[b.hit]; m.in == v && m.ok {
		return m.out, m.err // a constant, or a value like the last row's
	}
	for i := range b.seen {
		if m := &b.seen[i]; len(m.in) == len(v) && m.in == v && m.ok {
			b.hit = i
			return m.out, m.err
		}
	}
	out, err := b.translated(v)
	b.seen[b.next] = memo{v, out, err, true}
	b.next = (b.next + 1) % memoSize
	return out, err
}

// translated is translate, without the memory of the last value.
func (b *binding) translated(v string) (string, error) {
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
	name, status    *binding
	price, quantity *binding
	unlessUsed      bool
	perColumn       []columnLicense // a family of columns, one license each
	exclude         map[string]bool
}

// columnLicense is one column of a perColumn rule: the license it gives, and the column
// of its last use (-1 for none).
type columnLicense struct {
	name          string
	col, lastUsed int
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
	columns                                                    []*binding // Options.Columns
	absent                                                     []int      // the Columns this export has no column for
	dates                                                      *dateReader
	missing                                                    []string // optional fields this export has no column for
	evidence                                                   func(order string, col int, v string)
	used                                                       map[int]string
	defaults                                                   map[string]*defaulted
	defaultOrder                                               []string
	prices                                                     map[string]*rowPrice // license name, lower case, to the price its rows pay
}

// rowPrice is the price per user the rows give a license: the first, and the first
// that differs from it.
type rowPrice struct {
	cents, other int64
	differs      bool
}

// defaulted counts the rows a field's default stood in for.
type defaulted struct {
	value    string
	rows     int
	noColumn bool
}

// useDefault counts a default standing in for a value.
func (m *mapper) useDefault(b *binding, value string) {
	d := b.counted
	if d == nil {
		if d = m.defaults[b.label]; d == nil {
			d = &defaulted{value: value, noColumn: !b.found()}
			m.defaults[b.label] = d
			m.defaultOrder = append(m.defaultOrder, b.label)
		}
		b.counted = d
	}
	d.rows++
}

// Defaults says, a field a line, where a template's default stood in for a value:
// `status: "active" for 4 rows (no column)`.
func (m *mapper) Defaults() []string {
	var out []string
	for _, label := range m.defaultOrder {
		d := m.defaults[label]
		why := "empty cells"
		if d.noColumn {
			why = "no column"
		}
		out = append(out, fmt.Sprintf("%s %s for %s (%s)", label, text.Quote(d.value), text.Plural(d.rows, "row", "rows"), why))
	}
	return out
}

// missingColumn is a field of the template that no column of the export feeds.
type missingColumn struct {
	label   string
	aliases []string
	hint    string
}

func newMapper(t *Template, header []string, dateOrder string, columns []Field) (*mapper, error) {
	m := &mapper{header: header, dates: newDateReader(t.Dates, dateOrder), used: map[int]string{}, defaults: map[string]*defaulted{}}
	var needs columnNeeds
	u := t.User
	err := m.bindFields("", []fieldSpec{
		{&m.email, "email", u.Email, nil},
		{&m.id, "id", u.ID, nil},
		{&m.name, "name", u.Name, nil},
		{&m.first, "firstName", u.FirstName, nil},
		{&m.last, "lastName", u.LastName, nil},
		{&m.status, "status", u.Status, userStatuses},
		{&m.ext, "externalStatus", u.ExternalStatus, nil},
		{&m.roles, "roles", u.Roles, nil},
		{&m.lastUsed, "lastUsedDate", u.LastUsedDate, nil},
	}, &needs)
	if err != nil {
		return nil, err
	}
	for i, r := range t.Licenses {
		lb, err := m.bindLicense(i, r, &needs)
		if err != nil {
			return nil, err
		}
		m.licenses = append(m.licenses, lb)
	}
	m.missing = needs.optional
	for i := range columns {
		f := &columns[i]
		b, err := bind(strings.Join(f.From, ", "), f, header, nil)
		if err != nil {
			return nil, err
		}
		if f.Value == nil && !b.found() {
			m.absent = append(m.absent, i)
		}
		m.use(b) // read from workbooks, and not warned about as unused
		m.columns = append(m.columns, b)
	}
	if len(needs.required) > 0 {
		return nil, m.noColumns(t, needs.required)
	}
	if err := m.bindSkips(t.Skip); err != nil {
		return nil, err
	}
	ignored := map[string]bool{}
	for _, h := range t.Ignore {
		ignored[headerKey(h)] = true
	}
	var ignoredRe *regexp.Regexp
	if t.IgnoreMatching != "" {
		ignoredRe = regexp.MustCompile(t.IgnoreMatching) // checked when the template was read
	}
	for i, h := range header {
		if _, ok := m.used[i]; !ok && (ignored[headerKey(h)] || ignoredRe != nil && ignoredRe.MatchString(strings.Join(strings.Fields(h), " "))) {
			m.used[i] = "ignored"
		}
	}
	return m, nil
}

// columnNeeds gathers the fields that no column of the header feeds: the required ones
// fail the mapping together, the optional ones are said.
type columnNeeds struct {
	required []missingColumn
	optional []string
}

// field notes a field bound to no column, unless it has a constant value.
func (n *columnNeeds) field(b *binding) {
	if b == nil || b.field.Value != nil || b.found() {
		return
	}
	f := b.field
	aliases := append([]string(nil), f.From...)
	if f.FromMatching != "" {
		aliases = append(aliases, "/"+f.FromMatching+"/")
	}
	n.add(missingColumn{b.label, aliases, f.Hint}, f.Optional && b.label != "email")
}

// add notes a missing column, for the error if it is required, else to be said.
func (n *columnNeeds) add(c missingColumn, optional bool) {
	if optional {
		n.optional = append(n.optional, c.label)
	} else {
		n.required = append(n.required, c)
	}
}

// fieldSpec is a field of the template, its label in messages, the values it may take
// (nil: any) and where its binding goes.
type fieldSpec struct {
	dst   **binding
	label string
	f     *Field
	vocab []string
}

// bindFields binds each field to its columns, marks them as read and notes the
// fields that found none.
func (m *mapper) bindFields(prefix string, fields []fieldSpec, needs *columnNeeds) error {
	for _, f := range fields {
		b, err := bind(prefix+f.label, f.f, m.header, f.vocab)
		if err != nil {
			return err
		}
		*f.dst = b
		needs.field(b)
		m.use(b)
	}
	return nil
}

// bindLicense binds the fields of license rule i, and its family of columns.
func (m *mapper) bindLicense(i int, r LicenseRule, needs *columnNeeds) (licenseBinding, error) {
	lb := licenseBinding{unlessUsed: r.InactiveWithoutUsage}
	err := m.bindFields(fmt.Sprintf("licenses[%d].", i), []fieldSpec{
		{&lb.name, "name", r.Name, nil},
		{&lb.status, "status", r.Status, licenseStatuses},
		{&lb.price, "price", r.Price, nil},
		{&lb.quantity, "quantity", r.Quantity, nil},
	}, needs)
	if err != nil {
		return lb, err
	}
	if pc := r.PerColumn; pc != nil {
		lb.perColumn = m.bindPerColumn(pc, m.header)
		lb.exclude = foldedSet([]string{"no", "false", "none", "-", "no access", "unlicensed", "0"}, pc.Exclude)
		if len(lb.perColumn) == 0 {
			needs.add(missingColumn{fmt.Sprintf("licenses[%d].perColumn", i), []string{"/" + pc.Matches + "/"}, ""}, pc.Optional)
		}
	}
	return lb, nil
}

// bindSkips binds the rules that skip rows to their columns.
func (m *mapper) bindSkips(skips []SkipRule) error {
	for _, s := range skips {
		b, err := bind("skip "+s.Reason, &Field{From: s.From}, m.header, nil)
		if err != nil {
			return err
		}
		m.use(b)
		sb := skipBinding{reason: s.Reason, cols: b.cols, equals: foldedSet(s.Equals)}
		if s.Matches != "" {
			sb.re = regexp.MustCompile(s.Matches) // checked when the template was loaded
		}
		m.skips = append(m.skips, sb)
	}
	return nil
}

// use marks the columns of a binding as read.
func (m *mapper) use(b *binding) {
	if b == nil {
		return
	}
	for _, i := range b.cols {
		if _, ok := m.used[i]; !ok {
			m.used[i] = b.label
		}
	}
}

// readColumns tells, by column, whether the mapper reads a column's values: the
// others only count for telling blank rows, footers and rows wider than the header.
func (m *mapper) readColumns() []bool {
	want := make([]bool, len(m.header))
	for i, label := range m.used {
		if label != "ignored" && i < len(want) {
			want[i] = true
		}
	}
	return want
}

// bindPerColumn finds the columns of a family, and the column of each one's last use.
func (m *mapper) bindPerColumn(pc *PerColumn, header []string) []columnLicense {
	re := regexp.MustCompile(pc.Matches) // checked when the template was loaded
	var out []columnLicense
	for i, h := range header {
		h = strings.Join(strings.Fields(h), " ")
		if h == "" || !re.MatchString(h) {
			continue
		}
		cl := columnLicense{name: h, col: i, lastUsed: -1}
		m.used[i] = "license " + h
		if pc.LastUsed != "" {
			want := headerKey(strings.ReplaceAll(pc.LastUsed, "{}", h))
			for j, h2 := range header {
				if headerKey(h2) == want {
					cl.lastUsed = j
					if _, ok := m.used[j]; !ok {
						m.used[j] = "license " + h + " last used"
					}
				}
			}
		}
		out = append(out, cl)
	}
	return out
}

// unusedData returns the columns that look like Torii data but feed nothing.
func (m *mapper) unusedData() []int {
	var out []int
	for i, h := range m.header {
		if _, ok := m.used[i]; !ok && strings.TrimSpace(h) != "" && looksLikeData(h) {
			out = append(out, i)
		}
	}
	return out
}

func aliasList(aliases []string) string {
	q := make([]string, len(aliases))
	for i, a := range aliases {
		q[i] = fmt.Sprintf("%q", a)
		if strings.HasPrefix(a, "/") {
			q[i] = "headers matching " + a
		}
	}
	return strings.Join(q, ", ")
}

// noColumns is the error for fields of the template that no column of the export feeds.
func (m *mapper) noColumns(t *Template, missing []missingColumn) error {
	var lines, hints []string
	for _, f := range missing {
		line := fmt.Sprintf("%s: looked for %s", f.label, aliasList(f.aliases))
		var extra func(string) bool
		if f.label == "email" {
			extra = func(h string) bool { return strings.Contains(strings.ToLower(h), "mail") }
		}
		if near := closestHeaders(f.aliases, m.header, extra); len(near) > 0 {
			line += "; closest in the file: " + aliasList(near)
		} else {
			line += "; nothing in the file is close"
		}
		lines = append(lines, line)
		if f.hint != "" {
			hints = append(hints, f.hint)
		}
	}
	what := "column"
	if len(missing) > 1 {
		what = "columns"
	}
	msg := fmt.Sprintf("the export lacks the %s the template %s needs:\n  %s", what, t.File, strings.Join(lines, "\n  "))
	hints = append(hints, `add the export's header to the field's "from" in a copy of the template (torii-convert templates show `+t.Name+`), or mark the field "optional": true`)
	if missing[0].label == "email" && len(missing) == 1 {
		msg = fmt.Sprintf("no email column in the export; the template %s %s", t.File, lines[0][len("email: "):])
		hints[len(hints)-1] = "add the export's email header to user.email.from in a copy of the template (torii-convert templates show " + t.Name + ")"
	}
	return &Error{Kind: Usage, Msg: msg, Hint: strings.Join(hints, "\n")}
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
	v, _ := m.email.first(row)
	return v == "" && m.footerCells(row)
}

// footerCells is footer for a row with no email.
func (m *mapper) footerCells(row []string) bool {
	filled, words := 0, false
	for _, v := range row {
		if v = trim(v); v != "" {
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

// record is what one row says about one user. mapper.row sets every field, resetting
// those it may leave alone: keep it in step with a new field.
type record struct {
	email           string
	hash            uint64 // of the email, for the email index (people.hash)
	emailCol        int
	id, first, last string
	status, ext     string
	roles           []string
	rolesCol        int // the column the first role came from
	lastUsed        string
	licenses        []held
	columns         []string // the values of Options.Columns
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

// row maps one row into rec, given its email and the email's column (m.email.first);
// it reports what is wrong through bad and returns false when the row cannot make a user.
func (m *mapper) row(row []string, email string, emailCol int, rec *record, bad problemFunc) bool {
	ok := true
	// Field by field: the fields the code below may leave alone, and the lists kept.
	rec.status, rec.ext, rec.lastUsed = "", "", ""
	rec.roles, rec.licenses, rec.columns = rec.roles[:0], rec.licenses[:0], rec.columns[:0]
	for _, b := range m.columns {
		rec.columns = append(rec.columns, b.value(row))
	}
	rec.email, rec.emailCol = lower(email), emailCol
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
	if rec.first == "" || rec.last == "" {
		full, _ := m.name.first(row)
		rec.first, rec.last = completeName(rec.first, rec.last, full)
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
		m.useDefault(m.status, rec.status)
	}
	if v, _ := m.ext.first(row); v != "" {
		rec.ext = v
	}
	m.readRoles(row, rec)
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

// readRoles gives the record the row's roles, each once (ignoring case), and the
// column the first came from.
func (m *mapper) readRoles(row []string, rec *record) {
	m.roles.each(row, func(v string, col int) {
		// Past maxRoles the user is refused (people.add): no need to look further.
		if len(rec.roles) > maxRoles {
			return
		}
		if v, err := m.roles.translate(v); err == nil && !containsFold(rec.roles, v) {
			if len(rec.roles) == 0 {
				rec.rolesCol = col
			}
			rec.roles = append(rec.roles, v)
		}
	})
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
		if m.dates.seen != "" && m.evidence != nil {
			m.evidence(m.dates.seen, col, v)
		}
		if d > rec.lastUsed {
			rec.lastUsed = d
		}
	}
	if b.field.Pick == "latest" {
		for _, i := range b.cols {
			v := cell(row, i)
			if d, iso := isoDate(v); iso {
				// What m.dates.read gives a trimmed cell in the commonest form, where
				// the order of day and month is not in question.
				m.dates.seen = ""
				rec.lastUsed = max(rec.lastUsed, d)
			} else if v != "" {
				read(v, i)
			}
		}
	} else if v, col := b.first(row); v != "" {
		read(v, col)
	}
	if rec.lastUsed == "" && b.field.Default != "" {
		m.useDefault(b, b.field.Default)
		read(b.field.Default, -1)
	}
	return ok
}

// license gives a row's licenses of one rule: those its name columns name (or the
// default), and those of its family of columns that hold a value; then their prices.
func (m *mapper) license(rule int, l *licenseBinding, row []string, rec *record, bad problemFunc) bool {
	state, ok := m.licenseState(l, row, bad)
	start := len(rec.licenses)
	if l.name != nil {
		give := func(name string, fallback bool) {
			if name, _ = l.name.translate(name); name != "" {
				rec.give(held{name: name, status: state, rule: int8(rule), fallback: fallback})
			}
		}
		l.name.each(row, func(v string, _ int) { give(v, false) })
		if len(rec.licenses) == start && l.name.field.Default != "" {
			m.useDefault(l.name, l.name.field.Default)
			give(l.name.field.Default, true)
		}
	}
	for _, pc := range l.perColumn {
		v := cell(row, pc.col)
		if v == "" || l.exclude[strings.ToLower(v)] {
			continue
		}
		st := state
		// A deleted user's license follows the user (Atlassian bills no suspended user),
		// whatever its last use.
		if pc.lastUsed >= 0 && st == lsFollowUser && rec.status != "deleted" {
			st = lsActive
			if d, err := m.dates.read(cell(row, pc.lastUsed)); err != nil || d == "" {
				st = lsInactive // an unreadable date is reported with lastUsedDate
			}
		}
		rec.licenses = append(rec.licenses, held{name: pc.name, status: st, rule: int8(rule)})
	}
	if l.price != nil && len(rec.licenses) > start && !m.rowPrices(l, row, rec.licenses[start:], bad) {
		ok = false
	}
	return ok
}

// licenseState is the status a row gives the licenses of a rule: its status column,
// else the rule's default, else the user's.
func (m *mapper) licenseState(l *licenseBinding, row []string, bad problemFunc) (state licenseState, ok bool) {
	state, ok = lsFollowUser, true
	if raw, col := l.status.first(row); raw != "" {
		st, err := l.status.translate(raw)
		if err != nil {
			bad("license-status", col, err.Error())
			ok = false
		}
		state = licenseStateOf[st]
	} else if l.status != nil && l.status.field.Default != "" {
		state = licenseStateOf[l.status.field.Default]
		m.useDefault(l.status, l.status.field.Default)
	}
	if l.unlessUsed && state == lsFollowUser {
		state = lsUnlessUsed
	}
	return state, ok
}

// give adds a license to the record; where it holds one of that name already (in any
// case), that one keeps the stronger of the two statuses.
func (rec *record) give(h held) {
	for i, had := range rec.licenses {
		if strings.EqualFold(had.name, h.name) {
			rec.licenses[i].status = max(had.status, h.status)
			return
		}
	}
	rec.licenses = append(rec.licenses, h)
}

func containsFold(list []string, v string) bool {
	for _, s := range list {
		if strings.EqualFold(s, v) {
			return true
		}
	}
	return false
}

// rowPrices notes the price per user a row pays for the licenses it gives: its price,
// divided by its quantity.
func (m *mapper) rowPrices(l *licenseBinding, row []string, given []held, bad problemFunc) bool {
	raw, col := l.price.first(row)
	if raw == "" {
		return true
	}
	cents, err := ParsePrice(raw)
	if err != nil {
		bad("price", col, err.Error())
		return false
	}
	qty := int64(1)
	if q, qcol := l.quantity.first(row); q != "" {
		n, err := strconv.Atoi(strings.ReplaceAll(q, ",", ""))
		if err != nil || n < 0 {
			bad("price", qcol, fmt.Sprintf("%s is not a quantity: want a whole number", text.Quote(q)))
			return false
		}
		qty = int64(max(n, 1))
	}
	if cents == 0 {
		return true // a trial or a free plan says nothing of the license's price
	}
	per := (cents + qty/2) / qty
	if m.prices == nil {
		m.prices = map[string]*rowPrice{}
	}
	for _, h := range given {
		key := strings.ToLower(h.name)
		switch p := m.prices[key]; {
		case p == nil:
			m.prices[strings.Clone(key)] = &rowPrice{cents: per} // not the row's text, which it would keep
		case p.cents != per && !p.differs:
			p.other, p.differs = per, true
		}
	}
	return true
}
