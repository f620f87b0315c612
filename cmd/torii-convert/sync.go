package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/torii-convert/torii-convert/internal/text"
	"github.com/torii-convert/torii-convert/torii"
)

// toriiOptions say how to reach Torii, and how to upload and sync.
type toriiOptions struct {
	apiURL, keyFile, upload string
	appAccount              int64
	wait, timeout           time.Duration
	dryRun, quiet           bool
	guard                   guardOptions
}

const keyHint = "set TORII_API_KEY, or pass --api-key-file with a file holding the key (Torii: Settings > API Access, Full access)"

// toriiFlags are the flags for reaching Torii; delivery adds those for uploading and syncing.
func toriiFlags(o *toriiOptions, delivery bool) []cli.Flag {
	o.timeout = 60 * time.Second
	flags := []cli.Flag{
		&cli.StringFlag{Name: "api-url", Destination: &o.apiURL,
			Usage: "Torii's API at `URL`, with or without /v1.0 (default: $TORII_API_URL, else " + torii.DefaultBaseURL + ")"},
		&cli.StringFlag{Name: "api-key-file", Destination: &o.keyFile,
			Usage: "read the API key from `PATH` (default: the TORII_API_KEY environment variable)"},
		&cli.DurationFlag{Name: "timeout", Value: o.timeout, Destination: &o.timeout,
			Usage: "give up on a request after `DURATION`"},
		&cli.BoolFlag{Name: "dry-run", Destination: &o.dryRun,
			Usage: "print the requests instead of sending them (the key shown as ***redacted***)"},
	}
	if !delivery {
		o.wait = time.Minute // no --wait here: retries and rate limits wait up to a minute in all
	}
	if delivery {
		o.wait = 10 * time.Minute
		flags = append(flags,
			&cli.StringFlag{Name: "upload", Destination: &o.upload, DefaultText: "auto",
				Usage: "upload `HOW`: direct (POST /files/upload), presigned (through S3), or auto: direct under 3 MB"},
			&cli.DurationFlag{Name: "wait", Value: o.wait, Destination: &o.wait,
				Usage: "wait up to `DURATION` in all: for another sync of the app account, for Torii's rate limit, between retries"},
		)
		flags = append(flags, guardFlags(&o.guard)...)
	}
	return flags
}

func appAccountFlag(o *toriiOptions) cli.Flag {
	return &cli.Int64Flag{Name: "app-account", Destination: &o.appAccount,
		Usage: "the `ID` of the custom integration's app account (Torii: Integrations, on the integration's tile)"}
}

func quietFlag(dest *bool) cli.Flag {
	return &cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Destination: dest,
		Usage: "print no progress, only the outcome and what went wrong"}
}

// legacyOutputFlag keeps `--output json` of sync and whoami working: --output now means
// an output file everywhere, and --format what is printed.
func legacyOutputFlag(dest *string) cli.Flag {
	return &cli.StringFlag{Name: "output", Destination: dest, Hidden: true}
}

const outcomeFormats = "print the outcome as `FORMAT`: text or json (one object on stdout, for scripts)"

// checkFormat holds --format (and the deprecated --output spelling of it) to text or json.
func checkFormat(format *string, legacy string) error {
	if legacy != "" {
		if *format != "text" && *format != legacy {
			return usageError("--output %s and --format %s disagree; --output is the old name of --format", legacy, *format)
		}
		*format = legacy
	}
	if *format != "text" && *format != "json" {
		return usageError("--format %q: want text or json", *format)
	}
	return nil
}

// start opens the run of a command that talks to Torii: its terminal, the check of its
// flags, and the client, reporting as format asks.
func (o *toriiOptions) start(e *env, check func() error, format, legacy string) (*torii.Client, error) {
	*e = e.withTerm()
	if err := check(); err != nil {
		return nil, err
	}
	return o.reportClient(e, format, legacy)
}

// reportClient readies a command whose stdout carries reports only, never a file: its
// stdout is scrubbed of secrets, the old --output spelling gets its note, and the client
// is made.
func (o *toriiOptions) reportClient(e *env, format, legacy string) (*torii.Client, error) {
	e.stdout = scrubbed{e.stdout, e.secrets}
	if legacy != "" {
		fmt.Fprintf(e.stderr, "note: --output %s is deprecated; use --format %s (--output is the output file on convert)\n", legacy, legacy)
	}
	return o.client(*e, format == "json")
}

