package convert

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// spillFile is the temporary file users are kept in past Options.SpillAfter. It has no
// name (O_TMPFILE, or a name removed at once where the file system lacks it), so nothing
// is left behind however the process ends, and it is freed when unmapped and closed.
type spillFile struct {
	fd   int
	size int64
}

func outOfSpace(err error) bool { return errors.Is(err, unix.ENOSPC) || errors.Is(err, unix.EDQUOT) }

func openSpill(dir string) (*spillFile, error) {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil && err != unix.EOPNOTSUPP && err != unix.EISDIR {
		return nil, err // the message names dir
	}
	if err != nil { // a file system without O_TMPFILE
		f, err := os.CreateTemp(dir, ".torii-convert-users-*")
		if err != nil {
			return nil, err
		}
		os.Remove(f.Name())
		// The mapping needs only the descriptor: the file goes with it.
		if fd, err = unix.Dup(int(f.Fd())); err != nil {
			f.Close()
			return nil, err
		}
		f.Close()
	}
	return &spillFile{fd: fd}, nil
}

// extend grows the file by size bytes and maps them. The disk space is reserved first
// (fallocate, or zeros written where the file system cannot), so that a full disk is this
// error rather than a SIGBUS when a page is first written.
func (f *spillFile) extend(size int) ([]byte, error) {
	var err error = unix.EINTR
	for err == unix.EINTR {
		err = unix.Fallocate(f.fd, 0, f.size, int64(size))
	}
	if err == unix.EOPNOTSUPP {
		err = f.zeros(size)
	}
	if err != nil {
		unix.Ftruncate(f.fd, f.size)
		return nil, err
	}
	b, err := unix.Mmap(f.fd, f.size, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	// Users are found by email in any order: a fault maps only its own page, rather than
	// the pages around it too, which would bring the file back by tens of kilobytes.
	unix.Madvise(b, unix.MADV_RANDOM)
	f.size += int64(size)
	return b, nil
}

func (f *spillFile) zeros(size int) error {
	zero := make([]byte, 1<<20)
	for at := 0; at < size; {
		n, err := unix.Pwrite(f.fd, zero[:min(len(zero), size-at)], f.size+int64(at))
		if err != nil {
			return err
		}
		at += n
	}
	return nil
}

// drop takes a region's pages out of the process. The mapping is shared, so what was
// written stays in the file (the page cache, then the disk) and is read again when used.
func (f *spillFile) drop(b []byte) { unix.Madvise(b, unix.MADV_DONTNEED) }

func (f *spillFile) unmap(b []byte) { unix.Munmap(b) }
func (f *spillFile) close()         { unix.Close(f.fd) }
