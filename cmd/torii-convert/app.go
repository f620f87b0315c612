package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/torii-convert/torii-convert/internal/text"
)

// env is what a run knows of the process: its streams, its environment and the time.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	now            func() time.Time
	// tty says stderr is a terminal: live progress lines go there only then.
	tty bool
	// secrets scrubs what run reads of secrets from stderr, errors and reports.
	secrets *scrubber
	// term is what a run decided about stderr: colour, progress, verbosity.
	term *term
}

// run is the whole program; main only gathers the process state for it. It never exits
// the process and never writes anywhere but the streams it is given. The exit code is
// chosen here, and only here.
func run(ctx context.Context, args []string, e env) int {
	if e.now == nil {
		e.now = time.Now
	}
	if e.getenv == nil {
		e.getenv = func(string) string { return "" }
	}
	e.secrets = &scrubber{}
	e = e.withTerm()
	e.stderr = scrubbed{&colorWriter{w: e.stderr, t: e.term, lineStart: true}, e.secrets}
	app := newApp(e)
	err := app.RunContext(ctx, interspersed(app, args))
	e.term.endWait() // a wait still on the live line when the command ended
	return exitWith(ctx, e, err)
}

// exitWith ends a run with err: it gives the exit code, writes the report a run owes,
// and the message.
func exitWith(ctx context.Context, e env, err error) int {
	if err == nil {
		return exitOK
	}
	x := describe(ctx, err)
	code := exitCode(x.kind)
	x.msg, x.hint = e.secrets.scrub(x.msg), e.secrets.scrub(x.hint)
	var rep *reported
	if errors.As(err, &rep) {
		rep.write(code, x.msg)
	}
	printError(e.stderr, x)
	return code
}

func newApp(e env) *cli.App {
	e = e.withTerm()
	app := &cli.App{
		Name:      "torii-convert",
		Usage:     "turn SaaS admin exports into Torii custom integration files",
		Version:   versionText(),
		Reader:    e.stdin,
		Writer:    e.stdout,
		ErrWriter: e.stderr,
		// urfave/cli would otherwise exit the process itself, and print usage errors to stdout.
		ExitErrHandler:  func(*cli.Context, error) {},
		HideHelpCommand: true,
		// A header may hold a comma: --field "/Site=City, State" is one mapping, not two.
		DisableSliceFlagSeparator: true,
		Description: `torii-convert reads XLSX and CSV exports (Figma, Stripe, HR rosters, your own)
and maps them, through a template, to the users and licenses of a Torii
customIntegrationData file, checked against Torii's schema.

EXAMPLES:
   torii-convert convert --template figma members.xlsx -o figma.json
   torii-convert convert export.csv --template ./my-template.json > users.json
   torii-convert templates show figma > my-template.json
   export TORII_API_KEY=...
   torii-convert convert --template figma members.xlsx --sync --app-account 12345
   torii-convert sync --app-account 12345 figma.json
   torii-convert validate --format github data/*.json
   torii-convert diff last-night.json figma.json
   torii-convert report figma.json --html waste.html
   export IPEX_URL=https://acme.ipexhelpdesk.cz IPEX_USER=api-sync IPEX_PASSWORD=...
   torii-convert ipex sync --template hr roster.xlsx

EXIT CODES:
` + exitCodesHelp(),
		Commands: []*cli.Command{
			convertCommand(e),
			validateCommand(e),
			syncCommand(e),
			diffCommand(e),
			reportCommand(e),
			whoamiCommand(e),
			ipexCommand(e),
			templatesCommand(e),
			completionCommand(e),
			manCommand(e),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return unknownCommand("torii-convert", c.Args().First(), c.App.Commands)
			}
			return cli.ShowAppHelp(c)
		},
	}
	installTerm(app, e.term)
	installHelp(app, e)
	return app
}

// isTerminal reports whether w is a terminal, for progress and colour; through the
// scrubber that run puts on stderr too.
func isTerminal(w io.Writer) bool {
	if s, ok := w.(scrubbed); ok {
		w = s.w
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// moreProblems says how many problems a capped listing left out.
func moreProblems(n int) string {
	return fmt.Sprintf("... and %s (--max-errors 0 lists them all)", text.Plural(n, "more problem", "more problems"))
}
