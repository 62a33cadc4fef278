package services

import "time"

// Clock tells the time. Services take it as a dependency so that tests can
// move time (idempotency expiry, key cache refresh, dates of birth).
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }
