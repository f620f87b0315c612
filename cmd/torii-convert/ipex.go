package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/torii-convert/torii-convert/convert"
	"github.com/torii-convert/torii-convert/internal/httpx"
	"github.com/torii-convert/torii-convert/internal/state"
	"github.com/torii-convert/torii-convert/internal/text"
	"github.com/torii-convert/torii-convert/ipex"
	"github.com/torii-convert/torii-convert/schema"
)

// ipexSyncOptions are the flags of `ipex sync`.
type ipexSyncOptions struct {
	args           []string    // the file to read: one
	read           readOptions // how to read an export: --template, --sheet, ...
	input          string      // args[0], once checked
	url, user      string
	passwordFile   string
	keys, format   string
	fields         []string // --field /Path=NAME
	deleted        string   // --deleted PATH=VALUE
	batchSize      int
	timeout, wait  time.Duration
	adoptConflicts bool
	dryRun, quiet  bool
	guard          guardOptions // --max-shrink, --allow-shrink
}

const ipexCredentialsHint = "set IPEX_USER and IPEX_PASSWORD (or --password-file PATH): a helpdesk user allowed to import requestors"

func ipexCommand(e env) *cli.Command {
	o := ipexSyncOptions{read: readOptions{maxErrors: 50}, format: "text", batchSize: ipex.MaxBatch,
		timeout: 60 * time.Second, wait: 5 * time.Minute}
	var fields cli.StringSlice
	sync := &cli.Command{
		Name:      "sync",
		Usage:     "create and update the helpdesk's requestors from an export or a customIntegrationData file",
		ArgsUsage: "FILE",
		Description: `Reads FILE as convert does (an export, through --template or the built-in that
fits its header) or as validate does (a customIntegrationData file, or - for JSON on
stdin), checks it in full (an invalid file is never sent), then sends its users to
POST /api/Import/SyncRequestorUsers in batches of up to 100, in order.

Every field is sent for every user: the helpdesk clears a field it is not given, so an
empty cell clears it. Sent by default: /FirstName (firstName) and /LastName (lastName);
a template's "ipex" section and --field add more. Deleted users are not sent unless
--deleted says how to mark them. The helpdesk's key of every user is kept in the keys
file, written after each batch: the next run updates those users instead of creating
them again, and a run cut short resumes.

The shrink guard: before the first batch, the users about to be sent as active are
compared with those the last run to the same helpdesk sent as active (its record, under
$XDG_STATE_HOME/torii-convert/guard/HOST_ipex.json, written after a run that sent every
batch). Users left out of the input, or deleted in it (not sent, or sent with --deleted),
are gone; more than --max-shrink of them (10% and at least 5 people) is refused with
exit code 7, nothing sent; --allow-shrink lets it through. --dry-run shows the counts.

   export IPEX_URL=https://acme.ipexhelpdesk.cz IPEX_USER=api-sync IPEX_PASSWORD=...
   torii-convert ipex sync --template hr roster.xlsx
   torii-convert ipex sync users.json --field /Phone=Phone --dry-run

Exit codes: 0 every user was taken, 6 some users failed (listed), 7 refused by the
shrink guard (nothing sent), 4 the helpdesk refused the login, 3 the input is invalid
(nothing sent), 2 a flag or the mapping is wrong (nothing sent), 1 other failures,
130 interrupted.`,
		Flags: ipexFlags(&o, &fields),
		Action: func(c *cli.Context) error {
			o.args, o.fields = c.Args().Slice(), fields.Value()
			return runIpexSync(c.Context, e, o)
		},
	}
	return &cli.Command{
		Name:        "ipex",
		Usage:       "sync requestors to Helpdesk IPEX",
		Subcommands: []*cli.Command{sync},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageError("unknown command %q; torii-convert ipex has one: sync", c.Args().First())
			}
			return cli.ShowSubcommandHelp(c)
		},
	}
}

