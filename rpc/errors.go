package rpc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/accountd/accountd/rpc/jsonrpc"
	"github.com/accountd/accountd/rpc/payload"
	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/contact"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/ebank"
	"github.com/accountd/accountd/services/nice"
	"github.com/accountd/accountd/services/onboarding"
	"github.com/accountd/accountd/services/otp"
)

// JSON-RPC 2.0 error codes, and the server codes this API adds.
const (
	CodeParseError     = -32700
	CodeInvalidRequest = -32600
	CodeMethodNotFound = -32601
	CodeInvalidParams  = -32602
	CodeInternal       = -32603

	CodeUnauthenticated     = -32001
	CodeInvalidSignature    = -32002
	CodePermissionDenied    = -32003
	CodeRateLimited         = -32004
	CodeIdempotencyConflict = -32005
	CodeRequestInProgress   = -32006
	CodeTimestampRejected   = -32007
	CodeCallTimeout         = -32008
)

// ErrCallTimeout is a call that did not finish within its deadline
// (server.call_timeout, shared by a batch). It is the transport's own error,
// not a service's: the table maps it, and context.DeadlineExceeded with it.
var ErrCallTimeout = errors.New("the call did not finish in time")

// Error and ErrorData are the JSON-RPC error object (package jsonrpc), so
// that clients read what the server writes without importing it.
type (
	Error     = jsonrpc.Error
	ErrorData = jsonrpc.ErrorData
)

