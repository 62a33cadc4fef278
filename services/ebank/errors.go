package ebank

import (
	"github.com/accountd/accountd/services"
)

// The ebank refusals (see services.Refuse); the transport maps each to a
// JSON-RPC code in its one error table (rpc/errors.go).
var (
	// ErrUserNotFound means no e-banking user of the partner matches.
	ErrUserNotFound = services.Refuse("e-banking user not found")
	// ErrUsernameExists means the username is taken (usernames are unique
	// across the bank, without regard to case).
	ErrUsernameExists = services.Refuse("username already exists")
	// ErrCustomerHasUser means the customer already has an e-banking user.
	ErrCustomerHasUser = services.Refuse("customer already has an e-banking user")
	// ErrUserClosed means the e-banking user is closed for good.
	ErrUserClosed = services.Refuse("e-banking user is closed")
	// ErrUserStatusUnchanged means the user already has the status asked.
	ErrUserStatusUnchanged = services.Refuse("e-banking user already has this status")
)
