package main

import (
	"bytes"
	"context"

	"github.com/urfave/cli/v2"

	delta "github.com/torii-convert/torii-convert/diff" // diff is the golden tests' line diff
	"github.com/torii-convert/torii-convert/internal/roster"
	"github.com/torii-convert/torii-convert/torii"
)

// toriiSide is how a command line names what Torii holds now, instead of a file.
const toriiSide = "torii:"

// diffOptions are the flags and arguments of `diff`.
type diffOptions struct {
	read     readOptions  // how to read exports
	torii    toriiOptions // how to reach Torii, for torii:
	app      int64
	account  int64 // with torii:, only the users of this app account
	limit    int
	format   string
	args     []string // OLD and NEW
	old, new string
}

func diffCommand(e env) *cli.Command {
	o := diffOptions{read: readOptions{maxErrors: 50}, limit: 10, format: "text"}
	flags := append(readingFlags(&o.read),
		&cli.IntFlag{Name: "limit", Value: o.limit, Destination: &o.limit,
			Usage: "list at most `N` emails of each kind of change (0: all)"},
		formatFlag(&o.format, "print the changes as `FORMAT` text, or json (every list in full, for scripts)"),
		&cli.Int64Flag{Name: "app", Destination: &o.app,
			Usage: "with torii: as a side, the `ID` of the app in Torii whose users to read"},
		&cli.Int64Flag{Name: "app-account", Destination: &o.account,
			Usage: "with torii:, keep only the users of the app account `ID` (the app's users come from all its accounts and sources)"},
	)
	for _, f := range toriiFlags(&o.torii, false) {
		if f.Names()[0] != "dry-run" {
			flags = append(flags, f)
		}
	}
	return &cli.Command{
		Name:      "diff",
		Usage:     "tell what would change from OLD to NEW: users added, removed, deactivated, licenses gained and lost",
		ArgsUsage: "OLD NEW",
		Description: `Compares two customIntegrationData files (read as they are: validate checks them), or
exports read through --template, or what Torii holds now (torii:, with --app). Emails
match ignoring case, and the order of users, licenses and holders makes no difference.
Prints the counts first, then the first --limit emails of each kind; --format json
gives every list.

Exit codes: 0 the same, 8 they differ, 2 usage, 3 a side is malformed JSON or an export
that does not convert, 1 a side could not be read.`,
		Flags: flags,
		Action: func(c *cli.Context) error {
			o.args = c.Args().Slice()
			return runDiff(c.Context, e, o)
		},
	}
}

func (o *diffOptions) check() error {
	if len(o.args) != 2 {
		return usageError("diff compares two sides, got %d; usage: torii-convert diff OLD NEW", len(o.args))
	}
	o.old, o.new = o.args[0], o.args[1]
	if err := o.read.check(); err != nil {
		return err
	}
	if (o.old == toriiSide || o.new == toriiSide) && o.app != 0 {
		if err := o.torii.check(); err != nil {
			return err
		}
	}
	switch {
	case o.format != "text" && o.format != "json":
		return usageError("--format %q: want text or json", o.format)
	case o.limit < 0:
		return usageError("--limit %d: want 0 (all) or more", o.limit)
	case o.old == toriiSide && o.new == toriiSide:
		return usageError("diff compares Torii with a file: only one side may be torii:")
	case (o.old == toriiSide || o.new == toriiSide) && o.app == 0:
		return usageError("torii: needs --app: the ID of the app in Torii (its page's URL ends with it)")
	case (o.app != 0 || o.account != 0) && o.old != toriiSide && o.new != toriiSide:
		return usageError("--app and --app-account go with torii: as one of the sides")
	case o.old == "-" && o.new == "-":
		return usageError("only one side can be read from stdin")
	}
	return nil
}

func runDiff(ctx context.Context, e env, o diffOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	rosterGC(e)
	rosters, compare, err := o.readSides(ctx, e)
	if err != nil {
		return err
	}
	res := delta.Compare(rosters[0], rosters[1], compare)
	if o.format == "json" {
		err = delta.WriteJSON(e.stdout, res)
	} else {
		err = delta.WriteText(e.stdout, res, o.limit)
	}
	if err != nil {
		return &cmdError{kind: kindFailure, msg: "writing the diff: " + err.Error()}
	}
	if !res.Same {
		return &cmdError{kind: kindDiffer} // as diff(1) does: the output says it all
	}
	return nil
}

// readSides reads OLD and NEW at once: each is a stream, and the machine has more
// cores. What each side has to say is kept, and said in the order of the sides. With
// Torii as a side, the comparison leaves out what Torii does not give: prices and
// seats always, license names when no user has any.
func (o *diffOptions) readSides(ctx context.Context, e env) ([]*roster.Roster, delta.Options, error) {
	var compare delta.Options
	opts, err := o.read.exportOptions(e, "")
	if err != nil {
		return nil, compare, err
	}
	var client *torii.Client
	if o.old == toriiSide || o.new == toriiSide {
		if client, err = o.torii.reportClient(&e, o.format, ""); err != nil {
			return nil, compare, err
		}
	}
	rosters := make([]*roster.Roster, 2)
	errs := make([]error, 2)
	said := make([]bytes.Buffer, 2)
	done := make(chan int)
	for i, side := range []string{o.old, o.new} {
		e := e
		e.stderr = &said[i]
		go func() {
			defer func() { done <- i }()
			if side == toriiSide {
				var licenses bool
				rosters[i], licenses, errs[i] = loadToriiRoster(ctx, e, client, o.app, o.account)
				compare = delta.Options{NoLicenses: !licenses, NoPrices: true}
				return
			}
			rosters[i], errs[i] = loadRoster(ctx, e, side, opts, o.read.maxErrors)
		}()
	}
	<-done
	<-done
	for i := range said {
		e.stderr.Write(said[i].Bytes())
	}
	for _, err := range errs {
		if err != nil {
			return nil, compare, err
		}
	}
	return rosters, compare, nil
}
