package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/nice"
)

// Account types (NetXD's seven).
const (
	AccountSavings     = "SAVINGS"
	AccountChecking    = "CHECKING"
	AccountWallet      = "WALLET"
	AccountMoneyMarket = "MONEY_MARKET"
	AccountCreditCard  = "CREDIT_CARD"
	AccountGL          = "GL"
	AccountCustodial   = "CUSTODIAL"
)

// Account statuses (NetXD's eight).
const (
	StatusCreated   = "CREATED"
	StatusActive    = "ACTIVE"
	StatusCurtailed = "CURTAILED"
	StatusDormant   = "DORMANT"
	StatusSuspended = "SUSPENDED"
	StatusBlocked   = "BLOCKED"
	StatusClosed    = "CLOSED"
	StatusDisabled  = "DISABLED"
)

var (
	accountTypes    = []string{AccountSavings, AccountChecking, AccountWallet, AccountMoneyMarket, AccountCreditCard, AccountGL, AccountCustodial}
	accountStatuses = []string{StatusCreated, StatusActive, StatusCurtailed, StatusDormant, StatusSuspended, StatusBlocked, StatusClosed, StatusDisabled}
	// custodialTypes are the arrangements a CUSTODIAL account is held under.
	custodialTypes = []string{"UTMA", "UGMA", "IRA", "TRUST", "GUARDIANSHIP", "ESCROW", "FBO"}
)

// Account is a bank account of a customer, owned by the partner whose key
// opened it. Balances are integer minor units of Currency.
type Account struct {
	ID                    int64
	PartnerID             int64
	CustomerID            int64
	Number                string
	Name                  string
	Type                  string
	Currency              string
	Status                string
	BalanceMinor          int64
	ActivityAccountID     int64
	ActivityAccountNumber string // filled by reads
	CustodialCustomerID   int64
	CustodialType         string
	ShortCode             string
	CreatedAt             time.Time
	UpdatedAt             time.Time
	// LastActivityAt is the last customer-initiated operation on the
	// account (its opening at first); dormancy counts from it.
	LastActivityAt time.Time
	// Freeze is the account's freeze, if any; it no longer applies once
	// expired (see Frozen).
	Freeze *Freeze
	// NiceCategory and NiceFeeMinor are set for an account opened with a
	// held nice number: its category and the fee charged, in the fee
	// table's currency (the account's).
	NiceCategory string
	NiceFeeMinor int64
}

// Freeze stops an account independently of its status, for a reason, until
// it is lifted or, when ExpiresAt is set, until then.
type Freeze struct {
	ReasonCode string
	Reason     string
	At         time.Time
	ExpiresAt  time.Time // zero: until lifted
}

// Frozen reports whether a freeze applies at now.
func (a Account) Frozen(now time.Time) bool {
	return a.Freeze != nil && (a.Freeze.ExpiresAt.IsZero() || now.Before(a.Freeze.ExpiresAt))
}

// Open reports whether the account can still take part in operations.
func (a Account) Open() bool {
	return a.Status != StatusClosed && a.Status != StatusDisabled
}

// AccountLookup finds one account by its ID or its number.
type AccountLookup struct {
	ID     int64
	Number string
}

// AddAccountInput is CustomerService.AddAccount's payload, as NetXD
// publishes it.
type AddAccountInput struct {
	CustomerID            string `json:"customerID" size:"id"`
	Name                  string `json:"name" size:"name"`
	AccountType           string `json:"accountType" size:"code"`
	Currency              string `json:"currency" size:"code"`
	ActivityAccountNumber string `json:"activityAccountNumber" size:"id"`
	CustodialCustomerID   string `json:"custodialCustomerID" size:"id"`
	CustodialType         string `json:"custodialType" size:"code"`
	// AccountNumber is a nice number the customer holds (HoldNiceNumber):
	// the account gets it, the hold is used up and the fee recorded.
	AccountNumber string `json:"accountNumber" size:"id"`
}