// ipexFlags are the flags of ipex sync: the reading flags, the helpdesk's, then the
// shrink guard's.
func ipexFlags(o *ipexSyncOptions, fields *cli.StringSlice) []cli.Flag {
	return append(append(readingFlags(&o.read),
		&cli.StringFlag{Name: "url", Destination: &o.url,
			Usage: "the helpdesk at `URL`, such as https://acme.ipexhelpdesk.cz (default: $IPEX_URL)"},
		&cli.StringFlag{Name: "user", Destination: &o.user,
			Usage: "the helpdesk user's `LOGIN` (default: $IPEX_USER)"},
		&cli.StringFlag{Name: "password-file", Destination: &o.passwordFile,
			Usage: "read the password from `PATH` (default: the IPEX_PASSWORD environment variable)"},
		&cli.StringFlag{Name: "keys", Destination: &o.keys,
			Usage: "keep the helpdesk's keys of the users in `FILE` (default: one file per helpdesk, $XDG_STATE_HOME/torii-convert/ipex-keys/HOST.jsonl)"},
		&cli.StringSliceFlag{Name: "field", Destination: fields,
			Usage: "also send `/PATH=NAME`: a user field (firstName, roles, ...) or a column of the export; repeat it for more"},
		&cli.StringFlag{Name: "deleted", Destination: &o.deleted,
			Usage: "send deleted users too, with `PATH=VALUE` set (such as /IsActive=false); by default they are not sent"},
		&cli.IntFlag{Name: "batch-size", Value: o.batchSize, Destination: &o.batchSize,
			Usage: "send `N` users a request, 1 to 100"},
		&cli.BoolFlag{Name: "adopt-conflicts", Destination: &o.adoptConflicts,
			Usage: "when a username belongs to another helpdesk user, update that user instead of failing"},
		&cli.DurationFlag{Name: "timeout", Value: o.timeout, Destination: &o.timeout,
			Usage: "give up on a request after `DURATION`"},
		&cli.DurationFlag{Name: "wait", Value: o.wait, Destination: &o.wait,
			Usage: "retry batches the helpdesk is too busy for (429, 5xx, a broken connection), waiting `DURATION` at most in all"},
		&cli.BoolFlag{Name: "dry-run", Destination: &o.dryRun,
			Usage: "print each batch's request (the password shown as ***redacted***) instead of sending it"},
		formatFlag(&o.format, "print the summary as `FORMAT`: text or json (one object on stdout, for scripts)"),
		quietFlag(&o.quiet),
	), shrinkFlags(&o.guard, "of the requestors the last run sent as active")...)
}

// ipexPath is one value sent: a user field of the file (model) or an export's column.
type ipexPath struct {
	path   string
	model  string
	column int // into convert.Options.Columns; -1 for a model field
}

// check holds the flags to their rules, before anything is read or sent.
func (o *ipexSyncOptions) check() error {
	if len(o.args) != 1 {
		return usageError("ipex sync takes one file, got %d; usage: torii-convert ipex sync [--template NAME] FILE", len(o.args))
	}
	o.input = o.args[0]
	switch {
	case o.batchSize < 1 || o.batchSize > ipex.MaxBatch:
		return usageError("--batch-size %d: want 1 to %d, the most the helpdesk takes a request", o.batchSize, ipex.MaxBatch)
	case o.format != "text" && o.format != "json":
		return usageError("--format %q: want text or json", o.format)
	case o.timeout <= 0:
		return usageError("--timeout %s: want a duration above 0, such as 30s", o.timeout)
	case o.wait < 0:
		return usageError("--wait %s: want 0 or more", o.wait)
	}
	for _, f := range o.fields {
		if path, name, ok := strings.Cut(f, "="); !ok || !strings.HasPrefix(path, "/") || len(path) < 2 || strings.TrimSpace(name) == "" {
			return usageError("--field %q: want /PATH=NAME, such as /Phone=Mobile", f)
		}
	}
	if o.deleted != "" {
		if path, _, ok := strings.Cut(o.deleted, "="); !ok || !strings.HasPrefix(path, "/") || len(path) < 2 {
			return usageError("--deleted %q: want /PATH=VALUE, such as /IsActive=false", o.deleted)
		}
	}
	if err := o.guard.checkLimit(); err != nil {
		return err
	}
	return o.read.check()
}

