package services

import (
	"errors"
	"strings"
	"time"
)

// Sentinel errors. Services wrap them with %w and a short prefix naming the
// operation; the transport maps each to a JSON-RPC code and a stable reason
// in one table (rpc/errors.go). Anything else is an internal error.
//
// Those made with Refuse or RefuseForNow refuse a call for a reason of the
// request itself: the audit trail records them, and a request id keeps a
// Refuse refusal (see RefusalReason). The others (authentication, rate
// limits, storage's ErrNumberTaken) are answered before or outside a
// call's transaction.
var (
	// ErrInvalidInput is wrapped by *ValidationError: the request's fields are
	// missing, malformed or not allowed.
	ErrInvalidInput = RefuseForNow("invalid params")

	// ErrUnauthenticated covers an unknown key, a revoked key and a wrong
	// credential alike, so that the error tells a caller nothing more.
	ErrUnauthenticated = errors.New("authentication failed: unknown or revoked key, or wrong credential")
	// ErrInvalidSignature means the payload signature is missing, malformed
	// or does not verify with the key's public key.
	ErrInvalidSignature = errors.New("invalid signature")
	// ErrTimestampOutOfWindow means params.api.timestamp is further from the
	// server's clock than auth.max_clock_skew.
	ErrTimestampOutOfWindow = errors.New("request timestamp is outside the accepted window")
	// ErrIdempotencyConflict means the request id was already used, within
	// the idempotency window, for another method or another payload.
	ErrIdempotencyConflict = RefuseForNow("request id already used for another request")
	// ErrRequestInProgress means a request with the same id is still running.
	ErrRequestInProgress = RefuseForNow("a request with this id is still in progress")
	// ErrPermissionDenied means the key is limited to other methods.
	ErrPermissionDenied = errors.New("this key may not call this method")
	// ErrRateLimited means the partner is over its tier's requests per minute.
	ErrRateLimited = errors.New("rate limit exceeded for the partner's package tier")

	// ErrCurrencyMismatch means the account holds another currency than asked.
	ErrCurrencyMismatch = Refuse("account currency differs from the requested currency")

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

// Checker collects field errors while a request is validated.
type Checker struct {
	fields []FieldError
}

func (c *Checker) Add(field, reason, message string) {
	c.fields = append(c.fields, FieldError{Field: field, Reason: reason, Message: message})
}

// required records a REQUIRED error when value is empty and reports whether
// the value was present.
func (c *Checker) Required(field, value string) bool {
	if strings.TrimSpace(value) == "" {
		c.Add(field, ReasonRequired, "is required")
		return false
	}
	return true
}

// notAllowed records a NOT_ALLOWED error when value is set.
func (c *Checker) NotAllowed(field, value, why string) {
	if value != "" {
		c.Add(field, ReasonNotAllowed, why)
	}
}

// Refusal adds facts a caller can act on to a refusal: the remaining code
// attempts, or the code a foreign scheme uses for it (BRI's responseCode).
type Refusal struct {
	Err          error
	AttemptsLeft *int
	SchemeCode   string // e.g. BRI's "0618"
	Detail       string // a fixed explanation without personal data
	// Checks lists every check of a refused onboarding step.
	Checks []EKYCCheck
	// OnboardingID and State name the onboarding package and its state.
	OnboardingID string
	State        string
	// RetryAfter is how long the caller should wait before asking again.
	RetryAfter time.Duration
}

func (r *Refusal) Error() string { return r.Err.Error() }

// Unwrap exposes the sentinel error.
func (r *Refusal) Unwrap() error { return r.Err }

func (c *Checker) Err() error {
	if len(c.fields) == 0 {
		return nil
	}
	return &ValidationError{Fields: c.fields}
}

// EKYCCheck is the result of one check of ValidateEKYC.
type EKYCCheck struct {
	Name     string    `json:"name"`
	Passed   bool      `json:"passed"`
	Problems []Problem `json:"problems"`
}

// Problem is one thing a validation method found wrong, with a stable code.
type Problem struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Include puts the fields of err, when it is a *ValidationError, before the
// fields c has found.
func (c *Checker) Include(err error) {
	var ve *ValidationError
	if errors.As(err, &ve) {
		c.fields = append(append([]FieldError(nil), ve.Fields...), c.fields...)
	}
}

// refused is the type of the sentinel errors made by Refuse and
// RefuseForNow.
type refused struct {
	text string
	// forNow marks a refusal that a request id does not remember: about the
	// id itself, about the input alone (the same input is refused again
	// anyway), or a limit that resets with time, which a retry under the
	// same id must be able to pass once it has.
	forNow bool
}

func (e *refused) Error() string { return e.text }

// refusalsByText finds a sentinel by its text, for stored refusals.
var refusalsByText = map[string]*refused{}

// Refuse returns a new refusal sentinel with text, which must be unique and
// hold no personal data.
func Refuse(text string) error { return newRefused(text, false) }

// RefuseForNow returns a refusal sentinel that a request id does not keep.
func RefuseForNow(text string) error { return newRefused(text, true) }

func newRefused(text string, forNow bool) error {
	if _, dup := refusalsByText[text]; dup {
		panic("services: two refusals with the text " + text)
	}
	e := &refused{text: text, forNow: forNow}
	refusalsByText[text] = e
	return e
}

// RefusalReason is the sentinel text of a refusal, which holds no personal
// data, or "" when err is not a refusal (an internal error).
func RefusalReason(err error) string {
	var r *refused
	if errors.As(err, &r) {
		return r.text
	}
	return ""
}
