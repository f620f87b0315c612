// Package state keeps what torii-convert remembers between runs (the shrink guard's record
// of the last sync, the keys of IPEX requestors) in small files under the XDG state
// directory, each replaced atomically so that a run killed midway leaves the last good copy.
package state

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Dir is the directory of torii-convert's state: $XDG_STATE_HOME/torii-convert, else
// $HOME/.local/state/torii-convert. getenv reads the environment (the caller's, so that
// tests can give their own).
func Dir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "torii-convert"), nil
	}
	home := getenv("HOME")
	if home == "" {
		return "", errors.New("neither XDG_STATE_HOME nor HOME is set, so there is no state directory")
	}
	return filepath.Join(home, ".local", "state", "torii-convert"), nil
}

// Path is the file of one kind of state (such as "guard" or "ipex-keys") for a host and a
// key within it (an app account, say): Dir/kind/host[_key].json, with every character that
// could not stand in a file name escaped, so that two hosts or keys never share a file.
func Path(getenv func(string) string, kind, host, key string) (string, error) {
	dir, err := Dir(getenv)
	if err != nil {
		return "", err
	}
	name := safe(host)
	if key != "" {
		name += "_" + safe(key)
	}
	return filepath.Join(dir, kind, name+".json"), nil
}

// safe makes s a file name that no other s makes: letters, digits, '.' and '-' stand
// as they are, every other byte as %XX (so '_', which joins host and key, never appears
// on its own), and "", "." and ".." are spelt so as not to name a folder.
func safe(s string) string {
	switch s {
	case "":
		return "_"
	case ".", "..":
		return strings.Repeat("%2E", len(s))
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// Write replaces path with what write produces, atomically: a temporary file beside it,
// synced, then renamed over it. The file and any directory made for it are private to the
// user (0600, 0700): state names people. On any failure (a panic of write included) the
// old file is left as it was and the temporary file is removed.
func Write(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	renamed := false
	defer func() {
		if !renamed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriter(tmp)
	if err = write(w); err != nil {
		return err
	}
	if err = w.Flush(); err != nil {
		return err
	}
	if err = tmp.Chmod(0o600); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	renamed = true
	return nil
}

// WriteFile replaces path with data, atomically, as Write does.
func WriteFile(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// ErrTooLarge is returned by ReadFile for a file over its limit.
var ErrTooLarge = errors.New("state file is larger than its limit")

// ReadFile reads a state file of at most limit bytes. A missing file is reported as an
// error satisfying errors.Is(err, fs.ErrNotExist), so that a first run can tell it apart.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: %w (%d bytes); remove it to start afresh", path, ErrTooLarge, limit)
	}
	return data, nil
}
