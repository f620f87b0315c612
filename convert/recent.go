package convert

import (
	"encoding/binary"
	"unsafe"
)

// recent remembers where the values people looked up last are (license names, lists of
// roles, dates): exports repeat a few of them over millions of rows, and a look here
// costs a fraction of a map's. A slot, picked by recentSlot, holds the index of the
// value last seen there plus one (0 for none); the caller compares the value it holds
// at that index with the one it looks for.
type recent [recentSize]int32

const (
	recentBits = 8
	recentSize = 1 << recentBits
)

// recentSlot picks a slot of recent for s from its length and its first and last eight
// bytes, where values that repeat differ (a date's month and day, a name's end).
func recentSlot(s string) int {
	var x uint64
	if n := len(s); n >= 8 {
		b := unsafe.Slice(unsafe.StringData(s), n)
		x = binary.LittleEndian.Uint64(b)*0x9e3779b97f4a7c15 ^ binary.LittleEndian.Uint64(b[n-8:])
	} else {
		for i := 0; i < n; i++ {
			x = x<<8 | uint64(s[i])
		}
	}
	x ^= uint64(len(s))
	return int((x * 0x9e3779b97f4a7c15) >> (64 - recentBits))
}
