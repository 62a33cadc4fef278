package account

import (
	"github.com/accountd/accountd/services"
)

// The account refusals (see services.Refuse); the transport maps each to a
// JSON-RPC code in its one error table (rpc/errors.go).
var (
	// ErrAccountNotFound means no account of the calling partner matches.
	ErrAccountNotFound = services.Refuse("account not found")
	// ErrActivityAccountNotFound means the pool account named by
	// activityAccountNumber is not an account of the calling partner.
	ErrActivityAccountNotFound = services.Refuse("activity account not found")
	// ErrActivityAccountNotOpen means the pool account is closed or disabled.
	ErrActivityAccountNotOpen = services.Refuse("activity account is not open")
	// ErrActivityAccountCurrency means the pool account holds another
	// currency than the new account.
	ErrActivityAccountCurrency = services.Refuse("activity account currency differs from the account currency")
	// ErrCustodialCustomerNotFound means custodialCustomerID names no
	// customer of the calling partner.
	ErrCustodialCustomerNotFound = services.Refuse("custodial customer not found")
	// ErrInvalidTransition means the account's status cannot go to the
	// requested one (see the transition table in lifecycle.go).
	ErrInvalidTransition = services.Refuse("account status transition not allowed")
	// ErrCloseNonZeroBalance means an account with money on it was to be closed.
	ErrCloseNonZeroBalance = services.Refuse("account balance is not zero")
	// ErrClosePoolInUse means the account is the pool of other open accounts.
	ErrClosePoolInUse = services.Refuse("account is the pool account of other open accounts")
	// ErrAccountClosed means the account is CLOSED (or DISABLED) and takes no
	// operations.
	ErrAccountClosed = services.Refuse("account is closed")
	// ErrAccountNotDormant means ActivateAccount named an account that is not DORMANT.
	ErrAccountNotDormant = services.Refuse("account is not dormant")
	// ErrAccountFrozen means a freeze applies to the account.
	ErrAccountFrozen = services.Refuse("account is frozen")
	// ErrAccountNotFrozen means UnfreezeAccount named an account without a freeze in force.
	ErrAccountNotFrozen = services.Refuse("account is not frozen")
	// ErrShortCodeExists means the account already has its short code.
	ErrShortCodeExists = services.Refuse("account already has a short code")
	// ErrShortCodeNotFound means the account has no short code yet, or no
	// account of the partner has that code.
	ErrShortCodeNotFound = services.Refuse("short code not found")
	// ErrNotBusinessAccount means the account's customer is not a BUSINESS.
	ErrNotBusinessAccount = services.Refuse("account does not belong to a business customer")
	// ErrAccountPassive means the account is SUSPENDED (or DISABLED).
	ErrAccountPassive = services.Refuse("account is passive")
	// ErrAccountDormant means the account is DORMANT.
	ErrAccountDormant = services.Refuse("account is dormant")
	// ErrAccountBlocked means the account is BLOCKED.
	ErrAccountBlocked = services.Refuse("account is blocked")
	// ErrAccountCannotReceive means the account's type or role takes no
	// transfers from outside (GL, loan, deposit, virtual or pool accounts).
	ErrAccountCannotReceive = services.Refuse("account cannot receive transfers")
)
