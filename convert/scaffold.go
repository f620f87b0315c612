package convert

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/torii-convert/torii-convert/internal/text"
)

// Limits of what templates init reads of an export.
const (
	scaffoldRows   = 100000 // rows sampled for the values of status and seat columns
	scaffoldValues = 30     // distinct values listed a column
)

// Scaffold writes a starting template for an export: each column matched to the Torii
// field it most likely feeds, the columns it could not place listed in "$comment", and
// for status and seat columns the distinct values found, each with a proposed mapping.
// opts.Template is ignored.
func Scaffold(ctx context.Context, input string, opts Options) ([]byte, error) {
	opts.Template = nil
	c, err := newConversion(input, opts)
	if err != nil {
		return nil, err
	}
	defer c.src.Close()
	header, err := c.header()
	if err != nil {
		return nil, err
	}
	plan := planColumns(header)
	smp := &sample{values: map[int]*valueCount{}, dates: newDateReader(Dates{}, "")}
	for _, cols := range [][]int{plan.cols["status"], plan.cols["license"]} {
		for _, col := range cols {
			smp.values[col] = &valueCount{n: map[string]int{}}
		}
	}
	c.workbookDates(smp.dates)
	if err := smp.read(ctx, c, plan.cols["lastUsedDate"]); err != nil {
		return nil, err
	}
	t := plan.template(input, smp.values)
	smp.dateOrder(t)
	return encodeTemplate(t)
}

// sample is what templates init learns from the rows: the values of the status and
// seat columns, and what the dates say of their order.
type sample struct {
	values    map[int]*valueCount
	dates     *dateReader
	proof     [2]string // a day-first date, a month-first one
	ambiguous string
	rows      int
}

// read reads up to scaffoldRows rows.
func (smp *sample) read(ctx context.Context, c *conversion, dateCols []int) error {
	for smp.rows < scaffoldRows {
		if smp.rows%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		r, err := c.nextRow()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		smp.rows++
		for col, vc := range smp.values {
			vc.add(cell(r.Cells, col))
		}
		for _, col := range dateCols {
			v := cell(r.Cells, col)
			if _, err := smp.dates.read(v); err == nil {
				switch smp.dates.seen {
				case DayFirst:
					smp.proof[0] = cmp(smp.proof[0], v)
				case MonthFirst:
					smp.proof[1] = cmp(smp.proof[1], v)
				case Ambiguous:
					smp.ambiguous = cmp(smp.ambiguous, v)
				}
			}
		}
	}
	return nil
}

// dateOrder proposes the order of all-number dates, and says how much was read.
func (smp *sample) dateOrder(t *Template) {
	switch {
	case smp.proof[0] != "" && smp.proof[1] != "":
		t.Comment = append(t.Comment, fmt.Sprintf("dates disagree: %s is day-first, %s month-first; set dates.order to the one most rows use", text.Quote(smp.proof[0]), text.Quote(smp.proof[1])))
	case smp.proof[0] != "":
		t.Dates.Order = DayFirst
	case smp.proof[1] != "":
		t.Dates.Order = MonthFirst
	case smp.ambiguous != "":
		t.Comment = append(t.Comment, fmt.Sprintf("dates such as %s could be day-first or month-first: set dates.order", text.Quote(smp.ambiguous)))
	}
	if smp.rows == scaffoldRows {
		t.Comment = append(t.Comment, fmt.Sprintf("values sampled from the first %d rows", scaffoldRows))
	}
}

// encodeTemplate writes a template as the built-ins are written, and checks it.
func encodeTemplate(t *Template) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(t); err != nil {
		return nil, err
	}
	out := stringList.ReplaceAllFunc(b.Bytes(), func(m []byte) []byte {
		items := stringItem.FindAll(m, -1)
		one := append(append([]byte("["), bytes.Join(items, []byte(", "))...), ']')
		if len(one) > 100 {
			return m
		}
		return one
	})
	if msgs := append(checkTemplateSchema(out), t.check()...); len(msgs) > 0 {
		return nil, fmt.Errorf("templates init made an invalid template (a bug): %s", strings.Join(msgs, "; "))
	}
	return out, nil
}

