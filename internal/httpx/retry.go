package httpx

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Backoff is the one backoff formula: the wait before the next attempt, after attempt
// (1, 2, ...), is base*2^(attempt-1) capped at limit, of which the second half is
// jittered: 1 s, 2 s, 4 s ... for base 1 s, each between half and all of it.
func Backoff(attempt int, base, limit time.Duration) time.Duration {
	d := limit
	if attempt < 1 {
		attempt = 1
	}
	if attempt < 40 && base<<(attempt-1) < limit && base<<(attempt-1) > 0 {
		d = base << (attempt - 1)
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// RetryAfter reads how long a server asks to wait: Retry-After in seconds or as an
// HTTP date, else X-Rate-Limit-Reset (a Unix time, plus a second). ok is false when
// neither says anything usable. The result is never negative; it is not capped here.
func RetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.ParseInt(v, 10, 64); err == nil && s >= 0 {
			if s > int64(1<<62/time.Second) { // larger than time.Duration holds: about 146 years
				s = int64(1 << 62 / time.Second)
			}
			return time.Duration(s) * time.Second, true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	if v := strings.TrimSpace(h.Get("X-Rate-Limit-Reset")); v != "" {
		if s, err := strconv.ParseInt(v, 10, 64); err == nil && s > 0 && s < 1<<33 {
			return max(time.Unix(s, 0).Sub(now), 0) + time.Second, true
		}
	}
	return 0, false
}
