package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/torii-convert/torii-convert/convert"
	"github.com/torii-convert/torii-convert/torii"
)

// convertOptions are the flags of `convert`.
type convertOptions struct {
	template, output, sheet, format, prices, dateOrder string
	delimiter, encoding                                string
	maxErrors, headerRow                               int
	quiet, sync                                        bool
	torii                                              toriiOptions
}

func convertCommand(e env) *cli.Command {
	var o convertOptions
	return &cli.Command{
		Name:      "convert",
		Usage:     "convert an export (CSV or XLSX) into a customIntegrationData file",
		ArgsUsage: "EXPORT",
		Description: `Reads EXPORT (a .csv, .tsv or .xlsx file, a pipe, or - for stdin), maps its rows
with the template, checks the result against Torii's schema and writes it to stdout
or to --output. Nothing is written unless the whole file is valid; every problem is
listed with the file, row and column it came from.

A row may hold 1 MB of text, a template or price list 4 MB; a workbook from a pipe is
copied to a temporary file of at most 1 GB. The README's Limits section lists them all.

With --sync, the file is then uploaded to Torii and the app account synced with it
(stdout gets the file only with -o -). An invalid file is never uploaded.

   torii-convert convert --template figma members.xlsx --sync --app-account 12345`,
		Flags: append(append(readingFlags(&o, true),
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Destination: &o.output,
				Usage: "write the file to `PATH` (replaced atomically) instead of stdout"},
			&cli.StringFlag{Name: "prices", Destination: &o.prices,
				Usage: "price list `CSV` with columns license,price[,purchased]; prices in major units, like $15.00"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Destination: &o.quiet,
				Usage: "print nothing but problems"},
			&cli.BoolFlag{Name: "sync", Destination: &o.sync,
				Usage: "upload the file to Torii and sync --app-account with it"},
			appAccountFlag(&o.torii, false),
			formatFlag(&o.torii),
		), toriiFlags(&o.torii, true)...),
		Action: action(func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageError("convert takes one export to read, got %d; usage: torii-convert convert --template NAME EXPORT", c.NArg())
			}
			return runConvert(c, e, o, c.Args().First())
		}),
	}
}

// readingFlags are the flags that say how to read exports: convert's and validate's.
func readingFlags(o *convertOptions, templateRequired bool) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "template", Aliases: []string{"t"}, Required: templateRequired, Destination: &o.template,
			Usage: "built-in template `NAME` (see `torii-convert templates`) or the path of a template file"},
		&cli.StringFlag{Name: "sheet", Destination: &o.sheet,
			Usage: "the workbook's sheet, by `NAME` or number; default: the first visible sheet"},
		&cli.StringFlag{Name: "input-format", Destination: &o.format,
			Usage: "read the input as `FORMAT` csv or xlsx, whatever its name"},
		&cli.StringFlag{Name: "delimiter", Aliases: []string{"d"}, Destination: &o.delimiter,
			Usage: "CSV field `CHAR`acter: , ; | or tab (default: guessed from the text)"},
		&cli.StringFlag{Name: "encoding", Destination: &o.encoding,
			Usage: "read CSV as `NAME`, such as utf-16le or windows-1252 (default: by its byte order mark, else UTF-8, else Windows-1252)"},
		&cli.IntFlag{Name: "header-row", Destination: &o.headerRow,
			Usage: "the header is on line (CSV) or row (XLSX) `N` (default: the row that best matches the template, under any banner lines)"},
		&cli.StringFlag{Name: "date-order", Destination: &o.dateOrder,
			Usage: "read all-number dates like 03/04/2024 as `ORDER` month-first or day-first"},
		&cli.IntFlag{Name: "max-errors", Value: 50, Destination: &o.maxErrors,
			Usage: "list at most `N` problems a file, and say how many more (0: all)"},
	}
}

