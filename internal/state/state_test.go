package state

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDir(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_STATE_HOME": "/x/state", "HOME": "/home/a"}, "/x/state/torii-convert"},
		{map[string]string{"XDG_STATE_HOME": "relative", "HOME": "/home/a"}, "/home/a/.local/state/torii-convert"},
		{map[string]string{"HOME": "/home/a"}, "/home/a/.local/state/torii-convert"},
	} {
		got, err := Dir(env(c.env))
		if err != nil || got != c.want {
			t.Errorf("Dir(%v) = %q, %v; want %q", c.env, got, err, c.want)
		}
	}
	if _, err := Dir(env(nil)); err == nil {
		t.Error("Dir without HOME or XDG_STATE_HOME: want an error")
	}
}

func TestPathIsOneFileUnderItsKind(t *testing.T) {
	getenv := env(map[string]string{"XDG_STATE_HOME": "/s"})
	got, err := Path(getenv, "guard", "api.toriihq.com:443", "../12345")
	if err != nil {
		t.Fatal(err)
	}
	if want := "/s/torii-convert/guard/api.toriihq.com%3A443_..%2F12345.json"; got != want {
		t.Errorf("Path = %q, want %q", got, want)
	}
	if got, _ := Path(getenv, "keys", "..", ""); got != "/s/torii-convert/keys/%2E%2E.json" {
		t.Errorf("Path(..) = %q, want it kept inside the kind's folder", got)
	}
	seen := map[string][2]string{}
	for _, hk := range [][2]string{{"h:1", ""}, {"h", "1"}, {"h_1", ""}, {"é", ""}, {"ü", ""}, {"", "x"}, {"_", "x"}, {"h", ""}, {"h", "_"}} {
		p, _ := Path(getenv, "k", hk[0], hk[1])
		if other, ok := seen[p]; ok {
			t.Errorf("%q and %q share the file %s", hk, other, p)
		}
		seen[p] = hk
	}
}

func TestWriteIsAtomicAndPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b.json")
	if err := WriteFile(path, []byte("one")); err != nil {
		t.Fatal(err)
	}
	err := Write(path, func(w io.Writer) error {
		w.Write([]byte("half of two"))
		return errors.New("disk on fire")
	})
	if err == nil {
		t.Fatal("Write: want the writer's error")
	}
	data, err := ReadFile(path, 100)
	if err != nil || string(data) != "one" {
		t.Errorf("after a failed write: %q, %v; want the old content", data, err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	dst, _ := os.Stat(filepath.Dir(path))
	if dst.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v, want 0700", dst.Mode().Perm())
	}
}

func TestReadFileLimits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	if _, err := ReadFile(path, 10); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
	WriteFile(path, []byte("0123456789"))
	if _, err := ReadFile(path, 10); err != nil {
		t.Errorf("at the limit: %v", err)
	}
	if _, err := ReadFile(path, 9); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over the limit: %v, want ErrTooLarge", err)
	}
}

// TestWritePanicLeavesNothing: a write function that panics leaves the old file as it
// was and no temporary file, as an error does.
func TestWritePanicLeavesNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	if err := WriteFile(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() { recover() }()
		Write(path, func(w io.Writer) error {
			io.WriteString(w, "new")
			panic("encoding failed")
		})
	}()
	entries, _ := os.ReadDir(filepath.Dir(path))
	if data, _ := os.ReadFile(path); string(data) != "old" || len(entries) != 1 {
		t.Errorf("after a panic: %q, %d entries", data, len(entries))
	}
}
