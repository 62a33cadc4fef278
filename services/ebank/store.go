package ebank

import (
	"context"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/customer"
)

// Store is what the e-banking service needs from storage: FindEbankUser returns ErrUserNotFound.
type Store interface {
	services.Store
	// FindEbankUser returns the partner's e-banking user by username (any
	// case) or by mobile number (the newest that is not CLOSED first), or
	// ErrUserNotFound.
	FindEbankUser(ctx context.Context, partnerID int64, by EbankUserLookup) (EbankUser, error)
	// EbankUserHistory returns a user's status changes, oldest first.
	EbankUserHistory(ctx context.Context, userID int64) ([]UserStatusChange, error)
}

// Tx is what the e-banking service needs from a write transaction.
type Tx interface {
	services.Tx
	customer.BlacklistReader
	// AccountHolder returns the customer that holds an account, without its
	// documents; ErrCustomerNotFound when missing.
	AccountHolder(ctx context.Context, customerID int64) (customer.Customer, error)
	ListCustomerAccounts(ctx context.Context, partnerID, customerID int64) ([]account.Account, error)
	// FindEbankUser returns the partner's e-banking user by username (any
	// case) or by mobile number (the newest that is not CLOSED first), or
	// ErrUserNotFound.
	FindEbankUser(ctx context.Context, partnerID int64, by EbankUserLookup) (EbankUser, error)
	// LockEbankUser is FindEbankUser holding the row until the transaction ends.
	LockEbankUser(ctx context.Context, partnerID int64, by EbankUserLookup) (EbankUser, error)
	// InsertEbankUser inserts an e-banking user: ErrNumberTaken for a used
	// ID, ErrUsernameExists, ErrCustomerHasUser.
	InsertEbankUser(ctx context.Context, u EbankUser) error
	// SetEbankUserStatus writes a user's new status and records the change.
	SetEbankUserStatus(ctx context.Context, c UserStatusChange) error
}
