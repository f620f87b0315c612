package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/torii-convert/torii-convert/ipex/ipextest"
	"github.com/torii-convert/torii-convert/torii/toriitest"
)

// TestKeyNeverShows runs every command that talks to Torii, in success, failure and
// dry run, with a recognisable key, and looks for it in everything they print and write,
// also when Torii echoes it back in its answers. Torii itself must see it only in the
// Authorization header.
func TestKeyNeverShows(t *testing.T) {
	const secret = "tk_live_SECRET_d41d8cd98f00b204e9800998ecf8427e"
	var store *toriitest.MinIO
	if toriitest.Available("minio") || toriitest.Required() {
		store = toriitest.StartMinIO(t)
	}
	srv := toriitest.New(t, secret, store, 12345)
	sample, _ := filepath.Abs("../../testdata/samples/stripe-team.csv")
	dir := t.TempDir()
	t.Chdir(dir)
	keyFile := filepath.Join(dir, "key")
	os.WriteFile(keyFile, []byte(secret+"\n"), 0o600)
	twoLines := filepath.Join(dir, "two-lines")
	os.WriteFile(twoLines, []byte(secret[:20]+"\r\n"+secret[20:]+"\n"), 0o600)
	echo := func(method, path string, status int) *toriitest.Fault {
		return &toriitest.Fault{Method: method, Path: path, Status: status, Times: 1,
			Body: `{"statusCode": 400, "message": "bad request with Authorization: Bearer ` + secret + `"}`}
	}
	type runCase struct {
		args  []string
		code  int
		fault *toriitest.Fault
	}
	runs := []runCase{
		{[]string{"whoami"}, exitOK, nil},
		{[]string{"whoami", "--format", "json"}, exitOK, nil},
		{[]string{"whoami", "--dry-run"}, exitOK, nil},
		{[]string{"whoami", "--api-key-file", keyFile}, exitOK, nil},
		{[]string{"whoami", "--api-key-file", twoLines}, exitAuth, nil},
		{[]string{"whoami"}, exitFailure, echo(http.MethodGet, "/orgs/my", 400)},
		{[]string{"whoami", "--format", "json"}, exitFailure, echo(http.MethodGet, "/orgs/my", 400)},
		{[]string{"convert", "--template", "stripe", sample, "--sync", "--app-account", "12345"}, exitOK, nil},
		{[]string{"convert", "--template", "stripe", sample, "--sync", "--app-account", "12345", "-o", "out.json", "--format", "json"}, exitOK, nil},
		{[]string{"convert", "--template", "stripe", sample, "--sync", "--app-account", "12345", "--dry-run"}, exitOK, nil},
		{[]string{"convert", "--template", "stripe", sample, "--sync", "--app-account", "999"}, exitFailure, nil},
		{[]string{"convert", "--template", "stripe", sample, "--sync", "--app-account", "12345", "-o", "echo.json", "--format", "json"},
			exitFailure, echo(http.MethodPut, "/services/sync/custom", 400)},
		{[]string{"sync", "--app-account", "12345", "out.json"}, exitOK, nil},
		{[]string{"sync", "--app-account", "12345", "out.json"}, exitFailure, echo(http.MethodPost, "/files/upload", 400)},
		{[]string{"sync", "--app-account", "12345", "out.json", "--dry-run", "--upload", "presigned"}, exitOK, nil},
		{[]string{"sync", "--app-account", "12345", "--file-id", "424242", "--format", "json"}, exitFailure, nil},
	}
	if store != nil {
		runs = append(runs, runCase{[]string{"sync", "--app-account", "12345", "out.json", "--upload", "presigned"}, exitOK, nil})
	}
	for _, r := range runs {
		if r.fault != nil {
			srv.Inject(*r.fault)
		}
		var stdout, stderr bytes.Buffer
		getenv := func(k string) string {
			return map[string]string{"TORII_API_KEY": secret, "TORII_API_URL": srv.URL, "XDG_STATE_HOME": filepath.Join(dir, "state")}[k]
		}
		code := run(context.Background(), append([]string{"torii-convert"}, r.args...),
			env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: getenv, now: time.Now})
		what := "torii-convert " + strings.Join(r.args, " ")
		if r.fault != nil {
			what += " (Torii echoes the key)"
		}
		if code != r.code {
			t.Errorf("%s: exit %d, want %d; stderr:\n%s", what, code, r.code, stderr.String())
		}
		for name, text := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String()} {
			if strings.Contains(text, secret) || strings.Contains(text, secret[8:]) || strings.Contains(text, secret[20:]) {
				t.Errorf("%s (exit %d): the key is in its %s:\n%s", what, code, name, text)
			}
		}
		if r.fault != nil && !strings.Contains(stdout.String()+stderr.String(), "Bearer "+redacted) {
			t.Errorf("%s: Torii's message is not shown, redacted:\n%s%s", what, stdout.String(), stderr.String())
		}
	}
	// Every file written, the shrink guard's records under state/ too.
	states := 0
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "key" || d.Name() == "two-lines" {
			return err
		}
		if strings.Contains(path, "/state/") {
			states++
		}
		if data, _ := os.ReadFile(path); bytes.Contains(data, []byte(secret)) {
			t.Errorf("the key was written to %s", path)
		}
		return nil
	})
	if states == 0 {
		t.Error("no sync left a record of the shrink guard to look into")
	}
	if len(srv.Requests()) < 10 {
		t.Fatalf("only %d requests reached Torii; the runs did not run", len(srv.Requests()))
	}
	for _, r := range srv.Requests() {
		if strings.Contains(r.Path, secret) || bytes.Contains(r.Body, []byte(secret)) {
			t.Errorf("%s %s carries the key outside the Authorization header", r.Method, r.Path)
		}
	}
}

