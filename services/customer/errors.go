package customer

import (
	"github.com/accountd/accountd/services"
)

// The customer refusals (see services.Refuse); the transport maps each to a
// JSON-RPC code in its one error table (rpc/errors.go).
var (
	// ErrCustomerNotFound means no customer of the calling partner matches.
	ErrCustomerNotFound = services.Refuse("customer not found")
	// ErrCustomerNotActive means the customer cannot get new accounts.
	ErrCustomerNotActive = services.Refuse("customer is not active")
	// ErrIdentificationExists means another customer of the partner already
	// holds the identification.
	ErrIdentificationExists = services.Refuse("customer identification already exists")
	// ErrEmailExists means another customer of the partner has the e-mail.
	ErrEmailExists = services.Refuse("customer e-mail already exists")
	// ErrPhoneExists means another customer of the partner has the phone.
	ErrPhoneExists = services.Refuse("customer phone number already exists")
	// ErrBlacklisted means an identification or the phone number is on the
	// partner's blacklist.
	ErrBlacklisted = services.Refuse("identity or phone number is blacklisted")
	// ErrNoVerifiedContact means the customer has no verified mobile or
	// e-mail to receive a code.
	ErrNoVerifiedContact = services.Refuse("customer has no verified mobile number or e-mail to receive a code")
)
