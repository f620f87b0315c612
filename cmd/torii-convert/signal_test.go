package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// These tests run the command as a real process (this test binary, as main) and send it
// real signals: an interrupt at any point leaves an existing output as it was, leaves no
// temporary file, and ends with exit code 130.

const stripeCSV = "Name,Email\nAda,ada@example.com\nBob,bob@example.com\n"

// started is a torii-convert process a test signals.
type started struct {
	*exec.Cmd
	stdin *os.File // the pipe's end the test writes, when the test gave stdin
}

// start runs torii-convert in dir with args, TMPDIR pointing into dir so that any
// temporary file it leaves is seen. Text given as stdin is written and the pipe held
// open, so that the command blocks waiting for more, until the test ends.
func start(t *testing.T, dir, stdin string, args ...string) (*started, *bytes.Buffer) {
	t.Helper()
	cmd := &started{Cmd: exec.Command(os.Args[0], args...)}
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TORII_CONVERT_BE_MAIN=1", "TMPDIR="+filepath.Join(dir, "tmp"))
	os.MkdirAll(filepath.Join(dir, "tmp"), 0o755)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	var pr *os.File
	if stdin != "" {
		var err error
		if pr, cmd.stdin, err = os.Pipe(); err != nil {
			t.Fatal(err)
		}
		cmd.Stdin = pr
		t.Cleanup(func() { cmd.stdin.Close() })
		if _, err := cmd.stdin.WriteString(stdin); err != nil {
			t.Fatal(err)
		}
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if pr != nil {
		pr.Close()
	}
	return cmd, &stderr
}

// waitFor polls until ready holds, at most 20 s: a signal sent before the process has
// got to the point a test means would test something else (under the race detector a
// start takes seconds).
func waitFor(t *testing.T, what string, ready func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if ready() {
			return
		}
	}
	t.Fatalf("the process never got to %s", what)
}

// stdinRead is whether the process has read all the test wrote on its stdin, and so
// is running, with its signal handlers, blocked waiting for more.
func (c *started) stdinRead() bool {
	n, err := unix.IoctlGetInt(int(c.stdin.Fd()), unix.TIOCINQ) // FIONREAD: bytes in the pipe
	return err == nil && n == 0
}

// blockedIn is whether one of the process's threads waits in the kernel function fn.
func (c *started) blockedIn(fn string) bool {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/wchan", c.Process.Pid))
	for _, task := range tasks {
		if b, _ := os.ReadFile(task); string(b) == fn {
			return true
		}
	}
	return false
}

// exitOf waits for the process, at most 10 s, and returns its exit code.
func exitOf(t *testing.T, cmd *started) int {
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

func TestSignalWhileReading(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "out.json"), []byte("old\n"), 0o644)
			cmd, stderr := start(t, dir, stripeCSV, "convert", "--template", "stripe", "-", "-o", "out.json")
			waitFor(t, "reading its stdin", cmd.stdinRead)
			time.Sleep(100 * time.Millisecond) // and waiting for more
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
	waitFor(t, "opening out.fifo", func() bool { return cmd.blockedIn("wait_for_partner") })
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
	waitFor(t, "reading its stdin", cmd.stdinRead)
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
