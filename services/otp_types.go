package services

import "time"

// Operation kinds: what confirming an OTP operation does.
const (
	OpActivateAccount = "ACTIVATE_ACCOUNT" // a DORMANT account becomes ACTIVE
	OpAddEmail        = "ADD_OR_UPDATE_EMAIL"
	OpVerifyEmail     = "VERIFY_EMAIL"
	OpVerifyMobile    = "VERIFY_MOBILE"
	OpChangeMobile    = "CHANGE_MOBILE" // two codes: old number and new number
)

// Operation statuses.
const (
	OpPending   = "PENDING"
	OpCompleted = "COMPLETED"
	OpCancelled = "CANCELLED"
	OpExpired   = "EXPIRED"
	OpFailed    = "FAILED"
)

// Operation is a change that waits for the customer's one-time code(s). Only
// hashes of the codes are stored.
type Operation struct {
	RequestID      string
	PartnerID      int64
	KeyID          string
	Kind           string
	CustomerID     int64
	AccountID      int64  // 0 when the operation is about the customer
	Params         string // JSON object: what the change sets (new e-mail, new phone)
	Status         string
	Attempts       int // wrong codes given so far
	CodeHash       string
	SecondCodeHash string // CHANGE_MOBILE: the code sent to the new number
	ExpiresAt      time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Outbox message statuses.
const (
	MsgPending   = "PENDING"
	MsgSent      = "SENT"
	MsgCancelled = "CANCELLED"
	MsgExpired   = "EXPIRED"
	MsgFailed    = "FAILED"
)

// Message channels.
const (
	ChannelSMS   = "sms"
	ChannelEmail = "email"
)

// OutboxMessage is a message to a customer, queued in the transaction that
// needs it. Sealed holds the destination and the text encrypted under the
// dispatcher's key (KeyFingerprint names it); it is emptied once the message
// is sent or given up.
type OutboxMessage struct {
	ID             int64
	RequestID      string
	Channel        string // sms or email
	Purpose        string // what the code proves, e.g. OTP, PROVE_ID, CONFIRM_CHANGE
	MaskedTo       string // the destination with most characters hidden
	KeyFingerprint string
	Sealed         string
	Status         string
	Attempts       int
	NextAttemptAt  time.Time
	LeaseUntil     time.Time
	ExpiresAt      time.Time
	LastError      string
	CreatedAt      time.Time
	SentAt         time.Time // zero until sent
}

// MobileChangeRequest is one ChangeMobile request, counted for the daily
// limit whatever its outcome.
type MobileChangeRequest struct {
	CustomerID int64
	PartnerID  int64
	Day        string // YYYY-MM-DD in the bank's time zone
	Outcome    string // OK or the refusal reason
	At         time.Time
}

// StatusChange is one entry of an account's status history: a status change
// or a freeze event.
type StatusChange struct {
	AccountID  int64
	PartnerID  int64
	Event      string // STATUS_CHANGE, FREEZE, UNFREEZE, FREEZE_EXPIRED
	FromStatus string
	ToStatus   string
	ReasonCode string
	Reason     string
	KeyID      string // the calling key, or "system" for the sweeps
	At         time.Time
}

// Status history events.
const (
	EventStatusChange  = "STATUS_CHANGE"
	EventFreeze        = "FREEZE"
	EventUnfreeze      = "UNFREEZE"
	EventFreezeExpired = "FREEZE_EXPIRED"
)
