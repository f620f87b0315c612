//go:build !linux

package main

import "os"

// spool is the temporary file a conversion is written to, next to its destination, and
// removed on every exit path that runs Go code.
type spool struct {
	f       *os.File
	unnamed bool // never: a spool here always has a name
}

func newSpool(dir string) (*spool, error) {
	f, err := os.CreateTemp(dir, ".torii-convert-*.json")
	if err != nil {
		return nil, err
	}
	return &spool{f: f}, nil
}

func (s *spool) path() string          { return s.f.Name() }
func (s *spool) link() (string, error) { return s.f.Name(), nil }

func (s *spool) discard(kept bool) {
	s.f.Close()
	if !kept {
		s.abandon()
	}
}

func (s *spool) abandon() { os.Remove(s.f.Name()) }
