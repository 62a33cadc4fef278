// Package ratelimit limits each partner to a number of requests per minute,
// in process (Memory) or shared by all replicas through Redis (Redis).
//
// # Algorithm
//
// Both limiters use GCRA, the generic cell rate algorithm: the
// token-bucket equivalent used by redis-cell and throttled. For a limit of L
// requests per minute the emission interval is T = 1 minute / L (in whole
// microseconds, rounded down) and the window is L·T, which is exactly one
// minute for the partner tiers (200, 500, 1000, 2000). Each key keeps one
// number, its theoretical arrival time (TAT). A request for n cells at time
// now computes TAT' = max(TAT, now) + n·T and is allowed if TAT' - now is at
// most the window; if allowed the key's TAT becomes TAT', otherwise nothing
// changes. A refused request costs nothing.
//
// What a partner sees, for a limit of L:
//
//   - A partner idle for a minute may send L requests at once; request L+1
//     is refused.
//   - Capacity comes back steadily, one request every T (300ms at 200 per
//     minute), and is full again one window after the partner stops.
//   - A partner that never sends more than L requests in any 60-second
//     window is never refused.
//   - It is not a hard cap over every rolling minute: a partner that
//     empties the bucket and then keeps sending at the sustained rate gets
//     up to 2L-1 requests inside one 60-second span (the burst plus the
//     refill). A hard rolling cap needs a sliding log of timestamps per key.
//
// # Decisions
//
// Take can ask for n cells at once: all n are granted or none. (accountd's
// handler takes each batch element's cells on their own, so that each
// element gets its own answer; a call takes its method's cost, one cell for
// most methods, never more than the limit.) RetryAfter is exact for GCRA: the time from now until
// the same request of n would be allowed, if nobody else takes from the key
// meanwhile; callers that send a Retry-After header round it up to whole
// seconds. A request for more than L cells can never be allowed at that
// limit: it is refused with RetryAfter equal to the whole window, only so
// that a caller that always honours RetryAfter backs off; waiting does not
// help, the batch must be split.
//
// The state is limit-independent time, so a partner moved to another tier
// keeps its backlog: moving from 200 to 2000 after a full burst of 200
// still waits for capacity, it does not get a fresh bucket.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// MaxLimitPerMinute is the largest limit the limiters accept: the emission
// interval must be at least one microsecond.
const MaxLimitPerMinute = int(minuteMicros)

// minuteMicros is one minute in microseconds, the unit of all arithmetic
// (Redis TIME has microsecond resolution).
const minuteMicros int64 = 60_000_000

// ErrInvalidArgument means the limit is not between 1 and
// MaxLimitPerMinute, or fewer than one request was asked for.
var ErrInvalidArgument = errors.New("rate limit: invalid limit or request count")

// Decision is the answer to one Take.
type Decision struct {
	// Allowed reports whether all the requests asked for were granted.
	Allowed bool
	// Remaining is how many more single requests the key could take right
	// now after this decision (the value of an X-RateLimit-Remaining header).
	Remaining int
	// RetryAfter is zero when allowed; otherwise the exact time until the
	// same request would be allowed (the whole window when n exceeds the
	// limit, see the package documentation).
	RetryAfter time.Duration
}

// Limiter limits requests per key (a partner) to a number per minute.
type Limiter interface {
	// Take asks for n requests (a JSON-RPC batch counts each element) for
	// key under limitPerMinute. All n are granted or none. It returns an
	// error wrapping ErrInvalidArgument for a bad limit or n; the Redis
	// limiter also returns the Redis or context error when the check could
	// not be made, and the caller decides whether to fail open or closed.
	Take(ctx context.Context, key string, limitPerMinute int, n int) (Decision, error)
	// Close releases the limiter's resources.
	Close() error
}

// gcra is the arithmetic shared by Memory and, line for line, by the Lua
// script in redis.go. All times are integer microseconds.
type gcra struct {
	limit    int64
	interval int64 // emission interval T
	window   int64 // limit * T, the burst tolerance
}

// newGCRA checks limit and n and returns the parameters for limit.
func newGCRA(limit, n int) (gcra, error) {
	if limit < 1 || limit > MaxLimitPerMinute || n < 1 {
		return gcra{}, fmt.Errorf("limit %d per minute, %d requests: %w", limit, n, ErrInvalidArgument)
	}
	interval := minuteMicros / int64(limit)
	return gcra{limit: int64(limit), interval: interval, window: interval * int64(limit)}, nil
}

// take decides a request for n cells at now against a key whose TAT is tat
// (zero for a key never seen). It returns the decision and the key's new TAT,
// which is only meaningful when the decision is allowed.
func (g gcra) take(tat, now int64, n int) (Decision, int64) {
	tat = max(tat, now)
	if int64(n) > g.limit {
		return Decision{Remaining: g.remaining(tat, now), RetryAfter: micros(g.window)}, tat
	}
	newTAT := tat + int64(n)*g.interval
	if wait := newTAT - g.window - now; wait > 0 {
		return Decision{Remaining: g.remaining(tat, now), RetryAfter: micros(wait)}, tat
	}
	return Decision{Allowed: true, Remaining: g.remaining(newTAT, now)}, newTAT
}

// remaining is how many single cells fit between tat and now plus the window.
func (g gcra) remaining(tat, now int64) int {
	return int(max(0, (g.window-(tat-now))/g.interval))
}

func micros(us int64) time.Duration { return time.Duration(us) * time.Microsecond }
