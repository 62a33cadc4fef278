package contact

import (
	"context"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/customer"
)

// Tx is what the contact service needs from a write transaction.
type Tx interface {
	services.Tx
	customer.BlacklistReader
	FindCustomer(ctx context.Context, partnerID int64, by customer.CustomerLookup) (customer.Customer, error)
	// LockCustomer returns the partner's customer (without documents) and
	// holds it until the transaction ends (SELECT ... FOR UPDATE on
	// PostgreSQL; SQLite's writer already holds the database).
	LockCustomer(ctx context.Context, partnerID, customerID int64) (customer.Customer, error)
	FindAccount(ctx context.Context, partnerID int64, by account.AccountLookup) (account.Account, error)
	// LockAccount is FindAccount that also holds the row until the
	// transaction ends.
	LockAccount(ctx context.Context, partnerID int64, by account.AccountLookup) (account.Account, error)
	// MobileChangesOn counts a customer's mobile-change requests on a day
	// (YYYY-MM-DD in the bank's time zone).
	MobileChangesOn(ctx context.Context, customerID int64, day string) (int, error)
	// RecordMobileChange counts one mobile-change request.
	RecordMobileChange(ctx context.Context, r MobileChangeRequest) error
	// SetCustomerEmail changes a customer's e-mail and its verified flag
	// (ErrEmailExists when another customer of the partner has it).
	SetCustomerEmail(ctx context.Context, customerID int64, email string, verified bool, at time.Time) error
	// SetCustomerPhone changes a customer's phone and its verified flag
	// (ErrPhoneExists when another customer of the partner has it), and the
	// mobile number of the customer's e-banking user.
	SetCustomerPhone(ctx context.Context, customerID int64, phone string, verified bool, at time.Time) error
	// SetContactVerified marks the customer's e-mail (kind "email") or
	// phone (kind "mobile") verified.
	SetContactVerified(ctx context.Context, customerID int64, kind string, at time.Time) error
	// TouchCustomerAccounts records customer activity on every account of
	// the customer that is not CLOSED.
	TouchCustomerAccounts(ctx context.Context, customerID int64, at time.Time) error
}
