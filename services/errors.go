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

	// ErrCustomerNotFound means no customer of the calling partner matches.
	ErrCustomerNotFound = Refuse("customer not found")
	// ErrCustomerNotActive means the customer cannot get new accounts.
	ErrCustomerNotActive = Refuse("customer is not active")
	// ErrIdentificationExists means another customer of the partner already
	// holds the identification.
	ErrIdentificationExists = Refuse("customer identification already exists")
	// ErrEmailExists means another customer of the partner has the e-mail.
	ErrEmailExists = Refuse("customer e-mail already exists")
	// ErrPhoneExists means another customer of the partner has the phone.
	ErrPhoneExists = Refuse("customer phone number already exists")
	// ErrUserNotFound means no e-banking user of the partner matches.
	ErrUserNotFound = Refuse("e-banking user not found")
	// ErrUsernameExists means the username is taken (usernames are unique
	// across the bank, without regard to case).
	ErrUsernameExists = Refuse("username already exists")
	// ErrCustomerHasUser means the customer already has an e-banking user.
	ErrCustomerHasUser = Refuse("customer already has an e-banking user")
	// ErrUserClosed means the e-banking user is closed for good.
	ErrUserClosed = Refuse("e-banking user is closed")
	// ErrUserStatusUnchanged means the user already has the status asked.
	ErrUserStatusUnchanged = Refuse("e-banking user already has this status")
	// ErrNiceNumberHeld means another hold of the number is in force.
	ErrNiceNumberHeld = Refuse("nice number is held")
	// ErrNiceNumberTaken means an account has the number.
	ErrNiceNumberTaken = Refuse("nice number is taken by an account")
	// ErrNiceNumberReserved means the bank keeps the number back.
	ErrNiceNumberReserved = Refuse("nice number is reserved by the bank")
	// ErrNiceHoldNotFound means the partner holds no such number.
	ErrNiceHoldNotFound = Refuse("nice number hold not found")
	// ErrBlacklisted means an identification or the phone number is on the
	// partner's blacklist.
	ErrBlacklisted = Refuse("identity or phone number is blacklisted")

	// ErrAccountNotFound means no account of the calling partner matches.
	ErrAccountNotFound = Refuse("account not found")
	// ErrActivityAccountNotFound means the pool account named by
	// activityAccountNumber is not an account of the calling partner.
	ErrActivityAccountNotFound = Refuse("activity account not found")
	// ErrActivityAccountNotOpen means the pool account is closed or disabled.
	ErrActivityAccountNotOpen = Refuse("activity account is not open")
	// ErrActivityAccountCurrency means the pool account holds another
	// currency than the new account.
	ErrActivityAccountCurrency = Refuse("activity account currency differs from the account currency")
	// ErrCustodialCustomerNotFound means custodialCustomerID names no
	// customer of the calling partner.
	ErrCustodialCustomerNotFound = Refuse("custodial customer not found")

	// ErrInvalidTransition means the account's status cannot go to the
	// requested one (see the transition table in lifecycle.go).
	ErrInvalidTransition = Refuse("account status transition not allowed")
	// ErrCloseNonZeroBalance means an account with money on it was to be closed.
	ErrCloseNonZeroBalance = Refuse("account balance is not zero")
	// ErrClosePoolInUse means the account is the pool of other open accounts.
	ErrClosePoolInUse = Refuse("account is the pool account of other open accounts")
	// ErrAccountClosed means the account is CLOSED (or DISABLED) and takes no
	// operations.
	ErrAccountClosed = Refuse("account is closed")
	// ErrAccountNotDormant means ActivateAccount named an account that is not DORMANT.
	ErrAccountNotDormant = Refuse("account is not dormant")
	// ErrAccountFrozen means a freeze applies to the account.
	ErrAccountFrozen = Refuse("account is frozen")
	// ErrAccountNotFrozen means UnfreezeAccount named an account without a freeze in force.
	ErrAccountNotFrozen = Refuse("account is not frozen")
	// ErrShortCodeExists means the account already has its short code.
	ErrShortCodeExists = Refuse("account already has a short code")
	// ErrShortCodeNotFound means the account has no short code yet, or no
	// account of the partner has that code.
	ErrShortCodeNotFound = Refuse("short code not found")
	// ErrNotBusinessAccount means the account's customer is not a BUSINESS.
	ErrNotBusinessAccount = Refuse("account does not belong to a business customer")

	// ErrOperationNotFound means no pending operation of the partner has
	// that requestId.
	ErrOperationNotFound = Refuse("operation not found")
	// ErrOperationCompleted means the operation was already confirmed.
	ErrOperationCompleted = Refuse("operation already confirmed")
	// ErrOperationCancelled means the operation was cancelled.
	ErrOperationCancelled = Refuse("operation was cancelled")
	// ErrOperationExpired means the code's time ran out.
	ErrOperationExpired = Refuse("operation expired")
	// ErrOperationFailed means too many wrong codes were given.
	ErrOperationFailed = Refuse("operation failed after too many wrong codes")
	// ErrWrongOTP means a code did not match; data.attemptsLeft says how many remain.
	ErrWrongOTP = Refuse("wrong one-time code")
	// ErrUseConfirmMobileChange means ConfirmOTP was given a mobile change,
	// which needs its two codes.
	ErrUseConfirmMobileChange = Refuse("a mobile change needs both codes: use CustomerService.ConfirmMobileChange")
	// ErrNotMobileChange means ConfirmMobileChange was given another kind of operation.
	ErrNotMobileChange = Refuse("operation is not a mobile change: use VerificationService.ConfirmOTP")
	// ErrNoVerifiedContact means the customer has no verified mobile or
	// e-mail to receive a code.
	ErrNoVerifiedContact = Refuse("customer has no verified mobile number or e-mail to receive a code")
	// ErrContactMissing means the customer has no contact of the kind asked.
	ErrContactMissing = Refuse("customer has no such contact to verify")
	// ErrContactAlreadyVerified means the contact was verified before.
	ErrContactAlreadyVerified = Refuse("contact is already verified")
	// ErrMobileChangeLimit means the customer made the day's allowed mobile-change requests.
	ErrMobileChangeLimit = RefuseForNow("mobile change requests for today are used up")
	// ErrOTPOperationLimit means the customer started the hour's allowed
	// one-time-code operations; the refusal says when the next is allowed.
	ErrOTPOperationLimit = RefuseForNow("one-time-code operations for this hour are used up")

	// ErrAccountPassive means the account is SUSPENDED (or DISABLED).
	ErrAccountPassive = Refuse("account is passive")
	// ErrAccountDormant means the account is DORMANT.
	ErrAccountDormant = Refuse("account is dormant")
	// ErrAccountBlocked means the account is BLOCKED.
	ErrAccountBlocked = Refuse("account is blocked")
	// ErrCurrencyMismatch means the account holds another currency than asked.
	ErrCurrencyMismatch = Refuse("account currency differs from the requested currency")
	// ErrAccountCannotReceive means the account's type or role takes no
	// transfers from outside (GL, loan, deposit, virtual or pool accounts).
	ErrAccountCannotReceive = Refuse("account cannot receive transfers")

	// ErrOnboardingNotFound means the partner has no such onboarding package.
	ErrOnboardingNotFound = Refuse("onboarding package not found")
	// ErrOnboardingState means the call does not fit the package's state;
	// the refusal names the state.
	ErrOnboardingState = Refuse("the onboarding package is not in a state that allows this call")
	// ErrOnboardingChecksFailed means InitCustomerInfo's checks failed: the
	// package is REJECTED and every check is listed.
	ErrOnboardingChecksFailed = Refuse("onboarding checks failed")
	// ErrPictureRejected means an uploaded picture failed its checks; every
	// check is listed with how many uploads remain.
	ErrPictureRejected = Refuse("picture rejected")
	// ErrOnboardingExpired means the package ran out of time.
	ErrOnboardingExpired = Refuse("onboarding package expired")
	// ErrOnboardingInProgress means the partner has an open package for the
	// same document.
	ErrOnboardingInProgress = Refuse("an onboarding package for this document is already open")
	// ErrFatcaFormNotAllowed means a W-8BEN was given for a US citizen or
	// resident, who must give a W-9.
	ErrFatcaFormNotAllowed = Refuse("this FATCA form does not fit the answers")
	// ErrAuthSendLimit means InitAuthen sent its codes as often as allowed.
	ErrAuthSendLimit = RefuseForNow("the one-time code of this onboarding was sent as often as allowed")

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
