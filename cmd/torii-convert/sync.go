package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/torii-convert/torii-convert/torii"
)

// toriiOptions are the flags of the commands that talk to Torii.
type toriiOptions struct {
	apiURL, keyFile, upload, format string
	appAccount, fileID              int64
	wait, timeout                   time.Duration
	dryRun, quiet                   bool
}

func quietFlag(o *toriiOptions) cli.Flag {
	return &cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Destination: &o.quiet,
		Usage: "print no progress, only the outcome and what went wrong"}
}

const keyHint = "set TORII_API_KEY, or pass --api-key-file with a file holding the key (Torii: Settings > API Access, Full access)"

// toriiFlags are the flags for reaching Torii; delivery adds those for uploading and syncing.
func toriiFlags(o *toriiOptions, delivery bool) []cli.Flag {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "api-url", Destination: &o.apiURL,
			Usage: "Torii's API at `URL`, with or without /v1.0 (default: $TORII_API_URL, else " + torii.DefaultBaseURL + ")"},
		&cli.StringFlag{Name: "api-key-file", Destination: &o.keyFile,
			Usage: "read the API key from `PATH` (default: the TORII_API_KEY environment variable)"},
		&cli.DurationFlag{Name: "timeout", Value: 60 * time.Second, Destination: &o.timeout,
			Usage: "give up on a request after `DURATION`"},
		&cli.BoolFlag{Name: "dry-run", Destination: &o.dryRun,
			Usage: "print the requests instead of sending them (the key shown as ***redacted***)"},
	}
	if !delivery {
		o.wait = time.Minute // no --wait here: retries and rate limits wait up to a minute in all
	}
	if delivery {
		flags = append(flags,
			&cli.StringFlag{Name: "upload", Destination: &o.upload, DefaultText: "auto",
				Usage: "upload `HOW`: direct (POST /files/upload), presigned (through S3), or auto: direct under 3 MB"},
			&cli.DurationFlag{Name: "wait", Value: 10 * time.Minute, Destination: &o.wait,
				Usage: "wait up to `DURATION` in all: for another sync of the app account, for Torii's rate limit, between retries"},
		)
	}
	return flags
}

func appAccountFlag(o *toriiOptions, required bool) cli.Flag {
	return &cli.Int64Flag{Name: "app-account", Required: required, Destination: &o.appAccount,
		Usage: "the `ID` of the custom integration's app account (Torii: Integrations, on the integration's tile)"}
}

func formatFlag(o *toriiOptions, aliases ...string) cli.Flag {
	return &cli.StringFlag{Name: "format", Aliases: aliases, Value: "text", Destination: &o.format,
		Usage: "print the outcome as `FORMAT` text or json (one object on stdout, for scripts)"}
}

// client makes the Torii client, reading the key from the file or the environment.
func (o *toriiOptions) client(e env) (*torii.Client, error) {
	if o.format != "text" && o.format != "json" {
		return nil, usageError("--format %q: want text or json", o.format)
	}
	switch o.upload {
	case torii.Auto, "auto":
		o.upload = torii.Auto
	case torii.Direct, torii.Presigned:
	default:
		return nil, usageError("--upload %q: want direct, presigned or auto", o.upload)
	}
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
		c.DryRun = e.stdout
		if o.format == "json" {
			c.DryRun = e.stderr
		}
	}
	tty := isTerminal(e.stderr)
	c.Notify = func(ev torii.Event) {
		if o.quiet {
			return
		}
		if ev.Retry && tty {
			fmt.Fprintf(e.stderr, "\r\033[K%s", ev.Message) // one live line while waiting
			return
		}
		if tty {
			fmt.Fprint(e.stderr, "\r\033[K")
		}
		fmt.Fprintln(e.stderr, ev.Message)
	}
	return c, nil
}

