package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// These tests run the command as a real process (this test binary, as main) and send it
// real signals: an interrupt at any point leaves an existing output as it was, leaves no
// temporary file, and ends with exit code 130.

const stripeCSV = "Name,Email\nAda,ada@example.com\nBob,bob@example.com\n"

// start runs torii-convert in dir with args, TMPDIR pointing into dir so that any
// temporary file it leaves is seen.
func start(t *testing.T, dir, stdin string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TORII_CONVERT_BE_MAIN=1", "TMPDIR="+filepath.Join(dir, "tmp"))
	os.MkdirAll(filepath.Join(dir, "tmp"), 0o755)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if stdin != "" {
		blockedStdin(t, cmd, stdin)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &stderr
}

// exitOf waits for the process, at most 10 s, and returns its exit code.
func exitOf(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the process ignored the signal for 10 s")
		return 0
	}
}

// noTemporaryFiles fails if anything but the given files is in dir or its tmp folder.
func noTemporaryFiles(t *testing.T, dir string, want ...string) {
	t.Helper()
	var got []string
	for _, d := range []string{dir, filepath.Join(dir, "tmp")} {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if e.Name() != "tmp" {
				got = append(got, e.Name())
			}
		}
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("files left: %v, want %v", got, want)
	}
}

// blockedStdin gives the command text on stdin and holds the pipe open, so that it
// blocks waiting for more, until the test ends.
func blockedStdin(t *testing.T, cmd *exec.Cmd, text string) {
	t.Helper()
	w, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	go w.Write([]byte(text))
}

func TestSignalWhileReading(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "out.json"), []byte("old\n"), 0o644)
			cmd, stderr := start(t, dir, stripeCSV, "convert", "--template", "stripe", "-", "-o", "out.json")
			time.Sleep(500 * time.Millisecond)
			cmd.Process.Signal(sig)
			if code := exitOf(t, cmd); code != exitInterrupted {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, exitInterrupted, stderr)
			}
			if !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("stderr does not say it was interrupted:\n%s", stderr)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, "out.json")); string(b) != "old\n" {
				t.Errorf("out.json was changed: %q", b)
			}
			noTemporaryFiles(t, dir, "out.json")
		})
	}
}

// TestSignalWhileWritingFIFO: the file is valid, but the FIFO it goes to has no reader.
func TestSignalWhileWritingFIFO(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "in.csv"), []byte(stripeCSV), 0o644)
	if err := syscall.Mkfifo(filepath.Join(dir, "out.fifo"), 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	cmd, stderr := start(t, dir, "", "convert", "--template", "stripe", "in.csv", "-o", "out.fifo")
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	if code := exitOf(t, cmd); code != exitInterrupted {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, exitInterrupted, stderr)
	}
	if !strings.Contains(stderr.String(), "torii-convert: interrupted while writing out.fifo") {
		t.Errorf("stderr:\n%s", stderr)
	}
	noTemporaryFiles(t, dir, "in.csv", "out.fifo")
}

// TestKilledLeavesNoTemporaryFile: even a run that is killed, or crashes, where no
// deferred clean-up runs, leaves no temporary file.
func TestKilledLeavesNoTemporaryFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "out.json"), []byte("old\n"), 0o644)
	cmd, _ := start(t, dir, stripeCSV, "convert", "--template", "stripe", "-", "-o", "out.json")
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Kill()
	if code := exitOf(t, cmd); code != -1 {
		t.Fatalf("exit %d: the run ended before it was killed", code)
	}
	noTemporaryFiles(t, dir, "out.json")
}

// cancelAtEOF reads like its reader, and cancels the run as the reading ends: an
// interrupt after the reading phase, at a point a test can hit every time.
type cancelAtEOF struct {
	r      *strings.Reader
	cancel func()
}

func (c cancelAtEOF) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil {
		c.cancel()
	}
	return n, err
}

func TestInterruptAfterReading(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.json")
	os.WriteFile(out, []byte("old\n"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fe := newEnv("", nil, false)
	fe.stdin = cancelAtEOF{strings.NewReader(stripeCSV), cancel}
	code := run(ctx, []string{"torii-convert", "convert", "--template", "stripe", "-", "-o", out}, fe.env)
	if code != exitInterrupted {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, exitInterrupted, fe.stderr)
	}
	if b, _ := os.ReadFile(out); string(b) != "old\n" {
		t.Errorf("out.json was replaced: %q", b)
	}
	noTemporaryFiles(t, dir, "out.json")
}
