package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/torii-convert/torii-convert/convert"
	"github.com/torii-convert/torii-convert/ipex"
	"github.com/torii-convert/torii-convert/torii"
)

// Exit codes. They are the one table scripts rely on; --help and the README print it.
const (
	exitOK          = 0
	exitFailure     = 1 // a file could not be read or written, or a request failed
	exitUsage       = 2 // a flag, argument, template or sheet name is wrong
	exitInvalid     = 3 // the data was read but is not valid
	exitAuth        = 4 // the API key or password is missing, or Torii or the helpdesk refuses it
	exitBusy        = 5 // another sync kept running for all of --wait
	exitSomeFailed  = 6 // ipex sync: the helpdesk did not take some users
	exitShrink      = 7 // the shrink guard refused a sync
	exitDiffer      = 8 // diff: the two sides differ
	exitInterrupted = 130
)

var exitTable = []struct {
	code int
	text string
}{
	{exitOK, "success"},
	{exitFailure, "failure: a file could not be read or written, or a request to Torii failed"},
	{exitUsage, "usage: a flag, argument, template or sheet name is wrong, or the template lacks a column it needs (or no built-in clearly fits)"},
	{exitInvalid, "invalid data: the input was read, but would not make a valid file; nothing was written or sent"},
	{exitAuth, "authentication: no API key or helpdesk password, or Torii or the helpdesk refused it"},
	{exitBusy, "busy: another sync of the app account was still running when --wait ran out"},
	{exitSomeFailed, "some users failed: ipex sync sent every user, and the helpdesk refused some (listed)"},
	{exitShrink, "refused by the shrink guard: the sync would remove more people than --max-shrink allows; nothing was sent"},
	{exitDiffer, "diff: the two sides differ"},
	{exitInterrupted, "interrupted (Ctrl-C); the message says which step"},
}

func exitCodesHelp() string {
	var b strings.Builder
	for _, e := range exitTable {
		fmt.Fprintf(&b, "   %-3d  %s\n", e.code, e.text)
	}
	return b.String()
}

// kind says what went wrong in the terms of the exit table; only exitCode turns it into
// a number.
type kind int

const (
	kindFailure kind = iota
	kindUsage
	kindInvalid
	kindAuth
	kindBusy
	kindInterrupted
	kindShrink // refused by the shrink guard
	kindDiffer // diff: the sides differ
	kindSomeFailed
)

// cmdError is an error of the command line itself: its kind, what happened, and what to do.
type cmdError struct {
	kind kind
	msg  string
	hint string
}

func (e *cmdError) Error() string { return e.msg }

func usageError(format string, args ...any) *cmdError {
	return &cmdError{kind: kindUsage, msg: fmt.Sprintf(format, args...)}
}

func failure(format string, args ...any) *cmdError {
	return &cmdError{kind: kindFailure, msg: fmt.Sprintf(format, args...)}
}

// invalidData ends a run whose problems were already listed.
func invalidData(format string, args ...any) *cmdError {
	return &cmdError{kind: kindInvalid, msg: fmt.Sprintf(format, args...)}
}

// reported is an error whose run owes a report on stdout (--format json), which can
// only be written once the exit code is known.
type reported struct {
	err   error
	write func(code int, msg string)
}

func (r *reported) Error() string { return r.err.Error() }
func (r *reported) Unwrap() error { return r.err }

// kindOf tells what kind of failure an error is.
func kindOf(err error) kind { return classify(err).kind }

// classify gives an error its kind, wording and hint: one switch over the errors the
// lower packages return, each of which says what it is.
func classify(err error) *cmdError {
	x := &cmdError{kind: kindFailure, msg: err.Error()}
	var ce *cmdError
	var conv *convert.Error
	var te *torii.Error
	var ie *ipex.Error
	switch {
	case errors.As(err, &ce):
		return ce
	case errors.As(err, &te):
		x.kind = map[torii.Kind]kind{torii.Failed: kindFailure, torii.Auth: kindAuth, torii.Busy: kindBusy, torii.Canceled: kindInterrupted}[te.Kind]
		x.hint = te.Hint
		if te.Kind == torii.Canceled {
			x.msg = "interrupted while " + te.Step
		}
	case errors.As(err, &ie):
		x.kind = map[ipex.Kind]kind{ipex.Failed: kindFailure, ipex.Auth: kindAuth, ipex.Canceled: kindInterrupted}[ie.Kind]
		x.hint = ie.Hint
	case errors.Is(err, context.Canceled):
		x.kind, x.msg = kindInterrupted, "interrupted"
		if step := strings.TrimSuffix(err.Error(), ": "+context.Canceled.Error()); step != err.Error() {
			x.msg += " while " + step
		}
	case errors.As(err, &conv):
		x.kind = map[convert.Kind]kind{convert.Read: kindFailure, convert.Usage: kindUsage, convert.Data: kindInvalid}[conv.Kind]
		x.hint = joinHints(conv.Hint, optionHint[conv.Option])
	}
	return x
}

// describe gives an error that ended a run its kind and wording. ctx tells an
// interruption from a failure that merely followed it.
func describe(ctx context.Context, err error) *cmdError {
	x := classify(err)
	if x.kind == kindFailure && ctx.Err() != nil {
		return &cmdError{kind: kindInterrupted, msg: "interrupted: " + x.msg}
	}
	return x
}

// optionHint names the flag that sets each of convert.Options: the lower packages say
// what is wrong, the command line says which flag changes it.
var optionHint = map[string]string{
	"Format":     "--input-format csv or xlsx reads the file as that, whatever its name",
	"Sheet":      "--sheet chooses the sheet, by name or number",
	"Encoding":   "--encoding names the file's encoding, such as --encoding windows-1252",
	"HeaderRow":  "--header-row N says which line holds the header",
	"Template":   "--template takes a built-in name (torii-convert templates lists them) or a template file's path",
	"Prices":     "--prices takes a CSV file with the columns license,price[,purchased]",
	"SpillAfter": "TMPDIR names the folder for the temporary file; --spill-after 0 keeps every user in memory",
}

// exitCode is where an error's kind becomes the process's exit code.
func exitCode(k kind) int {
	return [...]int{kindFailure: exitFailure, kindUsage: exitUsage, kindInvalid: exitInvalid,
		kindAuth: exitAuth, kindBusy: exitBusy, kindInterrupted: exitInterrupted, kindShrink: exitShrink, kindDiffer: exitDiffer,
		kindSomeFailed: exitSomeFailed}[k]
}

func joinHints(hints ...string) string {
	var out []string
	for _, h := range hints {
		if h != "" {
			out = append(out, h)
		}
	}
	return strings.Join(out, "\n")
}

// printError writes an error for a person: the message, then the fix on lines of its own.
func printError(w io.Writer, e *cmdError) {
	if e.msg == "" {
		return // an outcome, such as diff's "they differ", that the output already told
	}
	fmt.Fprintf(w, "torii-convert: %s\n", e.msg)
	if e.hint != "" {
		for _, line := range strings.Split(e.hint, "\n") {
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
}
