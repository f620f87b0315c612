package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/torii-convert/torii-convert/torii/toriitest"
)

// bigExport writes a Figma export of n rows.
func bigExport(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("Name,Email,Role,Seat type,Last active\n")
	for i := range n {
		fmt.Fprintf(&b, "User %d,user%d@example.com,member,Full,2026-10-01\n", i, i)
	}
	path := filepath.Join(t.TempDir(), "members.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runOnPTY runs the program with stderr on a pseudo-terminal and returns what the
// terminal received.
func runOnPTY(t *testing.T, getenv func(string) string, args ...string) (int, string) {
	t.Helper()
	return runOnPTYWithStdin(t, getenv, "", args...)
}

func runOnPTYWithStdin(t *testing.T, getenv func(string) string, stdin string, args ...string) (int, string) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	got := make(chan string)
	go func() {
		var b bytes.Buffer
		io.Copy(&b, ptmx) // until the terminal closes
		got <- b.String()
	}()
	code := run(context.Background(), append([]string{"torii-convert"}, args...),
		env{stdin: strings.NewReader(stdin), stdout: io.Discard, stderr: tty, getenv: getenv, now: time.Now, tty: isTerminal(tty)})
	tty.Close()
	return code, <-got
}

// runOnPipe runs the program with stderr on a pipe, as in cron or CI.
func runOnPipe(t *testing.T, getenv func(string) string, args ...string) (int, string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string)
	go func() {
		var b bytes.Buffer
		io.Copy(&b, r)
		got <- b.String()
	}()
	code := run(context.Background(), append([]string{"torii-convert"}, args...),
		env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: w, getenv: getenv, now: time.Now, tty: isTerminal(w)})
	w.Close()
	return code, <-got
}

func noEnv(string) string { return "" }

// TestProgress: on a terminal, a conversion shows its rows, rate and a bar with the
// percent done; not with --quiet, and never when stderr is not a terminal.
func TestProgress(t *testing.T) {
	defer func(d time.Duration) { progressDelay = d }(progressDelay)
	progressDelay = 0 // the test's export is read in a blink
	in := bigExport(t, 5000)
	out := filepath.Join(t.TempDir(), "out.json")

	code, term := runOnPTY(t, noEnv, "convert", "--template", "figma", in, "-o", out)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, term)
	}
	for _, want := range []string{`members.csv: [0-9,]+ rows, [0-9,]+ rows/s +[0-9]+% \|`, `\[0s:[0-9]+s\]`, `\nmembers.csv: 5000 users`} {
		if !regexp.MustCompile(want).MatchString(strings.ReplaceAll(term, filepath.Dir(in)+"/", "")) {
			t.Errorf("the terminal got no %s:\n%q", want, term)
		}
	}
	// The bar is cleared before anything else is said.
	if _, after, ok := strings.Cut(term, "\x1b[2K\r"); !ok || strings.Contains(after, "rows/s") {
		t.Errorf("the bar was not cleared before the summary:\n%q", term)
	}

	// From stdin, of unknown size: a spinner with the rows and their rate, no percent.
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	code, term = runOnPTYWithStdin(t, noEnv, string(data), "convert", "--template", "figma", "-", "-o", out)
	if code != 0 || !regexp.MustCompile(`\r\S +stdin: [0-9,]+ rows, [0-9,]+ rows/s`).MatchString(term) || strings.Contains(term, "%") {
		t.Errorf("stdin on a terminal: exit %d, the terminal got:\n%q", code, term)
	}

	code, term = runOnPTY(t, noEnv, "convert", "--quiet", "--template", "figma", in, "-o", out)
	if code != 0 || term != "" {
		t.Errorf("--quiet on a terminal: exit %d, the terminal got:\n%q", code, term)
	}

	code, piped := runOnPipe(t, noEnv, "convert", "--template", "figma", in, "-o", out)
	if code != 0 || strings.Contains(piped, "rows/s") || strings.Contains(piped, "\r") || strings.Contains(piped, "\033") {
		t.Errorf("stderr on a pipe: exit %d, got progress:\n%q", code, piped)
	}
	if want := "members.csv: 5000 users, 1 license from 5000 rows\n"; !strings.HasSuffix(piped, want) {
		t.Errorf("stderr on a pipe = %q, want the summary %q", piped, want)
	}
}

// TestColor: errors and warnings are coloured on a terminal, unless NO_COLOR is set or
// --color never; --color always colours even a pipe.
func TestColor(t *testing.T) {
	const red = "\033[1;31mtorii-convert:\033[0m reading missing.csv"
	missing := []string{"convert", "--template", "figma", "missing.csv"}
	if _, term := runOnPTY(t, noEnv, missing...); !strings.Contains(term, red) {
		t.Errorf("on a terminal, the error is not red:\n%q", term)
	}
	noColor := func(k string) string { return map[string]string{"NO_COLOR": "1"}[k] }
	if _, term := runOnPTY(t, noColor, missing...); strings.Contains(term, "\033") || !strings.Contains(term, "torii-convert: reading missing.csv") {
		t.Errorf("with NO_COLOR, the terminal got:\n%q", term)
	}
	if _, term := runOnPTY(t, noEnv, append(missing, "--color", "never")...); strings.Contains(term, "\033") {
		t.Errorf("with --color never, the terminal got:\n%q", term)
	}
	if _, piped := runOnPipe(t, noEnv, missing...); strings.Contains(piped, "\033") {
		t.Errorf("on a pipe, stderr got:\n%q", piped)
	}
	if _, piped := runOnPipe(t, noEnv, append(missing, "--color", "always")...); !strings.Contains(piped, red) {
		t.Errorf("with --color always, stderr got:\n%q", piped)
	}
	if code, piped := runOnPipe(t, noEnv, append(missing, "--color", "sometimes")...); code != exitUsage || !strings.Contains(piped, `--color "sometimes": want auto, always or never`) {
		t.Errorf("--color sometimes: exit %d, stderr:\n%q", code, piped)
	}
}

