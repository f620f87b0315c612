package convert

import (
	"runtime/debug"
	"sync"
)

// Once an export's users take some memory, the garbage of its rows (cells, records)
// is collected when the heap has grown by a tenth, rather than by what GOGC says (200
// for the command line, which trades memory for fewer collections while the heap is
// small). The users' blocks, arena chunks and index tables hold no pointers, so a
// collection does not scan them and costs about the same with millions of users as
// with none: collecting often costs little CPU, and keeps the peak near the users'
// own bytes rather than at up to three times them.
const (
	boundedGC = 10      // the GOGC percent past gcUsers
	gcUsers   = 1 << 19 // users (about 45 MB of them) past which garbage is bounded
)

// gcBound counts the conversions that bound garbage, and keeps the percent they found:
// the last to finish sets it back.
var gcBound struct {
	sync.Mutex
	n, old int
}

// boundGarbage lowers GOGC to boundedGC, unless it is lower already or off.
func boundGarbage() {
	gcBound.Lock()
	defer gcBound.Unlock()
	if gcBound.n == 0 {
		gcBound.old = debug.SetGCPercent(boundedGC)
		if gcBound.old < boundedGC {
			debug.SetGCPercent(gcBound.old)
		}
	}
	gcBound.n++
}

// unboundGarbage undoes one boundGarbage.
func unboundGarbage() {
	gcBound.Lock()
	defer gcBound.Unlock()
	if gcBound.n--; gcBound.n == 0 {
		debug.SetGCPercent(gcBound.old)
	}
}