// TestKeyFile: the key file is read within a limit, and a key that is not one line is
// told as such, before any request.
func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o600)
		return p
	}
	os.Mkdir(filepath.Join(dir, "folder"), 0o700)
	for _, tc := range []struct {
		path, want string
	}{
		{"/dev/zero", "reading the API key from /dev/zero: it is longer than 4 KB, so it is not an API key file"},
		{write("big", strings.Repeat("k", maxSecretFile+1)), "it is longer than 4 KB"},
		{write("crlf", "tk_first_half\r\ntk_second_half\n"), "has a line break inside the key; it must hold the key alone, on one line"},
		{write("cr", "tk_first_half\rtk_second_half"), "has a line break inside the key"},
		{write("space", "tk_first half"), "does not hold an API key (one line, no spaces)"},
		{write("empty", "\n"), "does not hold an API key"},
		{filepath.Join(dir, "folder"), "it is a directory; give the file that holds the key"},
		{filepath.Join(dir, "missing"), "reading the API key: " + filepath.Join(dir, "missing") + ": no such file"},
	} {
		fe := newEnv("", nil, false)
		fe.secrets = &scrubber{}
		err := runWhoami(context.Background(), fe.env, whoamiOptions{format: "text", torii: toriiOptions{keyFile: tc.path, timeout: time.Second}})
		wantRun{kind: kindAuth, stderr: []string{tc.want}, noStdout: true}.check(t, fe, err)
		if strings.Contains(tc.want, "line break") && strings.Contains(fe.secrets.scrub("tk_first_half tk_second_half"), "tk_") {
			t.Errorf("%s: the parts of a broken key would be printed", tc.path)
		}
	}
	fe := newEnv("", map[string]string{"TORII_API_KEY": "tk_first_half\ntk_second_half"}, false)
	err := runWhoami(context.Background(), fe.env, whoamiOptions{format: "text", torii: toriiOptions{timeout: time.Second}})
	wantRun{kind: kindAuth, stderr: []string{"TORII_API_KEY has a line break or a space inside the key"}}.check(t, fe, err)
}

