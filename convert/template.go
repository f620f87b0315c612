package convert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/torii-convert/torii-convert/convert/source"
	"github.com/torii-convert/torii-convert/internal/text"
	"github.com/torii-convert/torii-convert/templates"
)

// Template says how the columns of an export become users and licenses. Templates are
// data: the built-in ones and a user's own file go through the same parser.
type Template struct {
	Schema      string                  `json:"$schema,omitempty"`
	Comment     []string                `json:"$comment,omitempty"`
	Name        string                  `json:"name"`
	Title       string                  `json:"title,omitempty"`
	Description string                  `json:"description,omitempty"`
	Source      string                  `json:"source,omitempty"`
	Dates       Dates                   `json:"dates,omitzero"`
	User        UserFields              `json:"user"`
	Licenses    []LicenseRule           `json:"licenses,omitempty"`
	Catalog     map[string]CatalogEntry `json:"catalog,omitempty"`
	Skip        []SkipRule              `json:"skip,omitempty"`
	// Ignore names the columns the source is known to have that feed nothing on purpose:
	// they count as known when the template is detected, and are never warned about.
	Ignore []string `json:"ignore,omitempty"`
	// IgnoreMatching ignores so the columns whose header matches a regular expression:
	// Stripe's "<key> (metadata)", one a metadata key.
	IgnoreMatching string `json:"ignoreMatching,omitempty"`
	// IPEX says what `ipex sync` sends to Helpdesk IPEX besides the first and last name.
	IPEX *IPEXMapping `json:"ipex,omitempty"`

	// File is where the template was read from: a built-in's name or a path.
	File string `json:"-"`
}

// Field says where one value comes from and how it is cleaned.
type Field struct {
	From []string `json:"from,omitempty"`
	// FromMatching adds the columns whose header matches this regular expression.
	FromMatching string            `json:"fromMatching,omitempty"`
	Value        *string           `json:"value,omitempty"`
	Pick         string            `json:"pick,omitempty"`
	Split        string            `json:"split,omitempty"`
	Rewrite      []Rewrite         `json:"rewrite,omitempty"`
	Map          map[string]string `json:"map,omitempty"`
	Default      string            `json:"default,omitempty"`
	Exclude      []string          `json:"exclude,omitempty"`
	// Optional fields may have no column in an export; other fields without one are an error.
	Optional bool `json:"optional,omitempty"`
	// Hint is said when the field has no column: what the user must supply.
	Hint string `json:"hint,omitempty"`
}

// Rewrite replaces a value matching a regular expression, as Go's
// regexp.ReplaceAllString does: "$1@$2".
type Rewrite struct {
	Match string `json:"match"`
	To    string `json:"to"`
}

// UserFields maps the user's fields. Name is a full name, split into first and last name
// when those have no column of their own.
type UserFields struct {
	Email          *Field `json:"email"`
	ID             *Field `json:"id,omitempty"`
	Name           *Field `json:"name,omitempty"`
	FirstName      *Field `json:"firstName,omitempty"`
	LastName       *Field `json:"lastName,omitempty"`
	Status         *Field `json:"status,omitempty"`
	ExternalStatus *Field `json:"externalStatus,omitempty"`
	Roles          *Field `json:"roles,omitempty"`
	LastUsedDate   *Field `json:"lastUsedDate,omitempty"`
}

// Dates says how to read dates.
type Dates struct {
	Order   string   `json:"order,omitempty"` // month-first or day-first
	Layouts []string `json:"layouts,omitempty"`
	Never   []string `json:"never,omitempty"`
}

// LicenseRule gives rows licenses.
type LicenseRule struct {
	Name                 *Field     `json:"name,omitempty"`
	PerColumn            *PerColumn `json:"perColumn,omitempty"`
	Status               *Field     `json:"status,omitempty"`
	InactiveWithoutUsage bool       `json:"inactiveWithoutUsage,omitempty"`
	// Price reads the price the row pays for its licenses, divided by Quantity when
	// given: Stripe's Amount and Quantity. The catalog and --prices come first.
	Price    *Field `json:"price,omitempty"`
	Quantity *Field `json:"quantity,omitempty"`
}

