package text

import (
	"testing"
	"time"
)

// TestDaysIn holds DaysIn to time.Date's calendar over every month of the years that
// dates in exports and files may have.
func TestDaysIn(t *testing.T) {
	for y := 0; y <= 9999; y++ {
		for m := 1; m <= 12; m++ {
			if got, want := DaysIn(y, m), time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day(); got != want {
				t.Fatalf("DaysIn(%d, %d) = %d, want %d", y, m, got, want)
			}
		}
	}
}
