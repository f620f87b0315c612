package convert

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Candidate is how well one built-in template fits the header of an export.
type Candidate struct {
	Template *Template
	Known    int      // the header's columns the template knows
	Columns  int      // the header's columns, blank ones aside
	Unknown  []string // the headers it does not know
	// Lacks names the fields the template needs that no column feeds; a template that
	// lacks one cannot be used.
	Lacks []string
}

// Usable reports whether the template finds every column it needs.
func (c *Candidate) Usable() bool { return len(c.Lacks) == 0 }

func (c *Candidate) String() string {
	s := fmt.Sprintf("%s: %d of %d columns known", c.Template.Name, c.Known, c.Columns)
	if len(c.Lacks) > 0 {
		s += "; no column for " + strings.Join(c.Lacks, ", ")
	}
	if len(c.Unknown) > 0 {
		shown := c.Unknown[:min(len(c.Unknown), 6)]
		s += "; unknown: " + aliasList(shown)
		if more := len(c.Unknown) - len(shown); more > 0 {
			s += fmt.Sprintf(" and %d more", more)
		}
	}
	return s
}

// builtins are the built-in templates, loaded once.
var builtins = sync.OnceValues(func() ([]*Template, error) {
	var out []*Template
	for _, name := range Builtins() {
		t, err := FindTemplate(name)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
})

// knower tells whether a template knows a header: any name it reads, skips on or ignores.
type knower struct {
	names map[string]bool
	res   []*regexp.Regexp
}

// knowers are the built-ins' knowers, made once.
var knowers sync.Map

func knowerOf(t *Template) *knower {
	if k, ok := knowers.Load(t); ok {
		return k.(*knower)
	}
	k := newKnower(t)
	if t.File == t.Name { // a built-in: it lives as long as the process
		knowers.Store(t, k)
	}
	return k
}

func newKnower(t *Template) *knower {
	k := &knower{names: map[string]bool{}}
	addAll := func(names []string) {
		for _, a := range names {
			name, _ := splitNth(a)
			k.names[headerKey(name)] = true
		}
	}
	t.eachField(func(_ string, f *Field) {
		addAll(f.From)
		if f.FromMatching != "" {
			k.res = append(k.res, regexp.MustCompile(f.FromMatching))
		}
	})
	for _, s := range t.Skip {
		addAll(s.From)
	}
	addAll(t.Ignore)
	if t.IgnoreMatching != "" {
		k.res = append(k.res, regexp.MustCompile(t.IgnoreMatching))
	}
	for _, r := range t.Licenses {
		if pc := r.PerColumn; pc != nil {
			k.res = append(k.res, regexp.MustCompile(pc.Matches))
			if before, after, ok := strings.Cut(pc.LastUsed, "{}"); ok {
				k.res = append(k.res, regexp.MustCompile(`(?i)^`+regexp.QuoteMeta(before)+`.+`+regexp.QuoteMeta(after)+`$`))
			}
		}
	}
	return k
}

func (k *knower) knows(h string) bool {
	if k.names[headerKey(h)] {
		return true
	}
	h = strings.Join(strings.Fields(h), " ")
	for _, re := range k.res {
		if re.MatchString(h) {
			return true
		}
	}
	return false
}

// Score says how well a template fits a header.
func Score(t *Template, header []string) Candidate {
	c := Candidate{Template: t}
	k := knowerOf(t)
	for _, h := range header {
		if strings.TrimSpace(h) == "" {
			continue
		}
		c.Columns++
		if k.knows(h) {
			c.Known++
		} else {
			c.Unknown = append(c.Unknown, strings.TrimSpace(h))
		}
	}
	if c.Lacks = lacking(t, header); len(c.Lacks) == 0 {
		if _, err := newMapper(t, header, "", nil); err != nil {
			c.Lacks = []string{"(a column it cannot tell apart)"}
		}
	}
	return c
}

// lacking names the fields a template needs that the header has no column for.
func lacking(t *Template, header []string) []string {
	var out []string
	t.eachField(func(at string, f *Field) {
		if f.Value != nil || f.Optional && at != "/user/email" {
			return
		}
		b, err := bind(at, f, header, nil)
		if err == nil && !b.found() {
			out = append(out, lackingField(at, f))
		}
	})
	for i, r := range t.Licenses {
		if pc := r.PerColumn; pc != nil && !pc.Optional {
			re := regexp.MustCompile(pc.Matches)
			found := false
			for _, h := range header {
				found = found || re.MatchString(strings.Join(strings.Fields(h), " "))
			}
			if !found {
				out = append(out, fmt.Sprintf("licenses[%d].perColumn", i))
			}
		}
	}
	return out
}

// lackingField names a field at a template path as messages do: status, or
// licenses[0].status with the columns it looks for ("billing-active"), which its label
// alone does not tell.
func lackingField(at string, f *Field) string {
	var i int
	if n, _ := fmt.Sscanf(at, "/licenses/%d/", &i); n != 1 {
		return strings.TrimPrefix(at, "/user/")
	}
	_, rest, _ := strings.Cut(at[len("/licenses/"):], "/")
	label := fmt.Sprintf("licenses[%d].%s", i, rest)
	if len(f.From) == 0 {
		return label
	}
	shown := f.From[:min(len(f.From), 3)]
	more := ""
	if len(f.From) > len(shown) {
		more = fmt.Sprintf(" and %d more", len(f.From)-len(shown))
	}
	return label + " (" + aliasList(shown) + more + ")"
}

// Detect scores a header against every built-in template, best first: usable ones
// before the others, then by columns known.
func Detect(header []string) ([]Candidate, error) {
	all, err := builtins()
	if err != nil {
		return nil, err
	}
	cands := make([]Candidate, len(all))
	for i, t := range all {
		cands[i] = Score(t, header)
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.Usable() != b.Usable() {
			return a.Usable()
		}
		if a.Known != b.Known {
			return a.Known > b.Known
		}
		return a.Template.Name < b.Template.Name
	})
	return cands, nil
}

