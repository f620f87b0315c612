package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/torii-convert/torii-convert/torii/toriitest"
)

// The run functions are called here directly, with the options a command line would
// have filled in and an environment of buffers: what each prints, and the kind of error
// it ends with, which alone decides the exit code.

type fakeEnv struct {
	env
	stdout, stderr *bytes.Buffer
}

func newEnv(stdin string, vars map[string]string, tty bool) fakeEnv {
	var stdout, stderr bytes.Buffer
	return fakeEnv{env: env{stdin: strings.NewReader(stdin), stdout: &stdout, stderr: &stderr,
		getenv: func(k string) string { return vars[k] }, now: func() time.Time { return today }, tty: tty},
		stdout: &stdout, stderr: &stderr}
}

// wantRun checks how a run ended: with no error (want is -1), or with one of a kind,
// and that stdout and stderr hold the given lines.
type wantRun struct {
	kind           kind // -1: no error
	stdout, stderr []string
	noStdout       bool
}

func (w wantRun) check(t *testing.T, fe fakeEnv, err error) {
	t.Helper()
	switch {
	case w.kind < 0 && err != nil:
		t.Errorf("error %v, want none; stderr:\n%s", err, fe.stderr)
	case w.kind >= 0 && err == nil:
		t.Errorf("no error, want one of kind %d; stderr:\n%s", w.kind, fe.stderr)
	case w.kind >= 0 && kindOf(err) != w.kind:
		t.Errorf("error %q of kind %d, want kind %d", err, kindOf(err), w.kind)
	}
	got := fe.stderr.String()
	if err != nil {
		got += err.Error() + "\n"
	}
	var ce *cmdError
	if errors.As(err, &ce) && ce.hint != "" {
		got += ce.hint + "\n" // printed on its own line, after the error
	}
	for _, s := range w.stderr {
		if !strings.Contains(got, s) {
			t.Errorf("stderr (and the error) lack %q:\n%s", s, got)
		}
	}
	for _, s := range w.stdout {
		if !strings.Contains(fe.stdout.String(), s) {
			t.Errorf("stdout lacks %q:\n%s", s, fe.stdout)
		}
	}
	if w.noStdout && fe.stdout.Len() > 0 {
		t.Errorf("stdout should be empty:\n%s", fe.stdout)
	}
}

const none kind = -1