// PerColumn gives one license per column of a family (Atlassian's "Jira - acme"), named
// by the column's header, to the rows whose cell in it is filled (and not excluded).
type PerColumn struct {
	Matches string   `json:"matches"`
	Exclude []string `json:"exclude,omitempty"`
	// LastUsed names the column holding the license's last use, "{}" standing for the
	// license's header: "Last seen in {}". The license is inactive when it has no date.
	LastUsed string `json:"lastUsed,omitempty"`
	Optional bool   `json:"optional,omitempty"`
}

// CatalogEntry is what the template knows of one license: its price and seats bought.
type CatalogEntry struct {
	Price     string `json:"price,omitempty"`
	Purchased *int64 `json:"purchased,omitempty"`

	name string // the license name as first written
	from string // where the entry was written: "the template's catalog", "prices.csv:3"
}

// SkipRule leaves out rows whose cell in one of the columns equals or matches a value.
type SkipRule struct {
	Reason  string   `json:"reason"`
	From    []string `json:"from"`
	Equals  []string `json:"equals,omitempty"`
	Matches string   `json:"matches,omitempty"`
}

// IPEXMapping says which values `ipex sync` sends to Helpdesk IPEX, by the path of the
// requestor's field (a JSON pointer such as /Phone).
type IPEXMapping struct {
	Fields map[string]IPEXField `json:"fields"`
}

// IPEXField is one value sent to Helpdesk IPEX: a field of the user as the file holds
// it (Model: "firstName", "roles", ...), or a value read from the export's columns.
type IPEXField struct {
	Model  string
	Column *Field
}

// ModelFields are the fields of a user that an IPEXField may name.
var ModelFields = []string{"id", "email", "firstName", "lastName", "status", "externalStatus", "roles", "lastUsedDate"}

// UnmarshalJSON reads a model field's name, or a field over columns.
func (f *IPEXField) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &f.Model)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(&f.Column)
}

// MarshalJSON writes the field as a template holds it.
func (f IPEXField) MarshalJSON() ([]byte, error) {
	if f.Column != nil {
		return json.Marshal(f.Column)
	}
	return json.Marshal(f.Model)
}

// The vocabularies of the fields whose values Torii restricts.
var (
	userStatuses    = []string{"active", "deleted"}
	licenseStatuses = []string{"active", "inactive", "deleted"}
)

