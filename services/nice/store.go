package nice

import (
	"context"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/customer"
)

// Store is what the nice-number service needs from storage: FindCustomer returns ErrCustomerNotFound.
type Store interface {
	services.Store
	FindCustomer(ctx context.Context, partnerID int64, by customer.CustomerLookup) (customer.Customer, error)
	// NiceTaken says which of numbers are account numbers already and
	// which are held by an unexpired hold at now.
	NiceTaken(ctx context.Context, numbers []string, now time.Time) (accounts, held map[string]bool, err error)
}

// Tx is what the nice-number service needs from a write transaction.
type Tx interface {
	services.Tx
	// LockCustomer returns the partner's customer (without documents) and
	// holds it until the transaction ends (SELECT ... FOR UPDATE on
	// PostgreSQL; SQLite's writer already holds the database).
	LockCustomer(ctx context.Context, partnerID, customerID int64) (customer.Customer, error)
	// CustomerBlacklist returns the kinds (IDENTIFICATION, PHONE) of the
	// customer's documents and phone that are on the partner's blacklist.
	CustomerBlacklist(ctx context.Context, partnerID, customerID int64) ([]string, error)
	// NiceTaken says which of numbers are account numbers already and
	// which are held by an unexpired hold at now.
	NiceTaken(ctx context.Context, numbers []string, now time.Time) (accounts, held map[string]bool, err error)
	// FindNiceHold returns a number's hold, expired or not, or ErrNiceHoldNotFound.
	FindNiceHold(ctx context.Context, number string) (NiceHold, error)
	// InsertNiceHold holds a number, dropping an expired hold of it first;
	// ErrNiceNumberHeld when an unexpired hold exists, enforced by the
	// database for holds made at the same time.
	InsertNiceHold(ctx context.Context, h NiceHold) error
	// DeleteNiceHold releases a number.
	DeleteNiceHold(ctx context.Context, number string) error
}