// mapping is what is sent, in order: the defaults, the template's fields by path, then
// --field in the order given; a later one for the same path replaces the earlier.
// t is the template given, nil for none or one detected (a built-in: no ipex section).
func (o *ipexSyncOptions) mapping(t *convert.Template) ([]ipexPath, []convert.Field, error) {
	var out []ipexPath
	var columns []convert.Field
	set := func(p ipexPath) {
		for i := range out {
			if out[i].path == p.path {
				out[i] = p
				return
			}
		}
		out = append(out, p)
	}
	column := func(f convert.Field) int {
		columns = append(columns, f)
		return len(columns) - 1
	}
	set(ipexPath{path: "/FirstName", model: "firstName", column: -1})
	set(ipexPath{path: "/LastName", model: "lastName", column: -1})
	if t != nil && t.IPEX != nil {
		paths := make([]string, 0, len(t.IPEX.Fields))
		for p := range t.IPEX.Fields {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			f := t.IPEX.Fields[p]
			if f.Column != nil {
				set(ipexPath{path: p, column: column(*f.Column)})
			} else {
				set(ipexPath{path: p, model: f.Model, column: -1})
			}
		}
	}
	for _, f := range o.fields {
		path, name, _ := strings.Cut(f, "=")
		name = strings.TrimSpace(name)
		switch {
		case isModelField(name):
			set(ipexPath{path: path, model: name, column: -1})
		case !o.export():
			return nil, nil, usageError("--field %s: %q is not a user field of a customIntegrationData file (%s); columns need an export", f, name, strings.Join(convert.ModelFields, ", "))
		default:
			set(ipexPath{path: path, column: column(convert.Field{From: []string{name}})})
		}
	}
	return out, columns, nil
}

func isModelField(name string) bool {
	for _, m := range convert.ModelFields {
		if m == name {
			return true
		}
	}
	return false
}

func modelValue(u *schema.User, name string) string {
	switch name {
	case "id":
		return u.ID
	case "email":
		return u.Email
	case "firstName":
		return u.FirstName
	case "lastName":
		return u.LastName
	case "status":
		return u.Status
	case "externalStatus":
		return u.ExternalStatus
	case "roles":
		return strings.Join(u.Roles, ", ")
	case "lastUsedDate":
		return u.LastUsedDate
	}
	return ""
}

// requestors are the checked users, as the helpdesk gets them, made one at a time.
type requestors struct {
	user    func(i int) (schema.User, int, []string)
	send    []int32 // the users sent, in input order
	paths   []ipexPath
	deleted *ipex.Field
}

func (r *requestors) Len() int { return len(r.send) }

func (r *requestors) User(i int) ipex.User {
	u, row, columns := r.user(int(r.send[i]))
	fields := make([]ipex.Field, 0, len(r.paths)+1)
	for _, p := range r.paths {
		v := ""
		if p.column >= 0 {
			v = columns[p.column]
		} else {
			v = modelValue(&u, p.model)
		}
		fields = append(fields, ipex.Field{Path: p.path, Value: v})
	}
	if u.Status == "deleted" && r.deleted != nil {
		fields = append(fields, *r.deleted)
	}
	return ipex.User{Email: u.Email, ExternalID: u.ID, Row: row, Fields: fields}
}

// ipexSummary is the outcome, as --format json prints it.
type ipexSummary struct {
	*ipex.Summary
	SkippedDeleted int    `json:"skippedDeleted"`
	Error          string `json:"error,omitempty"`
	ExitCode       int    `json:"exitCode"`
}

func runIpexSync(ctx context.Context, e env, o ipexSyncOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	e = e.withTerm()
	e.stdout = scrubbed{e.stdout, e.secrets} // the summary, or the dry run's requests
	client, err := o.client(e)
	if err != nil {
		return err
	}
	name := displayName(o.input)
	var t *convert.Template
	if o.read.template != "" && o.read.template != "auto" {
		if t, err = convert.FindTemplate(o.read.template); err != nil {
			return err
		}
	}
	paths, columns, err := o.mapping(t)
	if err != nil {
		return err
	}
	users, err := o.load(ctx, e, columns)
	if err != nil {
		return err
	}
	if err := absentColumns(name, paths, columns, users.absent); err != nil {
		return err
	}
	r, skipped := o.requestors(users, paths)
	guard, err := o.checkShrink(e, client.BaseURL.Host, name, users)
	if err != nil {
		return err
	}
	keys, err := o.loadKeys(e, client)
	if err != nil {
		return err
	}
	live := e.tty && !o.quiet && !o.dryRun
	sum, err := client.Sync(ctx, r, ipex.Options{BatchSize: o.batchSize, Keys: keys, AdoptConflicts: o.adoptConflicts,
		Progress: o.progress(e, live)})
	if live {
		fmt.Fprint(e.stderr, "\r\033[K")
	}
	if err == nil && !o.dryRun {
		guard.remember(e)
	}
	return o.report(e, name, sum, skipped, len(r.send), err)
}

