package nice

import (
	"github.com/accountd/accountd/services"
)

// The nice refusals (see services.Refuse); the transport maps each to a
// JSON-RPC code in its one error table (rpc/errors.go).
var (
	// ErrNiceNumberHeld means another hold of the number is in force.
	ErrNiceNumberHeld = services.Refuse("nice number is held")
	// ErrNiceNumberTaken means an account has the number.
	ErrNiceNumberTaken = services.Refuse("nice number is taken by an account")
	// ErrNiceNumberReserved means the bank keeps the number back.
	ErrNiceNumberReserved = services.Refuse("nice number is reserved by the bank")
	// ErrNiceHoldNotFound means the partner holds no such number.
	ErrNiceHoldNotFound = services.Refuse("nice number hold not found")
)
