// Package services holds accountd's domain: customers, accounts, partners and
// their keys, the validation rules, the sentinel errors and the Store
// interface that the storage layer implements.
package services

import (
	"context"
	"time"
)

// Clock tells the time. Services take it as a dependency so that tests can
// move time (idempotency expiry, key cache refresh, dates of birth).
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// Call describes one authenticated JSON-RPC call: who makes it and which
// request it is. RequestID is the JSON text of the request id ("\"7\"" and
// "7" are different ids); it is empty when the id is null, in which case the
// call gets no idempotency protection.
type Call struct {
	PartnerID int64
	KeyID     string
	Method    string
	RequestID string
}

// Store is the storage that the services need. Reads outside a transaction go
// to a pool of readers; every operation that changes data runs in exactly one
// write transaction through Update.
//
// Implementations translate driver errors into this package's sentinel
// errors: ErrNotFound variants for missing rows, ErrIdentificationExists,
// ErrEmailExists and ErrPhoneExists for uniqueness violations.
type Store interface {
	Reader
	// Update runs fn in one write transaction: committed when fn returns nil
	// and the data is on disk, rolled back otherwise.
	Update(ctx context.Context, fn func(tx Tx) error) error
}

// Reader holds the queries that services run outside or inside a
// transaction. Every query about customers and accounts is scoped to a
// partner: another partner's rows are reported as not found.
//
// FindCustomer and CustomerStatus return ErrCustomerNotFound, FindAccount
// ErrAccountNotFound,
// FindAPIKey ErrKeyNotFound, FindPartnerByName ErrPartnerNotFound.
type Reader interface {
	FindCustomer(ctx context.Context, partnerID int64, by CustomerLookup) (Customer, error)
	FindAccount(ctx context.Context, partnerID int64, by AccountLookup) (Account, error)
	ListAccounts(ctx context.Context, f AccountFilter) ([]Account, int, error)
	ListCustomerAccounts(ctx context.Context, partnerID, customerID int64) ([]Account, error)
	FindAPIKey(ctx context.Context, keyID string) (APIKey, error)
	ListAPIKeys(ctx context.Context) ([]APIKey, error)
	FindPartnerByName(ctx context.Context, name string) (Partner, error)
	// CustomerStatus is a customer's status alone, for checks that need
	// neither its fields nor its documents.
	CustomerStatus(ctx context.Context, partnerID, customerID int64) (string, error)
	// AuditEntries returns up to limit audit rows after seq, in order.
	AuditEntries(ctx context.Context, afterSeq int64, limit int) ([]AuditEntry, error)
}

// Tx is one write transaction. Insert methods that take a generated number
// (IDs, customer and account numbers) report a collision with
// ErrNumberTaken so the caller can draw another number; they never leave the
// transaction unusable.
type Tx interface {
	Reader
	InsertPartner(ctx context.Context, p Partner) error
	SetPartnerTier(ctx context.Context, partnerID int64, tier string) error
	InsertAPIKey(ctx context.Context, k APIKey) error
	RevokeAPIKey(ctx context.Context, keyID string, at time.Time) error
	InsertCustomer(ctx context.Context, c Customer) error
	InsertAccount(ctx context.Context, a Account) error
	ClaimIdempotencyKey(ctx context.Context, rec IdempotencyRecord, expiredBefore time.Time) (claimed bool, existing IdempotencyRecord, err error)
	SaveIdempotencyResponse(ctx context.Context, partnerID int64, requestID string, response []byte) error
	PurgeIdempotencyKeys(ctx context.Context, createdBefore time.Time) (int64, error)
	// AppendAudit appends e to the audit chain, filling in its Seq, PrevHash
	// and Hash; appends are serialised until the transaction ends.
	AppendAudit(ctx context.Context, e *AuditEntry) error
}
