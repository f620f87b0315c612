package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	waste "github.com/torii-convert/torii-convert/report"
)

// reportOptions are the flags and argument of `report`.
type reportOptions struct {
	read   readOptions // how to read an export
	prices string
	idle   string
	days   int // idle, read
	format string
	html   string
	args   []string // FILE
	file   string
}

func reportCommand(e env) *cli.Command {
	o := reportOptions{read: readOptions{maxErrors: 50}, idle: "90d", format: "text"}
	return &cli.Command{
		Name:      "report",
		Usage:     "license waste and cost: per license the holders, idle holders, unassigned seats and what they cost",
		ArgsUsage: "FILE",
		Description: `Reads a customIntegrationData file, or an export through --template (prices from the
template's catalog or --prices), and tells per license: holders, active holders,
holders with no use in --idle (by lastUsedDate; a holder without one counts as idle),
unassigned seats, price, monthly cost (active holders and unassigned seats), and the
cost of the idle and unassigned seats; then the totals. Most wasteful first.

Exit codes: 0 done, 1 the file could not be read or the page written, 2 usage,
3 the file is invalid.`,
		Flags: append(readingFlags(&o.read),
			&cli.StringFlag{Name: "prices", Destination: &o.prices,
				Usage: "with --template, price list `CSV` with columns license,price[,purchased]"},
			&cli.StringFlag{Name: "idle", Value: o.idle, Destination: &o.idle,
				Usage: "a holder with no use in `DAYS` (like 90d) is idle"},
			formatFlag(&o.format, "print the report as `FORMAT` text, json (amounts in cents), csv or markdown"),
			&cli.StringFlag{Name: "html", Destination: &o.html,
				Usage: "also write a self-contained page with a chart of cost and waste to `FILE` (replaced atomically)"},
		),
		Action: func(c *cli.Context) error {
			o.args = c.Args().Slice()
			return runReport(c.Context, e, o)
		},
	}
}

func (o *reportOptions) check() error {
	if len(o.args) != 1 {
		return usageError("report takes one file, got %d; usage: torii-convert report FILE", len(o.args))
	}
	o.file = o.args[0]
	if err := o.read.check(); err != nil {
		return err
	}
	switch o.format {
	case "text", "json", "csv", "markdown":
	default:
		return usageError("--format %q: want text, json, csv or markdown", o.format)
	}
	n, err := strconv.Atoi(strings.TrimSuffix(o.idle, "d"))
	if err != nil || n < 1 {
		return usageError("--idle %q: want a number of days, like 90d", o.idle)
	}
	o.days = n
	if o.prices != "" && o.read.template == "" {
		return usageError("--prices goes with --template: a customIntegrationData file has its prices already")
	}
	if o.html == "-" {
		return usageError("--html needs a file name; the page is written to it, never to stdout")
	}
	return nil
}

func runReport(ctx context.Context, e env, o reportOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	rosterGC(e)
	if err := sameFileAs("--html", "--html", o.html, o.file, o.read.template, o.prices); err != nil {
		return err
	}
	opts, err := o.read.exportOptions(e, o.prices)
	if err != nil {
		return err
	}
	r, err := loadRoster(ctx, e, o.file, opts, o.read.maxErrors)
	if err != nil {
		return err
	}
	rep := waste.Build(r, e.now(), o.days)
	if o.html != "" {
		out, err := newOutput(o.html, nil)
		if err != nil {
			return err
		}
		defer out.discard()
		if err := waste.WriteHTML(out.sink(), rep); err != nil {
			return &cmdError{kind: kindFailure, msg: fmt.Sprintf("writing %s: %v", o.html, err)}
		}
		if err := out.commit(ctx); err != nil {
			return err
		}
	}
	write := map[string]func(*waste.Report) error{
		"text":     func(r *waste.Report) error { return waste.WriteText(e.stdout, r) },
		"json":     func(r *waste.Report) error { return waste.WriteJSON(e.stdout, r) },
		"csv":      func(r *waste.Report) error { return waste.WriteCSV(e.stdout, r) },
		"markdown": func(r *waste.Report) error { return waste.WriteMarkdown(e.stdout, r) },
	}[o.format]
	if err := write(rep); err != nil {
		return &cmdError{kind: kindFailure, msg: "writing the report: " + err.Error()}
	}
	return nil
}