// stringList is a JSON array of strings as the encoder indents it, one a line; the
// template is easier to read with each on one line, as the built-ins are written.
var (
	stringList = regexp.MustCompile(`\[\s*"(?:[^"\\]|\\.)*"(?:,\s*"(?:[^"\\]|\\.)*")*\s*\]`)
	stringItem = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
)

// cmp keeps the first value seen.
func cmp(kept, v string) string {
	if kept != "" {
		return kept
	}
	return v
}

type valueCount struct {
	order []string
	n     map[string]int
	more  int
}

func (vc *valueCount) add(v string) {
	if v == "" {
		return
	}
	key := strings.ToLower(v)
	if _, ok := vc.n[key]; !ok {
		if len(vc.order) == scaffoldValues {
			vc.more++
			return
		}
		vc.order = append(vc.order, v)
	}
	vc.n[key]++
}

// columnPlan is which columns of a header feed which field.
type columnPlan struct {
	header []string
	cols   map[string][]int // field label to columns, in the header's order
	label  []string         // each column's field, "" for none
}

// The fields templates init places columns in, in the order they are written.
var scaffoldFields = []string{"email", "id", "name", "firstName", "lastName", "status", "roles", "lastUsedDate", "license"}

// fieldWords guess the field of a header no built-in knows.
var fieldWords = []struct {
	label string
	re    *regexp.Regexp
}{
	{"email", regexp.MustCompile(`(?i)e-?mail|courriel|correo`)},
	{"lastUsedDate", regexp.MustCompile(`(?i)last.*(log\s*in|sign|seen|activ|used|access|authenticat)`)},
	{"license", regexp.MustCompile(`(?i)seat|licen[cs]|plan|sku|subscription|product`)},
	{"status", regexp.MustCompile(`(?i)status|state|statut|estado`)},
	{"firstName", regexp.MustCompile(`(?i)first\s*name|given|vorname|prénom|voornaam`)},
	{"lastName", regexp.MustCompile(`(?i)last\s*name|surname|family|nachname|apellido|achternaam`)},
	{"roles", regexp.MustCompile(`(?i)role|title|department|position|job|poste|puesto|functie|abteilung`)},
	{"name", regexp.MustCompile(`(?i)name|nom|naam|nombre|user$`)},
	{"id", regexp.MustCompile(`(?i)(^|[^a-z])id$|^id|number|#`)},
}

// aliasIndex maps the header names the built-ins read to the field they feed.
var aliasIndex = func() func() map[string]string {
	var idx map[string]string
	return func() map[string]string {
		if idx != nil {
			return idx
		}
		idx = map[string]string{}
		all, _ := builtins()
		for _, t := range all {
			t.eachField(func(at string, f *Field) {
				label := strings.TrimPrefix(at, "/user/")
				if strings.HasPrefix(at, "/licenses/") {
					if !strings.HasSuffix(at, "/name") {
						return
					}
					label = "license"
				}
				for _, a := range f.From {
					name, _ := splitNth(a)
					if idx[headerKey(name)] == "" {
						idx[headerKey(name)] = label
					}
				}
			})
		}
		// What a built-in ignores on purpose (Microsoft's StateOrProvince, Google's
		// Recovery Phone) feeds nothing, whatever its words: "" unless a built-in reads it.
		for _, t := range all {
			for _, h := range t.Ignore {
				if _, ok := idx[headerKey(h)]; !ok {
					idx[headerKey(h)] = ""
				}
			}
		}
		return idx
	}
}()

