package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/torii-convert/torii-convert/convert"
	"github.com/torii-convert/torii-convert/internal/text"
	"github.com/torii-convert/torii-convert/torii"
)

// readOptions say how to read exports: convert's and validate's.
type readOptions struct {
	template, sheet, inputFormat, delimiter, encoding, dateOrder string
	headerRow, maxErrors                                         int
	spillAfter                                                   int
	strict                                                       bool
}

// spillAfter is --spill-after's default: users past it are kept in a temporary file.
const spillAfter = 5_000_000

// convertOptions are what `convert` is asked to do.
type convertOptions struct {
	args                   []string // the export to read: one
	read                   readOptions
	output, prices, format string
	preview                int // rows to explain; 0 converts
	quiet, sync            bool
	torii                  toriiOptions
}

func convertCommand(e env) *cli.Command {
	o := convertOptions{read: readOptions{maxErrors: 50}, format: "text"}
	return &cli.Command{
		Name:      "convert",
		Usage:     "convert an export (CSV or XLSX) into a customIntegrationData file",
		ArgsUsage: "EXPORT",
		Description: `Reads EXPORT (a .csv, .tsv or .xlsx file, a pipe, or - for stdin), maps its rows
with the template, checks the result against Torii's schema and writes it to stdout
or to --output. Nothing is written unless the whole file is valid; every problem is
listed with the file, row and column it came from. --output may not name EXPORT.

Without --template (or with --template auto) the template is the built-in whose
columns fit the header best, when one clearly does; stderr says which. A column that
looks like Torii data but feeds nothing is a warning, a template field whose columns
are all missing an error. --preview N shows how the first N rows map, and why.

With --format json and -o FILE, stdout gets the run's summary as one JSON object:
users, licenses, rows read, merged, skipped (with reasons), notes and the output path.

A row may hold 1 MB of text, a template or price list 4 MB; a workbook from a pipe is
copied to a temporary file of at most 1 GB. Past --spill-after users (5,000,000), the
others are kept in a temporary file in $TMPDIR, and a note says so. The README's
Limits section lists them all.

With --sync, the file is then uploaded to Torii and the app account synced with it
(stdout gets the file only with -o -). An invalid file is never uploaded.`,
		Flags: append(append(readingFlags(&o.read),
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Destination: &o.output,
				Usage: "write the file to `PATH` (replaced atomically) instead of stdout"},
			&cli.StringFlag{Name: "prices", Destination: &o.prices,
				Usage: "price list `CSV` with columns license,price[,purchased]; prices in major units, like $15.00"},
			&cli.IntFlag{Name: "preview", Aliases: []string{"explain"}, Destination: &o.preview,
				Usage: "write nothing; show, for the first `N` rows (up to 1000), which column fed which field and why each value mapped as it did, then the columns that feed nothing and the template's entries no column matched"},
			formatFlag(&o.format, "print the summary as `FORMAT`: text (on stderr) or json (one object on stdout; needs -o FILE or --sync)"),
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Destination: &o.quiet,
				Usage: "print nothing but problems"},
			&cli.BoolFlag{Name: "sync", Destination: &o.sync,
				Usage: "upload the file to Torii and sync --app-account with it"},
			appAccountFlag(&o.torii),
		), toriiFlags(&o.torii, true)...),
		Action: func(c *cli.Context) error {
			o.args = c.Args().Slice()
			return runConvert(c.Context, e, o)
		},
	}
}

// readingFlags are the flags that say how to read exports: convert's and validate's.
func readingFlags(o *readOptions) []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "template", Aliases: []string{"t"}, Destination: &o.template,
			Usage: "built-in template `NAME` (see `torii-convert templates`), the path of a template file, or auto (convert's default): the built-in whose columns fit the header"},
	}, append(sourceFlags(o),
		&cli.StringFlag{Name: "date-order", Destination: &o.dateOrder,
			Usage: "read all-number dates like 03/04/2024 as `ORDER` month-first or day-first"},
		&cli.IntFlag{Name: "max-errors", Value: o.maxErrors, Destination: &o.maxErrors,
			Usage: "list the first `N` problems of a file, by position, and say how many more (0: all)"},
		&cli.BoolFlag{Name: "strict", Destination: &o.strict,
			Usage: "make errors of the warnings about the template: price or catalog entries that match no license, columns that look like data but feed nothing"},
		&cli.IntFlag{Name: "spill-after", Value: spillAfter, Destination: &o.spillAfter,
			Usage: "keep the users past the first `N` (rounded up to a block of 4,096) in a temporary file in $TMPDIR rather than in memory, and say so (Linux; 0: all in memory)"},
	)...)
}

