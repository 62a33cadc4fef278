package services

import (
	"errors"
	"strings"
)

// Sentinel errors. Services wrap them with %w and a short prefix naming the
// operation; the transport maps each to a JSON-RPC code and a stable reason
// in one table (rpc/errors.go). Anything else is an internal error.
var (
	// ErrInvalidInput is wrapped by *ValidationError: the request's fields are
	// missing, malformed or not allowed.
	ErrInvalidInput = errors.New("invalid params")

	// ErrUnauthenticated covers an unknown key, a revoked key and a wrong
	// credential alike, so that the error tells a caller nothing more.
	ErrUnauthenticated = errors.New("authentication failed: unknown or revoked key, or wrong credential")
	// ErrInvalidSignature means the payload signature is missing, malformed
	// or does not verify with the key's public key.
	ErrInvalidSignature = errors.New("invalid signature")
	// ErrIdempotencyConflict means the request id was already used, within
	// the idempotency window, for another method or another payload.
	ErrIdempotencyConflict = errors.New("request id already used for another request")
	// ErrRequestInProgress means a request with the same id is still running.
	ErrRequestInProgress = errors.New("a request with this id is still in progress")
	// ErrPermissionDenied means the key is limited to other methods.
	ErrPermissionDenied = errors.New("this key may not call this method")
	// ErrRateLimited means the partner is over its tier's requests per minute.
	ErrRateLimited = errors.New("rate limit exceeded for the partner's package tier")

	// ErrCustomerNotFound means no customer of the calling partner matches.
	ErrCustomerNotFound = errors.New("customer not found")
	// ErrCustomerNotActive means the customer cannot get new accounts.
	ErrCustomerNotActive = errors.New("customer is not active")
	// ErrIdentificationExists means another customer of the partner already
	// holds the identification.
	ErrIdentificationExists = errors.New("customer identification already exists")
	// ErrEmailExists means another customer of the partner has the e-mail.
	ErrEmailExists = errors.New("customer e-mail already exists")
	// ErrPhoneExists means another customer of the partner has the phone.
	ErrPhoneExists = errors.New("customer phone number already exists")

	// ErrAccountNotFound means no account of the calling partner matches.
	ErrAccountNotFound = errors.New("account not found")
	// ErrActivityAccountNotFound means the pool account named by
	// activityAccountNumber is not an account of the calling partner.
	ErrActivityAccountNotFound = errors.New("activity account not found")
	// ErrActivityAccountNotOpen means the pool account is closed or disabled.
	ErrActivityAccountNotOpen = errors.New("activity account is not open")
	// ErrActivityAccountCurrency means the pool account holds another
	// currency than the new account.
	ErrActivityAccountCurrency = errors.New("activity account currency differs from the account currency")
	// ErrCustodialCustomerNotFound means custodialCustomerID names no
	// customer of the calling partner.
	ErrCustodialCustomerNotFound = errors.New("custodial customer not found")

	// ErrPartnerNotFound means no partner has that name.
	ErrPartnerNotFound = errors.New("partner not found")
	// ErrKeyNotFound means no API key has that id.
	ErrKeyNotFound = errors.New("api key not found")
	// ErrKeyRevoked means the API key was already revoked.
	ErrKeyRevoked = errors.New("api key already revoked")
	// ErrNumberTaken is returned by Tx inserts when a generated number (an ID,
	// a customer or account number) is already used; the caller draws again.
	ErrNumberTaken = errors.New("generated number already taken")
)

// Field error reasons, stable UPPER_SNAKE strings returned in
// error.data.fields[].reason.
const (
	ReasonRequired       = "REQUIRED"
	ReasonUnknownField   = "UNKNOWN_FIELD"
	ReasonDuplicateField = "DUPLICATE_FIELD"
	ReasonInvalidType    = "INVALID_TYPE"
	ReasonInvalidFormat  = "INVALID_FORMAT"
	ReasonInvalidValue   = "INVALID_VALUE"
	ReasonNotAllowed     = "NOT_ALLOWED"
	ReasonTooLong        = "TOO_LONG"
	ReasonFutureDate     = "FUTURE_DATE"
	ReasonConflict       = "CONFLICT"
)

// FieldError names one bad field by its path in the payload
// (e.g. "contact.email", "identification[1].value").
type FieldError struct {
	Field   string `json:"field"`
	Reason  string `json:"reason"`
	Message string `json:"message,omitempty"`
}

// ValidationError lists every bad field of a request. It wraps
// ErrInvalidInput.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		parts = append(parts, f.Field+": "+f.Reason)
	}
	return "invalid params: " + strings.Join(parts, "; ")
}

// Unwrap lets errors.Is(err, ErrInvalidInput) match.
func (e *ValidationError) Unwrap() error { return ErrInvalidInput }

// checker collects field errors while a request is validated.
type checker struct {
	fields []FieldError
}

func (c *checker) add(field, reason, message string) {
	c.fields = append(c.fields, FieldError{Field: field, Reason: reason, Message: message})
}

// required records a REQUIRED error when value is empty and reports whether
// the value was present.
func (c *checker) required(field, value string) bool {
	if strings.TrimSpace(value) == "" {
		c.add(field, ReasonRequired, "is required")
		return false
	}
	return true
}

// notAllowed records a NOT_ALLOWED error when value is set.
func (c *checker) notAllowed(field, value, why string) {
	if value != "" {
		c.add(field, ReasonNotAllowed, why)
	}
}

func (c *checker) err() error {
	if len(c.fields) == 0 {
		return nil
	}
	return &ValidationError{Fields: c.fields}
}