// check holds the flags for Torii to their rules.
func (o *toriiOptions) check() error {
	switch o.upload {
	case torii.Auto, "auto":
		o.upload = torii.Auto
	case torii.Direct, torii.Presigned:
	default:
		return usageError("--upload %q: want direct, presigned or auto", o.upload)
	}
	if o.timeout <= 0 {
		return usageError("--timeout %s: want a duration above 0, such as 30s", o.timeout)
	}
	if o.wait < 0 {
		return usageError("--wait %s: want 0 or more", o.wait)
	}
	return o.guard.check()
}

// client makes the Torii client, reading the key from the file or the environment. With
// jsonOut, stdout is for the report: dry-run requests go to stderr.
func (o *toriiOptions) client(e env, jsonOut bool) (*torii.Client, error) {
	e = e.withTerm() // the commands that call it directly (diff, whoami) may not have one yet
	if o.apiURL == "" {
		o.apiURL = e.getenv("TORII_API_URL")
	}
	if o.apiURL != "" {
		if u, err := url.Parse(o.apiURL); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return nil, usageError("--api-url (or TORII_API_URL) %q is not an http(s) URL", o.apiURL)
		}
	}
	key, err := o.key(e)
	if err != nil {
		return nil, err
	}
	c := torii.New(o.apiURL, key)
	c.Timeout, c.Wait = o.timeout, o.wait
	if o.dryRun {
		c.DryRun = scrubbed{e.stdout, e.secrets}
		if jsonOut {
			c.DryRun = e.stderr
		}
	}
	c.Notify = func(ev torii.Event) { notify(e, o.quiet, ev.Message, ev.Retry, ev.Until) }
	return c, nil
}

// notify tells of an API client's step, retry or wait: a wait is one live line on a
// terminal, until the next message.
func notify(e env, quiet bool, msg string, retry bool, until time.Time) {
	if quiet {
		return
	}
	if retry && e.tty {
		e.term.wait(msg, until)
		return
	}
	e.term.endWait()
	if e.tty {
		fmt.Fprint(e.stderr, "\r\033[K") // over a live line of progress
	}
	fmt.Fprintln(e.stderr, msg)
}

// key reads the API key, and has it scrubbed from everything printed from then on. A
// flag holding the key itself would show in ps and in shell history, so there is none.
func (o *toriiOptions) key(e env) (string, error) {
	key, err := o.readKey(e)
	e.secrets.add(key)
	return key, err
}

func (o *toriiOptions) readKey(e env) (string, error) {
	authError := func(format string, args ...any) error {
		return &cmdError{kind: kindAuth, msg: fmt.Sprintf(format, args...), hint: keyHint}
	}
	if o.keyFile != "" {
		data, err := readSecretFile(e, o.keyFile, "the API key", "the key", "an API key file")
		if err != nil {
			return "", authError("%v", err)
		}
		key := strings.TrimSpace(string(data))
		switch {
		case strings.ContainsAny(key, "\r\n"):
			e.secrets.add(strings.Fields(key)...)
			return "", authError("the key file %s has a line break inside the key; it must hold the key alone, on one line", o.keyFile)
		case key == "" || strings.ContainsAny(key, " \t"):
			e.secrets.add(strings.Fields(key)...)
			return "", authError("%s does not hold an API key (one line, no spaces)", o.keyFile)
		}
		return key, nil
	}
	if key := strings.TrimSpace(e.getenv("TORII_API_KEY")); key != "" {
		if strings.ContainsAny(key, "\r\n\t ") {
			e.secrets.add(strings.Fields(key)...)
			return "", authError("TORII_API_KEY has a line break or a space inside the key; it must be the key alone")
		}
		return key, nil
	}
	if o.dryRun {
		fmt.Fprintln(e.stderr, "warning: no API key; a real run needs one: "+keyHint)
		return "", nil
	}
	return "", authError("no API key")
}