// errorTable maps the services' sentinel errors to JSON-RPC codes and
// reasons. Business codes are positive and grouped by area: 1xxx customers,
// 2xxx accounts. Errors not in the table are internal (-32603) and are the
// only ones logged as errors. docs/reference/errors.md is generated from this
// table (make docs).
var errorTable = []struct {
	err    error
	code   int
	reason string
}{
	{services.ErrInvalidInput, CodeInvalidParams, "INVALID_PARAMS"},
	{services.ErrUnauthenticated, CodeUnauthenticated, "UNAUTHENTICATED"},
	{services.ErrInvalidSignature, CodeInvalidSignature, "INVALID_SIGNATURE"},
	{services.ErrTimestampOutOfWindow, CodeTimestampRejected, "TIMESTAMP_OUT_OF_WINDOW"},
	{services.ErrPermissionDenied, CodePermissionDenied, "METHOD_NOT_ALLOWED_FOR_KEY"},
	{services.ErrRateLimited, CodeRateLimited, "RATE_LIMITED"},
	{services.ErrIdempotencyConflict, CodeIdempotencyConflict, "IDEMPOTENCY_KEY_REUSED"},
	{services.ErrRequestInProgress, CodeRequestInProgress, "REQUEST_IN_PROGRESS"},
	{ErrCallTimeout, CodeCallTimeout, "CALL_TIMEOUT"},

	{customer.ErrCustomerNotFound, 1001, "NOT_FOUND_CUSTOMER"},
	{customer.ErrIdentificationExists, 1002, "CUSTOMER_IDENTIFICATION_ALREADY_EXIST"},
	{customer.ErrEmailExists, 1003, "CUSTOMER_EMAIL_ALREADY_EXIST"},
	{customer.ErrPhoneExists, 1004, "CUSTOMER_PHONE_ALREADY_EXIST"},
	{customer.ErrCustomerNotActive, 1005, "CUSTOMER_NOT_ACTIVE"},
	{customer.ErrBlacklisted, 1006, "CUSTOMER_BLACKLISTED"},

	{ebank.ErrUserNotFound, 4001, "NOT_FOUND_USER"},
	{ebank.ErrUsernameExists, 4002, "USERNAME_ALREADY_EXIST"},
	{ebank.ErrCustomerHasUser, 4003, "CUSTOMER_ALREADY_HAS_USER"},
	{ebank.ErrUserClosed, 4004, "USER_CLOSED"},
	{ebank.ErrUserStatusUnchanged, 4005, "USER_STATUS_UNCHANGED"},

	{nice.ErrNiceNumberHeld, 5001, "NICE_NUMBER_HELD"},
	{nice.ErrNiceNumberTaken, 5002, "NICE_NUMBER_TAKEN"},
	{nice.ErrNiceNumberReserved, 5003, "NICE_NUMBER_RESERVED"},
	{nice.ErrNiceHoldNotFound, 5004, "NOT_FOUND_NICE_HOLD"},

	{onboarding.ErrOnboardingNotFound, 6001, "NOT_FOUND_ONBOARDING"},
	{onboarding.ErrOnboardingState, 6002, "ONBOARDING_STATE_INVALID"},
	{onboarding.ErrOnboardingChecksFailed, 6003, "ONBOARDING_CHECKS_FAILED"},
	{onboarding.ErrPictureRejected, 6004, "PICTURE_REJECTED"},
	{onboarding.ErrOnboardingExpired, 6005, "ONBOARDING_EXPIRED"},
	{onboarding.ErrOnboardingInProgress, 6006, "ONBOARDING_IN_PROGRESS"},
	{onboarding.ErrFatcaFormNotAllowed, 6007, "FATCA_FORM_NOT_ALLOWED"},
	{onboarding.ErrAuthSendLimit, 6008, "AUTH_SEND_LIMIT"},

	{account.ErrAccountNotFound, 2001, "NOT_FOUND_ACCOUNT"},
	{account.ErrActivityAccountNotFound, 2002, "NOT_FOUND_ACTIVITY_ACCOUNT"},
	{account.ErrActivityAccountNotOpen, 2003, "ACTIVITY_ACCOUNT_NOT_OPEN"},
	{account.ErrActivityAccountCurrency, 2004, "ACTIVITY_ACCOUNT_CURRENCY_MISMATCH"},
	{account.ErrCustodialCustomerNotFound, 2005, "NOT_FOUND_CUSTODIAL_CUSTOMER"},
	{account.ErrInvalidTransition, 2006, "INVALID_STATUS_TRANSITION"},
	{account.ErrCloseNonZeroBalance, 2007, "CLOSE_NON_ZERO_BALANCE"},
	{account.ErrClosePoolInUse, 2008, "CLOSE_POOL_ACCOUNT_IN_USE"},
	{account.ErrAccountClosed, 2009, "ACCOUNT_CLOSED"},
	{account.ErrAccountNotDormant, 2010, "ACCOUNT_NOT_DORMANT"},
	{account.ErrAccountFrozen, 2011, "ACCOUNT_FROZEN"},
	{account.ErrAccountNotFrozen, 2012, "ACCOUNT_NOT_FROZEN"},
	{account.ErrShortCodeExists, 2013, "SHORT_CODE_ALREADY_EXIST"},
	{account.ErrShortCodeNotFound, 2014, "NOT_FOUND_SHORT_CODE"},
	{account.ErrNotBusinessAccount, 2015, "NOT_BUSINESS_ACCOUNT"},
	{account.ErrAccountDormant, 2016, "ACCOUNT_DORMANT"},
	{account.ErrAccountPassive, 2017, "ACCOUNT_PASSIVE"},
	{account.ErrAccountBlocked, 2018, "ACCOUNT_BLOCKED"},
	{services.ErrCurrencyMismatch, 2019, "CURRENCY_MISMATCH"},
	{account.ErrAccountCannotReceive, 2020, "ACCOUNT_CANNOT_RECEIVE"},

	{otp.ErrOperationNotFound, 3001, "NOT_FOUND_OPERATION"},
	{otp.ErrOperationCompleted, 3002, "OPERATION_ALREADY_CONFIRMED"},
	{otp.ErrOperationCancelled, 3003, "OPERATION_CANCELLED"},
	{otp.ErrOperationExpired, 3004, "OPERATION_EXPIRED"},
	{otp.ErrOperationFailed, 3005, "OPERATION_FAILED_TOO_MANY_ATTEMPTS"},
	{otp.ErrWrongOTP, 3006, "WRONG_OTP"},
	{otp.ErrUseConfirmMobileChange, 3007, "USE_CONFIRM_MOBILE_CHANGE"},
	{otp.ErrNotMobileChange, 3008, "NOT_A_MOBILE_CHANGE"},
	{customer.ErrNoVerifiedContact, 3009, "NO_VERIFIED_CONTACT"},
	{contact.ErrContactMissing, 3010, "CONTACT_MISSING"},
	{contact.ErrContactAlreadyVerified, 3011, "CONTACT_ALREADY_VERIFIED"},
	{contact.ErrMobileChangeLimit, 3012, "MOBILE_CHANGE_DAILY_LIMIT"},
	{otp.ErrOTPOperationLimit, 3013, "OTP_OPERATION_LIMIT"},
}

// ErrorCatalogue lists every mapped error: code, reason and message, in the
// order of the table.
func ErrorCatalogue() []Error {
	out := make([]Error, 0, len(errorTable))
	for _, e := range errorTable {
		out = append(out, *toError(e.err))
	}
	return out
}

// toError maps an error returned by a service to a JSON-RPC error. The
// message is the sentinel's own text, never the wrapped chain, so that no
// personal data or internals reach the caller.
func toError(err error) *Error {
	var rpcErr *Error
	if errors.As(err, &rpcErr) {
		return rpcErr
	}
	if errors.Is(err, ErrCallTimeout) || errors.Is(err, context.DeadlineExceeded) {
		return callTimeoutError()
	}
	for _, e := range errorTable {
		if !errors.Is(err, e.err) {
			continue
		}
		out := &Error{Code: e.code, Message: e.err.Error(), Data: &ErrorData{Reason: e.reason}}
		var ve *services.ValidationError
		if errors.As(err, &ve) {
			out.Message = "Invalid params"
			out.Data.Fields = ve.Fields
		}
		var r *services.Refusal
		if errors.As(err, &r) {
			out.Data.Detail, out.Data.AttemptsLeft, out.Data.BRICode = r.Detail, r.AttemptsLeft, r.SchemeCode
			out.Data.OnboardingID, out.Data.State, out.Data.Checks = r.OnboardingID, r.State, r.Checks
			if r.RetryAfter > 0 {
				out.Data.RetryAfterSeconds = int((r.RetryAfter + time.Second - 1) / time.Second)
			}
		}
		return out
	}
	return internalError()
}

