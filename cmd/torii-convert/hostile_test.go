//go:build unix

package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/torii-convert/torii-convert/internal/hostile"
)

// maxRSS is the most memory a run may take on any hostile input (README, Limits).
const maxRSS = 512 << 20

// earlier is what out.json holds before each run: a failed run must leave it so.
const earlier = "the output of an earlier run\n"

// TestHostile runs each case under testdata/hostile as a process of its own: a folder
// with its small inputs, args (the command line after torii-convert; out.json exists
// before the run), want.stderr, want.stdout (when the run writes there), exit (when not
// 0), want.json (what out.json holds after a run that succeeds) and generate, one line an input made as the test runs:
// "NAME GENERATOR" writes the file NAME with a generator of internal/hostile (or
// file:PATH, a file of the case), "NAME GENERATOR fifo" feeds it through a named pipe.
// Each run must end with its exit code and message, leave out.json as it was unless
// it succeeded, leave no file behind in its folder or its TMPDIR, and stay under maxRSS.
func TestHostile(t *testing.T) {
	eachCase(t, func(t *testing.T, dir string) {
		if testing.Short() && strings.HasSuffix(dir, "gb") && !strings.Contains(readCase(t, dir, "generate"), "fifo") {
			t.Skip("writes a file of a gigabyte; runs without -short")
		}
		runHostile(t, dir)
	}, "hostile")
}

func runHostile(t *testing.T, dir string) {
	work, tmp := t.TempDir(), t.TempDir()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if name := e.Name(); !slices.Contains([]string{"args", "exit", "generate", "want.stderr", "want.stdout", "want.json"}, name) {
			copyFile(t, filepath.Join(dir, name), filepath.Join(work, name))
		}
	}
	if err := os.WriteFile(filepath.Join(work, "out.json"), []byte(earlier), 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var feeds []<-chan error
	for _, line := range strings.Split(strings.TrimSpace(readCase(t, dir, "generate")), "\n") {
		if f := strings.Fields(line); len(f) >= 2 {
			feeds = append(feeds, generate(t, work, f[0], f[1], len(f) > 2 && f[2] == "fifo", done))
		}
	}
	before := listDir(t, work)

	cmd := exec.Command("torii-convert", strings.Fields(readCase(t, dir, "args"))...)
	var stdout, stderr bytes.Buffer
	cmd.Dir, cmd.Stdout, cmd.Stderr = work, &stdout, &stderr
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	err := cmd.Run()
	close(done)
	for _, feed := range feeds {
		if err := <-feed; err != nil && !errors.Is(err, syscall.EPIPE) {
			t.Errorf("feeding the input: %v", err)
		}
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}

	out, _ := os.ReadFile(filepath.Join(work, "out.json"))
	if *update {
		write(t, filepath.Join(dir, "want.stderr"), stderr.Bytes(), true)
		write(t, filepath.Join(dir, "exit"), []byte(strconv.Itoa(code)+"\n"), code != 0)
		write(t, filepath.Join(dir, "want.json"), out, code == 0 && string(out) != earlier)
		write(t, filepath.Join(dir, "want.stdout"), stdout.Bytes(), stdout.Len() > 0)
	}
	wantCode, _ := strconv.Atoi(strings.TrimSpace(readCase(t, dir, "exit")))
	if code != wantCode {
		t.Errorf("exit code %d, want %d; stderr:\n%s", code, wantCode, stderr.String())
	}
	compare(t, filepath.Join(dir, "want.stderr"), stderr.Bytes())
	if want := readCase(t, dir, "want.stdout"); stdout.String() != want {
		t.Errorf("stdout (-want +got):\n%s", diff(want, stdout.String()))
	}
	if want := readCase(t, dir, "want.json"); want != "" {
		if string(out) != want {
			t.Errorf("out.json (-want +got):\n%s", diff(want, string(out)))
		}
	} else if string(out) != earlier {
		t.Errorf("out.json was changed:\n%.200s", out)
	}
	if after := listDir(t, work); !slices.Equal(after, before) {
		t.Errorf("files before the run %q, after %q", before, after)
	}
	if left := listDir(t, tmp); len(left) > 0 {
		t.Errorf("temporary files left behind: %q", left)
	}
	if rss := peakRSS(cmd.ProcessState); rss > maxRSS {
		t.Errorf("peak memory %d MB, more than the %d MB allowed", rss>>20, maxRSS>>20)
	} else {
		t.Logf("peak memory %d MB", rss>>20)
	}
}

// generate makes an input of a case, as a file or through a named pipe fed until the
// run ends (done).
func generate(t *testing.T, work, name, gen string, fifo bool, done <-chan struct{}) <-chan error {
	write := hostile.Generators[gen]
	if from, ok := strings.CutPrefix(gen, "file:"); ok {
		src := filepath.Join(work, from)
		write = func(w io.Writer) error {
			f, err := os.Open(src)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.Copy(w, f)
			return err
		}
	}
	if write == nil {
		t.Fatalf("no generator %q", gen)
	}
	path := filepath.Join(work, name)
	errc := make(chan error, 1)
	if !fifo {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		bw := bufio.NewWriterSize(f, 1<<20)
		if err := write(bw); err != nil {
			t.Fatal(err)
		}
		if err := errors.Join(bw.Flush(), f.Close()); err != nil {
			t.Fatal(err)
		}
		errc <- nil
		return errc
	}
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	go func() {
		// Opening a pipe to write blocks until a reader opens it: poll, so that a run
		// that never opens it does not leave this behind.
		for {
			f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
			if err == nil {
				err = write(f)
				f.Close()
				errc <- err
				return
			}
			select {
			case <-done:
				errc <- nil
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return errc
}

// readCase returns a file of the case, "" when it has none.
func readCase(t *testing.T, dir, name string) string {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return string(b)
}

func listDir(t *testing.T, dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// peakRSS is the most memory a finished process held.
func peakRSS(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0
	}
	if runtime.GOOS == "darwin" {
		return int64(ru.Maxrss) // bytes there, kilobytes elsewhere
	}
	return int64(ru.Maxrss) << 10
}
