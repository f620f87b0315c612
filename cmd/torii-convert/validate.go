package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/torii-convert/torii-convert/convert"
	"github.com/torii-convert/torii-convert/internal/text"
)

// validateOptions are what `validate` is asked to do.
type validateOptions struct {
	files  []string
	read   readOptions // with a template, the files are exports
	format string
}

func validateCommand(e env) *cli.Command {
	o := validateOptions{read: readOptions{maxErrors: 50}, format: "text"}
	return &cli.Command{
		Name:      "validate",
		Usage:     "check customIntegrationData files, or exports with --template; every problem at its line and column",
		ArgsUsage: "FILE...",
		Description: `Checks each FILE in full, against Torii's schema and the rules across records (unique
emails and license names, license holders are users), and warns of what Torii accepts
but is likely a mistake (no status and no activity, a price of 0 on a paid license, a
last-used date in the future). Strings must be UTF-8 without raw control characters
(RFC 8259), and arrays and objects nest at most 10,000 deep; a bad string or a record
that is not valid JSON is reported where it breaks, and the check goes on. With
--template, the files are exports (CSV, XLSX): they are converted in memory, and
nothing is written.

   torii-convert validate data/*.json
   torii-convert validate --template figma members.xlsx
   torii-convert validate --format github data/*.json      # annotations in a GitHub workflow
   torii-convert validate --format sarif data/*.json > results.sarif

Exit codes: 0 every file is valid, 3 a file is invalid, 1 a file could not be read,
2 usage.`,
		Flags: append(readingFlags(&o.read),
			formatFlag(&o.format, "report as `FORMAT`: text, json, github (workflow annotations) or sarif (2.1.0)")),
		Action: func(c *cli.Context) error {
			o.files = c.Args().Slice()
			return runValidate(c.Context, e, o)
		},
	}
}

// check holds validate's flags to their rules, without reading anything.
func (o validateOptions) check() error {
	if len(o.files) == 0 {
		return usageError("validate takes the files to check; usage: torii-convert validate FILE...")
	}
	switch o.format {
	case "text", "json", "github", "sarif":
	default:
		return usageError("--format %q: want text, json, github or sarif", o.format)
	}
	if err := o.read.check(); err != nil {
		return err
	}
	for _, f := range o.files {
		if o.read.template == "" && isSpreadsheet(f) {
			return usageError("%s is an export: pass --template to check it, as in torii-convert validate --template figma %s", f, f)
		}
	}
	return nil
}

// finding is one problem, wherever it came from, as the reports show it.
type finding struct {
	Severity string `json:"severity"` // error or warning
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Sheet    string `json:"sheet,omitempty"`  // exports: the workbook's sheet
	Cell     string `json:"cell,omitempty"`   // exports: C14
	Header   string `json:"header,omitempty"` // exports: the column's header
	Path     string `json:"path,omitempty"`   // files: users[41].email
	Pointer  string `json:"pointer,omitempty"`
	Rule     string `json:"rule"`
	Message  string `json:"message"`
	where    string // for text: "file:line:col" or "file:Sheet!C14 (Email)"
}

// result is what checking one file found.
type result struct {
	File         string    `json:"file"`
	Kind         string    `json:"kind"` // customIntegrationData or export
	Valid        bool      `json:"valid"`
	Users        int       `json:"users"`
	Licenses     int       `json:"licenses"`
	Errors       int       `json:"errors"`
	Warnings     int       `json:"warnings"`
	Problems     []finding `json:"problems"`
	MoreProblems int       `json:"moreProblems,omitempty"`
	Unreadable   string    `json:"unreadable,omitempty"` // why the file could not be checked
	kind         kind      // of the failure that made it unreadable
}

func runValidate(ctx context.Context, e env, o validateOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	files := o.files
	var opts convert.Options
	if o.read.template != "" {
		var err error
		if opts, err = o.read.options(e, ""); err != nil {
			return err
		}
	}
	results := make([]*result, len(files))
	work := make(chan int)
	done := make(chan struct{})
	for range runtime.GOMAXPROCS(0) {
		go func() {
			for i := range work {
				if o.read.template != "" {
					results[i] = checkExport(ctx, files[i], opts)
				} else {
					results[i] = checkJSON(files[i], e, o.read.maxErrors)
				}
			}
			done <- struct{}{}
		}()
	}
	for i := range files {
		work <- i
	}
	close(work)
	for range runtime.GOMAXPROCS(0) {
		<-done
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err := report(e.stdout, o.format, results); err != nil {
		return err
	}
	// A file that could not be checked outweighs one found invalid; the first such
	// file's failure says which.
	invalid, unread := 0, 0
	var worst *result
	for _, r := range results {
		switch {
		case r.Unreadable != "":
			unread++
			if worst == nil {
				worst = r
			}
		case !r.Valid:
			invalid++
		}
	}
	switch {
	case unread > 0:
		return &cmdError{kind: worst.kind, msg: fmt.Sprintf("%s of %d could not be read", text.Plural(unread, "file", "files"), len(results))}
	case invalid > 0:
		return invalidData("%s of %d invalid", text.Plural(invalid, "file", "files"), len(results))
	}
	return nil
}

func isSpreadsheet(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods":
		return true
	}
	return false
}

