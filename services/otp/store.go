package otp

import (
	"context"
	"time"

	"github.com/accountd/accountd/services"
)

// Store is what OTP needs from storage: FindOperation returns ErrOperationNotFound (also for another partner's).
type Store interface {
	services.Store
	// FindOperation returns the partner's OTP operation with that request
	// id, or ErrOperationNotFound (also for another partner's).
	FindOperation(ctx context.Context, partnerID int64, requestID string) (Operation, error)
	// OutboxMessages returns the messages of an operation, oldest first.
	OutboxMessages(ctx context.Context, requestID string) ([]OutboxMessage, error)
}

// Tx is what OTP needs from a write transaction.
type Tx interface {
	services.Tx
	// InsertOperation stores a new OTP operation (ErrNumberTaken when the
	// request id is used).
	InsertOperation(ctx context.Context, op Operation) error
	// LockOperation is FindOperation holding the row until the transaction
	// ends.
	LockOperation(ctx context.Context, partnerID int64, requestID string) (Operation, error)
	// UpdateOperation writes an operation's status, attempts and updated_at.
	UpdateOperation(ctx context.Context, op Operation) error
	// RecentOperations returns the creation times of a customer's OTP
	// operations created after since, newest first, at most limit of them.
	RecentOperations(ctx context.Context, customerID int64, since time.Time, limit int) ([]time.Time, error)
	// InsertOutbox queues a message; its ID is filled in.
	InsertOutbox(ctx context.Context, m *OutboxMessage) error
	// ClaimOutbox leases up to limit PENDING messages sealed under
	// fingerprint that are due at now and not leased by another dispatcher:
	// attempts is incremented and lease_until set to leaseUntil. On
	// PostgreSQL rows locked by another claimer are skipped.
	ClaimOutbox(ctx context.Context, fingerprint string, now, leaseUntil time.Time, limit int) ([]OutboxMessage, error)
	// CloseOutbox gives up the PENDING messages of an operation with status
	// (CANCELLED or EXPIRED), emptying their sealed text.
	CloseOutbox(ctx context.Context, requestID, status string, at time.Time) error
	// ExpireOutbox gives up the PENDING messages of any key that expired at
	// or before now, emptying their sealed text.
	ExpireOutbox(ctx context.Context, now time.Time) (int64, error)
	// FinishOutbox sets a message's final status (SENT, EXPIRED or FAILED),
	// sent_at for SENT, last_error, and empties its sealed text.
	FinishOutbox(ctx context.Context, id int64, status, lastError string, at time.Time) error
	// RetryOutbox puts a message back for another attempt at next.
	RetryOutbox(ctx context.Context, id int64, next time.Time, lastError string) error
}
