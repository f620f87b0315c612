package convert

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/torii-convert/torii-convert/bench/exports"
)

// BenchmarkConvertRetained reads 200,000 distinct users and reports the heap they keep,
// after a collection: once read (read-B/user), and with the lists of license holders the
// encoder makes (licenses-B/user), the email index freed as the encoder does. Unlike
// BenchmarkConvertMemory's sampled peak, it counts no garbage, so it moves by bytes, not
// tens of them. -benchtime 1x is enough.
func BenchmarkConvertRetained(b *testing.B) {
	path := membersCSV(b, 200_000)
	var read, lics, users float64
	for b.Loop() {
		users, read, lics = retained(b, path)
	}
	b.ReportMetric(read, "read-B/user")
	b.ReportMetric(lics, "licenses-B/user")
	b.ReportMetric(users, "users")
}

// membersCSV writes a generated export of n rows, about 5% of them repeating a user.
func membersCSV(tb testing.TB, n int) string {
	path := filepath.Join(tb.TempDir(), "members.csv")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := exports.CSVOf(f, n, 0); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// retained reads an export with the figma template and returns its users and the heap
// a user keeps once read, and with the license holders listed.
func retained(tb testing.TB, path string) (users, read, lics float64) {
	t, err := FindTemplate("figma")
	if err != nil {
		tb.Fatal(err)
	}
	base := gcMemStats().HeapAlloc
	c, err := readExport(context.Background(), path, Options{Template: t, MaxProblems: 10})
	if err != nil {
		tb.Fatal(err)
	}
	defer c.src.Close()
	defer c.people.done()
	users = float64(c.people.len())
	read = float64(heapSince(base)) / users
	c.people.dropIndex()
	l := c.licenses()
	lics = float64(heapSince(base)) / users
	runtime.KeepAlive(l)
	return users, read, lics
}

// heapSince returns the heap grown since base, after a collection.
func heapSince(base uint64) uint64 {
	h := gcMemStats().HeapAlloc
	return h - min(base, h)
}

// gcMemStats returns the memory statistics right after a collection.
func gcMemStats() runtime.MemStats {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m
}