// requestors picks the users to send, in input order: all but the deleted ones, unless
// --deleted says how to mark them. It says how many deleted users it left out.
func (o *ipexSyncOptions) requestors(users *checkedUsers, paths []ipexPath) (*requestors, int) {
	r := &requestors{user: users.user, paths: paths}
	if o.deleted != "" {
		path, value, _ := strings.Cut(o.deleted, "=")
		r.deleted = &ipex.Field{Path: path, Value: ipex.Value(value)}
	}
	skipped := 0
	for i := range users.n {
		if u, _, _ := users.user(i); u.Status == "deleted" && r.deleted == nil {
			skipped++
			continue
		}
		r.send = append(r.send, int32(i))
	}
	return r, skipped
}

// progress says which batch is sent: one live line on a terminal, else a line each.
func (o *ipexSyncOptions) progress(e env, live bool) func(k, n int) {
	return func(k, n int) {
		e.term.endWait() // the retries of the batch before, if any
		switch {
		case o.quiet || o.dryRun:
		case live:
			fmt.Fprintf(e.stderr, "\r\033[Ksending batch %d of %d", k, n)
		default:
			fmt.Fprintf(e.stderr, "sending batch %d of %d\n", k, n)
		}
	}
}

// report prints the failures and the summary, and gives the run its outcome.
func (o *ipexSyncOptions) report(e env, name string, s *ipex.Summary, skipped, total int, err error) error {
	for _, f := range s.Failed {
		fmt.Fprintf(e.stderr, "%s:%d: %s: %s\n", name, f.Row, f.Email, f.Message)
	}
	if err == nil && len(s.Failed) > 0 {
		err = &cmdError{kind: kindSomeFailed, msg: fmt.Sprintf("%s: %d of %d users failed; the others were synced", name, len(s.Failed), total),
			hint: "fix them in the source and run again: users already synced are updated, not created twice"}
	}
	if o.format == "json" {
		out := &ipexSummary{Summary: s, SkippedDeleted: skipped}
		return printReport(e, out, func(code int, msg string) { out.Error, out.ExitCode = msg, code }, err)
	}
	requests := text.Plural(s.Batches, "request", "requests")
	line := fmt.Sprintf("%s: %d created, %d updated, %d failed, in %s", name, s.Created, s.Updated, len(s.Failed), requests)
	if o.dryRun {
		line = fmt.Sprintf("dry run: %s: %d users in %s would be sent (%d new, %d known by their keys); nothing was sent", name, s.Created+s.Updated, requests, s.Created, s.Updated)
	}
	if err != nil && s.Sent < total {
		line += fmt.Sprintf("; %d of %d users not sent", total-s.Sent, total)
	}
	if skipped > 0 {
		line += fmt.Sprintf("; %s not sent (--deleted sends them)", text.Plural(skipped, "deleted user", "deleted users"))
	}
	w := e.stdout
	if o.dryRun {
		w = e.stderr
	}
	if err == nil || s.Batches > 0 {
		fmt.Fprintln(w, line)
	}
	return err
}

// client makes the helpdesk's client from the flags and the environment.
func (o *ipexSyncOptions) client(e env) (*ipex.Client, error) {
	raw := o.url
	if raw == "" {
		raw = e.getenv("IPEX_URL")
	}
	if raw == "" {
		return nil, usageError("no helpdesk URL; set IPEX_URL or pass --url, such as https://acme.ipexhelpdesk.cz")
	}
	u, err := ipex.CheckURL(raw)
	if err != nil {
		return nil, usageError("--url (or IPEX_URL): %v", err)
	}
	user := o.user
	if user == "" {
		user = e.getenv("IPEX_USER")
	}
	password, err := o.password(e)
	e.secrets.add(password)
	if err != nil {
		return nil, err
	}
	if user == "" && !o.dryRun {
		return nil, &cmdError{kind: kindAuth, msg: "no helpdesk user", hint: ipexCredentialsHint}
	}
	c := ipex.New(u, user, password)
	c.HTTP.Timeout, c.HTTP.Wait = o.timeout, o.wait
	if o.dryRun {
		c.HTTP.DryRun = e.stdout
		if o.format == "json" {
			c.HTTP.DryRun = e.stderr
		}
	}
	c.HTTP.Notify = func(ev httpx.Event) { notify(e, o.quiet, ev.Message, ev.Retry, ev.Until) }
	return c, nil
}

