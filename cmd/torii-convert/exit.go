package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/torii-convert/torii-convert/convert"
	"github.com/torii-convert/torii-convert/torii"
)

// Exit codes. They are the one table scripts rely on; --help and the README print it.
const (
	exitOK          = 0
	exitFailure     = 1 // a file could not be read or written, or a request failed
	exitUsage       = 2 // a flag, argument, template or sheet name is wrong
	exitInvalid     = 3 // the data was read but is not valid
	exitAuth        = 4 // the API key is missing or Torii refuses it
	exitBusy        = 5 // another sync kept running for all of --wait
	exitInterrupted = 130
)

var exitTable = []struct {
	code int
	text string
}{
	{exitOK, "success"},
	{exitFailure, "failure: a file could not be read or written, or a request to Torii failed"},
	{exitUsage, "usage: a flag, argument, template or sheet name is wrong"},
	{exitInvalid, "invalid data: the input was read, but would not make a valid file; nothing was written or sent"},
	{exitAuth, "authentication: no API key, or Torii refused it"},
	{exitBusy, "busy: another sync of the app account was still running when --wait ran out"},
	{exitInterrupted, "interrupted (Ctrl-C); the message says which step"},
}

func exitCodesHelp() string {
	var b strings.Builder
	for _, e := range exitTable {
		fmt.Fprintf(&b, "   %-3d  %s\n", e.code, e.text)
	}
	return b.String()
}

// exitError is an error on its way out: its code, what happened, and what to do.
type exitError struct {
	code int
	msg  string
	hint string
}

func (e *exitError) Error() string { return e.msg }

func usageError(format string, args ...any) *exitError {
	return &exitError{code: exitUsage, msg: fmt.Sprintf(format, args...)}
}

// invalidData ends a run whose problems were already listed.
type invalidData struct{ summary string }

func (e *invalidData) Error() string { return e.summary }

// classify gives every error that leaves a command its exit code and wording.
func classify(err error) *exitError {
	var ee *exitError
	var ce *convert.Error
	var inv *invalidData
	var te *torii.Error
	switch {
	case errors.As(err, &ee):
		return ee
	case errors.As(err, &inv):
		return &exitError{code: exitInvalid, msg: inv.summary}
	case errors.As(err, &te):
		code := map[torii.Kind]int{torii.Failed: exitFailure, torii.Auth: exitAuth, torii.Busy: exitBusy, torii.Canceled: exitInterrupted}[te.Kind]
		msg := te.Error()
		if te.Kind == torii.Canceled {
			msg = "interrupted while " + te.Step
		}
		return &exitError{code: code, msg: msg, hint: te.Hint}
	case errors.Is(err, context.Canceled):
		msg := "interrupted"
		if step := strings.TrimSuffix(err.Error(), ": "+context.Canceled.Error()); step != err.Error() {
			msg += " while " + step
		}
		return &exitError{code: exitInterrupted, msg: msg}
	case errors.As(err, &ce):
		code := map[convert.Kind]int{convert.Read: exitFailure, convert.Usage: exitUsage, convert.Data: exitInvalid}[ce.Kind]
		if code == 0 {
			code = exitFailure
		}
		return &exitError{code: code, msg: ce.Error(), hint: ce.Hint}
	}
	return &exitError{code: exitFailure, msg: err.Error()}
}

// printError writes an error for a person: the message, then the fix on lines of its own.
func printError(w io.Writer, e *exitError) {
	fmt.Fprintf(w, "torii-convert: %s\n", e.msg)
	if e.hint != "" {
		for _, line := range strings.Split(e.hint, "\n") {
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
}
