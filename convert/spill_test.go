package convert

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

// spillExport writes a Figma export of n rows (about 5% of them repeating an earlier
// user, so that users kept in the file are merged with later rows).
func spillExport(t testing.TB, n int) (string, *Template) {
	tpl, err := FindTemplate("figma")
	if err != nil {
		t.Fatal(err)
	}
	return membersCSV(t, n), tpl
}

// TestSpillSameOutput holds a conversion whose users past 10,000 are kept in a temporary
// file to the same bytes, problems and counts as one that keeps them all in memory, and
// to saying so once.
func TestSpillSameOutput(t *testing.T) {
	path, tpl := spillExport(t, 40_000)
	convert := func(opts Options) (*Result, []byte) {
		t.Helper()
		opts.Template, opts.MaxProblems = tpl, 20
		var out bytes.Buffer
		res, err := Convert(context.Background(), path, opts, &out)
		if err != nil {
			t.Fatal(err)
		}
		return res, out.Bytes()
	}
	inMemory, want := convert(Options{})
	dir := t.TempDir()
	spilled, got := convert(Options{SpillAfter: 10_000, SpillDir: dir})
	if inMemory.Users < 30_000 {
		t.Fatalf("%d users: too few to spill much", inMemory.Users)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("with users in a file, the output differs: %d bytes, want %d", len(got), len(want))
	}
	if fmt.Sprint(spilled.Problems, spilled.Users, spilled.Licenses, spilled.Merged) != fmt.Sprint(inMemory.Problems, inMemory.Users, inMemory.Licenses, inMemory.Merged) {
		t.Fatalf("with users in a file: %v problems, %d users, %d licenses, %d merged; want %v, %d, %d, %d",
			spilled.Problems, spilled.Users, spilled.Licenses, spilled.Merged, inMemory.Problems, inMemory.Users, inMemory.Licenses, inMemory.Merged)
	}
	for i := 0; i < spilled.Users; i += 997 {
		if a, b := fmt.Sprint(spilled.User(i)), fmt.Sprint(inMemory.User(i)); a != b {
			t.Fatalf("user %d: %s, want %s", i, a, b)
		}
	}
	// Users go to the file a block of 4,096 at a time: from the first block past 10,000.
	note := "keeping the users past the first 12,288 in a temporary file in " + dir + " (--spill-after 10,000, taken in blocks of 4,096 users)"
	if runtime.GOOS != "linux" {
		note = "more than 12,288 users: all kept in memory (keeping users in a temporary file works on Linux only)"
	}
	if n := strings.Count(strings.Join(spilled.Notices, "\n"), note); n != 1 {
		t.Errorf("notices %q: want %q once", spilled.Notices, note)
	}
	if strings.Contains(strings.Join(inMemory.Notices, "\n"), "temporary file") {
		t.Errorf("notices %q of a conversion that kept its users in memory speak of a temporary file", inMemory.Notices)
	}
	if runtime.GOOS == "linux" && !spilled.people.mem.spilled() {
		t.Errorf("no users were kept in a file")
	}
	if left, _ := os.ReadDir(dir); len(left) > 0 {
		t.Errorf("the temporary file has a name: %v", left)
	}
}

// TestSpillFails holds a temporary file that cannot be made to an error that says where
// and what to do, not a crash nor users dropped.
func TestSpillFails(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("users are kept in a file on Linux only")
	}
	path, tpl := spillExport(t, 20_000)
	dir := filepath.Join(t.TempDir(), "missing")
	res, err := Convert(context.Background(), path, Options{Template: tpl, SpillAfter: 4096, SpillDir: dir}, nil)
	var e *Error
	if !errors.As(err, &e) || res != nil {
		t.Fatalf("Convert = %v, %v; want an *Error", res, err)
	}
	want := "keeping users past 4,096 in a temporary file in " + dir + ": "
	if !strings.HasPrefix(err.Error(), want) || e.Kind != Read || e.Option != "SpillAfter" || e.Hint != "" {
		t.Fatalf("error %q (kind %v, option %q, hint %q): want it to start %q, of kind Read, about SpillAfter, with no hint but the option's", err, e.Kind, e.Option, e.Hint, want)
	}
}

// TestSpillHeap holds the heap to stop growing with the users past SpillAfter, but for
// the email index: 200,000 users past a limit of 20,000 add less than 1 MB to the rest
// of the heap, where they add more than 10 MB kept in memory. Nor does reading them all
// bring the file back into memory.
func TestSpillHeap(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("users are kept in a file on Linux only")
	}
	const after, more = 20_000, 200_000
	growth := func(spill int) (perUser float64, p *people) {
		p = newPeople(0)
		p.mem = memory{after: spill, dir: t.TempDir()}
		rec := func(i int) *record {
			return &record{email: fmt.Sprintf("user%d@example.com", i), id: fmt.Sprint(100000 + i),
				first: "Grace", last: fmt.Sprintf("Hopper-%d", i), status: "active",
				licenses: []held{{name: "Full", status: lsActive}}}
		}
		for i := range after + blockSize {
			if err := p.add(rec(i), i+2); err != nil {
				t.Fatal(err)
			}
		}
		heap := func() int64 { return int64(gcMemStats().HeapInuse) - int64(p.indexBytes()) }
		before := heap()
		for i := after + blockSize; i < after+blockSize+more; i++ {
			if err := p.add(rec(i), i+2); err != nil {
				t.Fatal(err)
			}
		}
		return float64(heap()-before) / more, p
	}
	inMemory, _ := growth(0)
	spilled, p := growth(after)
	t.Logf("heap past the limit, the index aside: %.2f bytes a user kept in a file, %.1f in memory", spilled, inMemory)
	if !p.mem.spilled() {
		t.Fatal("no users were kept in a file")
	}
	if inMemory*more < 10<<20 || spilled*more > 1<<20 {
		t.Fatalf("%.0f bytes a user kept in a file, %.0f in memory: want under %d and over %d", spilled, inMemory, 1<<20/more, 10<<20/more)
	}
	// A scan through all the users (as encoding them does) leaves few pages of the file in
	// memory: a drop every dropUsers users.
	var scratch []byte
	for i := range p.len() {
		p.view(i, &scratch)
	}
	if kb := resident(t, p.mem.regions); kb > 4<<10 {
		t.Errorf("%d KB of the file in memory after reading every user, want at most 4 MB", kb)
	}
	for _, i := range []int{0, after, after + blockSize + more - 1} {
		if u := p.view(i, nil); u.Email != fmt.Sprintf("user%d@example.com", i) || u.LastName != fmt.Sprintf("Hopper-%d", i) {
			t.Fatalf("user %d reads %q %q", i, u.Email, u.LastName)
		}
	}
	p.mem.release()
}

// resident returns the KB of memory mappings in memory, from /proc/self/smaps.
func resident(t *testing.T, regions [][]byte) int {
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	kb, in := 0, false
	for _, line := range strings.Split(string(smaps), "\n") {
		var from, to uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x ", &from, &to); n == 2 {
			in = false
			for _, r := range regions {
				at := uintptr(unsafe.Pointer(unsafe.SliceData(r)))
				in = in || from < at+uintptr(len(r)) && at < to
			}
		}
		var n int
		if _, err := fmt.Sscanf(line, "Rss: %d kB", &n); err == nil && in {
			kb += n
		}
	}
	return kb
}
