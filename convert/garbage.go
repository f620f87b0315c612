package convert

import (
	"runtime/debug"
	"sync"
)

// Once an export's users take some memory, the garbage of its rows (cells, records)
// is collected when it reaches gcGarbage or a twentieth of the heap, whichever is more,
// rather than when the heap has grown by what GOGC says (200 for the command line,
// which trades memory for fewer collections while the heap is small). The users'
// blocks, arena chunks and index tables hold no pointers, so a collection does not
// scan them and costs about the same with millions of users as with none: collecting
// at a bounded amount of garbage costs a few percent of the CPU (2-3% with 3.8M users,
// by GODEBUG=gctrace=1), and keeps the peak near the users' own bytes rather than at
// up to three times them.
const (
	gcUsers   = 1 << 20  // users (about 90 MB of them) past which garbage is bounded
	gcGarbage = 16 << 20 // garbage let pile up between collections, at least
	boundedGC = 5        // the GOGC percent, at least
	userBytes = 90       // about what a user keeps, to tell the heap from the users
)

// gcPercent is the GOGC percent for n users: gcGarbage over their bytes, at least
// boundedGC.
func gcPercent(n int) int { return max(boundedGC, gcGarbage*100/(n*userBytes)) }

// gcBound counts the conversions that bound garbage, and keeps the percent they found:
// the last to finish sets it back.
var gcBound struct {
	sync.Mutex
	n, old int
}

// boundGarbage lowers GOGC to percent, unless it is lower already or off; join counts
// a conversion in.
func boundGarbage(percent int, join bool) {
	gcBound.Lock()
	defer gcBound.Unlock()
	if join {
		if gcBound.n == 0 {
			gcBound.old = debug.SetGCPercent(-1)
			debug.SetGCPercent(gcBound.old)
		}
		gcBound.n++
	}
	if gcBound.old > percent {
		debug.SetGCPercent(percent)
	}
}

// unboundGarbage counts a conversion out, and sets GOGC back after the last.
func unboundGarbage() {
	gcBound.Lock()
	defer gcBound.Unlock()
	if gcBound.n--; gcBound.n == 0 {
		debug.SetGCPercent(gcBound.old)
	}
}