// syncReport is the outcome of an upload and sync, as --format json prints it.
type syncReport struct {
	Outcome    string `json:"outcome"` // "sync accepted", "dry run" or "failed"
	File       string `json:"file,omitempty"`
	Bytes      int64  `json:"bytes,omitempty"`
	Upload     string `json:"upload,omitempty"`
	FileID     int64  `json:"fileId,omitempty"`
	AppAccount int64  `json:"appAccount"`
	Error      string `json:"error,omitempty"`
	ExitCode   int    `json:"exitCode"`
}

// fail puts the failure that ended the run in the report, if there is one.
func (r *syncReport) fail(code int, msg string) {
	if r != nil {
		r.Outcome, r.Error, r.ExitCode = "failed", msg, code
	}
}

// deliver uploads a checked file (unless fileID names one uploaded before) and syncs the
// app account with it. The report says how far it went.
func deliver(ctx context.Context, e env, o *toriiOptions, client *torii.Client, path, name string, fileID int64) (*syncReport, error) {
	rep := &syncReport{File: name, AppAccount: o.appAccount, FileID: fileID}
	var guard *shrinkGuard
	if path == "" {
		o.say(e, "note: shrink guard: a file synced by --file-id is not seen here, so it is not checked, and the record of the last sync stays as it was")
	} else {
		var err error
		if guard, err = o.checkShrink(ctx, e, client, path, name); err != nil {
			return rep, err
		}
		up, err := client.Upload(ctx, name, path, o.upload)
		e.term.endWait()
		rep.Bytes, rep.Upload, rep.FileID = up.Bytes, up.Method, up.FileID
		if err != nil {
			return rep, err
		}
		if !o.dryRun && !o.quiet {
			fmt.Fprintf(e.stderr, "uploaded %s as file %d\n", name, rep.FileID)
		}
	}
	err := client.Sync(ctx, rep.FileID, o.appAccount)
	e.term.endWait()
	if err != nil {
		return rep, err
	}
	if guard != nil && !o.dryRun {
		guard.remember(e, rep.FileID)
	}
	rep.Outcome = "sync accepted"
	if o.dryRun {
		rep.Outcome = "dry run"
	}
	return rep, nil
}

func printSyncAccepted(w io.Writer, o *toriiOptions, rep *syncReport) {
	if !o.dryRun {
		fmt.Fprintf(w, "sync accepted: app account %d syncs file %d; Torii runs it in the background\n", rep.AppAccount, rep.FileID)
	}
}

// syncOptions are what `sync` is asked to do.
type syncOptions struct {
	args                 []string // the file to upload: one, or none with fileID
	fileID               int64
	format, legacyFormat string
	torii                toriiOptions
}

func syncCommand(e env) *cli.Command {
	o := syncOptions{format: "text"}
	flags := append(toriiFlags(&o.torii, true), appAccountFlag(&o.torii),
		formatFlag(&o.format, outcomeFormats), legacyOutputFlag(&o.legacyFormat), quietFlag(&o.torii.quiet),
		&cli.Int64Flag{Name: "file-id", Destination: &o.fileID,
			Usage: "sync a file already uploaded, by its `ID`, instead of uploading one"})
	return &cli.Command{
		Name:      "sync",
		Usage:     "upload a customIntegrationData file to Torii and sync an app account with it",
		ArgsUsage: "FILE",
		Description: `Checks FILE in full first: an invalid file is never uploaded. Then uploads it and
starts the sync of the app account. Torii runs the sync in the background: the command
says "sync accepted", not "sync complete". The API key comes from TORII_API_KEY or
--api-key-file.

Before uploading, the shrink guard compares the file with the record of the last sync of
the app account (or with Torii, --against torii): losing more than --max-shrink of the
active users or of a license's holders is refused with exit code 7; --allow-shrink lets
it through.`,
		Flags: flags,
		Action: func(c *cli.Context) error {
			o.args = c.Args().Slice()
			return runSync(c.Context, e, o)
		},
	}
}

// check holds sync's flags to their rules, without reading anything.
func (o *syncOptions) check() error {
	switch {
	case len(o.args) > 1:
		return usageError("sync takes one file, got %d", len(o.args))
	case len(o.args) == 0 && o.fileID == 0:
		return usageError("sync needs a file to upload, or --file-id")
	case len(o.args) == 1 && o.fileID != 0:
		return usageError("give a file or --file-id, not both")
	case o.torii.appAccount == 0:
		return &cmdError{kind: kindUsage, msg: "--app-account is required", hint: "give the ID on the custom integration's tile in Torii (Integrations)"}
	}
	if err := checkFormat(&o.format, o.legacyFormat); err != nil {
		return err
	}
	return o.torii.check()
}