// password reads the helpdesk user's password: from a file or the environment, never a
// flag (it would show in ps and in shell history). A password may hold spaces: only the
// file's line break is dropped.
func (o *ipexSyncOptions) password(e env) (string, error) {
	authError := func(format string, args ...any) error {
		return &cmdError{kind: kindAuth, msg: fmt.Sprintf(format, args...), hint: ipexCredentialsHint}
	}
	if o.passwordFile != "" {
		data, err := readSecretFile(e, o.passwordFile, "the password", "the password", "a password file")
		if err != nil {
			return "", authError("%v", err)
		}
		pw := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
		switch {
		case strings.ContainsAny(pw, "\r\n"):
			e.secrets.add(strings.Fields(pw)...)
			return "", authError("the password file %s has more than one line; it must hold the password alone", o.passwordFile)
		case pw == "":
			return "", authError("%s is empty; it should hold the password on one line", o.passwordFile)
		}
		return pw, nil
	}
	if pw := e.getenv("IPEX_PASSWORD"); pw != "" {
		return pw, nil
	}
	if o.dryRun {
		fmt.Fprintln(e.stderr, "warning: no helpdesk password; a real run needs one: "+ipexCredentialsHint)
		return "", nil
	}
	return "", authError("no helpdesk password")
}

func (o *ipexSyncOptions) loadKeys(e env, c *ipex.Client) (*ipex.Keys, error) {
	path := o.keys
	if path == "" {
		var err error
		if path, err = state.Path(e.getenv, "ipex-keys", c.BaseURL.Host, ""); err != nil {
			return nil, &cmdError{kind: kindFailure, msg: "finding the keys file: " + err.Error(), hint: "pass --keys FILE"}
		}
		path = strings.TrimSuffix(path, ".json") + ".jsonl" // JSON Lines: see ipex.Keys
	}
	k, err := ipex.LoadKeys(path, c.BaseURL.Host)
	if err != nil {
		return nil, failure("%v", err)
	}
	return k, nil
}

// export tells an export (read through a template, given or detected) from a
// customIntegrationData file.
func (o *ipexSyncOptions) export() bool {
	return o.read.template != "" || o.read.inputFormat != "" || isSpreadsheet(o.input)
}

// checkedUsers are the users of a valid input, as they were checked.
type checkedUsers struct {
	n      int
	user   func(i int) (schema.User, int, []string)
	absent []int // the columns mapped that the export does not have
}

// absentColumns refuses a mapping to a column the export does not have, unless it has
// a default: every requestor would be sent an empty value, which clears the field.
func absentColumns(name string, paths []ipexPath, columns []convert.Field, absent []int) error {
	for _, i := range absent {
		if columns[i].Default != "" {
			continue
		}
		for _, p := range paths {
			if p.column == i {
				return &cmdError{kind: kindUsage,
					msg:  fmt.Sprintf("%s has no column %s for %s; sent empty, it would clear %s of every requestor, so nothing was sent", name, strings.Join(quoteAll(columns[i].From), " or "), p.path, p.path),
					hint: "check the name against the export's header, or give the field a \"default\" in the template's ipex section"}
			}
		}
	}
	return nil
}

func quoteAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