// AddAccountResult is what AddAccount returns, field for field NetXD's.
type AddAccountResult struct {
	ID            string `json:"ID"`
	Status        string `json:"status"`
	AccountNumber string `json:"accountNumber"`
	AccountType   string `json:"accountType"`
	InstitutionID string `json:"institutionID"`
	CustomerID    string `json:"customerID"`
}

func (r AddAccountResult) AuditEntities() map[string]string {
	return map[string]string{"accountId": r.ID, "accountNumber": r.AccountNumber, "customerId": r.CustomerID}
}

// AddAccount opens an account for a customer of the calling partner. It
// fails with a *ValidationError for bad fields; ErrCustomerNotFound,
// ErrCustomerNotActive, ErrActivityAccountNotFound, ErrActivityAccountNotOpen,
// ErrActivityAccountCurrency or ErrCustodialCustomerNotFound when the named
// customers and accounts do not allow it.
func (s *Service) AddAccount(ctx context.Context, call services.Call, in AddAccountInput) (AddAccountResult, error) {
	a, err := s.newAccount(in)
	if err != nil {
		return AddAccountResult{}, fmt.Errorf("add account: %w", err)
	}
	a.PartnerID = call.PartnerID
	res, err := services.Idempotent(ctx, s.k, call, in, func(tx Tx) (AddAccountResult, error) {
		if err := s.CheckAccountParties(ctx, tx, &a, in.ActivityAccountNumber); err != nil {
			return AddAccountResult{}, err
		}
		if err := s.UseNiceHold(ctx, tx, &a, in.AccountNumber); err != nil {
			return AddAccountResult{}, err
		}
		if err := s.InsertAccount(ctx, tx, &a); err != nil {
			return AddAccountResult{}, err
		}
		return AddAccountResult{
			ID: services.FormatID(a.ID), Status: a.Status, AccountNumber: a.Number, AccountType: a.Type,
			InstitutionID: s.settings.InstitutionID, CustomerID: services.FormatID(a.CustomerID),
		}, nil
	})
	if err != nil {
		return AddAccountResult{}, fmt.Errorf("add account: %w", err)
	}
	return res, nil
}

// newAccount checks AddAccount's fields and returns the account to open.
func (s *Service) newAccount(in AddAccountInput) (Account, error) {
	var ck checker
	now := s.k.Clock.Now()
	a := Account{Status: StatusActive, CreatedAt: now, UpdatedAt: now}
	if ck.Required("customerID", in.CustomerID) {
		id, ok := services.ParseID(in.CustomerID)
		if !ok {
			ck.Add("customerID", services.ReasonInvalidFormat, "must be a numeric customer ID")
		}
		a.CustomerID = id
	}
	a.Name = ck.CheckName("name", in.Name, true)
	a.Type = ck.CheckEnum("accountType", in.AccountType, true, accountTypes...)
	if ck.Required("currency", in.Currency) && !services.ValidCurrency(in.Currency) {
		ck.Add("currency", services.ReasonInvalidValue, "must be an ISO 4217 currency code in use, in upper case (e.g. USD)")
	}
	a.Currency = in.Currency
	if in.AccountNumber != "" {
		nice.CheckNumber(&ck.Checker, "accountNumber", in.AccountNumber)
	}
	if in.ActivityAccountNumber != "" && !ValidAccountNumber(in.ActivityAccountNumber) {
		ck.Add("activityAccountNumber", services.ReasonInvalidFormat, "must be a 15-digit account number with valid check digits, or a nice number of 6 to 12 digits")
	}
	if a.Type == AccountCustodial {
		if ck.Required("custodialCustomerID", in.CustodialCustomerID) {
			id, ok := services.ParseID(in.CustodialCustomerID)
			switch {
			case !ok:
				ck.Add("custodialCustomerID", services.ReasonInvalidFormat, "must be a numeric customer ID")
			case id == a.CustomerID:
				ck.Add("custodialCustomerID", services.ReasonInvalidValue, "must be another customer than customerID")
			}
			a.CustodialCustomerID = id
		}
		a.CustodialType = ck.CheckEnum("custodialType", in.CustodialType, true, custodialTypes...)
	} else if a.Type != "" {
		ck.NotAllowed("custodialCustomerID", in.CustodialCustomerID, "only for CUSTODIAL accounts")
		ck.NotAllowed("custodialType", in.CustodialType, "only for CUSTODIAL accounts")
	}
	return a, ck.Err()
}

