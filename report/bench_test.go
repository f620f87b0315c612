package report

import (
	"bytes"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/torii-convert/torii-convert/bench/exports"
	"github.com/torii-convert/torii-convert/internal/roster"
)

// counter counts the bytes written to it.
type counter int64

func (c *counter) Write(p []byte) (int, error) { *c += counter(len(p)); return len(p), nil }

// BenchmarkReport1M reads a valid file of a million users, as report reads a file, and
// writes the report in text, json and html: the whole of `report FILE` but opening the
// file. heap-B/user is what the roster keeps over its users (the file excluded): about
// 110 bytes here, where a user takes 395 bytes of file and the roster is sized for 200
// (a file convert wrote); html-bytes is the page's size, which grows with the licenses,
// never with the users.
// go test -run '^$' -bench Report1M -benchtime 1x -benchmem ./report
func BenchmarkReport1M(b *testing.B) {
	const n = 1_000_000
	var file bytes.Buffer
	if err := exports.FileOf(&file, n, exports.Shape{}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(file.Len()))
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		b.StopTimer()
		before := liveHeap()
		b.StartTimer()
		r, err := roster.ReadSized("f.json", bytes.NewReader(file.Bytes()), int64(file.Len()))
		if err != nil {
			b.Fatal(err)
		}
		rep := Build(r, today, 90)
		var page counter
		if err := WriteText(io.Discard, rep); err != nil {
			b.Fatal(err)
		}
		if err := WriteJSON(io.Discard, rep); err != nil {
			b.Fatal(err)
		}
		if err := WriteHTML(&page, rep); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if r.Users() != n || rep.Total.Holders == 0 {
			b.Fatalf("%d users, %d holders", r.Users(), rep.Total.Holders)
		}
		after := liveHeap()
		runtime.KeepAlive(r)
		b.ReportMetric(float64(after-before)/n, "heap-B/user")
		b.ReportMetric(float64(page), "html-bytes")
		b.StartTimer()
	}
}

// liveHeap is the heap in use after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
