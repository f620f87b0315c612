package main

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/torii-convert/torii-convert/convert"
	"github.com/torii-convert/torii-convert/internal/text"
	"github.com/torii-convert/torii-convert/schema"
)

// The reports of checked files: text, json, github (workflow annotations) and SARIF,
// and the one text form of a problem that every command prints.

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
	detected     string    // which built-in --template auto chose, and why
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
			fmt.Fprintln(w, p)
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

// SARIF 2.1.0, the parts torii-convert writes.
type (
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn,omitempty"`
	}
	sarifLocation struct {
		Physical struct {
			Artifact struct {
				URI string `json:"uri"`
			} `json:"artifactLocation"`
			Region *sarifRegion `json:"region,omitempty"`
		} `json:"physicalLocation"`
		Logical []map[string]string `json:"logicalLocations,omitempty"`
	}
	sarifResult struct {
		RuleID    string            `json:"ruleId"`
		Level     string            `json:"level"`
		Message   map[string]string `json:"message"`
		Locations []sarifLocation   `json:"locations"`
	}
)

// writeSARIF writes SARIF 2.1.0, for GitHub code scanning and other tools.
func writeSARIF(w io.Writer, results []*result) error {
	rules := map[string]bool{}
	out := []sarifResult{}
	for _, r := range results {
		problems := r.Problems
		if r.Unreadable != "" {
			problems = []finding{{Severity: "error", Rule: "unreadable", Message: "could not be read: " + r.Unreadable}}
		}
		for _, p := range problems {
			rules[p.Rule] = true
			out = append(out, sarifResult{RuleID: p.Rule, Level: p.Severity, Message: map[string]string{"text": p.Message},
				Locations: []sarifLocation{sarifLocate(r.File, p)}})
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

// sarifLocate places a problem: the file, its line and column, and the record's path or
// the sheet's cell.
func sarifLocate(file string, p finding) sarifLocation {
	var loc sarifLocation
	loc.Physical.Artifact.URI = filepath.ToSlash(file)
	if p.Line > 0 {
		loc.Physical.Region = &sarifRegion{StartLine: p.Line, StartColumn: p.Column}
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
	return loc
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

// schemaFinding is a problem of a customIntegrationData file, at its line and column.
func schemaFinding(file string, p schema.Problem) finding {
	f := finding{Severity: p.Severity.String(), Line: p.Line, Column: p.Col, Rule: p.Keyword, Message: p.Message,
		where: fmt.Sprintf("%s:%d:%d", file, p.Line, p.Col)}
	if len(p.Path) > 0 {
		f.Path, f.Pointer = p.Path.String(), p.Path.Pointer()
	}
	return f
}

// exportFinding is a problem of an export, at the cell it came from.
func exportFinding(p convert.Problem) finding {
	f := finding{Severity: p.Severity.String(), Line: p.Pos.Line, Column: p.Pos.Col, Sheet: p.Pos.Sheet,
		Header: p.Pos.Header, Rule: p.Rule, Message: p.Message, where: p.Pos.String()}
	if p.Pos.Sheet != "" && p.Pos.Col > 0 {
		f.Cell = fmt.Sprintf("%s%d", convert.ColumnName(p.Pos.Col), p.Pos.Line)
	}
	if p.Pos.Header != "" {
		f.where += " (" + p.Pos.Header + ")"
	}
	return f
}

// String is the one text form of a problem, the way compilers write them:
//
//	data/figma.json:118:16: users[41].email: "bob@" is not an email address
//	hr.xlsx:Staff!C14 (Email): warning: "2031-01-01" is in the future
func (f finding) String() string {
	var b strings.Builder
	b.WriteString(f.where + ": ")
	if f.Severity == schema.Warning.String() {
		b.WriteString("warning: ")
	}
	if f.Path != "" {
		b.WriteString(f.Path + ": ")
	}
	b.WriteString(f.Message)
	return b.String()
}
