package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// spool is the temporary file a conversion is written to. On Linux it is made with
// O_TMPFILE: it has no name, so nothing is left behind however the process ends, and it
// is linked into the destination's folder only to be renamed over it.
type spool struct {
	f       *os.File
	dir     string
	unnamed bool
	linked  string // the name link gave it, until it is renamed into place
}

func newSpool(dir string) (*spool, error) {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil {
		// A file system without O_TMPFILE: a named file, removed by discard.
		f, err := os.CreateTemp(dir, ".torii-convert-*.json")
		if err != nil {
			return nil, err
		}
		return &spool{f: f, dir: dir}, nil
	}
	return &spool{f: os.NewFile(uintptr(fd), filepath.Join(dir, "(spool)")), dir: dir, unnamed: true}, nil
}

func (s *spool) fdPath() string { return "/proc/self/fd/" + strconv.Itoa(int(s.f.Fd())) }

// path names the spool for reading it back.
func (s *spool) path() string {
	if s.unnamed {
		return s.fdPath()
	}
	return s.f.Name()
}

// link gives the spool a name in its folder, for a rename over the destination.
func (s *spool) link() (string, error) {
	if !s.unnamed {
		return s.f.Name(), nil
	}
	for range 10 {
		name := filepath.Join(s.dir, fmt.Sprintf(".torii-convert-%08x.json", rand.Uint32()))
		err := unix.Linkat(unix.AT_FDCWD, s.fdPath(), unix.AT_FDCWD, name, unix.AT_SYMLINK_FOLLOW)
		if err == nil {
			s.linked = name
			return name, nil
		}
		if err != unix.EEXIST {
			return "", err
		}
	}
	return "", fmt.Errorf("no free temporary name in %s", s.dir)
}

// discard closes the spool, and removes it unless kept (renamed into place).
func (s *spool) discard(kept bool) {
	s.f.Close()
	if !kept {
		s.abandon()
	}
}

// abandon removes any name the spool has; it may still be open.
func (s *spool) abandon() {
	if !s.unnamed {
		os.Remove(s.f.Name())
	}
	if s.linked != "" {
		os.Remove(s.linked)
	}
}