// sourceFlags say how to read the rows of an export: convert's, validate's and
// templates init's.
func sourceFlags(o *readOptions) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "sheet", Destination: &o.sheet,
			Usage: "the workbook's sheet, by `NAME` or number; default: the first visible sheet"},
		&cli.StringFlag{Name: "input-format", Destination: &o.inputFormat,
			Usage: "read the input as `FORMAT` csv or xlsx, whatever its name"},
		&cli.StringFlag{Name: "delimiter", Aliases: []string{"d"}, Destination: &o.delimiter,
			Usage: "CSV field `CHAR`acter: , ; | or tab (default: guessed from the text)"},
		&cli.StringFlag{Name: "encoding", Destination: &o.encoding,
			Usage: "read CSV as `NAME`, such as utf-16le or windows-1252 (default: by its byte order mark, else UTF-8, else Windows-1252)"},
		&cli.IntFlag{Name: "header-row", Destination: &o.headerRow,
			Usage: "the header is on line (CSV) or row (XLSX) `N` (default: the row that best matches the template, under any banner lines)"},
	}
}

func formatFlag(dest *string, usage string) cli.Flag {
	return &cli.StringFlag{Name: "format", Value: *dest, Destination: dest, Usage: usage}
}

// check holds the reading flags to their rules, without reading anything.
func (o readOptions) check() error {
	switch {
	case o.headerRow < 0:
		return usageError("--header-row %d: want a line number, 1 or more", o.headerRow)
	case o.maxErrors < 0:
		return usageError("--max-errors %d: want 0 (all) or more", o.maxErrors)
	case o.spillAfter < 0:
		return usageError("--spill-after %d: want a number of users, or 0 to keep them all in memory", o.spillAfter)
	}
	switch o.inputFormat {
	case "", convert.FormatCSV, convert.FormatXLSX:
	default:
		return usageError("--input-format %q: want csv or xlsx", o.inputFormat)
	}
	switch o.dateOrder {
	case "", convert.MonthFirst, convert.DayFirst:
	default:
		return usageError("--date-order %q: want month-first or day-first", o.dateOrder)
	}
	if o.delimiter != "" {
		if _, err := parseDelimiter(o.delimiter); err != nil {
			return err
		}
	}
	return nil
}

// options loads the template and the price list, for flags that passed check.
func (o readOptions) options(e env, prices string) (convert.Options, error) {
	opts := convert.Options{Sheet: o.sheet, MaxProblems: o.maxErrors, Stdin: e.stdin, Today: e.now(),
		Encoding: o.encoding, HeaderRow: o.headerRow, Format: o.inputFormat, DateOrder: o.dateOrder, Strict: o.strict,
		SpillAfter: o.spillAfter, SpillDir: os.TempDir()}
	opts.Delimiter, _ = parseDelimiter(o.delimiter)
	if o.template != "" && o.template != "auto" { // else detected from the header
		t, err := convert.FindTemplate(o.template)
		if err != nil {
			return opts, err
		}
		opts.Template = t
	}
	if prices != "" {
		var err error
		if opts.Prices, err = convert.LoadPrices(prices); err != nil {
			return opts, err
		}
	}
	return opts, nil
}

func parseDelimiter(s string) (rune, error) {
	switch strings.ToLower(s) {
	case "":
		return 0, nil
	case ",", "comma":
		return ',', nil
	case ";", "semicolon":
		return ';', nil
	case "|", "pipe":
		return '|', nil
	case "\t", `\t`, "tab":
		return '\t', nil
	}
	return 0, usageError("--delimiter %q: want , ; | or tab", s)
}

