package convert_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

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
