package convert_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/torii-convert/torii-convert/bench/exports"
	"github.com/torii-convert/torii-convert/convert"
)

// The benchmarks convert the generated exports of bench/exports: a 1,000,000-row CSV
// and a 200,000-row workbook. bench/compare.sh times the CLI on the same files against
// Miller and in2csv.

func benchExport(b *testing.B, name string, write func(path string) error) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), name)
	if err := write(path); err != nil {
		b.Fatal(err)
	}
	return path
}

func benchConvert(b *testing.B, path string) {
	t, err := convert.FindTemplate("figma")
	if err != nil {
		b.Fatal(err)
	}
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	rows := 0
	b.ResetTimer()
	allocs := allocsPer(b, func() {
		res, err := convert.Convert(context.Background(), path, convert.Options{Template: t, MaxProblems: 10}, io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		if !res.Valid() {
			b.Fatalf("%d errors: %v", res.Errors, res.Problems)
		}
		rows += res.Rows
	})
	b.ReportMetric(allocs/float64(rows), "allocs/row")
}

// allocsPer runs fn b.N times, reporting allocations as -benchmem does, and returns
// how many fn made in all, for a benchmark to report them per row.
func allocsPer(b *testing.B, fn func()) float64 {
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		fn()
	}
	runtime.ReadMemStats(&after)
	return float64(after.Mallocs - before.Mallocs)
}

func BenchmarkConvertCSV1M(b *testing.B) {
	path := benchExport(b, "members.csv", func(path string) error {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return exports.CSV(f, 1_000_000)
	})
	benchConvert(b, path)
}

func BenchmarkConvertXLSX200K(b *testing.B) {
	benchConvert(b, sharedWorkbook(b))
}

// BenchmarkConvertMemory converts exports of many distinct users and of few users over
// many rows, and reports the peak of the live heap (sampled every millisecond, after a
// collection before the run) per distinct user and per row: memory must grow with the
// users, not with the rows. -benchtime 1x is enough; the sampling makes it approximate.
func BenchmarkConvertMemory(b *testing.B) {
	for _, c := range []struct {
		name        string
		rows, users int
	}{
		{"distinct-200k", 200_000, 0},
		{"repeated-400k-rows-20k-users", 400_000, 20_000},
	} {
		b.Run(c.name, func(b *testing.B) {
			path := benchExport(b, "members.csv", func(path string) error {
				f, err := os.Create(path)
				if err != nil {
					return err
				}
				defer f.Close()
				return exports.CSVOf(f, c.rows, c.users)
			})
			t, err := convert.FindTemplate("figma")
			if err != nil {
				b.Fatal(err)
			}
			var peak, users, rows uint64
			for b.Loop() {
				runtime.GC()
				base := liveHeap()
				stop := make(chan struct{})
				sampled := make(chan uint64)
				go func() {
					top := uint64(0)
					tick := time.NewTicker(time.Millisecond)
					defer tick.Stop()
					for {
						if h := liveHeap(); h > top {
							top = h
						}
						select {
						case <-stop:
							sampled <- top
							return
						case <-tick.C:
						}
					}
				}()
				res, err := convert.Convert(context.Background(), path, convert.Options{Template: t, MaxProblems: 10}, io.Discard)
				close(stop)
				top := <-sampled
				if err != nil {
					b.Fatal(err)
				}
				peak, users, rows = max(peak, top-min(top, base)), uint64(res.Users), uint64(res.Rows)
			}
			b.ReportMetric(float64(peak)/float64(users), "peak-B/user")
			b.ReportMetric(float64(peak)/float64(rows), "peak-B/row")
			b.ReportMetric(float64(users), "users")
		})
	}
}

// liveHeap is the heap in use by objects, live or not yet collected.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