func planColumns(header []string) *columnPlan {
	p := &columnPlan{header: header, cols: map[string][]int{}, label: make([]string, len(header))}
	idx := aliasIndex()
	for i, h := range header {
		if strings.TrimSpace(h) == "" {
			continue
		}
		label, known := idx[headerKey(h)]
		if !known {
			for _, w := range fieldWords {
				if w.re.MatchString(h) {
					label = w.label
					break
				}
			}
		}
		if label == "email" && !fieldWords[0].re.MatchString(h) && len(p.cols["email"]) > 0 {
			label = "" // Username, Login: an email only when nothing says mail
		}
		p.label[i] = label
		if label != "" {
			p.cols[label] = append(p.cols[label], i)
		}
	}
	// Within a field, the columns a built-in reads for it come first (Microsoft's Block
	// credential before StateOrProvince), then those whose header says so: Email before
	// Username, License Type before User Type.
	rank := func(w *regexp.Regexp, col int) int {
		r := 0
		if idx[headerKey(header[col])] == "" {
			r += 2
		}
		if !w.MatchString(header[col]) {
			r++
		}
		return r
	}
	for _, w := range fieldWords {
		if w.label == "roles" || w.label == "lastUsedDate" {
			continue
		}
		cols := p.cols[w.label]
		sort.SliceStable(cols, func(a, b int) bool { return rank(w.re, cols[a]) < rank(w.re, cols[b]) })
	}
	return p
}

// userStatusWords are what the built-ins map user statuses from, and a few more.
func userStatusWords() map[string]string {
	words := map[string]string{"enabled": "active", "true": "active", "disabled": "deleted", "blocked": "deleted", "false": "deleted",
		"member": "active", "admin": "active", "owner": "active", "primary owner": "active", "guest": "active"}
	all, _ := builtins()
	for _, t := range all {
		if t.User.Status == nil || t.Name == "m365" { // m365's true means blocked
			continue
		}
		for k, v := range t.User.Status.Map {
			if k != "*" {
				words[k] = v
			}
		}
	}
	return words
}

func (p *columnPlan) template(input string, sampled map[int]*valueCount) *Template {
	base := strings.TrimSuffix(filepath.Base(input), filepath.Ext(input))
	if input == "-" {
		base = "stdin"
	}
	t := &Template{
		Schema:      "https://raw.githubusercontent.com/torii-convert/torii-convert/main/templates/template.schema.json",
		Name:        templateName(base),
		Description: "made by torii-convert templates init from " + filepath.Base(input) + "; check every field before use",
		User:        UserFields{},
	}
	for _, label := range scaffoldFields {
		if cols := p.cols[label]; len(cols) > 0 {
			p.place(t, label, cols, sampled[cols[0]])
		}
	}
	p.unplaced(t)
	return t
}

// place makes the field of a label read its first column (all of them for roles and
// the last use), and says in the comment which others it could read; sample is the
// first column's values.
func (p *columnPlan) place(t *Template, label string, cols []int, sample *valueCount) {
	f := &Field{From: p.names(cols[:1])}
	switch label {
	case "email", "id", "name", "firstName", "lastName":
		p.also(t, label, cols)
		*map[string]**Field{"email": &t.User.Email, "id": &t.User.ID, "name": &t.User.Name,
			"firstName": &t.User.FirstName, "lastName": &t.User.LastName}[label] = f
	case "status":
		p.also(t, label, cols)
		t.User.Status = f
		t.Comment = append(t.Comment, proposeStatuses(f, sample, p.header[cols[0]])...)
	case "roles":
		f.From = p.names(cols)
		if len(cols) > 1 {
			f.Pick = "all"
		}
		t.User.Roles = f
	case "lastUsedDate":
		f.From = p.names(cols)
		if len(cols) > 1 {
			f.Pick = "latest"
		}
		t.User.LastUsedDate = f
	case "license":
		p.also(t, "the license", cols)
		if len(sample.order) > 0 {
			f.Map = map[string]string{}
			for _, v := range sample.order {
				f.Map[v] = v
			}
		}
		if sample.more > 0 {
			t.Comment = append(t.Comment, fmt.Sprintf("license: %d more values than listed", sample.more))
		}
		t.Licenses = []LicenseRule{{Name: f}}
	}
}

