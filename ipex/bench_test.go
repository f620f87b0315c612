package ipex_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/torii-convert/torii-convert/ipex"
	"github.com/torii-convert/torii-convert/ipex/ipextest"
)

// BenchmarkSync100k sends 100,000 requestors, made one at a time as the command makes
// them, to the fake helpdesk in batches of 100, keeping the keys file up to date after
// every batch. peak-heap-B/user is the most heap in use at any batch, over the users:
// it stays flat as the input grows (the keys and the fake's own store are per user;
// requests are made a batch at a time and none is held after it is answered).
func BenchmarkSync100k(b *testing.B) {
	const n = 100_000
	for range b.N {
		b.StopTimer()
		srv := ipextest.New(b, login, password)
		c := newClient(&testing.T{}, srv)
		k, err := ipex.LoadKeys(b.TempDir()+"/keys.json", "helpdesk.test")
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var peak uint64
		var ms runtime.MemStats
		b.StartTimer()
		s, err := c.Sync(context.Background(), people{n}, ipex.Options{Keys: k, Progress: func(i, _ int) {
			if i%50 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}})
		b.StopTimer()
		if err != nil || s.Created != n {
			b.Fatalf("%v, %+v", err, s)
		}
		b.ReportMetric(float64(peak)/n, "peak-heap-B/user")
	}
}
