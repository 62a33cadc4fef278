package contact

import (
	"github.com/accountd/accountd/services"
)

// The contact refusals (see services.Refuse); the transport maps each to a
// JSON-RPC code in its one error table (rpc/errors.go).
var (
	// ErrContactMissing means the customer has no contact of the kind asked.
	ErrContactMissing = services.Refuse("customer has no such contact to verify")
	// ErrContactAlreadyVerified means the contact was verified before.
	ErrContactAlreadyVerified = services.Refuse("contact is already verified")
	// ErrMobileChangeLimit means the customer made the day's allowed mobile-change requests.
	ErrMobileChangeLimit = services.RefuseForNow("mobile change requests for today are used up")
)
