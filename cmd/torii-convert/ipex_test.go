package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	delta "github.com/torii-convert/torii-convert/diff"
	"github.com/torii-convert/torii-convert/internal/state"
	"github.com/torii-convert/torii-convert/ipex/ipextest"
)

const (
	ipexLogin    = "api-sync"
	ipexPassword = "ipex-PW-never-printed-91b2"
)

const ipexRoster = `Employee #,First Name,Last Name,Phone,Status,Work Email
1001,Ada,Lovelace,+44 1,Active,ada@example.com
1002,Grace,Hopper,,Active,grace@example.com
1003,Alan,Turing,+44 3,Inactive,alan@example.com
`

const ipexFile = `{
  "users": [
    {"id": "7", "email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace", "status": "active"},
    {"email": "edsger@example.com", "firstName": "Edsger", "status": "deleted"},
    {"email": "grace@example.com", "firstName": "Grace", "lastName": "Hopper", "roles": ["admin", "dev"]}
  ]
}
`

// TestRunIpexSync calls the run function directly, against the fake helpdesk: the exit
// code, what the helpdesk holds afterwards, stdout and stderr.
func TestRunIpexSync(t *testing.T) {
	tests := []struct {
		name    string
		opts    func(o *ipexSyncOptions)
		setup   func(s *ipextest.Server)
		env     map[string]string
		stdin   string
		code    int
		held    string // email /Path=value ..., one user a line
		stdout  string // a part of it
		stderr  string // a part of it
		noCalls bool
		record  []string // the active requestors of the last run, if any
	}{
		{name: "a customIntegrationData file", opts: func(o *ipexSyncOptions) { o.args = []string{"users.json"} },
			held:   "ada@example.com 7 /FirstName=Ada /LastName=Lovelace\ngrace@example.com grace@example.com /FirstName=Grace /LastName=Hopper",
			stdout: "users.json: 2 created, 0 updated, 0 failed, in 1 request; 1 deleted user not sent (--deleted sends them)\n"},
		{name: "--deleted sends them, marked", opts: func(o *ipexSyncOptions) {
			o.args, o.deleted, o.fields = []string{"users.json"}, "/IsActive=false", []string{"/Roles=roles"}
		},
			held: "ada@example.com 7 /FirstName=Ada /LastName=Lovelace /Roles=\n" +
				"edsger@example.com edsger@example.com /FirstName=Edsger /IsActive=false /LastName= /Roles=\n" +
				"grace@example.com grace@example.com /FirstName=Grace /LastName=Hopper /Roles=admin, dev"},
		{name: "an export through a template, with a column", opts: func(o *ipexSyncOptions) {
			o.args, o.read.template, o.fields, o.batchSize = []string{"roster.csv"}, "hr", []string{"/Phone=Phone"}, 1
		},
			held:   "ada@example.com 1001 /FirstName=Ada /LastName=Lovelace /Phone=+44 1\ngrace@example.com 1002 /FirstName=Grace /LastName=Hopper /Phone=",
			stderr: "sending batch 2 of 2\n", stdout: "roster.csv: 2 created, 0 updated, 0 failed, in 2 requests; 1 deleted user not sent"},
		{name: "an invalid file is never sent", opts: func(o *ipexSyncOptions) { o.args = []string{"bad.json"} },
			code: exitInvalid, stderr: `bad.json:2:13: users[0].email: "bob@" is not an email address`, noCalls: true},
		{name: "an export without --template: the built-in that fits", opts: func(o *ipexSyncOptions) { o.args = []string{"roster.csv"} },
			held:   "ada@example.com 1001 /FirstName=Ada /LastName=Lovelace\ngrace@example.com 1002 /FirstName=Grace /LastName=Hopper",
			stderr: "roster.csv: looks like an HR employee report; using hr"},
		{name: "a column needs an export", opts: func(o *ipexSyncOptions) { o.args, o.fields = []string{"users.json"}, []string{"/Phone=Phone"} },
			code: exitUsage, stderr: `"Phone" is not a user field`, noCalls: true},
		{name: "--batch-size over 100", opts: func(o *ipexSyncOptions) { o.args, o.batchSize = []string{"users.json"}, 101 },
			code: exitUsage, stderr: "--batch-size 101: want 1 to 100", noCalls: true},
		{name: "plain http to another host", opts: func(o *ipexSyncOptions) { o.args, o.url = []string{"users.json"}, "http://acme.example.com" },
			code: exitUsage, stderr: "the password would cross the network in the clear", noCalls: true},
		{name: "no password", opts: func(o *ipexSyncOptions) { o.args = []string{"users.json"} }, env: map[string]string{"IPEX_PASSWORD": ""},
			code: exitAuth, stderr: "no helpdesk password", noCalls: true},
		{name: "a refused login names the user", opts: func(o *ipexSyncOptions) { o.args = []string{"users.json"} },
			setup: func(s *ipextest.Server) { s.Inject(ipextest.Unauthorized) },
			code:  exitAuth, stderr: `the helpdesk refused the user "api-sync"`},
		{name: "some users fail", opts: func(o *ipexSyncOptions) { o.args, o.format = []string{"users.json"}, "json" },
			setup: func(s *ipextest.Server) { s.FailUser("grace@example.com", "Invalid e-mail domain") },
			code:  exitSomeFailed, held: "ada@example.com 7 /FirstName=Ada /LastName=Lovelace",
			stderr: "users.json:5: grace@example.com: Invalid e-mail domain\n",
			stdout: `{"batches":1,"created":1,"updated":0,"failed":[{"email":"grace@example.com","row":5,"message":"Invalid e-mail domain"}],"skippedDeleted":1,"error":"users.json: 1 of 2 users failed; the others were synced","exitCode":6}` + "\n"},
		{name: "a customIntegrationData file on stdin", opts: func(o *ipexSyncOptions) { o.args = []string{"-"} }, stdin: ipexFile,
			held:   "ada@example.com 7 /FirstName=Ada /LastName=Lovelace\ngrace@example.com grace@example.com /FirstName=Grace /LastName=Hopper",
			stdout: "stdin: 2 created, 0 updated, 0 failed, in 1 request; 1 deleted user not sent (--deleted sends them)\n"},
		{name: "a column the export does not have", opts: func(o *ipexSyncOptions) {
			o.args, o.read.template, o.fields = []string{"roster.csv"}, "hr", []string{"/Phone=Mobile"}
		},
			code: exitUsage, stderr: `roster.csv has no column "Mobile" for /Phone; sent empty, it would clear /Phone of every requestor, so nothing was sent`, noCalls: true},
		{name: "two files", opts: func(o *ipexSyncOptions) { o.args = []string{"users.json", "roster.csv"} },
			code: exitUsage, stderr: "ipex sync takes one file, got 2", noCalls: true},
		{name: "--dry-run sends nothing", opts: func(o *ipexSyncOptions) { o.args, o.dryRun = []string{"users.json"}, true },
			stdout: "  Authorization: Basic ***redacted***\n", stderr: "dry run: users.json: 2 users in 1 request would be sent (2 new, 0 known by their keys)", noCalls: true},
		{name: "the shrink guard: 5 of 7 active requestors gone, one of them deleted now", opts: func(o *ipexSyncOptions) { o.args = []string{"users.json"} },
			record: shrunk, code: exitShrink, noCalls: true,
			stderr: "active users would drop from 7 to 2: 5 of them would be gone (71.4%)\n" +
				"  gone: a1@example.com, a2@example.com, a3@example.com, a4@example.com, edsger@example.com\n"},
		{name: "the shrink guard: --allow-shrink", opts: func(o *ipexSyncOptions) { o.args, o.guard.allowShrink = []string{"users.json"}, true },
			record: shrunk, held: "ada@example.com 7 /FirstName=Ada /LastName=Lovelace\ngrace@example.com grace@example.com /FirstName=Grace /LastName=Hopper",
			stderr: "shrink guard: let through by --allow-shrink: active users would drop from 7 to 2"},
		{name: "the shrink guard: a larger --max-shrink", opts: func(o *ipexSyncOptions) { o.args, o.guard.maxShrink = []string{"users.json"}, "75%" },
			record: shrunk, held: "ada@example.com 7 /FirstName=Ada /LastName=Lovelace\ngrace@example.com grace@example.com /FirstName=Grace /LastName=Hopper",
			stderr: "  active users: 7 -> 2 (5 gone, 0 new)\nshrink guard: within --max-shrink 75%,5\n"},
		{name: "--max-shrink without a share", opts: func(o *ipexSyncOptions) { o.args, o.guard.maxShrink = []string{"users.json"}, "5" },
			code: exitUsage, stderr: `--max-shrink "5": want a share`, noCalls: true},
	}
	dir := t.TempDir()
	for name, text := range map[string]string{"roster.csv": ipexRoster, "users.json": ipexFile,
		"bad.json": "{\"users\": [\n  {\"email\": \"bob@\"}\n]}\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := ipextest.New(t, ipexLogin, ipexPassword)
			if tt.setup != nil {
				tt.setup(srv)
			}
			vars := map[string]string{"IPEX_URL": srv.URL, "IPEX_USER": ipexLogin, "IPEX_PASSWORD": ipexPassword, "XDG_STATE_HOME": t.TempDir()}
			for k, v := range tt.env {
				vars[k] = v
			}
			if tt.record != nil {
				saveIpexRecord(t, vars, srv.URL, tt.record)
			}
			fe := newEnv(tt.stdin, vars, false)
			fe.secrets = &scrubber{}
			stdout, stderr := fe.stdout, fe.stderr
			o := ipexSyncOptions{batchSize: 100, format: "text", timeout: 5 * time.Second, wait: 5 * time.Second, read: readOptions{maxErrors: 50}}
			tt.opts(&o)
			code := exitWith(context.Background(), fe.env, runIpexSync(context.Background(), fe.env, o))
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			if got := heldUsers(srv); got != tt.held {
				t.Errorf("the helpdesk holds:\n%s\nwant:\n%s", got, tt.held)
			}
			if !strings.Contains(stdout.String(), tt.stdout) {
				t.Errorf("stdout:\n%s\nwant in it:\n%s", stdout.String(), tt.stdout)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr:\n%s\nwant in it:\n%s", stderr.String(), tt.stderr)
			}
			if tt.noCalls && srv.Requests() != 0 {
				t.Errorf("%d requests reached the helpdesk, want none", srv.Requests())
			}
			if all := stdout.String() + stderr.String(); strings.Contains(all, ipexPassword) {
				t.Errorf("the password is in the output:\n%s", all)
			}
		})
	}
}