func TestRunConvert(t *testing.T) {
	dir := t.TempDir()
	sample, _ := filepath.Abs("../../testdata/samples/stripe-team.csv")
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("Name,Email\nBob,bob@\n"), 0o644)
	out := filepath.Join(dir, "out.json")
	stripe := readOptions{template: "stripe", maxErrors: 50}
	for _, tc := range []struct {
		name  string
		o     convertOptions
		stdin string
		want  wantRun
	}{
		{"no template: detected", convertOptions{args: []string{sample}, format: "text"},
			"", wantRun{kind: none, stderr: []string{"stripe-team.csv: looks like a Stripe team export; using stripe (5 of 5 columns known)\n"}}},
		{"no template fits", convertOptions{args: []string{"-"}, format: "text"},
			"Mail,Colour\nada@example.com,blue\n", wantRun{kind: kindUsage, stderr: []string{"none of the built-in templates fits it"}, noStdout: true}},
		{"preview", convertOptions{args: []string{sample}, read: stripe, format: "text", preview: 1},
			"", wantRun{kind: none, stdout: []string{"email", "columns that feed nothing: none\n"}}},
		{"preview and -o", convertOptions{args: []string{sample}, read: stripe, format: "text", preview: 1, output: out},
			"", wantRun{kind: kindUsage, stderr: []string{"--preview writes nothing but itself"}, noStdout: true}},
		{"preview past its limit", convertOptions{args: []string{sample}, read: stripe, format: "text", preview: 1001},
			"", wantRun{kind: kindUsage, stderr: []string{"--preview 1001: want a number of rows from 1 to 1000"}, noStdout: true}},
		{"no export", convertOptions{read: stripe, format: "text"},
			"", wantRun{kind: kindUsage, stderr: []string{"convert takes one export to read, got 0"}}},
		{"to stdout", convertOptions{args: []string{sample}, read: stripe, format: "text"},
			"", wantRun{kind: none, stdout: []string{`"email": "jenny.rosen@example.com"`}, stderr: []string{"stripe-team.csv: 5 users, 1 license from 5 rows"}}},
		{"stdin", convertOptions{args: []string{"-"}, read: stripe, format: "text"},
			"Name,Email\nAda,ada@example.com\n", wantRun{kind: none, stdout: []string{`"email": "ada@example.com"`}, stderr: []string{"stdin: 1 user, 1 license from 1 row (defaults: status \"active\" for 1 row (no column))\n"}}},
		{"to a character device", convertOptions{args: []string{sample}, read: stripe, format: "text", quiet: true, output: os.DevNull},
			"", wantRun{kind: none, noStdout: true}},
		{"quiet", convertOptions{args: []string{sample}, read: stripe, format: "text", quiet: true, output: out},
			"", wantRun{kind: none, noStdout: true}},
		{"json summary", convertOptions{args: []string{sample}, read: stripe, format: "json", output: out},
			"", wantRun{kind: none, stdout: []string{`"input":"` + sample + `","output":"` + out + `","template":"stripe","users":5,"licenses":1,"rows":5,"merged":0,"skipped":[],"warnings":0,"notes":["the export has no column for id (optional in the template)"],"defaults":[]}`}}},
		{"json and the file on stdout", convertOptions{args: []string{sample}, read: stripe, format: "json"},
			"", wantRun{kind: kindUsage, stderr: []string{"--format json prints the summary on stdout, where the file would go too; pass -o FILE"}, noStdout: true}},
		{"json and -o -", convertOptions{args: []string{sample}, read: stripe, format: "json", output: "-"},
			"", wantRun{kind: kindUsage, noStdout: true}},
		{"yaml", convertOptions{args: []string{sample}, read: stripe, format: "yaml", output: out},
			"", wantRun{kind: kindUsage, stderr: []string{`--format "yaml": want text or json`}}},
		{"-o json", convertOptions{args: []string{sample}, read: stripe, format: "text", output: "json"},
			"", wantRun{kind: kindUsage, stderr: []string{"--output json would write a file named \"json\""}}},
		{"app account without sync", convertOptions{args: []string{sample}, read: stripe, format: "text", torii: toriiOptions{appAccount: 1}},
			"", wantRun{kind: kindUsage, stderr: []string{"--app-account, --dry-run and --upload go with --sync"}}},
		{"sync without app account", convertOptions{args: []string{sample}, read: stripe, format: "text", sync: true},
			"", wantRun{kind: kindUsage, stderr: []string{"--sync needs --app-account"}}},
		{"bad header row", convertOptions{args: []string{sample}, read: readOptions{template: "stripe", headerRow: -1}, format: "text"},
			"", wantRun{kind: kindUsage, stderr: []string{"--header-row -1: want a line number, 1 or more"}}},
		{"bad delimiter", convertOptions{args: []string{sample}, read: readOptions{template: "stripe", delimiter: "x"}, format: "text"},
			"", wantRun{kind: kindUsage, stderr: []string{`--delimiter "x": want , ; | or tab`}}},
		{"invalid data", convertOptions{args: []string{bad}, read: stripe, format: "text", output: out},
			"", wantRun{kind: kindInvalid, stderr: []string{`bad.csv:2:2 (Email): "bob@" is not an email address`, "bad.csv: 1 error; nothing written"}}},
		{"unknown template", convertOptions{args: []string{sample}, read: readOptions{template: "figmaa"}, format: "text"},
			"", wantRun{kind: kindUsage, stderr: []string{`unknown template "figmaa"`}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fe := newEnv(tc.stdin, nil, false)
			err := runConvert(context.Background(), fe.env, tc.o)
			tc.want.check(t, fe, err)
		})
	}
}