func checkJSON(path string, e env, max int) *result {
	r := &result{File: path, Kind: "customIntegrationData"}
	f, err := os.Open(path)
	if err != nil {
		r.Unreadable, r.kind = unwrapPath(err).Error(), kindFailure
		return r
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		r.Unreadable, r.kind = "is a directory", kindFailure
		return r
	}
	rep, err := checkFile(f, path, e.now(), max)
	if err != nil {
		r.Unreadable, r.kind = err.Error(), kindFailure
		return r
	}
	r.Users, r.Licenses, r.Errors, r.Warnings = rep.Stats.Users, rep.Stats.Licenses, rep.Errors, rep.Warnings
	r.MoreProblems = rep.Errors + rep.Warnings - len(rep.Problems)
	for _, p := range rep.Problems {
		fd := finding{Severity: p.Severity.String(), Line: p.Line, Column: p.Col, Rule: p.Keyword, Message: p.Message}
		if len(p.Path) > 0 {
			fd.Path, fd.Pointer = p.Path.String(), p.Path.Pointer()
		}
		fd.where = fmt.Sprintf("%s:%d:%d", path, p.Line, p.Col)
		r.Problems = append(r.Problems, fd)
	}
	r.finish()
	return r
}

func checkExport(ctx context.Context, path string, opts convert.Options) *result {
	r := &result{File: path, Kind: "export"}
	res, err := convert.Convert(ctx, path, opts, nil)
	if err != nil {
		if k := kindOf(err); k == kindInvalid {
			// The export was read but cannot make a file at all, such as one without an
			// email column: one error, at the file.
			r.Errors = 1
			r.Problems = []finding{{Severity: "error", Rule: "export", Message: err.Error(), where: path}}
		} else {
			r.Unreadable, r.kind = err.Error(), k
		}
		r.finish()
		return r
	}
	r.Users, r.Licenses, r.Errors, r.Warnings = res.Users, res.Licenses, res.Errors, res.Warnings
	r.MoreProblems = res.Errors + res.Warnings - len(res.Problems)
	for _, p := range res.Problems {
		fd := finding{Severity: p.Severity.String(), Line: p.Pos.Line, Column: p.Pos.Col, Sheet: p.Pos.Sheet,
			Header: p.Pos.Header, Rule: p.Rule, Message: p.Message}
		if p.Pos.Sheet != "" && p.Pos.Col > 0 {
			fd.Cell = fmt.Sprintf("%s%d", convert.ColumnName(p.Pos.Col), p.Pos.Line)
		}
		fd.where = p.Pos.String()
		if p.Pos.Header != "" {
			fd.where += " (" + p.Pos.Header + ")"
		}
		r.Problems = append(r.Problems, fd)
	}
	r.finish()
	return r
}

func (r *result) finish() {
	r.Valid = r.Errors == 0 && r.Unreadable == ""
	if r.Problems == nil {
		r.Problems = []finding{}
	}
}

// summary is a file's line in the text report.
func (r *result) summary() string {
	if r.Unreadable != "" {
		return fmt.Sprintf("%s: could not be read: %s", r.File, r.Unreadable)
	}
	state := "valid"
	if !r.Valid {
		state = "invalid: " + text.Plural(r.Errors, "error", "errors")
	}
	if r.Warnings > 0 {
		sep := ", "
		if r.Valid {
			sep = " with "
		}
		state += sep + text.Plural(r.Warnings, "warning", "warnings")
	}
	return fmt.Sprintf("%s: %s; %s, %s", r.File, state, text.Plural(r.Users, "user", "users"), text.Plural(r.Licenses, "license", "licenses"))
}

