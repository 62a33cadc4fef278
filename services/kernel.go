// Package services is the kernel every domain package shares: the call
// context, the clock, field errors and refusals, idempotency, the audit
// trail, money and currencies. It names no domain; the domains live in the
// packages below it (customer, account, nice, ebank, contact, otp,
// onboarding, partner) and the bank package wires them together.
package services

import (
	"context"
	"crypto/rand"
	"io"
	"time"
)

// Kernel is what every domain's Service shares: storage's write
// transactions, the clock, the source of random numbers, the bank's time
// zone, the idempotency window and the audit rows written later. Build it
// with NewKernel; Close it to write those rows before the store closes.
type Kernel struct {
	Store  Store
	Clock  Clock
	Random io.Reader
	// Location is the bank's time zone, for calendar days (default UTC).
	Location *time.Location
	// IdempotencyTTL is how long a request id is remembered (default 24h).
	IdempotencyTTL time.Duration
	// IdempotencyWait is how long a duplicate arriving while the first call
	// runs waits for it before it is ErrRequestInProgress (default 5s).
	IdempotencyWait time.Duration
	// OnReplay, when set, is called with the method of every call answered
	// by an idempotent replay, for metrics.
	OnReplay func(method string)
	// AuditFlushInterval, AuditBatchSize and AuditQueueSize tune the rows
	// AuditLater writes later: how long a row may wait (default 100ms), how
	// many waiting rows start a write at once (default 256), and how many
	// may wait before a caller waits for room (default 1024).
	AuditFlushInterval time.Duration
	AuditBatchSize     int
	AuditQueueSize     int
	// OnAuditFlushError, when set, is called when a write of the rows
	// AuditLater holds fails, with how many it tried; they are tried again
	// at the next flush. The error names no personal data.
	OnAuditFlushError func(rows int, err error)
	inflight          *inflight
	later             *auditQueue
}

// Default kernel settings.
const (
	DefaultIdempotencyTTL  = 24 * time.Hour
	DefaultIdempotencyWait = 5 * time.Second
)

// NewKernel returns a Kernel on store with the wall clock, crypto/rand, UTC
// and the default idempotency window; callers may change the fields before
// the first call.
func NewKernel(store Store) *Kernel {
	return &Kernel{Store: store, Clock: SystemClock{}, Random: rand.Reader, Location: time.UTC,
		IdempotencyTTL: DefaultIdempotencyTTL, IdempotencyWait: DefaultIdempotencyWait, inflight: newInflight(), later: newAuditQueue()}
}

// Update runs fn in one write transaction of st with the domain's view X
// of it.
func Update[X any](ctx context.Context, st Store, fn func(tx X) error) error {
	return st.Update(ctx, func(tx Tx) error { return fn(As[X](tx)) })
}