func TestRunValidate(t *testing.T) {
	dir := t.TempDir()
	good, _ := filepath.Abs("../../testdata/golden/figma-csv/want.json")
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"users": [{"email": "bob@"}]}`+"\n"), 0o644)
	sample, _ := filepath.Abs("../../testdata/samples/stripe-team.csv")
	for _, tc := range []struct {
		name string
		o    validateOptions
		want wantRun
	}{
		{"no files", validateOptions{format: "text"}, wantRun{kind: kindUsage, stderr: []string{"validate takes the files to check"}}},
		{"valid", validateOptions{files: []string{good}, format: "text"}, wantRun{kind: none, stdout: []string{good + ": valid; 6 users, 5 licenses"}}},
		{"invalid", validateOptions{files: []string{good, bad}, format: "text"},
			wantRun{kind: kindInvalid, stdout: []string{bad + `:1:22: users[0].email: "bob@" is not an email address`}, stderr: []string{"1 file of 2 invalid"}}},
		{"missing", validateOptions{files: []string{bad, filepath.Join(dir, "nope.json")}, format: "text"},
			wantRun{kind: kindFailure, stderr: []string{"1 file of 2 could not be read"}}},
		{"export without template", validateOptions{files: []string{sample}, format: "text"},
			wantRun{kind: kindUsage, stderr: []string{"is an export: pass --template"}}},
		{"export", validateOptions{files: []string{sample}, read: readOptions{template: "stripe"}, format: "json"},
			wantRun{kind: none, stdout: []string{`"valid": true`, `"kind": "export"`}}},
		{"format", validateOptions{files: []string{good}, format: "xml"}, wantRun{kind: kindUsage, stderr: []string{`--format "xml": want text, json, github or sarif`}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fe := newEnv("", nil, false)
			tc.want.check(t, fe, runValidate(context.Background(), fe.env, tc.o))
		})
	}
}

// TestRunSync runs sync and whoami against a fake Torii, on a terminal and off one:
// progress lines are cleared for live updates only on a terminal.
func TestRunSync(t *testing.T) {
	srv := toriitest.New(t, testKey, nil, 12345)
	vars := map[string]string{"TORII_API_KEY": testKey, "TORII_API_URL": srv.URL}
	good, _ := filepath.Abs("../../testdata/golden/figma-csv/want.json")
	withTorii := func(o toriiOptions) toriiOptions {
		o.timeout, o.wait = 10*time.Second, time.Second
		return o
	}
	for _, tc := range []struct {
		name string
		tty  bool
		o    syncOptions
		want wantRun
	}{
		{"text", false, syncOptions{args: []string{good}, format: "text", torii: withTorii(toriiOptions{appAccount: 12345})},
			wantRun{kind: none, stdout: []string{"sync accepted: app account 12345 syncs file"}, stderr: []string{"\nuploaded want.json as file"}}},
		{"terminal", true, syncOptions{args: []string{good}, format: "text", torii: withTorii(toriiOptions{appAccount: 12345})},
			wantRun{kind: none, stderr: []string{"\r\033[Kuploading want.json", "\r\033[Kstarting the sync of app account 12345"}}},
		{"json", false, syncOptions{fileID: 1001, format: "json", torii: withTorii(toriiOptions{appAccount: 12345})},
			wantRun{kind: none, stdout: []string{`{"outcome":"sync accepted","fileId":1001,"appAccount":12345,"exitCode":0}`}}},
		{"--output json", false, syncOptions{fileID: 1001, format: "text", legacyFormat: "json", torii: withTorii(toriiOptions{appAccount: 12345})},
			wantRun{kind: none, stdout: []string{`"outcome":"sync accepted"`}, stderr: []string{"note: --output json is deprecated; use --format json"}}},
		{"--output and --format", false, syncOptions{fileID: 1001, format: "json", legacyFormat: "text", torii: withTorii(toriiOptions{appAccount: 12345})},
			wantRun{kind: kindUsage, stderr: []string{"--output text and --format json disagree"}}},
		{"no app account", false, syncOptions{fileID: 1001, format: "text", torii: withTorii(toriiOptions{})},
			wantRun{kind: kindUsage, stderr: []string{"--app-account is required"}}},
		{"file and file id", false, syncOptions{args: []string{good}, fileID: 3, format: "text", torii: withTorii(toriiOptions{appAccount: 12345})},
			wantRun{kind: kindUsage, stderr: []string{"give a file or --file-id, not both"}}},
		{"bad upload", false, syncOptions{fileID: 1001, format: "text", torii: withTorii(toriiOptions{appAccount: 12345, upload: "fax"})},
			wantRun{kind: kindUsage, stderr: []string{`--upload "fax": want direct, presigned or auto`}}},
		{"unknown app account", false, syncOptions{fileID: 1001, format: "json", torii: withTorii(toriiOptions{appAccount: 999})},
			wantRun{kind: kindFailure, stderr: []string{"app account 999 does not exist"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fe := newEnv("", vars, tc.tty)
			err := runSync(context.Background(), fe.env, tc.o)
			tc.want.check(t, fe, err)
			if !tc.tty && strings.Contains(fe.stderr.String(), "\033[") {
				t.Errorf("terminal codes off a terminal:\n%q", fe.stderr)
			}
		})
	}

	// A failure owes its JSON report until the exit code is known: run writes it.
	fe := newEnv("", vars, false)
	code := run(context.Background(), []string{"torii-convert", "sync", "--app-account", "999", "--file-id", "1001", "--format", "json"}, fe.env)
	var rep syncReport
	if err := json.Unmarshal(fe.stdout.Bytes(), &rep); err != nil || code != exitFailure || rep.ExitCode != exitFailure || rep.Outcome != "failed" || !strings.Contains(rep.Error, "999 does not exist") {
		t.Errorf("exit %d, report %+v (%v):\n%s", code, rep, err, fe.stdout)
	}

	for _, tc := range []struct {
		name string
		o    whoamiOptions
		want wantRun
	}{
		{"text", whoamiOptions{format: "text"}, wantRun{kind: none, stdout: []string{"the API key works"}}},
		{"json", whoamiOptions{format: "json"}, wantRun{kind: none, stdout: []string{`"companyName":`}}},
		{"--output json", whoamiOptions{format: "text", legacyFormat: "json"},
			wantRun{kind: none, stdout: []string{`"companyName":`}, stderr: []string{"--output json is deprecated"}}},
		{"arguments", whoamiOptions{args: []string{"me"}, format: "text"}, wantRun{kind: kindUsage, stderr: []string{`whoami takes no arguments, got "me"`}}},
	} {
		t.Run("whoami "+tc.name, func(t *testing.T) {
			fe := newEnv("", vars, false)
			tc.o.torii.timeout = 10 * time.Second
			tc.want.check(t, fe, runWhoami(context.Background(), fe.env, tc.o))
		})
	}
	fe = newEnv("", nil, false)
	err := runWhoami(context.Background(), fe.env, whoamiOptions{format: "text", torii: toriiOptions{timeout: time.Second}})
	wantRun{kind: kindAuth, stderr: []string{"no API key"}}.check(t, fe, err)
}

func TestRunTemplates(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    templatesOptions
		want wantRun
	}{
		{"list", templatesOptions{}, wantRun{kind: none, stdout: []string{"figma ", "stripe ", "hr "}}},
		{"show", templatesOptions{show: true, args: []string{"figma"}}, wantRun{kind: none, stdout: []string{`"name": "figma"`}}},
		{"show nothing", templatesOptions{show: true}, wantRun{kind: kindUsage, stderr: []string{"templates show takes one template name"}}},
		{"show unknown", templatesOptions{show: true, args: []string{"figm"}}, wantRun{kind: kindUsage, stderr: []string{`unknown template "figm"`}}},
		{"argument", templatesOptions{args: []string{"figma"}}, wantRun{kind: kindUsage, stderr: []string{"templates show figma"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fe := newEnv("", nil, false)
			tc.want.check(t, fe, runTemplates(context.Background(), fe.env, tc.o))
		})
	}
}

// TestExportErrorAtItsPlace: an export that cannot be read at some place (a quote never
// closed) is reported at that place by validate, so annotations point at the line.
func TestExportErrorAtItsPlace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "q.csv")
	os.WriteFile(path, []byte("Name,Email\nAda,\"ada@example.com\n"), 0o644)
	fe := newEnv("", nil, false)
	err := runValidate(context.Background(), fe.env, validateOptions{files: []string{path}, read: readOptions{template: "stripe"}, format: "github"})
	wantRun{kind: kindInvalid, stdout: []string{"::error file=" + ghProperty(path) + ",line=2::a quoted field is not closed"}}.check(t, fe, err)
}

// TestRunHelpers: the commands that help rather than work, called as the command line
// would call them.
func TestRunHelpers(t *testing.T) {
	sample, _ := filepath.Abs("../../testdata/samples/figma-members.csv")
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		run  func(fakeEnv) error
		want wantRun
	}{
		{"help convert", func(fe fakeEnv) error {
			return runHelp(context.Background(), fe.env, helpOptions{names: []string{"convert"}})
		},
			wantRun{kind: none, stdout: []string{"torii-convert convert", "--template"}}},
		{"help of a typo", func(fe fakeEnv) error {
			return runHelp(context.Background(), fe.env, helpOptions{names: []string{"convrt"}})
		},
			wantRun{kind: kindUsage, stderr: []string{`unknown command "convrt"`, "did you mean convert?"}, noStdout: true}},
		{"completion bash", func(fe fakeEnv) error {
			return runCompletion(context.Background(), fe.env, completionOptions{args: []string{"bash"}})
		}, wantRun{kind: none, stdout: []string{"complete"}}},
		{"completion of a flag", func(fe fakeEnv) error {
			return runCompletion(context.Background(), fe.env, completionOptions{complete: true, args: []string{"bash", "convert", "--templ"}})
		}, wantRun{kind: none, stdout: []string{"--template"}}},
		{"completion of a template", func(fe fakeEnv) error {
			return runCompletion(context.Background(), fe.env, completionOptions{complete: true, args: []string{"bash", "convert", "--template", "goo"}})
		}, wantRun{kind: none, stdout: []string{"google-workspace"}}},
		{"completion for csh", func(fe fakeEnv) error {
			return runCompletion(context.Background(), fe.env, completionOptions{args: []string{"csh"}})
		}, wantRun{kind: kindUsage, noStdout: true}},
		{"man", func(fe fakeEnv) error { return runMan(context.Background(), fe.env, manOptions{}) },
			wantRun{kind: none, stdout: []string{".TH torii-convert 1", "***redacted***"}}},
		{"man with an argument", func(fe fakeEnv) error {
			return runMan(context.Background(), fe.env, manOptions{args: []string{"convert"}})
		},
			wantRun{kind: kindUsage, noStdout: true}},
		{"templates init", func(fe fakeEnv) error {
			return runTemplatesInit(context.Background(), fe.env, templatesInitOptions{args: []string{sample}, read: readOptions{maxErrors: 50}})
		}, wantRun{kind: none, stdout: []string{`"name": "figma-members"`, `"email"`}}},
		{"templates init over its export", func(fe fakeEnv) error {
			return runTemplatesInit(context.Background(), fe.env, templatesInitOptions{args: []string{sample}, output: sample, read: readOptions{maxErrors: 50}})
		}, wantRun{kind: kindUsage, noStdout: true}},
		{"templates init of nothing", func(fe fakeEnv) error {
			return runTemplatesInit(context.Background(), fe.env, templatesInitOptions{args: []string{filepath.Join(dir, "none.csv")}, read: readOptions{maxErrors: 50}})
		}, wantRun{kind: kindFailure, noStdout: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fe := newEnv("", nil, false)
			tc.want.check(t, fe, tc.run(fe))
		})
	}
}