// shrunk is the last run's active requestors for the shrink guard's cases: ada and grace
// are still in ipexFile, edsger is deleted in it, the others are not in it.
var shrunk = []string{"a1@example.com", "a2@example.com", "a3@example.com", "a4@example.com", "ada@example.com", "edsger@example.com", "grace@example.com"}

// saveIpexRecord writes the shrink guard's record of a last run to the helpdesk at base.
func saveIpexRecord(t *testing.T, vars map[string]string, base string, active []string) {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	path, err := state.Path(func(k string) string { return vars[k] }, "guard", u.Host, "ipex")
	if err != nil {
		t.Fatal(err)
	}
	rec := delta.Record{Host: u.Host, File: "users.json", Population: delta.Population{Active: active}}
	if err := rec.Save(path); err != nil {
		t.Fatal(err)
	}
}

func heldUsers(s *ipextest.Server) string {
	var lines []string
	for _, u := range s.Users() {
		var fields []string
		for p, v := range u.Fields {
			fields = append(fields, p+"="+strings.TrimSuffix(strings.TrimPrefix(mustJSON(v), `"`), `"`))
		}
		sort.Strings(fields)
		lines = append(lines, u.Email+" "+u.ExternalID+" "+strings.Join(fields, " "))
	}
	return strings.Join(lines, "\n")
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// A header with a comma is one column: --field is never split at commas.
func TestIpexFieldWithAComma(t *testing.T) {
	srv := ipextest.New(t, ipexLogin, ipexPassword)
	dir := t.TempDir()
	t.Chdir(dir)
	os.WriteFile("people.csv", []byte("Work Email,First Name,Status,\"City, State\"\nada@example.com,Ada,Active,\"Brno, CZ\"\n"), 0o600)
	vars := map[string]string{"IPEX_URL": srv.URL, "IPEX_USER": ipexLogin, "IPEX_PASSWORD": ipexPassword, "XDG_STATE_HOME": dir}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"torii-convert", "ipex", "sync", "--template", "hr", "people.csv", "--field", "/Site=City, State", "--field", "/Mail=email"},
		env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(k string) string { return vars[k] }})
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	if got := heldUsers(srv); got != "ada@example.com ada@example.com /FirstName=Ada /LastName= /Mail=ada@example.com /Site=Brno, CZ" {
		t.Errorf("the helpdesk holds %s", got)
	}
}

// Each user of a customIntegrationData file is said to come from the line its record
// starts on, however the file is laid out.
func TestDecodeUsersLines(t *testing.T) {
	text := "{\"licenses\": [], \"users\": [{\"email\": \"a@x.io\"},\n" +
		"  {\n    \"email\": \"b@x.io\"\n  }\n  ,\n\n  {\"email\": \"c@x.io\"}]}\n"
	lines := &lineIndex{}
	lines.Write([]byte(text))
	users, rows, err := decodeUsers(strings.NewReader(text), lines)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, u := range users {
		got = append(got, fmt.Sprintf("%s:%d", u.Email, rows[i]))
	}
	if strings.Join(got, " ") != "a@x.io:1 b@x.io:2 c@x.io:7" {
		t.Errorf("users at %v", got)
	}
}
