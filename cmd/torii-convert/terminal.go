package main

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"
)

// term is what a run decides about stderr, as cli/cli's iostreams does: whether it is a
// terminal, and so whether progress shows and messages are coloured; and how much to say.
type term struct {
	tty     bool // stderr is a terminal
	color   bool
	verbose bool
	quiet   bool
	stderr  io.Writer // the stream itself, for the progress display
	waiting *waitLine // the wait on the live line, if any
	// files counts the bytes read of whole files, for progress; made on first use.
	files     *fileMeter
	filesOnce sync.Once
}

// withTerm gives e its term, once: from e.tty (main asks the stream) and the
// environment, colour on a terminal unless NO_COLOR is set (https://no-color.org) or
// TERM is dumb; --color changes it. Run functions called directly get one too.
func (e env) withTerm() env {
	if e.term == nil {
		e.term = &term{tty: e.tty, stderr: e.stderr}
		e.term.color = e.tty && (e.getenv == nil || e.getenv("NO_COLOR") == "" && e.getenv("TERM") != "dumb")
	}
	return e
}

// progress tells whether progress may show: on a terminal, unless --quiet.
func (t *term) progress() bool { return t.tty && !t.quiet }

// termCommands are the commands that take --color (by their full names); convert
// takes --verbose too.
var termCommands = []string{"convert", "validate", "sync", "whoami", "diff", "report", "ipex sync"}

// installTerm gives the commands that do work --color, and convert -v/--verbose, and
// reads them (and --quiet) into t before the command runs.
func installTerm(app *cli.App, t *term) {
	for _, c := range app.Commands {
		for _, sub := range c.Subcommands {
			if slices.Contains(termCommands, c.Name+" "+sub.Name) {
				termFlags(sub, t)
			}
		}
		if slices.Contains(termCommands, c.Name) {
			termFlags(c, t)
		}
	}
}

// termFlags gives one command --color (and convert -v) and reads them into t.
func termFlags(c *cli.Command, t *term) {
	c.Flags = append(c.Flags, &cli.StringFlag{Name: "color", Value: "auto",
		Usage: "colour errors and warnings: `WHEN` auto (on a terminal, unless NO_COLOR is set), always or never"})
	if c.Name == "convert" {
		c.Flags = append(c.Flags, &cli.BoolFlag{Name: "verbose", Aliases: []string{"v"},
			Usage: "say more on stderr: how the export was read (encoding, delimiter, header row, template) and how long each step took"})
	}
	c.Before = func(c *cli.Context) error {
		switch c.String("color") {
		case "auto":
		case "always":
			t.color = true
		case "never":
			t.color = false
		default:
			return usageError("--color %q: want auto, always or never", c.String("color"))
		}
		t.verbose, t.quiet = c.Bool("verbose"), c.Bool("quiet")
		return nil
	}
}

// ANSI colours of messages.
const (
	ansiRed    = "\033[1;31m"
	ansiYellow = "\033[33m"
	ansiCyan   = "\033[36m"
	ansiReset  = "\033[0m"
)

// colorWriter colours the messages written to stderr by their kind, when t says so: the
// final error red, warnings yellow, notes cyan. It looks only at writes that start a
// line; everything else passes as it is.
type colorWriter struct {
	w         io.Writer
	t         *term
	lineStart bool
}

// colored are the kinds of message: a pattern, where it must be, and the word of it
// to colour.
var colored = []struct {
	pattern, word string
	atStart       bool
	color         string
}{
	{"torii-convert: ", "torii-convert:", true, ansiRed},
	{"warning: ", "warning", true, ansiYellow},
	{"note: ", "note", true, ansiCyan},
	{": warning: ", "warning", false, ansiYellow},
}

func (c *colorWriter) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil // says nothing of where the next line starts
	}
	start := c.lineStart
	c.lineStart = len(p) > 0 && p[len(p)-1] == '\n'
	if !c.t.color || !start {
		return c.w.Write(p)
	}
	out := p
	for _, k := range colored {
		i := bytes.Index(p, []byte(k.pattern))
		if i < 0 || k.atStart && i != 0 {
			continue
		}
		i += strings.Index(k.pattern, k.word)
		j := i + len(k.word)
		out = slices.Concat(p[:i], []byte(k.color), p[i:j], []byte(ansiReset), p[j:])
		break
	}
	if _, err := c.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}
