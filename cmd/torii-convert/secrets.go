package main

import (
	"io"
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
