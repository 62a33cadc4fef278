package account

import (
	"context"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/customer"
)

// Store is what the account service needs from storage: FindAccount returns ErrAccountNotFound, FindCustomer and CustomerStatus ErrCustomerNotFound. Every query is scoped to a partner: another partner's rows are not found.
type Store interface {
	services.Store
	FindCustomer(ctx context.Context, partnerID int64, by customer.CustomerLookup) (customer.Customer, error)
	// CustomerStatus is a customer's status alone, for checks that need
	// neither its fields nor its documents.
	CustomerStatus(ctx context.Context, partnerID, customerID int64) (string, error)
	// Consents returns a customer's consent records, newest first.
	Consents(ctx context.Context, customerID int64) ([]customer.Consent, error)
	FindAccount(ctx context.Context, partnerID int64, by AccountLookup) (Account, error)
	ListAccounts(ctx context.Context, f AccountFilter) ([]Account, int, error)
	ListCustomerAccounts(ctx context.Context, partnerID, customerID int64) ([]Account, error)
	// FindAccountByShortCode returns the partner's account that holds code,
	// or ErrAccountNotFound.
	FindAccountByShortCode(ctx context.Context, partnerID int64, code string) (Account, error)
	// StatusHistory returns a page of an account's status changes and freeze
	// events, oldest first, and how many there are in all.
	StatusHistory(ctx context.Context, accountID int64, offset, limit int) ([]StatusChange, int, error)
	// ListAbnormalAccounts returns a page of the partner's accounts whose
	// status is not ACTIVE or that are frozen at now (a freeze whose expiry is
	// at or before now does not count), in creation order, and the total.
	ListAbnormalAccounts(ctx context.Context, partnerID int64, now time.Time, offset, limit int) ([]Account, int, error)
	// Name inquiry reads from the pool, outside any write transaction.
	inquiryReader
}

// inquiryReader is what a name inquiry reads, from the pool (Store) or
// inside a write transaction (Tx).
type inquiryReader interface {
	// FindAccountAnyPartner finds an account by number whoever owns it, for
	// name inquiry; ErrAccountNotFound when the bank has none.
	FindAccountAnyPartner(ctx context.Context, number string) (Account, error)
	// AccountHolder returns the customer that holds an account, without its
	// documents; ErrCustomerNotFound when missing.
	AccountHolder(ctx context.Context, customerID int64) (customer.Customer, error)
	// OpenSubAccounts counts the accounts that are not CLOSED and whose
	// activity (pool) account is poolID.
	OpenSubAccounts(ctx context.Context, poolID int64) (int, error)
}

// Tx is what the account service needs from a write transaction.
type Tx interface {
	services.Tx
	customer.BlacklistReader
	inquiryReader
	// LockCustomer returns the partner's customer (without documents) and
	// holds it until the transaction ends (SELECT ... FOR UPDATE on
	// PostgreSQL; SQLite's writer already holds the database).
	LockCustomer(ctx context.Context, partnerID, customerID int64) (customer.Customer, error)
	// CustomerStatus is a customer's status alone, for checks that need
	// neither its fields nor its documents.
	CustomerStatus(ctx context.Context, partnerID, customerID int64) (string, error)
	// CustomerBlacklist returns the kinds (IDENTIFICATION, PHONE) of the
	// customer's documents and phone that are on the partner's blacklist.
	CustomerBlacklist(ctx context.Context, partnerID, customerID int64) ([]string, error)
	InsertAccount(ctx context.Context, a Account) error
	// LockAccount is FindAccount that also holds the row until the
	// transaction ends.
	LockAccount(ctx context.Context, partnerID int64, by AccountLookup) (Account, error)
	// ShareAccount is FindAccount that keeps the row from being changed by
	// others until the transaction ends, without serialising the
	// transactions that share it (a pool under which accounts are opened).
	ShareAccount(ctx context.Context, partnerID int64, by AccountLookup) (Account, error)
	// SaveAccountState writes an account's status, freeze fields, name and
	// updated_at.
	SaveAccountState(ctx context.Context, a Account) error
	// AppendStatusChange records one status change or freeze event.
	AppendStatusChange(ctx context.Context, c StatusChange) error
	// TouchAccount records customer activity on one account.
	TouchAccount(ctx context.Context, accountID int64, at time.Time) error
	// AssignShortCode gives code to an account for good (short_codes and
	// accounts.short_code): ErrNumberTaken when the code is used,
	// ErrShortCodeExists when the account already has one.
	AssignShortCode(ctx context.Context, partnerID, accountID int64, code string, at time.Time) error
}

// SweepTx is what the dormancy and freeze-expiry sweeps need from a write transaction.
type SweepTx interface {
	services.Tx
	// DormancyCandidates returns up to limit ACTIVE accounts whose
	// last_activity_at is before cutoff, holding them until the transaction
	// ends; on PostgreSQL rows held by another sweeper are skipped.
	DormancyCandidates(ctx context.Context, cutoff time.Time, limit int) ([]Account, error)
	// ExpiredFreezes returns up to limit frozen accounts whose freeze expired
	// at or before now, holding them like DormancyCandidates.
	ExpiredFreezes(ctx context.Context, now time.Time, limit int) ([]Account, error)
	// MarkDormant makes an account DORMANT if it is still ACTIVE with
	// last_activity_at before cutoff, and reports whether it did.
	MarkDormant(ctx context.Context, accountID int64, cutoff, at time.Time) (bool, error)
	// SaveAccountState writes an account's status, freeze fields, name and
	// updated_at.
	SaveAccountState(ctx context.Context, a Account) error
	// AppendStatusChange records one status change or freeze event.
	AppendStatusChange(ctx context.Context, c StatusChange) error
}

// stateWriter saves an account's state with its history, in the operations' and the sweeps' transactions.
type stateWriter interface {
	// SaveAccountState writes an account's status, freeze fields, name and
	// updated_at.
	SaveAccountState(ctx context.Context, a Account) error
	// AppendStatusChange records one status change or freeze event.
	AppendStatusChange(ctx context.Context, c StatusChange) error
}