// key reads the API key. A flag holding the key itself would show in ps and in shell
// history, so there is none.
func (o *toriiOptions) key(e env) (string, error) {
	if o.keyFile != "" {
		st, err := os.Stat(o.keyFile)
		if err != nil {
			return "", &exitError{code: exitAuth, msg: fmt.Sprintf("reading the API key: %s: no such file", o.keyFile), hint: keyHint}
		}
		data, err := os.ReadFile(o.keyFile)
		if err != nil {
			return "", &exitError{code: exitAuth, msg: "reading the API key from " + o.keyFile + ": permission denied", hint: keyHint}
		}
		if st.Mode().Perm()&0o077 != 0 {
			fmt.Fprintf(e.stderr, "warning: %s can be read by other users; chmod 600 it\n", o.keyFile)
		}
		key := strings.TrimSpace(string(data))
		if key == "" || strings.ContainsAny(key, " \t\r\n") {
			return "", &exitError{code: exitAuth, msg: fmt.Sprintf("%s does not hold an API key (one line, no spaces)", o.keyFile), hint: keyHint}
		}
		return key, nil
	}
	if key := strings.TrimSpace(e.getenv("TORII_API_KEY")); key != "" {
		return key, nil
	}
	if o.dryRun {
		fmt.Fprintln(e.stderr, "warning: no API key; a real run needs one: "+keyHint)
		return "", nil
	}
	return "", &exitError{code: exitAuth, msg: "no API key", hint: keyHint}
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

// deliver uploads a checked file and syncs the app account with it, then reports.
func deliver(c *cli.Context, e env, o *toriiOptions, client *torii.Client, path, name string) error {
	rep := syncReport{File: name, AppAccount: o.appAccount}
	err := func() error {
		fileID := o.fileID
		if path != "" {
			up, err := client.Upload(c.Context, name, path, o.upload)
			rep.Bytes, rep.Upload, rep.FileID = up.Bytes, up.Method, up.FileID
			if err != nil {
				return err
			}
			fileID = up.FileID
			if !o.dryRun && !o.quiet {
				fmt.Fprintf(e.stderr, "uploaded %s as file %d\n", name, fileID)
			}
		}
		rep.FileID = fileID
		return client.Sync(c.Context, fileID, o.appAccount)
	}()
	switch {
	case err != nil:
		x := classify(err)
		rep.Outcome, rep.Error, rep.ExitCode = "failed", x.msg, x.code
	case o.dryRun:
		rep.Outcome = "dry run"
	default:
		rep.Outcome = "sync accepted"
	}
	if o.format == "json" {
		out, _ := json.Marshal(rep)
		fmt.Fprintln(e.stdout, string(out))
	} else if err == nil && !o.dryRun {
		fmt.Fprintf(e.stdout, "sync accepted: app account %d syncs file %d; Torii runs it in the background\n", rep.AppAccount, rep.FileID)
	}
	return err
}

func syncCommand(e env) *cli.Command {
	var o toriiOptions
	flags := append(toriiFlags(&o, true), appAccountFlag(&o, true), formatFlag(&o, "output"), quietFlag(&o),
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

   torii-convert sync --app-account 12345 figma.json
   torii-convert sync --app-account 12345 --file-id 1001      # sync an uploaded file again`,
		Flags: flags,
		Action: action(func(c *cli.Context) error {
			switch {
			case c.NArg() > 1:
				return usageError("sync takes one file, got %d", c.NArg())
			case c.NArg() == 0 && o.fileID == 0:
				return usageError("sync needs a file to upload, or --file-id")
			case c.NArg() == 1 && o.fileID != 0:
				return usageError("give a file or --file-id, not both")
			}
			client, err := o.client(e)
			if err != nil {
				return err
			}
			if o.fileID != 0 {
				return deliver(c, e, &o, client, "", "")
			}
			path := c.Args().First()
			if err := checkBeforeUpload(e, path); err != nil {
				return err
			}
			return deliver(c, e, &o, client, path, filepath.Base(path))
		}),
	}
}

// checkBeforeUpload checks a file in full: only a valid file goes to Torii.
func checkBeforeUpload(e env, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return &exitError{code: exitFailure, msg: fmt.Sprintf("reading %s: %v", path, unwrapPath(err))}
	}
	defer f.Close()
	rep, err := checkFile(f, path, e.now(), 50)
	if err != nil {
		return &exitError{code: exitFailure, msg: fmt.Sprintf("reading %s: %v", path, err)}
	}
	for _, line := range rep.lines() {
		fmt.Fprintln(e.stderr, line)
	}
	if rep.Errors > 0 {
		return &invalidData{summary: fmt.Sprintf("%s: %s; nothing uploaded", path, plural(rep.Errors, "error", "errors"))}
	}
	return nil
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func whoamiCommand(e env) *cli.Command {
	var o toriiOptions
	return &cli.Command{
		Name:  "whoami",
		Usage: "check the API key: print the organization it belongs to",
		Flags: append(toriiFlags(&o, false), formatFlag(&o, "output"), quietFlag(&o)),
		Action: action(func(c *cli.Context) error {
			client, err := o.client(e)
			if err != nil {
				return err
			}
			org, err := client.WhoAmI(c.Context)
			if err != nil || o.dryRun {
				return err
			}
			if o.format == "json" {
				out, _ := json.Marshal(map[string]any{"id": org.ID, "companyName": org.CompanyName, "domain": org.Domain})
				fmt.Fprintln(e.stdout, string(out))
				return nil
			}
			fmt.Fprintf(e.stdout, "%s (%s), organization %d: the API key works\n", org.CompanyName, org.Domain, org.ID)
			return nil
		}),
	}
}