// names are the columns' headers, their spaces collapsed.
func (p *columnPlan) names(cols []int) []string {
	var out []string
	for _, c := range cols {
		out = append(out, strings.Join(strings.Fields(p.header[c]), " "))
	}
	return out
}

// also says in the template's comment which other columns a field could read.
func (p *columnPlan) also(t *Template, label string, cols []int) {
	if len(cols) > 1 {
		t.Comment = append(t.Comment, fmt.Sprintf("%s could also read %s", label, aliasList(p.names(cols[1:]))))
	}
}

// unplaced lists the columns placed in no field: those that look like data in the
// comment, the others under ignore. A template without an email gets a placeholder.
func (p *columnPlan) unplaced(t *Template) {
	if t.User.Email == nil {
		t.User.Email = &Field{From: []string{"Email"}}
		t.Comment = append(t.Comment, "no column looks like an email: put the header of the users' emails in user.email.from")
	}
	var unplaced []string
	for i, h := range p.header {
		h = strings.Join(strings.Fields(h), " ")
		if h == "" || p.label[i] != "" {
			continue
		}
		if looksLikeData(h) && !ignoredByBuiltin(h) {
			unplaced = append(unplaced, h)
		} else {
			t.Ignore = append(t.Ignore, h)
		}
	}
	if len(unplaced) > 0 {
		t.Comment = append(t.Comment, fmt.Sprintf("columns that look like data but were placed nowhere: %s; add them to a field's \"from\", or to \"ignore\"", aliasList(unplaced)))
	}
}

// ignoredByBuiltin reports whether a built-in ignores a header on purpose, and none
// reads it: Google's Building ID and Floor Name are no user id or name.
func ignoredByBuiltin(h string) bool {
	label, known := aliasIndex()[headerKey(h)]
	return known && label == ""
}

// proposeStatuses maps each status value found to the status its word means, and says
// which are guesses.
func proposeStatuses(f *Field, vc *valueCount, header string) []string {
	var notes, guessed []string
	words, own := userStatusWords(), builtinStatusMap(header)
	f.Map = map[string]string{}
	for _, v := range vc.order {
		to, ok := own[strings.ToLower(v)]
		if !ok {
			to, ok = words[strings.ToLower(v)]
		}
		if !ok {
			to = "active"
			guessed = append(guessed, v)
		}
		f.Map[v] = to
	}
	if len(guessed) > 0 {
		notes = append(notes, fmt.Sprintf("status: %s mapped to \"active\" for want of knowing them; say \"deleted\" where they mean gone", aliasList(guessed)))
	}
	if vc.more > 0 {
		notes = append(notes, fmt.Sprintf("status: %d more values than listed; map them, or map \"*\"", vc.more))
	}
	return notes
}

// builtinStatusMap is the status map of the built-in that reads a header as the user's
// status, keys lowercased: Microsoft's Block credential maps true to deleted, where the
// words of other columns (Enabled) map it to active.
func builtinStatusMap(header string) map[string]string {
	all, _ := builtins()
	for _, t := range all {
		if t.User.Status == nil {
			continue
		}
		for _, a := range t.User.Status.From {
			if name, _ := splitNth(a); headerKey(name) == headerKey(header) {
				m := map[string]string{}
				for k, v := range t.User.Status.Map {
					m[strings.ToLower(k)] = v
				}
				return m
			}
		}
	}
	return nil
}

var notName = regexp.MustCompile(`[^a-z0-9-]+`)

// templateName makes a template name of a file's: lower case, digits and dashes.
func templateName(base string) string {
	n := strings.Trim(notName.ReplaceAllString(strings.ToLower(base), "-"), "-")
	if n == "" {
		return "my-template"
	}
	return n
}
