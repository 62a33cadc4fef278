package otp

import (
	"github.com/accountd/accountd/services"
)

// The otp refusals (see services.Refuse); the transport maps each to a
// JSON-RPC code in its one error table (rpc/errors.go).
var (
	// ErrOperationNotFound means no pending operation of the partner has
	// that requestId.
	ErrOperationNotFound = services.Refuse("operation not found")
	// ErrOperationCompleted means the operation was already confirmed.
	ErrOperationCompleted = services.Refuse("operation already confirmed")
	// ErrOperationCancelled means the operation was cancelled.
	ErrOperationCancelled = services.Refuse("operation was cancelled")
	// ErrOperationExpired means the code's time ran out.
	ErrOperationExpired = services.Refuse("operation expired")
	// ErrOperationFailed means too many wrong codes were given.
	ErrOperationFailed = services.Refuse("operation failed after too many wrong codes")
	// ErrWrongOTP means a code did not match; data.attemptsLeft says how many remain.
	ErrWrongOTP = services.Refuse("wrong one-time code")
	// ErrUseConfirmMobileChange means ConfirmOTP was given a mobile change,
	// which needs its two codes.
	ErrUseConfirmMobileChange = services.Refuse("a mobile change needs both codes: use CustomerService.ConfirmMobileChange")
	// ErrNotMobileChange means ConfirmMobileChange was given another kind of operation.
	ErrNotMobileChange = services.Refuse("operation is not a mobile change: use VerificationService.ConfirmOTP")
	// ErrOTPOperationLimit means the customer started the hour's allowed
	// one-time-code operations; the refusal says when the next is allowed.
	ErrOTPOperationLimit = services.RefuseForNow("one-time-code operations for this hour are used up")
)