// InternalError is the error of anything the table does not map.
func InternalError() Error { return *internalError() }

func internalError() *Error {
	return &Error{Code: CodeInternal, Message: "Internal error", Data: &ErrorData{Reason: "INTERNAL_ERROR", Detail: "the server failed; the request may be retried with the same id"}}
}

// callTimeoutError is -32008 for a call that ran out of time: it may have
// taken effect or not, and a retry with the same id tells which.
func callTimeoutError() *Error {
	return &Error{Code: CodeCallTimeout, Message: ErrCallTimeout.Error(), Data: &ErrorData{Reason: "CALL_TIMEOUT",
		Detail: "the call ran out of time (server.call_timeout); a data-changing call may or may not have taken effect: retry with the same id to get its answer"}}
}

// notStartedError is -32008 for a batch element that was not run because the
// batch's deadline had passed or its client had gone.
func notStartedError(reason string) *Error {
	return &Error{Code: CodeCallTimeout, Message: ErrCallTimeout.Error(), Data: &ErrorData{Reason: reason,
		Detail: "the call was not started (nothing was changed); the request may be retried with the same id"}}
}

func protocolError(code int, reason, detail string) *Error {
	msg := map[int]string{
		CodeParseError:     "Parse error",
		CodeInvalidRequest: "Invalid Request",
		CodeMethodNotFound: "Method not found",
		CodeInvalidParams:  "Invalid params",
	}[code]
	return &Error{Code: code, Message: msg, Data: &ErrorData{Reason: reason, Detail: detail}}
}

func paramsError(fields ...services.FieldError) *Error {
	return &Error{Code: CodeInvalidParams, Message: "Invalid params", Data: &ErrorData{Reason: "INVALID_PARAMS", Fields: fields}}
}

// Bounds of what an error object may carry back, in bytes: a value the
// client sent (a member name, a method name) is never echoed unbounded.
const (
	maxErrorText   = 512 // message and detail
	maxFieldName   = 128 // a field's path
	maxFieldText   = 256 // a field's message
	maxFieldErrors = 20  // fields listed; the rest are summed up in one more
)

// ReasonTooManyErrors is the field reason of the entry that stands for the
// bad fields beyond maxFieldErrors.
const ReasonTooManyErrors = "TOO_MANY_ERRORS"

// bounded returns e, or a copy of it cut to the bounds above.
func bounded(e *Error) *Error {
	if e == nil || withinBounds(e) {
		return e
	}
	out := *e
	out.Message = payload.Truncate(e.Message, maxErrorText)
	if e.Data != nil {
		data := *e.Data
		data.Detail = payload.Truncate(data.Detail, maxErrorText)
		data.Fields = boundedFields(data.Fields)
		out.Data = &data
	}
	return &out
}

func withinBounds(e *Error) bool {
	if len(e.Message) > maxErrorText {
		return false
	}
	if e.Data == nil {
		return true
	}
	if len(e.Data.Detail) > maxErrorText || len(e.Data.Fields) > maxFieldErrors {
		return false
	}
	for _, f := range e.Data.Fields {
		if len(f.Field) > maxFieldName || len(f.Message) > maxFieldText || len(f.Reason) > maxFieldName {
			return false
		}
	}
	return true
}

func boundedFields(fields []services.FieldError) []services.FieldError {
	n := min(len(fields), maxFieldErrors)
	out := make([]services.FieldError, 0, n+1)
	for _, f := range fields[:n] {
		out = append(out, services.FieldError{Field: payload.Truncate(f.Field, maxFieldName),
			Reason: payload.Truncate(f.Reason, maxFieldName), Message: payload.Truncate(f.Message, maxFieldText)})
	}
	if rest := len(fields) - n; rest > 0 {
		out = append(out, services.FieldError{Field: "payload", Reason: ReasonTooManyErrors,
			Message: fmt.Sprintf("%d more bad fields are not listed", rest)})
	}
	return out
}

// SingleRequestStatus is the HTTP status of a single (unbatched) request
// answered with the error code: 429 with Retry-After for a rate-limited
// one, so that gateways and HTTP clients back off too, else 200. A batch
// is always 200: its elements have their own outcomes.
func SingleRequestStatus(code int) int {
	if code == CodeRateLimited {
		return http.StatusTooManyRequests
	}
	return http.StatusOK
}
