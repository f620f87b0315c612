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
// every batch. Its metrics are heap over the users:
//   - peak-heap-B/user: the most heap in use at any 50th batch, garbage included;
//   - client-heap-B/user: what the sync keeps at its last batch (live heap, after a
//     collection), less what the fake helpdesk keeps: the keys, one a user. A batch
//     held after it is answered would show here, at a few hundred bytes a user;
//   - fake-heap-B/user: what the fake helpdesk keeps of each requestor (the test's
//     server, in the same heap, not the command's cost).
//
// go test -run X -bench Sync100k -benchtime 1x ./ipex
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
		var ms runtime.MemStats
		live := func() uint64 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			return ms.HeapAlloc
		}
		base := live()
		var peak, last uint64
		b.StartTimer()
		s, err := c.Sync(context.Background(), people{n}, ipex.Options{Keys: k, Progress: func(i, batches int) {
			switch {
			case i == batches:
				b.StopTimer()
				last = live()
				b.StartTimer()
			case i%50 == 0:
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}})
		b.StopTimer()
		if err != nil || s.Created != n || k.Len() != n {
			b.Fatalf("%v, %+v, %d keys", err, s, k.Len())
		}
		k, s = nil, nil
		fake := live() // the fake's store and the client, the sync's keys gone
		runtime.KeepAlive(srv)
		b.ReportMetric(float64(peak)/n, "peak-heap-B/user")
		b.ReportMetric((float64(last)-float64(fake))/n, "client-heap-B/user")
		b.ReportMetric((float64(fake)-float64(base))/n, "fake-heap-B/user")
	}
}
