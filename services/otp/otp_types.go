package otp

import "time"

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