func TestColorWriter(t *testing.T) {
	var b bytes.Buffer
	w := &colorWriter{w: &b, t: &term{color: true}, lineStart: true}
	fmt.Fprintln(w, "warning: key.txt can be read by other users; chmod 600 it")
	fmt.Fprintln(w, "data/figma.json:230:5: warning: users[73]: has neither a status nor a lastUsedDate")
	fmt.Fprintln(w, "note: the export has no column for roles")
	fmt.Fprint(w, "a line in ")
	fmt.Fprintln(w, "note: two writes")
	fmt.Fprintln(w, "torii-convert: no API key")
	want := "\033[33mwarning\033[0m: key.txt can be read by other users; chmod 600 it\n" +
		"data/figma.json:230:5: \033[33mwarning\033[0m: users[73]: has neither a status nor a lastUsedDate\n" +
		"\033[36mnote\033[0m: the export has no column for roles\n" +
		"a line in note: two writes\n" +
		"\033[1;31mtorii-convert:\033[0m no API key\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

// TestWaitLine: on a terminal, the wait for a running sync is one live line with the
// time to the next try, cleared when the sync is accepted; on a pipe, one plain line.
func TestWaitLine(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a retry")
	}
	srv := toriitest.New(t, testKey, nil, 12345)
	getenv := func(k string) string {
		return map[string]string{"TORII_API_KEY": testKey, "TORII_API_URL": srv.URL}[k]
	}
	file := filepath.Join(t.TempDir(), "figma.json")
	if err := os.WriteFile(file, []byte(`{"users": [{"email": "ada@example.com", "status": "active"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"sync", "--app-account", "12345", file}

	srv.Inject(toriitest.Fault{Method: http.MethodPut, Path: "/services/sync/custom", Status: 409, Times: 1})
	code, term := runOnPTY(t, getenv, args...)
	if code != 0 {
		t.Fatalf("exit %d:\n%q", code, term)
	}
	// A spinner, the message, the seconds to the next try; then the line is cleared.
	live := regexp.MustCompile(`\r\S another sync of app account 12345 is running; trying again in [^\r]* \[[0-9]+s\]`)
	if !live.MatchString(term) || !strings.Contains(term, "\x1b[2K\r") {
		t.Errorf("the terminal got no live wait line, or it was not cleared:\n%q", term)
	}

	srv.Inject(toriitest.Fault{Method: http.MethodPut, Path: "/services/sync/custom", Status: 409, Times: 1})
	code, piped := runOnPipe(t, getenv, args...)
	if code != 0 || strings.ContainsAny(piped, "\r\033") || !strings.Contains(piped, "another sync of app account 12345 is running; trying again in ") {
		t.Errorf("on a pipe: exit %d, stderr:\n%q", code, piped)
	}
}

// TestFileProgress: reading whole files (validate, diff, report) shows one bar on a
// terminal for all of them, cleared at the end; never on a pipe.
func TestFileProgress(t *testing.T) {
	defer func(d time.Duration) { progressDelay = d }(progressDelay)
	progressDelay = 0
	file := filepath.Join(t.TempDir(), "users.json")
	if code, out := runOnPipe(t, noEnv, "convert", "--template", "figma", bigExport(t, 5000), "-o", file); code != 0 {
		t.Fatalf("convert: exit %d:\n%s", code, out)
	}
	bar := regexp.MustCompile(`reading +[0-9]+% \|`)
	for _, args := range [][]string{{"validate", file}, {"diff", file, file}, {"report", file}} {
		code, term := runOnPTY(t, noEnv, args...)
		if want := map[string]int{"validate": 0, "diff": 0, "report": 0}[args[0]]; code != want {
			t.Errorf("%s: exit %d, want %d:\n%q", args[0], code, want, term)
		}
		if !bar.MatchString(term) {
			t.Errorf("%s on a terminal shows no bar:\n%q", args[0], term)
		}
		// diff's two sides may be one bar or two after each other (a side read to its end
		// before the other is opened): the last one drawn is cleared.
		if all := bar.FindAllStringIndex(term, -1); len(all) > 0 && !strings.Contains(term[all[len(all)-1][1]:], "\x1b[2K\r") {
			t.Errorf("%s: the bar was not cleared:\n%q", args[0], term)
		}
		if code, piped := runOnPipe(t, noEnv, args...); code != 0 || strings.Contains(piped, "reading") || strings.Contains(piped, "\r") {
			t.Errorf("%s on a pipe: exit %d, got progress:\n%q", args[0], code, piped)
		}
	}
}

// TestColorOnEveryCommandThatWorks: --color is on every command that does work, the
// new ones and the subcommands included, and decides the colour of its final error.
func TestColorOnEveryCommandThatWorks(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.json")
	for _, cmd := range termCommands {
		args := append(strings.Fields(cmd), "--color", "always", missing)
		if cmd == "diff" {
			args = append(args, missing)
		}
		code, got := runOnPipe(t, noEnv, args...)
		if code == 0 || !strings.Contains(got, ansiRed) {
			t.Errorf("%s --color always: exit %d, the error is not red:\n%q", cmd, code, got)
		}
		if code, got = runOnPipe(t, noEnv, append(strings.Fields(cmd), "--color", "sometimes", missing)...); code != exitUsage {
			t.Errorf("%s --color sometimes: exit %d, want %d:\n%q", cmd, code, exitUsage, got)
		}
	}
}