// Builtins returns the names of the built-in templates, sorted.
func Builtins() []string {
	entries, _ := fs.ReadDir(templates.FS, ".")
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".json"); ok && e.Name() != templates.SchemaFile {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// BuiltinSource returns the text of a built-in template, as shipped.
func BuiltinSource(name string) ([]byte, error) {
	b, err := fs.ReadFile(templates.FS, name+".json")
	if err != nil || name == strings.TrimSuffix(templates.SchemaFile, ".json") {
		return nil, unknownTemplate(name)
	}
	return b, nil
}

// FindTemplate resolves a --template argument: a built-in's name, or the path of a
// template file (anything with a path separator or a .json suffix).
func FindTemplate(arg string) (*Template, error) {
	if strings.ContainsAny(arg, `/\`) || strings.HasSuffix(arg, ".json") {
		if st, err := os.Stat(arg); err == nil && st.IsDir() {
			return nil, &Error{Kind: Usage, Option: "Template", Msg: fmt.Sprintf("template %s is a directory, not a template file", arg),
				Hint: fmt.Sprintf("give the path of a template file in it, such as %s", filepath.Join(arg, "my-template.json"))}
		}
		dir, file := filepath.Split(arg)
		if dir == "" {
			dir = "."
		}
		if file == "" {
			return nil, &Error{Kind: Usage, Option: "Template", Msg: fmt.Sprintf("template %s names a directory, not a template file", arg),
				Hint: fmt.Sprintf("give the path of a template file, such as %s", filepath.Join(arg, "my-template.json"))}
		}
		t, err := LoadTemplate(os.DirFS(dir), file)
		if t != nil {
			t.File = arg
		}
		var known *Error
		switch {
		case err == nil, errors.As(err, &known):
			return t, err
		case errors.Is(err, fs.ErrNotExist):
			return nil, &Error{Kind: Usage, Option: "Template", Msg: fmt.Sprintf("template %s does not exist", arg)}
		}
		return nil, source.ReadError("template "+arg, err)
	}
	if _, err := BuiltinSource(arg); err != nil {
		return nil, err
	}
	return LoadTemplate(templates.FS, arg+".json")
}

func unknownTemplate(name string) error {
	e := &Error{Kind: Usage, Msg: fmt.Sprintf("unknown template %q", name),
		Hint: "built-in templates: " + strings.Join(Builtins(), ", ") + "; or give the path of a template file"}
	if best := text.Nearest(name, Builtins()); best != "" {
		e.Hint = fmt.Sprintf("did you mean %q? %s", best, e.Hint)
	}
	return e
}

// LoadTemplate reads and checks one template file from fsys.
func LoadTemplate(fsys fs.FS, file string) (*Template, error) {
	src, err := readSmall(fsys, file)
	if err != nil {
		return nil, err
	}
	name := file
	fail := func(msg string) error {
		return &Error{Kind: Usage, Msg: fmt.Sprintf("template %s: %s", name, msg),
			Hint: "see `torii-convert templates show figma` for a working example"}
	}
	var doc any
	if err := json.Unmarshal(src, &doc); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := text.LineCol(src, se.Offset)
			return nil, fail(fmt.Sprintf("%d:%d: invalid JSON: %v", line, col, se))
		}
		return nil, fail("invalid JSON: " + err.Error())
	}
	if msgs := checkTemplateSchema(src); len(msgs) > 0 {
		return nil, fail(strings.Join(msgs, "\n  "))
	}
	t := new(Template)
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.DisallowUnknownFields()
	if err := dec.Decode(t); err != nil {
		return nil, fail(err.Error())
	}
	t.File = strings.TrimSuffix(file, ".json")
	if msgs := t.check(); len(msgs) > 0 {
		return nil, fail(strings.Join(msgs, "\n  "))
	}
	return t, nil
}

// readSmall reads a template file, up to MaxSmallFile.
func readSmall(fsys fs.FS, file string) ([]byte, error) {
	f, err := fsys.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(source.AtMost(f, MaxSmallFile, source.TooLarge(Usage, "template "+file, MaxSmallFile)))
}

var templateSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	src, err := fs.ReadFile(templates.FS, templates.SchemaFile)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	if err := c.AddResource(templates.SchemaFile, bytes.NewReader(src)); err != nil {
		return nil, err
	}
	return c.Compile(templates.SchemaFile)
})

var licenseRuleAt = regexp.MustCompile(`^/licenses/\d+$`)

// checkTemplateSchema validates a template against template.schema.json and returns one
// line per problem: the key, then what is wrong with it.
func checkTemplateSchema(src []byte) []string {
	s, err := templateSchema()
	if err != nil {
		panic("templates/template.schema.json: " + err.Error()) // embedded; the tests compile it
	}
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber() // the validator wants numbers as json.Number
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return []string{err.Error()}
	}
	var ve *jsonschema.ValidationError
	if err := s.Validate(doc); !errors.As(err, &ve) {
		return nil
	}
	seen := map[string]bool{}
	var msgs []string
	for _, e := range ve.BasicOutput().Errors {
		kw := e.KeywordLocation
		if e.Error == "" || strings.HasPrefix(e.Error, "doesn't validate with") || strings.HasPrefix(e.Error, "if-") ||
			strings.Contains(kw, "/oneOf/") || strings.Contains(kw, "/anyOf/") {
			continue
		}
		msg := e.Error
		switch {
		case strings.HasSuffix(kw, "/oneOf") && licenseRuleAt.MatchString(e.InstanceLocation):
			msg = `give either "name" (the license's name) or "perColumn" (a family of columns), not both`
		case strings.HasSuffix(kw, "/oneOf"):
			msg = `give either "from" (the columns to read) or "value" (a constant), not both`
		case strings.HasSuffix(kw, "/anyOf"):
			msg = `give "equals" or "matches" to say which rows to skip`
		case strings.HasPrefix(msg, "additionalProperties"):
			msg = "unknown key " + strings.TrimSuffix(strings.TrimPrefix(msg, "additionalProperties "), " not allowed")
		case strings.HasSuffix(kw, "/purchased/maximum"):
			_, found, _ := strings.Cut(msg, " but found ")
			msg = fmt.Sprintf("%s is more seats than allowed; purchased is a whole number from 0 to 9007199254740991 (2^53-1)", found)
		case strings.HasPrefix(msg, "missing properties: "):
			msg = "missing " + strings.TrimPrefix(msg, "missing properties: ")
		}
		at := e.InstanceLocation
		if at == "" {
			at = "(top level)"
		}
		line := at + ": " + msg
		if !seen[line] {
			seen[line] = true
			msgs = append(msgs, line)
		}
	}
	sort.Strings(msgs)
	return msgs
}

// check finds what the schema cannot: values outside Torii's vocabularies, regular
// expressions that do not compile, layouts without a date, prices that are not prices.
func (t *Template) check() []string {
	var p templateProblems
	p.vocab("/user/status", t.User.Status, userStatuses)
	for i, r := range t.Licenses {
		p.vocab(fmt.Sprintf("/licenses/%d/status", i), r.Status, licenseStatuses)
	}
	t.checkPicks(&p)
	t.checkPatterns(&p)
	t.checkIPEX(&p)
	for i, l := range t.Dates.Layouts {
		if !layoutHasDate(l) {
			p.add(fmt.Sprintf("/dates/layouts/%d", i), "%q has no year, month and day; write it with Go's reference date, 2006-01-02", l)
		}
	}
	for name, c := range t.Catalog {
		if c.Price != "" {
			if _, err := ParsePrice(c.Price); err != nil {
				p.add("/catalog/"+name+"/price", "%v", err)
			}
		}
	}
	sort.Strings(p)
	return p
}

// templateProblems are check's findings, each after the JSON pointer of its place.
type templateProblems []string

func (p *templateProblems) add(at, format string, args ...any) {
	*p = append(*p, at+": "+fmt.Sprintf(format, args...))
}

// vocab finds the values a field can give (its value, default and map) that are not
// among the allowed ones.
func (p *templateProblems) vocab(at string, f *Field, allowed []string) {
	if f == nil {
		return
	}
	check := func(at, v string) {
		if !slices.Contains(allowed, v) {
			p.add(at, "%q is not one of %s", v, strings.Join(allowed, ", "))
		}
	}
	if f.Value != nil {
		check(at+"/value", *f.Value)
	}
	if f.Default != "" {
		check(at+"/default", f.Default)
	}
	for k, v := range f.Map {
		check(at+"/map/"+k, v)
	}
}

// pattern finds a regular expression that does not compile.
func (p *templateProblems) pattern(at, expr string) {
	if _, err := regexp.Compile(expr); err != nil {
		p.add(at, "%v", err)
	}
}

// checkPicks finds the ways of picking values that a field cannot hold: the latest
// date of what is not a date, several values where one is kept.
func (t *Template) checkPicks(p *templateProblems) {
	fields := map[string]*Field{
		"email": t.User.Email, "id": t.User.ID, "name": t.User.Name, "firstName": t.User.FirstName,
		"lastName": t.User.LastName, "status": t.User.Status, "externalStatus": t.User.ExternalStatus,
		"roles": t.User.Roles, "lastUsedDate": t.User.LastUsedDate,
	}
	for name, f := range fields {
		if f == nil {
			continue
		}
		if f.Pick == "latest" && name != "lastUsedDate" {
			p.add("/user/"+name+"/pick", `"latest" picks the latest date; only lastUsedDate holds dates`)
		}
		if (f.Pick == "all" || f.Split != "") && name != "roles" {
			p.add("/user/"+name, `only roles and license names hold several values; "pick": "all" and "split" do not apply`)
		}
	}
	for i, r := range t.Licenses {
		if r.Name != nil && r.Name.Pick == "latest" {
			p.add(fmt.Sprintf("/licenses/%d/name/pick", i), `"latest" picks the latest date; license names are not dates`)
		}
	}
}

// checkIPEX finds what the ipex section's columns cannot do: a value sent to the
// helpdesk is one text, read with patterns that compile.
func (t *Template) checkIPEX(p *templateProblems) {
	if t.IPEX == nil {
		return
	}
	for path, f := range t.IPEX.Fields {
		c := f.Column
		if c == nil {
			continue
		}
		at := "/ipex/fields/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(path)
		if c.Pick == "all" || c.Pick == "latest" || c.Split != "" {
			p.add(at, `a value sent to the helpdesk is one text: "pick" is "first" and there is no "split"`)
		}
		if c.FromMatching != "" {
			p.pattern(at+"/fromMatching", c.FromMatching)
		}
		for k, r := range c.Rewrite {
			p.pattern(fmt.Sprintf("%s/rewrite/%d/match", at, k), r.Match)
		}
	}
}

// checkPatterns finds the template's regular expressions that do not compile.
func (t *Template) checkPatterns(p *templateProblems) {
	for i, r := range t.Licenses {
		if r.PerColumn != nil {
			p.pattern(fmt.Sprintf("/licenses/%d/perColumn/matches", i), r.PerColumn.Matches)
		}
	}
	t.eachField(func(at string, f *Field) {
		if f.FromMatching != "" {
			p.pattern(at+"/fromMatching", f.FromMatching)
		}
		for k, r := range f.Rewrite {
			p.pattern(fmt.Sprintf("%s/rewrite/%d/match", at, k), r.Match)
		}
	})
	for i, s := range t.Skip {
		if s.Matches != "" {
			p.pattern(fmt.Sprintf("/skip/%d/matches", i), s.Matches)
		}
	}
	if t.IgnoreMatching != "" {
		p.pattern("/ignoreMatching", t.IgnoreMatching)
	}
}

// eachField calls fn with every field of the template and its JSON pointer.
func (t *Template) eachField(fn func(at string, f *Field)) {
	u := t.User
	for _, f := range []struct {
		at string
		f  *Field
	}{{"/user/email", u.Email}, {"/user/id", u.ID}, {"/user/name", u.Name}, {"/user/firstName", u.FirstName},
		{"/user/lastName", u.LastName}, {"/user/status", u.Status}, {"/user/externalStatus", u.ExternalStatus},
		{"/user/roles", u.Roles}, {"/user/lastUsedDate", u.LastUsedDate}} {
		if f.f != nil {
			fn(f.at, f.f)
		}
	}
	for i, r := range t.Licenses {
		if r.Name != nil {
			fn(fmt.Sprintf("/licenses/%d/name", i), r.Name)
		}
		if r.Status != nil {
			fn(fmt.Sprintf("/licenses/%d/status", i), r.Status)
		}
		if r.Price != nil {
			fn(fmt.Sprintf("/licenses/%d/price", i), r.Price)
		}
		if r.Quantity != nil {
			fn(fmt.Sprintf("/licenses/%d/quantity", i), r.Quantity)
		}
	}
}

// headerScore says how well a row matches the template's column names, to find the
// header under banner lines: one point a field whose column the row has, ten for email.
func (t *Template) headerScore(row []string) int {
	cells := map[string]bool{}
	for _, c := range row {
		cells[headerKey(c)] = true
	}
	matches := func(f *Field) bool {
		if f == nil {
			return false
		}
		for _, a := range f.From {
			name, _ := splitNth(a)
			if cells[headerKey(name)] {
				return true
			}
		}
		return false
	}
	score := 0
	if matches(t.User.Email) {
		score += 10
	}
	u := t.User
	for _, f := range []*Field{u.ID, u.Name, u.FirstName, u.LastName, u.Status, u.ExternalStatus, u.Roles, u.LastUsedDate} {
		if matches(f) {
			score++
		}
	}
	for _, r := range t.Licenses {
		if matches(r.Name) || matches(r.Status) {
			score++
		}
	}
	return score
}

// layoutHasDate reports whether a Go time layout reads a whole date.
func layoutHasDate(layout string) bool {
	ref := time.Date(2033, 11, 28, 13, 14, 15, 0, time.UTC)
	got, err := time.Parse(layout, ref.Format(layout))
	return err == nil && got.Year() == 2033 && got.Month() == 11 && got.Day() == 28
}
