package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"

	"github.com/torii-convert/torii-convert/internal/httpx"
)

// redacted stands for a secret wherever one would have been printed.
const redacted = httpx.Redacted

// scrubber removes secrets (the API key, passwords) from text before it is printed,
// wherever the text came from: a message of ours, an error, or a server that echoes
// what it was sent. Secrets are added as they are read.
type scrubber struct {
	mu      sync.Mutex
	secrets []string
}

// add makes the scrubber remove secrets from now on.
func (s *scrubber) add(secrets ...string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range secrets {
		if len(x) >= httpx.MinSecret {
			s.secrets = append(s.secrets, x)
		}
	}
}

// scrub returns text with every secret replaced by ***redacted***, in every form
// httpx.Scrub knows (escaped, base64, after Bearer).
func (s *scrubber) scrub(text string) string {
	if s == nil {
		return text
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return httpx.Scrub(text, s.secrets...)
}

// scrubbed is a writer that scrubs each write: for stderr, which carries messages
// written whole, never a stream of data.
type scrubbed struct {
	w io.Writer
	s *scrubber
}

func (w scrubbed) Write(p []byte) (int, error) {
	text := string(p)
	clean := w.s.scrub(text)
	if clean == text {
		return w.w.Write(p)
	}
	if _, err := io.WriteString(w.w, clean); err != nil {
		return 0, err
	}
	return len(p), nil
}

// maxSecretFile is the most a file holding a secret is read (--api-key-file,
// --password-file): a key or a password is far shorter, and a wrong path (/dev/zero, a
// log) must not be read forever.
const maxSecretFile = 4 << 10

// readSecretFile reads the file that holds a secret, warning when other users can read
// it. what names the secret for messages ("the API key"), held what the file holds ("the
// key"), and kind what such a file is ("an API key file").
func readSecretFile(e env, path, what, held, kind string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading %s: %s: no such file", what, path)
	} else if err != nil {
		return nil, fmt.Errorf("reading %s from %s: %v", what, path, unwrapPath(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading %s from %s: %v", what, path, unwrapPath(err))
	}
	if st.IsDir() {
		return nil, fmt.Errorf("reading %s from %s: it is a directory; give the file that holds %s", what, path, held)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s from %s: %v", what, path, unwrapPath(err))
	}
	if len(data) > maxSecretFile {
		return nil, fmt.Errorf("reading %s from %s: it is longer than %d KB, so it is not %s", what, path, maxSecretFile>>10, kind)
	}
	if st.Mode().Perm()&0o077 != 0 && st.Mode().IsRegular() {
		fmt.Fprintf(e.stderr, "warning: %s can be read by other users; chmod 600 it\n", path)
	}
	return data, nil
}
