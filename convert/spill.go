package convert

import (
	"errors"
	"fmt"
	"unsafe"
)

// memory hands people the blocks of users and the chunks of the arena. Up to
// Options.SpillAfter users they are made on the Go heap; past it, they are carved from a
// temporary file mapped into memory (spill_linux.go). The kernel writes the file's pages
// back and drops them as it needs memory, rather than the process growing until it is
// killed, and memory drops them itself as the file grows, so that resident memory stays
// bounded. What stays on the heap past the limit is the email index (8 bytes a slot, from
// 11 to 21 bytes a user), the licenses of users who hold more than one, and the values of
// Options.Columns (4 bytes a column a user).
//
// Both are free of pointers, so the garbage collector need not see them. The file is
// mapped until release, or until the process ends: the users' strings point into it.
type memory struct {
	after int    // users kept on the heap; 0 keeps them all
	dir   string // where the file goes
	// fail stops the conversion when the file cannot grow (a full disk): err says why.
	fail func()
	err  error

	file    *spillFile
	regions [][]byte // the file's mapped regions; the last is being carved
	used    int      // bytes carved from the last region
	// unavailable says that this system cannot keep users in a file: they stay on the heap.
	unavailable error
}

// regionSize is how much the file grows, and maps, at a time: the most of it resident
// while users are added, besides the pages of earlier users merged with later rows.
const regionSize = 64 << 20

func (m *memory) spilled() bool { return m.file != nil }

// persons returns a block of users, the first of which is the n-th.
func (m *memory) persons(n int) []person {
	if m.after > 0 && n >= m.after && m.unavailable == nil {
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

const pageSize = 4096

// errNoSpill is openSpill's answer on systems where users cannot be kept in a file.
var errNoSpill = errors.New("keeping users in a temporary file works on Linux only")

// grow maps a new region of the file, and drops the pages of the earlier ones.
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
	}
	r, err := m.file.extend(size)
	if err != nil {
		return m.failed(err)
	}
	m.drop()
	m.regions, m.used = append(m.regions, r), 0
	return true
}

func (m *memory) failed(err error) bool {
	m.err = &Error{Kind: Read, Option: "SpillAfter",
		Msg:  fmt.Sprintf("keeping users past %s in a temporary file in %s", thousands(m.after), m.dir),
		Hint: "make room in " + m.dir + ", or keep the temporary file elsewhere",
		Err:  err}
	if m.fail != nil {
		m.fail()
	}
	return false
}

// drop takes the pages of the file out of the process: they are written back to the
// file and read again when used.
func (m *memory) drop() {
	for _, r := range m.regions {
		m.file.drop(r)
	}
}

// viewed is told that the i-th user is read, as the file is written (on every core):
// every so many users, the pages read are dropped, so that reading them all does not
// bring the whole file back into memory.
func (m *memory) viewed(i int) {
	if m.file != nil && i%(regionSize/int(unsafe.Sizeof(person{}))) == 0 {
		m.drop()
	}
}

// release unmaps the file, which frees it: nothing may use the users' strings after.
func (m *memory) release() {
	for _, r := range m.regions {
		m.file.unmap(r)
	}
	if m.file != nil {
		m.file.close()
	}
	m.regions, m.file = nil, nil
}

// notice says that users were kept in a temporary file, when they were.
func (m *memory) notice() string {
	switch {
	case m.unavailable != nil:
		return fmt.Sprintf("more than %s users: all kept in memory (%v)", thousands(m.after), m.unavailable)
	case m.spilled():
		return fmt.Sprintf("more than %s users: keeping the users past that in a temporary file in %s", thousands(m.after), m.dir)
	}
	return ""
}

// thousands writes n with commas between its groups of three digits: 5,000,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