// check holds convert's flags to their rules, without reading anything.
func (o *convertOptions) check() error {
	switch {
	case len(o.args) != 1:
		return usageError("convert takes one export to read, got %d; usage: torii-convert convert [--template NAME] EXPORT", len(o.args))
	case o.preview < 0 || o.preview > convert.MaxPreview:
		return usageError("--preview %d: want a number of rows from 1 to %d", o.preview, convert.MaxPreview)
	case o.preview > 0 && (o.sync || o.output != "" || o.format == "json"):
		return usageError("--preview writes nothing but itself: it goes without --sync, --output and --format json")
	case o.output == "json" || o.output == "text":
		return usageError("--output %s would write a file named %q; --output (-o) is the file to write, --format %s the report", o.output, o.output, o.output)
	case o.format != "text" && o.format != "json":
		return usageError("--format %q: want text or json", o.format)
	case o.format == "json" && (o.output == "-" || o.output == "" && !o.sync):
		return usageError("--format json prints the summary on stdout, where the file would go too; pass -o FILE")
	}
	if err := o.read.check(); err != nil {
		return err
	}
	if !o.sync {
		if o.torii.appAccount != 0 || o.torii.dryRun || o.torii.upload != "" {
			return usageError("--app-account, --dry-run and --upload go with --sync")
		}
		if o.torii.guard.changed() {
			return usageError("the shrink guard's flags (--max-shrink, --allow-shrink, --against, --remember, --app) go with --sync")
		}
		return nil
	}
	if o.torii.appAccount == 0 {
		return usageError("--sync needs --app-account: the ID on the custom integration's tile in Torii")
	}
	return o.torii.check()
}

// convertReport is the run's summary as --format json prints it; after --sync, with
// the sync's outcome.
type convertReport struct {
	*syncReport
	Input    string          `json:"input"`
	Output   string          `json:"output,omitempty"`
	Template string          `json:"template"`
	Users    int             `json:"users"`
	Licenses int             `json:"licenses"`
	Rows     int             `json:"rows"`
	Merged   int             `json:"merged"`
	Skipped  []skippedReport `json:"skipped"`
	Warnings int             `json:"warnings"`
	Notes    []string        `json:"notes"`
	Defaults []string        `json:"defaults"` // where the template's defaults stood in for values
}

type skippedReport struct {
	Reason string `json:"reason"`
	Rows   int    `json:"rows"`
}

func runConvert(ctx context.Context, e env, o convertOptions) error {
	e = e.withTerm()
	if err := o.check(); err != nil {
		return err
	}
	input := o.args[0]
	if err := sameFile(o.output, input, o.read.template, o.prices); err != nil {
		return err
	}
	opts, err := o.read.options(e, o.prices)
	if err != nil {
		return err
	}
	if o.preview > 0 {
		return convert.Preview(ctx, input, opts, o.preview, e.stdout)
	}
	var client *torii.Client
	stream := e.stdout
	if o.sync {
		o.torii.quiet = o.quiet
		if client, err = o.torii.client(e, o.format == "json"); err != nil { // before the conversion: fail early
			return err
		}
		if o.output == "" {
			stream = nil // the file goes to Torii; stdout only gets it with -o -
		}
	}
	out, err := newOutput(o.output, stream)
	if err != nil {
		return err
	}
	defer out.discard()
	name := displayName(input)
	meter := e.term.rowMeter(name, time.Now())
	opts.Progress = meter.progressFunc()
	res, err := convert.Convert(ctx, input, opts, out.sink())
	meter.done()
	if err != nil {
		return err
	}
	if err := o.tellProblems(e, name, res); err != nil {
		return err
	}
	written := time.Now()
	if err := out.commit(ctx); err != nil {
		return err
	}
	if e.term.verbose {
		printDetails(e.stderr, name, res, time.Since(written))
	}
	return o.finish(ctx, e, client, out.path(), res)
}

// tellProblems says which template was detected (or would fit better) and the
// conversion's problems; with errors, it fails before anything is written or uploaded.
func (o *convertOptions) tellProblems(e env, name string, res *convert.Result) error {
	if !o.quiet && res.Detected != "" {
		fmt.Fprintf(e.stderr, "%s: %s\n", name, res.Detected)
	}
	if !o.quiet && res.BetterFit != "" {
		fmt.Fprintf(e.stderr, "note: %s\n", res.BetterFit)
	}
	printProblems(e.stderr, res.Problems, res.Errors+res.Warnings)
	if !res.Valid() {
		what := "nothing written"
		if o.sync {
			what = "nothing written or uploaded"
		}
		return invalidData("%s: %s; %s", name, text.Plural(res.Errors, "error", "errors"), what)
	}
	return nil
}

