package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/torii-convert/torii-convert/convert"
	"github.com/torii-convert/torii-convert/internal/text"
	"github.com/torii-convert/torii-convert/schema"
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
nothing is written. A FILE of - reads stdin.

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
	stdin := 0
	for _, f := range o.files {
		if f == "-" {
			if stdin++; stdin > 1 {
				return usageError("- (stdin) is given twice; it can be read once")
			}
		}
		if o.read.template == "" && isSpreadsheet(f) {
			return usageError("%s is an export: pass --template to check it, as in torii-convert validate --template figma %s", f, f)
		}
	}
	return nil
}
func runValidate(ctx context.Context, e env, o validateOptions) error {
	e = e.withTerm()
	if err := o.check(); err != nil {
		return err
	}
	check := func(file string) *result { return checkJSON(file, e, o.read.maxErrors) }
	if o.read.template != "" {
		opts, err := o.read.options(e, "")
		if err != nil {
			return err
		}
		check = func(file string) *result { return checkExport(ctx, file, opts) }
	}
	results := checkAll(o.files, check)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	for _, r := range results {
		if r.detected != "" { // a guess, said as convert says it
			fmt.Fprintf(e.stderr, "%s: %s\n", r.File, r.detected)
		}
	}
	if err := report(e.stdout, o.format, results); err != nil {
		return err
	}
	return verdict(results)
}

// checkAll checks the files, several at once; the results come in the files' order.
func checkAll(files []string, check func(string) *result) []*result {
	results := make([]*result, len(files))
	work := make(chan int)
	done := make(chan struct{})
	for range runtime.GOMAXPROCS(0) {
		go func() {
			for i := range work {
				results[i] = check(files[i])
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
	return results
}

// verdict is how a validation ends. A file that could not be checked outweighs one
// found invalid; the first such file's failure says which kind.
func verdict(results []*result) error {
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
	if path == "-" {
		rep, err := checkFile(e.stdin, "stdin", e.now(), max)
		if err != nil {
			return &result{File: "stdin", Kind: "customIntegrationData", Problems: []finding{}, Unreadable: err.Error(), kind: kindFailure}
		}
		return rep
	}
	r := &result{File: path, Kind: "customIntegrationData", Problems: []finding{}} // [], not null, when unreadable
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
	rep, err := checkFile(e.term.reader(f), path, e.now(), max)
	if err != nil {
		r.Unreadable, r.kind = err.Error(), kindFailure
		return r
	}
	return rep
}

func checkExport(ctx context.Context, path string, opts convert.Options) *result {
	r := &result{File: displayName(path), Kind: "export"}
	res, err := convert.Convert(ctx, path, opts, nil)
	if err != nil {
		if k := kindOf(err); k == kindInvalid {
			// The export was read but cannot make a file at all, such as one without an
			// email column: one error, at the file.
			r.Errors = 1
			r.Problems = []finding{{Severity: "error", Rule: "export", Message: err.Error(), where: r.File}}
			var ce *convert.Error
			if errors.As(err, &ce) && ce.Pos != (convert.Pos{}) {
				// At its place, as the problems of rows are.
				msg := (&convert.Error{Msg: ce.Msg, Err: ce.Err}).Error()
				r.Problems[0] = exportFinding(convert.Problem{Severity: schema.Error, Pos: ce.Pos, Rule: "export", Message: msg})
			}
		} else {
			r.Unreadable, r.kind = err.Error(), k
		}
		r.finish()
		return r
	}
	r.Users, r.Licenses, r.Errors, r.Warnings = res.Users, res.Licenses, res.Errors, res.Warnings
	r.detected = res.Detected
	r.MoreProblems = res.Errors + res.Warnings - len(res.Problems)
	for _, p := range res.Problems {
		r.Problems = append(r.Problems, exportFinding(p))
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
