package otp

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/accountd/accountd/services"

	"github.com/accountd/accountd/services/notify"
)

// sealer encrypts the outbox's destinations and texts (AES-256-GCM), so that
// codes are not readable in the database while they wait to be sent.
// Replicas that share the key (otp.message_key) deliver each other's
// messages; the fingerprint tells which messages a key can open.
type sealer struct {
	aead        cipher.AEAD
	fingerprint string
}

// newSealer uses key (32 bytes), or a random key for this process alone when
// key is empty.
func newSealer(key []byte) (*sealer, error) {
	if len(key) == 0 {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("draw outbox key: %w", err)
		}
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("outbox key: want 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("outbox key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("outbox key: %w", err)
	}
	sum := sha256.Sum256(append([]byte("accountd outbox key\x00"), key...))
	return &sealer{aead: aead, fingerprint: hex.EncodeToString(sum[:8])}, nil
}

func (s *sealer) seal(plain []byte) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal message: %w", err)
	}
	return base64.StdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, nil)), nil
}

func (s *sealer) open(sealed string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(b) < s.aead.NonceSize() {
		return nil, errors.New("open message: not a sealed message")
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, b[:n], b[n:], nil)
	if err != nil {
		return nil, fmt.Errorf("open message: %w", err)
	}
	return plain, nil
}

// sealedBody is what the outbox keeps encrypted.
type sealedBody struct {
	To   string `json:"to"`
	Code string `json:"code"`
	Text string `json:"text"`
}

// outboxMessage builds the queued message carrying code to t.
func (s *Service) outboxMessage(op Operation, t CodeTarget, code string, now time.Time) (OutboxMessage, error) {
	body, err := json.Marshal(sealedBody{To: t.To, Code: code, Text: messageText(s.effects[op.Kind].Purpose, t.Purpose, code, op.ExpiresAt.Sub(now).Round(time.Second))})
	if err != nil {
		return OutboxMessage{}, fmt.Errorf("encode message: %w", err)
	}
	sealed, err := s.sealer.seal(body)
	if err != nil {
		return OutboxMessage{}, err
	}
	return OutboxMessage{RequestID: op.RequestID, Channel: t.Channel, Purpose: t.Purpose, MaskedTo: maskContact(t.To),
		KeyFingerprint: s.sealer.fingerprint, Sealed: sealed, Status: MsgPending, NextAttemptAt: now,
		ExpiresAt: op.ExpiresAt, CreatedAt: now}, nil
}

// messageText is the text the customer receives.
func messageText(opPurpose, purpose, code string, ttl time.Duration) string {
	what := "to " + opPurpose
	switch purpose {
	case PurposeProveID:
		what = "to confirm that you are changing your mobile number"
	case PurposeConfirmChange:
		what = "to confirm this as your new mobile number"
	}
	return fmt.Sprintf("Your code %s is %s. It expires in %s. Never share it with anyone.", what, code, ttl)
}

// maskContact hides most of a phone number or e-mail address:
// +254712345678 -> +2547*****678, jane.doe@example.com -> j*******@example.com.
func maskContact(to string) string {
	if local, domain, ok := strings.Cut(to, "@"); ok {
		r := []rune(local)
		if len(r) <= 1 {
			return "*@" + domain
		}
		return string(r[0]) + strings.Repeat("*", len(r)-1) + "@" + domain
	}
	if len(to) <= 7 {
		return strings.Repeat("*", len(to))
	}
	return to[:5] + strings.Repeat("*", len(to)-8) + to[len(to)-3:]
}

// Sender delivers messages; errors other than notify.ErrPermanent are
// retried with backoff until the message expires.
type Sender interface {
	Send(ctx context.Context, m notify.Message) error
}

// DispatchReport counts what one dispatch round did.
type DispatchReport struct {
	Sent, Retried, Expired, Failed int
}

// dispatchBatch and dispatchLease bound one round: a dispatcher holds the
// messages it claimed for the lease, and another may take them after that
// if it died.
const (
	dispatchBatch = 5
	dispatchLease = 90 * time.Second // more than dispatchBatch sends at a gateway's 10 s timeout
)

// DispatchOnce claims the due messages this process can open and delivers
// them through sender: a delivered message is marked SENT, one that failed
// is tried again after notify.Backoff, one past its expiry is given up. Each
// message is delivered at least once: a process that dies between sending
// and marking leaves the message to be claimed again after the lease.
func (s *Service) DispatchOnce(ctx context.Context, sender Sender) (DispatchReport, error) {
	var rep DispatchReport
	var claimed []OutboxMessage
	now := s.k.Clock.Now()
	err := services.Update(ctx, s.k.Store, func(tx Tx) error {
		expired, err := tx.ExpireOutbox(ctx, now)
		if err != nil {
			return err
		}
		rep.Expired += int(expired)
		claimed, err = tx.ClaimOutbox(ctx, s.sealer.fingerprint, now, now.Add(dispatchLease), dispatchBatch)
		return err
	})
	if err != nil {
		return rep, fmt.Errorf("claim outbox: %w", err)
	}
	var errs []error
	for _, m := range claimed {
		if err := s.deliver(ctx, sender, m, &rep); err != nil {
			errs = append(errs, err)
		}
	}
	return rep, errors.Join(errs...)
}

// deliver sends one claimed message and records the outcome.
func (s *Service) deliver(ctx context.Context, sender Sender, m OutboxMessage, rep *DispatchReport) error {
	finish := func(status, lastErr string) error {
		return services.Update(ctx, s.k.Store, func(tx Tx) error { return tx.FinishOutbox(ctx, m.ID, status, lastErr, s.k.Clock.Now()) })
	}
	if !s.k.Clock.Now().Before(m.ExpiresAt) {
		rep.Expired++
		return finish(MsgExpired, "expired before delivery")
	}
	plain, err := s.sealer.open(m.Sealed)
	var body sealedBody
	if err == nil {
		err = json.Unmarshal(plain, &body)
	}
	if err != nil {
		rep.Failed++
		return errors.Join(fmt.Errorf("message %d: %w", m.ID, err), finish(MsgFailed, "cannot be opened"))
	}
	sendErr := sender.Send(ctx, notify.Message{ID: m.ID, RequestID: m.RequestID, Channel: m.Channel, To: body.To,
		MaskedTo: m.MaskedTo, Purpose: m.Purpose, Code: body.Code, Text: body.Text, ExpiresAt: m.ExpiresAt})
	switch {
	case sendErr == nil:
		rep.Sent++
		return finish(MsgSent, "")
	case errors.Is(sendErr, notify.ErrPermanent):
		rep.Failed++
		return errors.Join(fmt.Errorf("message %d: %w", m.ID, sendErr), finish(MsgFailed, sendErr.Error()))
	}
	next := s.k.Clock.Now().Add(notify.Backoff(m.Attempts))
	if !next.Before(m.ExpiresAt) {
		rep.Expired++
		return errors.Join(fmt.Errorf("message %d: %w", m.ID, sendErr), finish(MsgExpired, sendErr.Error()))
	}
	rep.Retried++
	err = services.Update(ctx, s.k.Store, func(tx Tx) error { return tx.RetryOutbox(ctx, m.ID, next, sendErr.Error()) })
	return errors.Join(fmt.Errorf("message %d: %w", m.ID, sendErr), err)
}

// Wake returns a channel that receives when new messages were queued by
// this process, so that the dispatcher loop sends them at once instead of at
// its next tick.
func (s *Service) Wake() <-chan struct{} { return s.wake }

// WakeDispatcher signals the dispatcher loop after a commit that queued
// messages.
func (s *Service) WakeDispatcher() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