// Winner returns the candidate that clearly fits best, or nil. It must be usable and
// know at least half the columns; and either know every column while no other usable
// template does, or know at least two more columns than any other usable one.
func Winner(cands []Candidate) *Candidate {
	if len(cands) == 0 || !cands[0].Usable() {
		return nil
	}
	best := &cands[0]
	if best.Known*2 < best.Columns || best.Known == 0 {
		return nil
	}
	if len(cands) == 1 || !cands[1].Usable() {
		return best
	}
	second := cands[1]
	if best.Known == best.Columns && second.Known < best.Columns || best.Known-second.Known >= 2 {
		return best
	}
	return nil
}

// noWinner is the usage error when no built-in clearly fits a header.
func noWinner(where string, cands []Candidate) error {
	var lines []string
	for _, c := range cands {
		if c.Known == 0 || len(lines) == 5 {
			continue
		}
		lines = append(lines, "  "+c.String())
	}
	why := "none of the built-in templates fits it"
	if len(cands) > 1 && cands[0].Usable() && cands[1].Usable() && cands[0].Known*2 >= cands[0].Columns {
		why = "more than one built-in template fits it about as well"
	}
	msg := fmt.Sprintf("reading %s: %s", where, why)
	if len(lines) > 0 {
		msg += "; the closest:\n" + strings.Join(lines, "\n")
	} else if len(cands) > 0 {
		msg += "; none knows any of its columns: " + aliasList(cands[0].Unknown)
	}
	return &Error{Kind: Usage, Msg: msg,
		Hint: "pass --template NAME (torii-convert templates lists them), or write one: torii-convert templates init " + strings.SplitN(where, ",", 2)[0]}
}

// describe names the export a template reads, with its article: "a Figma members export".
func describe(t *Template) string {
	what := t.Title
	if what == "" {
		what = t.Name + " export"
	}
	if strings.ContainsAny(strings.ToLower(what[:1]), "aeiou") || spelledWithVowel(what) {
		return "an " + what
	}
	return "a " + what
}

// spelledWithVowel reports whether a title starts with an acronym read letter by letter
// from a vowel sound: "an HR employee report".
func spelledWithVowel(what string) bool {
	word, _, _ := strings.Cut(what, " ")
	return len(word) > 1 && strings.ToUpper(word) == word && strings.ContainsAny(word[:1], "FHLMNRSX")
}

// announce says which template detection chose, and why.
func announce(c *Candidate) string {
	return fmt.Sprintf("looks like %s; using %s (%d of %d columns known)", describe(c.Template), c.Template.Name, c.Known, c.Columns)
}

// betterFit says which built-in fits the header better than the template given, if one
// clearly does.
func betterFit(t *Template, header []string) string {
	cands, err := Detect(header)
	if err != nil {
		return ""
	}
	w := Winner(cands)
	if w == nil || w.Template.Name == t.Name && t.File == t.Name {
		return ""
	}
	used := Score(t, header)
	if w.Known <= used.Known {
		return ""
	}
	return fmt.Sprintf("this looks like %s: --template %s knows %d of its %d columns, %s %d", describe(w.Template), w.Template.Name, w.Known, w.Columns, t.File, used.Known)
}
