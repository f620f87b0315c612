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
// encoder makes (licenses-B/user), the email index freed as the encoder does. Unlike BenchmarkConvertMemory's sampled peak, it
// counts no garbage, so it moves by bytes, not tens of them. -benchtime 1x is enough.
func BenchmarkConvertRetained(b *testing.B) {
	path := filepath.Join(b.TempDir(), "members.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := exports.CSVOf(f, 200_000, 0); err != nil {
		b.Fatal(err)
	}
	f.Close()
	t, err := FindTemplate("figma")
	if err != nil {
		b.Fatal(err)
	}
	var read, lics, users float64
	for b.Loop() {
		base := heapAfterGC()
		c, err := readExport(context.Background(), path, Options{Template: t, MaxProblems: 10})
		if err != nil {
			b.Fatal(err)
		}
		users = float64(c.people.len())
		read = float64(heapAfterGC()-base) / users
		c.people.dropIndex()
		l := c.licenses()
		lics = float64(heapAfterGC()-base) / users
		runtime.KeepAlive(l)
		c.src.Close()
		c.people.done()
	}
	b.ReportMetric(read, "read-B/user")
	b.ReportMetric(lics, "licenses-B/user")
	b.ReportMetric(users, "users")
}

func heapAfterGC() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
