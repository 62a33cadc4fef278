package customer

import (
	"context"
	"time"

	"github.com/accountd/accountd/services"
)

// BlacklistReader finds blacklist entries; a transaction of any domain that refuses blacklisted customers has it.
type BlacklistReader interface {
	// Blacklisted returns those of keys on the partner's blacklist.
	Blacklisted(ctx context.Context, partnerID int64, keys []BlacklistKey) ([]BlacklistKey, error)
}

// Store is what the customer service needs from storage: FindCustomer returns ErrCustomerNotFound.
type Store interface {
	services.Store
	BlacklistReader
	FindCustomer(ctx context.Context, partnerID int64, by CustomerLookup) (Customer, error)
	// Consents returns a customer's consent records, newest first.
	Consents(ctx context.Context, customerID int64) ([]Consent, error)
}

// Tx is what the customer service needs from a write transaction.
type Tx interface {
	services.Tx
	BlacklistReader
	FindCustomer(ctx context.Context, partnerID int64, by CustomerLookup) (Customer, error)
	// LockCustomer returns the partner's customer (without documents) and
	// holds it until the transaction ends (SELECT ... FOR UPDATE on
	// PostgreSQL; SQLite's writer already holds the database).
	LockCustomer(ctx context.Context, partnerID, customerID int64) (Customer, error)
	InsertCustomer(ctx context.Context, c Customer) error
	// SetBlacklisted adds (active) or removes a blacklist entry, recording
	// the change with reason, key and time; changed is false when the entry
	// already was so.
	SetBlacklisted(ctx context.Context, partnerID int64, k BlacklistKey, active bool, reason, keyID string, at time.Time) (changed bool, err error)
	// InsertConsent appends a consent record of the partner's customer.
	InsertConsent(ctx context.Context, partnerID int64, c Consent) error
	// Consents returns a customer's consent records, newest first.
	Consents(ctx context.Context, customerID int64) ([]Consent, error)
}
