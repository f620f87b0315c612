package convert

import "testing"

// TestRetainedBytesPerUser fails when a distinct user keeps more heap once read, or
// with the license holders the encoder lists, than the bound README's Performance section
// promises to stay under (about 87 and 75 bytes at 100,000 users now; the bound leaves
// room for the index's load, which moves with the count). It counts the heap after a
// collection, as BenchmarkConvertRetained does, so garbage does not count.
func TestRetainedBytesPerUser(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 100,000 users")
	}
	const bound = 100
	users, read, lics := retained(t, membersCSV(t, 100_000))
	t.Logf("%.0f users: %.1f bytes a user once read, %.1f with the license holders listed", users, read, lics)
	if read > bound || lics > bound {
		t.Errorf("a user keeps %.1f bytes once read and %.1f with the license holders listed, over %d", read, lics, bound)
	}
}