// checkAccountParties checks, inside the transaction, the customers and the
// pool account that a new account refers to.
func (s *Service) CheckAccountParties(ctx context.Context, t services.Tx, a *Account, activityNumber string) error {
	tx := services.As[Tx](t)
	status, err := tx.CustomerStatus(ctx, a.PartnerID, a.CustomerID)
	if err != nil {
		return err
	}
	if status != customer.CustomerActive {
		return fmt.Errorf("customer %d is %s: %w", a.CustomerID, status, customer.ErrCustomerNotActive)
	}
	kinds, err := tx.CustomerBlacklist(ctx, a.PartnerID, a.CustomerID)
	if err != nil {
		return err
	}
	if len(kinds) > 0 {
		return customer.BlacklistRefusal(kinds[0])
	}
	if a.CustodialCustomerID != 0 {
		_, err := tx.CustomerStatus(ctx, a.PartnerID, a.CustodialCustomerID)
		if errors.Is(err, customer.ErrCustomerNotFound) {
			return fmt.Errorf("custodial customer %d: %w", a.CustodialCustomerID, ErrCustodialCustomerNotFound)
		} else if err != nil {
			return err
		}
	}
	if activityNumber == "" {
		return nil
	}
	// Shared, so that the pool cannot be closed until this account exists.
	pool, err := tx.ShareAccount(ctx, a.PartnerID, AccountLookup{Number: activityNumber})
	switch {
	case errors.Is(err, ErrAccountNotFound):
		return fmt.Errorf("activity account %s: %w", activityNumber, ErrActivityAccountNotFound)
	case err != nil:
		return err
	case !pool.Open():
		return fmt.Errorf("activity account %s is %s: %w", activityNumber, pool.Status, ErrActivityAccountNotOpen)
	case pool.Currency != a.Currency:
		return fmt.Errorf("activity account %s holds %s: %w", activityNumber, pool.Currency, ErrActivityAccountCurrency)
	}
	a.ActivityAccountID, a.ActivityAccountNumber = pool.ID, pool.Number
	return nil
}

// insertAccount draws the account's ID and, unless it has a nice number,
// its number, and inserts it, drawing again on a collision.
func (s *Service) InsertAccount(ctx context.Context, t services.Tx, a *Account) error {
	tx := services.As[Tx](t)
	chosen := a.Number != ""
	for range services.MaxDraws {
		id, err := services.RandomNumber(s.k.Random, 12)
		if err != nil {
			return err
		}
		a.ID = id
		if !chosen {
			if a.Number, err = newAccountNumber(s.k.Random); err != nil {
				return err
			}
		}
		if err = tx.InsertAccount(ctx, *a); !errors.Is(err, services.ErrNumberTaken) {
			return err
		}
	}
	if chosen {
		// Eight ID draws do not all collide: the nice number is the account's.
		return nice.ErrNiceNumberTaken
	}
	return fmt.Errorf("insert account: %w", services.ErrNumberTaken)
}

// UseNiceHold gives the account the nice number its customer holds (see
// nice.Service.UseHold); an empty number leaves the drawn one.
func (s *Service) UseNiceHold(ctx context.Context, tx services.Tx, a *Account, number string) error {
	if number == "" {
		return nil
	}
	h, err := s.nice.UseHold(ctx, tx, a.PartnerID, a.CustomerID, a.Currency, number)
	if err != nil {
		return err
	}
	a.Number, a.NiceCategory, a.NiceFeeMinor = number, h.Category, h.FeeMinor
	return nil
}