func (o convertOptions) toOptions(e env) (convert.Options, error) {
	opts := convert.Options{Sheet: o.sheet, MaxProblems: o.maxErrors, Stdin: e.stdin, Today: e.now(),
		Encoding: o.encoding, HeaderRow: o.headerRow}
	if o.headerRow < 0 {
		return opts, usageError("--header-row %d: want a line number, 1 or more", o.headerRow)
	}
	switch o.format {
	case "", convert.FormatCSV, convert.FormatXLSX:
		opts.Format = o.format
	default:
		return opts, usageError("--input-format %q: want csv or xlsx", o.format)
	}
	switch o.dateOrder {
	case "", convert.MonthFirst, convert.DayFirst:
		opts.DateOrder = o.dateOrder
	default:
		return opts, usageError("--date-order %q: want month-first or day-first", o.dateOrder)
	}
	if o.delimiter != "" {
		d, err := parseDelimiter(o.delimiter)
		if err != nil {
			return opts, err
		}
		opts.Delimiter = d
	}
	if o.maxErrors < 0 {
		return opts, usageError("--max-errors %d: want 0 (all) or more", o.maxErrors)
	}
	t, err := convert.FindTemplate(o.template)
	if err != nil {
		return opts, err
	}
	opts.Template = t
	if o.prices != "" {
		if opts.Prices, err = convert.LoadPrices(o.prices); err != nil {
			return opts, err
		}
	}
	return opts, nil
}

func parseDelimiter(s string) (rune, error) {
	switch strings.ToLower(s) {
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

func runConvert(c *cli.Context, e env, o convertOptions, input string) error {
	opts, err := o.toOptions(e)
	if err != nil {
		return err
	}
	if o.output == "json" || o.output == "text" {
		return usageError("--output %s would write a file named %q; --output (-o) is the file to write, --format %s the report", o.output, o.output, o.output)
	}
	var client *torii.Client
	stream := e.stdout
	if o.sync {
		if o.torii.appAccount == 0 {
			return usageError("--sync needs --app-account: the ID on the custom integration's tile in Torii")
		}
		o.torii.quiet = o.quiet
		if client, err = o.torii.client(e); err != nil { // before the conversion: fail early
			return err
		}
		if o.output == "" {
			stream = nil // the file goes to Torii; stdout only gets it with -o -
		}
	} else if c.IsSet("app-account") || c.IsSet("dry-run") || c.IsSet("upload") || c.IsSet("format") {
		return usageError("--app-account, --dry-run, --upload and --format go with --sync")
	}
	out, err := newOutput(o.output, stream)
	if err != nil {
		return err
	}
	defer out.discard()
	res, err := convert.Convert(c.Context, input, opts, out.sink())
	if err != nil {
		return err
	}
	name := displayName(input)
	printProblems(e.stderr, res.Problems, res.Errors+res.Warnings)
	if !res.Valid() {
		what := "nothing written"
		if o.sync {
			what = "nothing written or uploaded"
		}
		return &invalidData{summary: fmt.Sprintf("%s: %s; %s", name, plural(res.Errors, "error", "errors"), what)}
	}
	if err := out.commit(); err != nil {
		return err
	}
	if !o.quiet {
		for _, n := range res.Notices {
			fmt.Fprintf(e.stderr, "note: %s\n", n)
		}
		for _, m := range res.Missing {
			fmt.Fprintf(e.stderr, "note: the export has no column for %s\n", m)
		}
		fmt.Fprintln(e.stderr, summary(name, res))
	}
	if !o.sync {
		return nil
	}
	return deliver(c, e, &o.torii, client, out.path(), uploadName(input, o.output))
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
		fmt.Fprintln(w, p)
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
	fmt.Fprintf(&b, "%s: %s, %s from %s", name, plural(r.Users, "user", "users"),
		plural(r.Licenses, "license", "licenses"), plural(r.Rows, "row", "rows"))
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
	if r.Warnings > 0 {
		notes = append(notes, plural(r.Warnings, "warning", "warnings"))
	}
	if len(notes) > 0 {
		b.WriteString(" (" + strings.Join(notes, "; ") + ")")
	}
	return b.String()
}