func TestScrubber(t *testing.T) {
	s := &scrubber{}
	s.add("tk_secret_1", "pas", "ipex-password-2", "")
	var b bytes.Buffer
	w := scrubbed{&b, s}
	w.Write([]byte("key tk_secret_1, password ipex-password-2, passage\n"))
	if got, want := b.String(), "key ***redacted***, password ***redacted***, passage\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestTerminalThroughScrubber: the scrubber run puts on stderr hides no terminal.
// isTerminal goes by the character device, which /dev/null is too.
func TestTerminalThroughScrubber(t *testing.T) {
	dev, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	if !isTerminal(scrubbed{dev, &scrubber{}}) || isTerminal(scrubbed{&bytes.Buffer{}, &scrubber{}}) {
		t.Error("isTerminal does not see through the scrubber")
	}
}

// TestIpexPasswordNeverShows runs ipex sync in success, failure and dry run, with the
// password from the environment and from a file, and a helpdesk that echoes it back in
// an error, and looks for it in everything printed and written.
func TestIpexPasswordNeverShows(t *testing.T) {
	srv := ipextest.New(t, ipexLogin, ipexPassword)
	dir := t.TempDir()
	t.Chdir(dir)
	os.WriteFile("users.json", []byte(ipexFile), 0o600)
	os.WriteFile("roster.csv", []byte(ipexRoster), 0o600)
	os.WriteFile("pw", []byte(ipexPassword+"\n"), 0o600)
	runs := []struct {
		args  []string
		fault *ipextest.Fault
		code  int
	}{
		{args: []string{"users.json"}},
		{args: []string{"users.json", "--format", "json", "--password-file", "pw"}},
		{args: []string{"--template", "hr", "roster.csv", "--dry-run"}},
		{args: []string{"users.json", "--dry-run", "--format", "json"}},
		{args: []string{"users.json"}, fault: &ipextest.Fault{Status: 400, Message: "bad request from " + ipexLogin + ":" + ipexPassword}, code: exitFailure},
		{args: []string{"users.json", "--format", "json"}, fault: &ipextest.Fault{Status: 500, Message: "password " + ipexPassword + " rejected"}, code: exitFailure},
		{args: []string{"users.json"}, fault: &ipextest.Unauthorized, code: exitAuth},
	}
	for _, r := range runs {
		if r.fault != nil {
			srv.Inject(*r.fault) // --wait 0: one attempt
		}
		var stdout, stderr bytes.Buffer
		vars := map[string]string{"IPEX_URL": srv.URL, "IPEX_USER": ipexLogin, "IPEX_PASSWORD": ipexPassword, "XDG_STATE_HOME": dir}
		if slicesContains(r.args, "--password-file") {
			delete(vars, "IPEX_PASSWORD")
		}
		args := append([]string{"torii-convert", "ipex", "sync", "--wait", "0"}, r.args...)
		code := run(context.Background(), args, env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(k string) string { return vars[k] }, now: time.Now})
		if code != r.code {
			t.Errorf("%s: exit %d, want %d; stderr:\n%s", strings.Join(args, " "), code, r.code, stderr.String())
		}
		for name, text := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String()} {
			if strings.Contains(text, ipexPassword) {
				t.Errorf("%s (exit %d): the password is in its %s:\n%s", strings.Join(args, " "), code, name, text)
			}
		}
		if r.fault != nil && r.fault.Message != "" && !strings.Contains(stdout.String()+stderr.String(), "***redacted***") {
			t.Errorf("%s: the helpdesk's message is not shown, redacted:\n%s", strings.Join(args, " "), stderr.String())
		}
	}
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if data, _ := os.ReadFile(path); err == nil && !d.IsDir() && d.Name() != "pw" && bytes.Contains(data, []byte(ipexPassword)) {
			t.Errorf("the password was written to %s", path)
		}
		return nil
	})
	if srv.Requests() < 5 {
		t.Fatalf("only %d requests reached the helpdesk; the runs did not run", srv.Requests())
	}
}

func slicesContains(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}
