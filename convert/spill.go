package convert

import (
	"errors"
	"fmt"
	"sync"
	"time"
	"unsafe"

	"github.com/torii-convert/torii-convert/internal/text"
)

// memory hands people the blocks of users and the chunks of the arena. Up to
// Options.SpillAfter users they are made on the Go heap; past it, they are carved from a
// temporary file mapped into memory (spill_linux.go), so that the heap stops growing with
// the users. What stays on the heap past the limit is the email index (8 bytes a slot,
// 11 to 14 bytes a user), the licenses of users who hold more than one, the values of
// Options.Columns (4 bytes a column a user), and, while the file is written, the lists of
// license holders the encoder makes (4 bytes a holder, the index freed by then).
//
// The kernel writes the file's pages back and drops them when it needs memory, rather
// than the process growing until it is killed. To keep resident memory bounded even
// without that pressure, memory drops them itself: after every dropUsers users people
// reads by number, and every dropEvery while the conversion runs (for the strings read
// through the lists of license holders).
//
// Blocks and chunks are free of pointers, so the garbage collector never looks into the
// file. It is mapped until release, or until the process ends: the users' strings point
// into it.
type memory struct {
	after int    // users kept on the heap; 0 keeps them all
	from  int    // the first user past after, in blocks, that is not on the heap; 0 before
	dir   string // where the file goes
	// fail stops the conversion when the file cannot grow (a full disk): err says why.
	fail func()
	err  error
	// unavailable says why this system cannot keep users in a file: they stay on the heap.
	unavailable error

	file    *spillFile
	mu      sync.Mutex    // guards regions, which the dropper reads
	regions [][]byte      // the file's mapped regions; the last is being carved
	used    int           // bytes carved from the last region
	stop    chan struct{} // stops the dropper
}

const (
	// regionSize is how much the file grows, and maps, at a time.
	regionSize = 64 << 20
	pageSize   = 4096
	// dropUsers is how many users people reads, by number, between drops: 64 KB of
	// users and their strings in a scan, the pages of a few hundred when found by email.
	dropUsers = 1 << 10
	// dropEvery is how often the pages are dropped while the conversion runs.
	dropEvery = 50 * time.Millisecond
)

// errNoSpill is openSpill's answer on systems where users cannot be kept in a file.
var errNoSpill = errors.New("keeping users in a temporary file works on Linux only")

func (m *memory) spilled() bool { return m.file != nil }

// persons returns a block of users, the first of which is the n-th.
func (m *memory) persons(n int) []person {
	if m.after > 0 && n >= m.after && m.unavailable == nil {
		if m.from == 0 {
			m.from = n
		}
		if b := m.carve(blockSize * int(unsafe.Sizeof(person{}))); b != nil {
			return unsafe.Slice((*person)(unsafe.Pointer(unsafe.SliceData(b))), blockSize)
		}
	}
	return make([]person, blockSize)
}

// bytes returns an empty chunk of the arena with room for n bytes: from the file once
// users are kept there.
func (m *memory) bytes(n int) []byte {
	if m.spilled() {
		if b := m.carve(n); b != nil {
			return b[:0]
		}
	}
	return make([]byte, 0, n)
}

// carve returns n bytes of the file, page-aligned, growing the file when they do not
// fit. It returns nil when the file cannot grow: the conversion is stopped then, and
// the heap serves the rows already on their way.
func (m *memory) carve(n int) []byte {
	if m.err != nil {
		return nil
	}
	n = (n + pageSize - 1) &^ (pageSize - 1)
	if m.file == nil || m.used+n > len(m.regions[len(m.regions)-1]) {
		if !m.grow(max(n, regionSize)) {
			return nil
		}
	}
	r := m.regions[len(m.regions)-1]
	b := r[m.used : m.used+n : m.used+n]
	m.used += n
	return b
}

// grow maps a new region of the file, making the file first.
func (m *memory) grow(size int) bool {
	if m.file == nil {
		f, err := openSpill(m.dir)
		if errors.Is(err, errNoSpill) {
			m.unavailable = err
			return false
		}
		if err != nil {
			return m.failed(err)
		}
		m.file = f
		m.stop = make(chan struct{})
		go m.dropper(m.stop)
	}
	r, err := m.file.extend(size)
	if err != nil {
		return m.failed(err)
	}
	m.mu.Lock()
	m.regions, m.used = append(m.regions, r), 0
	m.mu.Unlock()
	return true
}

func (m *memory) failed(err error) bool {
	e := &Error{Kind: Read, Option: "SpillAfter", Err: err,
		Msg: fmt.Sprintf("keeping users past %s in a temporary file in %s", text.Thousands(int64(m.from)), m.dir)}
	if outOfSpace(err) {
		e.Hint = "make room in " + m.dir
	}
	m.err = e
	if m.fail != nil {
		m.fail()
	}
	return false
}

// read is told that people read a user whose number is a multiple of dropUsers.
func (m *memory) read() {
	if m.file != nil {
		m.drop()
	}
}

// drop takes the pages of the file out of the process: they are written back to the
// file, and read again when used.
func (m *memory) drop() {
	m.mu.Lock()
	for _, r := range m.regions {
		m.file.drop(r)
	}
	m.mu.Unlock()
}

func (m *memory) dropper(stop <-chan struct{}) {
	t := time.NewTicker(dropEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			m.drop()
		}
	}
}

// settle stops the dropper once the conversion is done: the kernel still drops the
// pages when it needs memory.
func (m *memory) settle() {
	if m.stop != nil {
		close(m.stop)
		m.stop = nil
	}
}

// release unmaps the file, which frees it: nothing may use the users' strings after.
func (m *memory) release() {
	m.settle()
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range m.regions {
		m.file.unmap(r)
	}
	if m.file != nil {
		m.file.close()
	}
	m.regions, m.file = nil, nil
}

// notice says that users were kept in a temporary file, or that they could not be.
func (m *memory) notice() string {
	switch {
	case m.unavailable != nil:
		return fmt.Sprintf("more than %s users: all kept in memory (%v)", text.Thousands(int64(m.from)), m.unavailable)
	case m.spilled():
		return fmt.Sprintf("keeping the users past the first %s in a temporary file in %s (--spill-after %s, taken in blocks of %s users)",
			text.Thousands(int64(m.from)), m.dir, text.Thousands(int64(m.after)), text.Thousands(blockSize))
	}
	return ""
}