// load converts an export, or reads a customIntegrationData file, and checks it in full;
// an invalid input ends the run with every problem listed, before anything is sent.
func (o *ipexSyncOptions) load(ctx context.Context, e env, columns []convert.Field) (*checkedUsers, error) {
	if !o.export() {
		return o.loadFile(e)
	}
	name := displayName(o.input)
	opts, err := o.read.options(e, "")
	if err != nil {
		return nil, err
	}
	opts.Columns = columns
	res, err := convert.Convert(ctx, o.input, opts, nil)
	if err != nil {
		return nil, err
	}
	printProblems(e.stderr, res.Problems, res.Errors+res.Warnings)
	if !res.Valid() {
		return nil, invalidData("%s: %s; nothing sent", name, text.Plural(res.Errors, "error", "errors"))
	}
	if !o.quiet {
		if res.Detected != "" {
			fmt.Fprintf(e.stderr, "%s: %s\n", name, res.Detected)
		}
		for _, m := range res.Missing {
			fmt.Fprintf(e.stderr, "note: the export has no column for %s\n", m)
		}
		fmt.Fprintln(e.stderr, summary(name, res))
	}
	return &checkedUsers{n: res.Users, user: res.User, absent: res.AbsentColumns}, nil
}

// loadFile reads a customIntegrationData file (or stdin) and checks it in full.
func (o *ipexSyncOptions) loadFile(e env) (*checkedUsers, error) {
	name := displayName(o.input)
	src := e.stdin
	if o.input != "-" {
		f, err := os.Open(o.input)
		if err != nil {
			return nil, failure("reading %s: %v", name, unwrapPath(err))
		}
		defer f.Close()
		src = f
	}
	// The bytes checked are kept, as they pass, in a file only this run can reach (it is
	// removed at once), and the users are read from there: what is sent is what was
	// checked, even if the input changes meanwhile or is a pipe, in memory bounded by
	// the users, not by the file.
	spool, err := os.CreateTemp("", "torii-convert-ipex-*.json")
	if err != nil {
		return nil, failure("making a temporary file: %v", err)
	}
	os.Remove(spool.Name())
	defer spool.Close()
	lines := &lineIndex{}
	rep, err := checkFile(io.TeeReader(src, io.MultiWriter(spool, lines)), name, e.now(), o.read.maxErrors)
	if err != nil {
		return nil, failure("reading %s: %v", name, err)
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(e.stderr, p)
	}
	if rep.MoreProblems > 0 {
		fmt.Fprintln(e.stderr, moreProblems(rep.MoreProblems))
	}
	if rep.Errors > 0 {
		return nil, invalidData("%s: %s; nothing sent", name, text.Plural(rep.Errors, "error", "errors"))
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return nil, failure("reading %s again: %v", name, err)
	}
	users, rows, err := decodeUsers(spool, lines)
	if err != nil { // the checker took it: this would be a bug, or a full disk
		return nil, failure("reading %s: %v", name, err)
	}
	return &checkedUsers{n: len(users), user: func(i int) (schema.User, int, []string) { return users[i], rows[i], nil }}, nil
}

// lineIndex notes where each line ends in the bytes written to it, to tell a byte
// offset's line.
type lineIndex struct {
	ends []int64 // the offsets of the newlines
	n    int64
}

func (l *lineIndex) Write(p []byte) (int, error) {
	for i, c := range p {
		if c == '\n' {
			l.ends = append(l.ends, l.n+int64(i))
		}
	}
	l.n += int64(len(p))
	return len(p), nil
}

// line returns the line (from 1) of a byte offset.
func (l *lineIndex) line(off int64) int {
	return sort.Search(len(l.ends), func(i int) bool { return l.ends[i] >= off }) + 1
}

// decodeUsers reads the users of a checked file, each with the line its record starts on.
func decodeUsers(r io.Reader, lines *lineIndex) ([]schema.User, []int, error) {
	dec := json.NewDecoder(bufio.NewReader(r))
	if _, err := dec.Token(); err != nil { // {
		return nil, nil, err
	}
	var users []schema.User
	var rows []int
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		if key != "users" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, nil, err
			}
			continue
		}
		if _, err := dec.Token(); err != nil { // [
			return nil, nil, err
		}
		for dec.More() {
			// The record starts after the spaces and comma still buffered ahead of it.
			start := dec.InputOffset()
			ahead, _ := io.ReadAll(dec.Buffered())
			start += int64(len(ahead) - len(bytes.TrimLeft(ahead, " \t\r\n,")))
			var u schema.User
			if err := dec.Decode(&u); err != nil {
				return nil, nil, err
			}
			users = append(users, u)
			rows = append(rows, lines.line(start))
		}
		if _, err := dec.Token(); err != nil { // ]
			return nil, nil, err
		}
	}
	if users == nil {
		return nil, nil, errors.New("no users")
	}
	return users, rows, nil
}
