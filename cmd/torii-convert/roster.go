package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/torii-convert/torii-convert/convert"
	"github.com/torii-convert/torii-convert/internal/roster"
	"github.com/torii-convert/torii-convert/internal/text"
	"github.com/torii-convert/torii-convert/schema"
)

// exportOptions are how to read exports: nil without --template, when only files can be read.
func (o readOptions) exportOptions(e env, prices string) (*convert.Options, error) {
	if o.template == "" {
		return nil, nil
	}
	opts, err := o.options(e, prices)
	return &opts, err
}

// rosterGC puts the collector back to Go's default pace (GOGC=100) for the commands that
// read rosters, unless GOGC is set: their reading makes little garbage (the emails are
// borrowed), so collecting at every doubling costs little (0.5% of diff's instructions,
// 2% of report's), and the peak stays nearer the rosters' size (diff of two 1M-user
// files: 380-390 MB at most, not 500; report of one: 200-210, not 280).
func rosterGC(e env) {
	if e.getenv("GOGC") == "" {
		debug.SetGCPercent(100)
	}
}

// loadRoster reads a customIntegrationData file as it is (malformed JSON is refused;
// validate checks the rest), or an export through the template of opts (when it is a
// spreadsheet) into a roster. An export that does not convert is refused with its first
// max problems on stderr (0: all).
func loadRoster(ctx context.Context, e env, path string, opts *convert.Options, max int) (*roster.Roster, error) {
	if isSpreadsheet(path) || path == "-" {
		if opts == nil {
			return nil, usageError("%s is an export: pass --template to read it, as in --template figma", path)
		}
		o := *opts // a copy: both sides of a diff are read at once
		o.MaxProblems = max
		return loadExport(ctx, e, path, o)
	}
	return readRosterFile(e, path)
}

// readRosterFile reads a customIntegrationData file into a roster, whatever its name.
func readRosterFile(e env, path string) (*roster.Roster, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &cmdError{kind: kindFailure, msg: fmt.Sprintf("reading %s: %v", path, unwrapPath(err))}
	}
	defer f.Close()
	var size int64
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, &cmdError{kind: kindFailure, msg: fmt.Sprintf("reading %s: is a directory", path)}
	} else if err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	r, err := roster.ReadSized(path, e.term.reader(f), size)
	var se *schema.SyntaxError
	if errors.As(err, &se) {
		return nil, &cmdError{kind: kindInvalid, msg: fmt.Sprintf("%s:%d:%d: invalid JSON: %s", path, se.Line, se.Col, se.Msg),
			hint: "torii-convert validate " + path + " checks the whole file"}
	}
	if err != nil {
		return nil, &cmdError{kind: kindFailure, msg: fmt.Sprintf("reading %s: %v", path, err)}
	}
	if r.NoEmail > 0 {
		fmt.Fprintf(e.stderr, "warning: %s: %s without an email left out; torii-convert validate %s shows where\n", path, text.Plural(r.NoEmail, "user", "users"), path)
	}
	if r.SameEmail > 0 {
		fmt.Fprintf(e.stderr, "warning: %s: %s with the email of an earlier one left out; torii-convert validate %s shows where\n", path, text.Plural(r.SameEmail, "user", "users"), path)
	}
	if r.SameHolder > 0 {
		fmt.Fprintf(e.stderr, "warning: %s: %s of a license that lists them already left out; torii-convert validate %s shows where\n", path, text.Plural(r.SameHolder, "holder", "holders"), path)
	}
	if r.SameName > 0 {
		fmt.Fprintf(e.stderr, "warning: %s: %s with the name of an earlier one left out, holders included; torii-convert validate %s shows where\n", path, text.Plural(r.SameName, "license", "licenses"), path)
	}
	return r, nil
}

// loadExport converts an export in memory and reads the file it makes as it is made,
// through a pipe: only the roster stays.
func loadExport(ctx context.Context, e env, path string, opts convert.Options) (*roster.Roster, error) {
	pr, pw := io.Pipe()
	var res *convert.Result
	var cerr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		res, cerr = convert.Convert(ctx, path, opts, pw)
		pw.CloseWithError(cerr)
	}()
	r, rerr := roster.Read(displayName(path), pr)
	pr.CloseWithError(errors.New("the reader stopped")) // lets a conversion still writing end
	<-done
	if cerr != nil {
		return nil, cerr
	}
	if res.Detected != "" { // a guess, said as convert says it
		fmt.Fprintf(e.stderr, "%s: %s\n", displayName(path), res.Detected)
	}
	printProblems(e.stderr, res.Problems, res.Errors+res.Warnings)
	if !res.Valid() {
		return nil, invalidData("%s: %s; it is not read further", displayName(path), text.Plural(res.Errors, "error", "errors"))
	}
	if rerr != nil {
		return nil, &cmdError{kind: kindFailure, msg: fmt.Sprintf("reading %s: %v", path, rerr)}
	}
	fmt.Fprintln(e.stderr, summary(displayName(path), res))
	return r, nil
}