// finish tells what a conversion written in full made, then syncs it with --sync.
func (o *convertOptions) finish(ctx context.Context, e env, client *torii.Client, path string, res *convert.Result) error {
	name := displayName(o.args[0])
	rep := newConvertReport(name, o.output, res)
	if !o.quiet && o.format == "text" {
		for _, n := range rep.Notes {
			fmt.Fprintf(e.stderr, "note: %s\n", n)
		}
		fmt.Fprintln(e.stderr, summary(name, res))
	}
	var err error
	if o.sync {
		rep.syncReport, err = deliver(ctx, e, &o.torii, client, path, uploadName(o.args[0], o.output), 0)
	}
	if o.format == "json" {
		return printReport(e, rep, rep.syncReport.fail, err)
	}
	if o.sync && err == nil {
		printSyncAccepted(scrubbed{e.stdout, e.secrets}, &o.torii, rep.syncReport)
	}
	return err
}

func newConvertReport(name, output string, res *convert.Result) *convertReport {
	rep := &convertReport{Input: name, Output: output, Template: res.Template.Name, Users: res.Users, Licenses: res.Licenses, Rows: res.Rows,
		Merged: res.Merged, Warnings: res.Warnings, Skipped: []skippedReport{}, Notes: []string{}, Defaults: []string{}}
	for _, s := range res.Skipped {
		rep.Skipped = append(rep.Skipped, skippedReport{s.Reason, s.Rows})
	}
	rep.Notes = append(rep.Notes, res.Notices...)
	if len(res.Missing) > 0 {
		rep.Notes = append(rep.Notes, "the export has no column for "+strings.Join(res.Missing, ", ")+" (optional in the template)")
	}
	rep.Defaults = append(rep.Defaults, res.Defaults...)
	return rep
}

// printReport prints a --format json report, secrets scrubbed: now when the run went
// well, else once the exit code is known, after failed has put the failure in it.
func printReport(e env, rep any, failed func(code int, msg string), err error) error {
	write := func() {
		out, _ := json.Marshal(rep)
		fmt.Fprintln(e.stdout, e.secrets.scrub(string(out)))
	}
	if err == nil {
		write()
		return nil
	}
	return &reported{err: err, write: func(code int, msg string) {
		if failed != nil {
			failed(code, msg)
		}
		write()
	}}
}

// uploadName is the file name Torii is told: the output's, or the export's as .json.
func uploadName(input, output string) string {
	if output != "" && output != "-" {
		return filepath.Base(output)
	}
	if input == "-" {
		return "stdin.json"
	}
	base := filepath.Base(input)
	return strings.TrimSuffix(base, filepath.Ext(base)) + ".json"
}

func displayName(input string) string {
	if input == "-" {
		return "stdin"
	}
	return input
}

// printProblems lists problems, then says how many more there were.
func printProblems(w io.Writer, problems []convert.Problem, total int) {
	for _, p := range problems {
		fmt.Fprintln(w, exportFinding(p))
	}
	if more := total - len(problems); more > 0 {
		fmt.Fprintln(w, moreProblems(more))
	}
}

// summary is the one line a conversion ends with:
//
//	users.csv: 3 users, 3 licenses from 5 rows (1 merged; skipped: 1 guest, 1 bot; 2 warnings)
func summary(name string, r *convert.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s, %s from %s", name, text.Plural(r.Users, "user", "users"),
		text.Plural(r.Licenses, "license", "licenses"), text.Plural(r.Rows, "row", "rows"))
	var notes, skipped []string
	if r.Merged > 0 {
		notes = append(notes, fmt.Sprintf("%d merged into users of earlier rows", r.Merged))
	}
	for _, s := range r.Skipped {
		skipped = append(skipped, fmt.Sprintf("%d %s", s.Rows, s.Reason))
	}
	if len(skipped) > 0 {
		notes = append(notes, "skipped: "+strings.Join(skipped, ", "))
	}
	if len(r.Defaults) > 0 {
		notes = append(notes, "defaults: "+strings.Join(r.Defaults, ", "))
	}
	if r.Warnings > 0 {
		notes = append(notes, text.Plural(r.Warnings, "warning", "warnings"))
	}
	if len(notes) > 0 {
		b.WriteString(" (" + strings.Join(notes, "; ") + ")")
	}
	return b.String()
}