func report(w io.Writer, format string, results []*result) error {
	switch format {
	case "json":
		valid := true
		for _, r := range results {
			valid = valid && r.Valid
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(struct {
			Valid bool      `json:"valid"`
			Files []*result `json:"files"`
		}{valid, results})
	case "sarif":
		return writeSARIF(w, results)
	}
	for _, r := range results {
		if format == "text" {
			fmt.Fprintln(w, r.summary())
		}
		for _, p := range r.Problems {
			if format == "github" {
				fmt.Fprintln(w, annotation(r.File, p))
				continue
			}
			sev := ""
			if p.Severity == "warning" {
				sev = "warning: "
			}
			at := ""
			if p.Path != "" {
				at = p.Path + ": "
			}
			fmt.Fprintf(w, "%s: %s%s%s\n", p.where, sev, at, p.Message)
		}
		if r.MoreProblems > 0 {
			fmt.Fprintf(w, "%s: %s\n", r.File, moreProblems(r.MoreProblems))
		}
		if format == "github" {
			if r.Unreadable != "" {
				fmt.Fprintf(w, "::error file=%s::%s\n", ghProperty(r.File), ghData("could not be read: "+r.Unreadable))
			}
			fmt.Fprintln(w, r.summary())
		}
	}
	return nil
}

// annotation is a GitHub workflow command that marks a problem on the file's line.
func annotation(file string, p finding) string {
	var b strings.Builder
	b.WriteString("::" + p.Severity + " file=" + ghProperty(file))
	if p.Line > 0 && p.Sheet == "" {
		fmt.Fprintf(&b, ",line=%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ",col=%d", p.Column)
		}
	}
	title := p.Path
	if p.Sheet != "" {
		title = p.Sheet + "!" + p.Cell
	} else if title == "" && p.Header != "" {
		title = p.Header
	}
	if title != "" {
		b.WriteString(",title=" + ghProperty(title))
	}
	msg := p.Message
	if p.Header != "" && p.Sheet != "" {
		msg = p.Header + ": " + msg
	}
	b.WriteString("::" + ghData(msg))
	return b.String()
}

// ghData and ghProperty escape text for workflow commands, as GitHub's toolkit does.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// writeSARIF writes SARIF 2.1.0, for GitHub code scanning and other tools.
func writeSARIF(w io.Writer, results []*result) error {
	type region struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
	}
	type location struct {
		Physical struct {
			Artifact struct {
				URI string `json:"uri"`
			} `json:"artifactLocation"`
			Region *region `json:"region,omitempty"`
		} `json:"physicalLocation"`
		Logical []map[string]string `json:"logicalLocations,omitempty"`
	}
	type sarifResult struct {
		RuleID    string            `json:"ruleId"`
		Level     string            `json:"level"`
		Message   map[string]string `json:"message"`
		Locations []location        `json:"locations"`
	}
	rules := map[string]bool{}
	out := []sarifResult{}
	for _, r := range results {
		problems := r.Problems
		if r.Unreadable != "" {
			problems = []finding{{Severity: "error", Rule: "unreadable", Message: "could not be read: " + r.Unreadable}}
		}
		for _, p := range problems {
			rules[p.Rule] = true
			var loc location
			loc.Physical.Artifact.URI = filepath.ToSlash(r.File)
			if p.Line > 0 {
				loc.Physical.Region = &region{StartLine: p.Line, StartColumn: p.Column}
			}
			name := p.Path
			if p.Sheet != "" {
				name = p.Sheet + "!" + p.Cell
			}
			if name != "" {
				loc.Logical = []map[string]string{{"fullyQualifiedName": name}}
				if p.Pointer != "" {
					loc.Logical[0]["decoratedName"] = p.Pointer
				}
			}
			out = append(out, sarifResult{RuleID: p.Rule, Level: p.Severity, Message: map[string]string{"text": p.Message}, Locations: []location{loc}})
		}
	}
	var ids []string
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var ruleList []map[string]any
	for _, id := range ids {
		ruleList = append(ruleList, map[string]any{"id": id, "shortDescription": map[string]string{"text": ruleText(id)}})
	}
	doc := map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name": "torii-convert", "version": version,
				"informationUri": "https://github.com/torii-convert/torii-convert",
				"rules":          ruleList,
			}},
			"results": out,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// ruleText describes the rules in SARIF.
func ruleText(id string) string {
	if t, ok := map[string]string{
		"format":                "A value has the wrong format (email, date).",
		"enum":                  "A value is not one of those Torii allows.",
		"type":                  "A value has the wrong JSON type.",
		"required":              "A required field is missing.",
		"additionalProperties":  "A field Torii does not know, which it ignores.",
		"anyOf":                 "A value matches none of the allowed forms.",
		"minItems":              "An array is shorter than Torii needs.",
		"minimum":               "A number is below its minimum.",
		"minLength":             "A string is empty.",
		"duplicate-key":         "A field appears twice in one object.",
		"syntax":                "The file is not well-formed JSON.",
		"unique-email":          "Two users have the same email.",
		"unique-license":        "Two licenses have the same name.",
		"unique-holder":         "A user holds one license twice.",
		"holder-is-user":        "A license is held by someone who is not a user.",
		"no-status-no-activity": "A user with no status and no lastUsedDate.",
		"zero-price":            "A price of 0 on a license that looks paid.",
		"cents":                 "A price that is not a whole number of cents.",
		"future-date":           "A lastUsedDate in the future.",
		"unreadable":            "The file could not be read.",
	}[id]; ok {
		return t
	}
	return "A problem found converting the export (" + id + ")."
}
