package services

import (
	"context"
	"fmt"
	"time"
)

// Store is what the kernel needs from storage: write transactions and the
// audit trail. Every operation that changes data runs in exactly one write
// transaction through Update.
type Store interface {
	// Update runs fn in one write transaction: committed when fn returns nil
	// and the data is on disk, rolled back otherwise.
	Update(ctx context.Context, fn func(tx Tx) error) error
}

// Tx is what the kernel needs from one write transaction: the request ids
// and the audit chain. The transaction that storage hands to Update also
// implements every domain's own Tx interface; a domain reaches its view with
// Update and Idempotent, which take its Tx type as a type parameter.
type Tx interface {
	// ClaimIdempotencyKey records rec's request id, or returns the record
	// already stored for it; wait bounds how long it waits for another
	// transaction that holds the same id.
	ClaimIdempotencyKey(ctx context.Context, rec IdempotencyRecord, expiredBefore time.Time, wait time.Duration) (claimed bool, existing IdempotencyRecord, err error)
	SaveIdempotencyResponse(ctx context.Context, partnerID int64, requestID string, response []byte) error
	// SaveIdempotencyRefusal stores the refusal of a claimed request id; a
	// repeat of the same request is refused the same way.
	SaveIdempotencyRefusal(ctx context.Context, partnerID int64, requestID string, refusal []byte) error
	// ReleaseIdempotencyKey forgets a claimed request id, for a refusal the
	// same request may not meet again.
	ReleaseIdempotencyKey(ctx context.Context, partnerID int64, requestID string) error
	PurgeIdempotencyKeys(ctx context.Context, createdBefore time.Time) (int64, error)
	// AppendAudit appends e to the audit chain, filling in its Seq, PrevHash
	// and Hash.
	AppendAudit(ctx context.Context, e *AuditEntry) error
}

// As returns a domain's view T of a transaction. Storage's transaction
// implements every domain's Tx (store checks this at compile time), so a
// failure here is a programming error.
func As[T any](tx Tx) T {
	v, ok := tx.(T)
	if !ok {
		panic(fmt.Sprintf("services: the transaction %T does not implement %T", tx, v))
	}
	return v
}