func runSync(ctx context.Context, e env, o syncOptions) error {
	client, err := o.torii.start(&e, o.check, o.format, o.legacyFormat)
	if err != nil {
		return err
	}
	path, name := "", ""
	if len(o.args) == 1 {
		name = filepath.Base(o.args[0])
		checked, err := checkBeforeUpload(e, o.args[0])
		if err != nil {
			return err
		}
		defer dropSpool(checked)
		path = checked.path()
	}
	rep, err := deliver(ctx, e, &o.torii, client, path, name, o.fileID)
	if o.format == "json" {
		return printReport(e, rep, rep.fail, err)
	}
	if err == nil {
		printSyncAccepted(e.stdout, &o.torii, rep)
	}
	return err
}

// checkBeforeUpload checks a file in full, copying it as it reads into a spool that only
// this process can reach: what is uploaded is the bytes that were checked, even if the
// file is replaced or written to in the meantime. Only a valid file goes to Torii.
func checkBeforeUpload(e env, path string) (*spool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, failure("reading %s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	sp, err := newSpool(os.TempDir())
	if err != nil {
		return nil, failure("copying %s for the upload: %v", path, err)
	}
	spools.Store(sp, true)
	ok := false
	defer func() {
		if !ok {
			dropSpool(sp)
		}
	}()
	tee := io.TeeReader(f, sp.f)
	rep, err := checkFile(tee, path, e.now(), 50)
	if err == nil {
		// Whatever the checker did not need to read is copied too, and must be blank.
		err = blankRest(tee)
	}
	if err != nil {
		return nil, failure("reading %s: %v", path, err)
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(e.stderr, p)
	}
	if rep.MoreProblems > 0 {
		fmt.Fprintln(e.stderr, moreProblems(rep.MoreProblems))
	}
	if rep.Errors > 0 {
		return nil, invalidData("%s: %s; nothing uploaded", path, text.Plural(rep.Errors, "error", "errors"))
	}
	ok = true
	return sp, nil
}

// blankRest reads r to its end and fails on anything but JSON whitespace.
func blankRest(r io.Reader) error {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		for _, b := range buf[:n] {
			if b != ' ' && b != '\t' && b != '\n' && b != '\r' {
				return fmt.Errorf("text after the end of the JSON document")
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// whoamiOptions are what `whoami` is asked to do.
type whoamiOptions struct {
	args                 []string // none
	format, legacyFormat string
	torii                toriiOptions
}

func whoamiCommand(e env) *cli.Command {
	o := whoamiOptions{format: "text"}
	return &cli.Command{
		Name:  "whoami",
		Usage: "check the API key: print the organization it belongs to",
		Flags: append(toriiFlags(&o.torii, false), formatFlag(&o.format, outcomeFormats),
			legacyOutputFlag(&o.legacyFormat), quietFlag(&o.torii.quiet)),
		Action: func(c *cli.Context) error {
			o.args = c.Args().Slice()
			return runWhoami(c.Context, e, o)
		},
	}
}

func (o *whoamiOptions) check() error {
	if len(o.args) > 0 {
		return usageError("whoami takes no arguments, got %q", o.args[0])
	}
	if err := checkFormat(&o.format, o.legacyFormat); err != nil {
		return err
	}
	return o.torii.check()
}

func runWhoami(ctx context.Context, e env, o whoamiOptions) error {
	client, err := o.torii.start(&e, o.check, o.format, o.legacyFormat)
	if err != nil {
		return err
	}
	org, err := client.WhoAmI(ctx)
	if err != nil || o.torii.dryRun {
		return err
	}
	if o.format == "json" {
		return printReport(e, map[string]any{"id": org.ID, "companyName": org.CompanyName, "domain": org.Domain}, nil, nil)
	}
	fmt.Fprintf(e.stdout, "%s (%s), organization %d: the API key works\n", org.CompanyName, org.Domain, org.ID)
	return nil
}
