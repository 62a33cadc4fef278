// Package notify delivers one-time codes to customers on behalf of the outbox dispatcher.
package notify

import (
	"context"
	"errors"
	"time"
)

// Message is one message to deliver.
type Message struct {
	ID        int64     // outbox id, stable across retries (receivers deduplicate on it)
	RequestID string    // the operation's requestId
	Channel   string    // "sms" or "email"
	To        string    // E.164 phone number or e-mail address
	MaskedTo  string    // the destination with most characters hidden, for logs
	Purpose   string    // what the code proves: OTP, PROVE_ID, CONFIRM_CHANGE
	Code      string    // the 6-digit code
	Text      string    // the full text for the customer
	ExpiresAt time.Time // when the code stops working
}

// Sender delivers a message. Send returns nil when the message was handed
// over, an error wrapping ErrPermanent when trying again cannot help, and any
// other error when the message was not delivered and should be retried later.
// Error texts never contain the code, the destination or the message body.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrPermanent marks a delivery failure that retrying will not fix.
var ErrPermanent = errors.New("permanent delivery failure")

const (
	firstBackoff = 2 * time.Second
	maxBackoff   = 5 * time.Minute
)

// Backoff returns how long to wait after the given failed attempt (counted
// from 1) before trying again: 2s, 4s, 8s, ... doubling up to 5 minutes. It
// is deterministic; attempts below 1 count as 1.
func Backoff(attempt int) time.Duration {
	d := firstBackoff
	for i := 1; i < attempt; i++ {
		d *= 2
		if d >= maxBackoff {
			return maxBackoff
		}
	}
	return d
}
