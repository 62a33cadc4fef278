package otp

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/accountd/accountd/services"
)

// Code purposes: what each one-time code proves.
const (
	PurposeOTP           = "OTP"            // the operation's single code
	PurposeProveID       = "PROVE_ID"       // mobile change: sent to the old number
	PurposeConfirmChange = "CONFIRM_CHANGE" // mobile change: sent to the new number
)

// MaxOTPAttempts is how many wrong codes fail an operation.
const MaxOTPAttempts = 5

// otpDigits is the length of a one-time code.
const otpDigits = 6

// newOTP draws a 6-digit code from crypto/rand, leading zeros allowed.
func newOTP() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("draw one-time code: %w", err)
	}
	return fmt.Sprintf("%0*d", otpDigits, n.Int64()), nil
}

// hashOTP is what is stored of a code: HMAC-SHA256 under a key derived
// from otp.message_key over the request id, the purpose and the code, so
// that someone who reads the database (or a backup) cannot try the million
// codes against it. Without a message key it is a plain SHA-256, which such
// a reader can reverse; the server warns about that at start.
func (s *Service) hashOTP(requestID, purpose, code string) string {
	msg := []byte(requestID + "\x00" + purpose + "\x00" + code)
	if s.otpKey == nil {
		sum := sha256.Sum256(msg)
		return hex.EncodeToString(sum[:])
	}
	m := hmac.New(sha256.New, s.otpKey)
	m.Write(msg)
	return hex.EncodeToString(m.Sum(nil))
}

func (s *Service) otpMatches(hash, requestID, purpose, code string) bool {
	want := s.hashOTP(requestID, purpose, code)
	return subtle.ConstantTimeCompare([]byte(hash), []byte(want)) == 1
}

// codeTarget is where one code of an operation goes.
type CodeTarget struct {
	Purpose string
	Channel string // ChannelSMS or ChannelEmail
	To      string // E.164 number or e-mail address
}

// SentTo tells the partner where a code went, without the full destination.
type SentTo struct {
	Purpose string `json:"purpose"`
	Channel string `json:"channel"`
	To      string `json:"to"`
}

// OperationStarted is what a call that starts an OTP-confirmed operation
// returns: the requestId to confirm or cancel it with, when it expires and
// where the codes went.
type OperationStarted struct {
	RequestID  string   `json:"requestId"`
	Operation  string   `json:"operation"`
	Status     string   `json:"status"`
	ExpiresAt  int64    `json:"expiresAt"`
	SentTo     []SentTo `json:"sentTo"`
	CustomerID string   `json:"customerID,omitempty"`
	AccountID  string   `json:"accountId,omitempty"`
	// OnboardingID names the package whose code InitAuthen sent.
	OnboardingID string `json:"onboardingId,omitempty"`
}

func (r OperationStarted) AuditEntities() map[string]string {
	m := map[string]string{"requestId": r.RequestID, "operation": r.Operation, "customerId": r.CustomerID}
	if r.AccountID != "" {
		m["accountNumber"] = r.AccountID
	}
	if r.OnboardingID != "" {
		m["onboardingId"] = r.OnboardingID
	}
	return m
}

// startOperation stores op as PENDING with a fresh code for each target and
// queues the messages in tx. op's kind, customer, account and params are set
// by the caller, and its ExpiresAt when the code must expire before
// Settings.OTPTTL is up. An operation for a customer is refused with
// ErrOTPOperationLimit when the customer's hourly allowance is used up;
// every caller holds the customer's row (LockCustomer), so that concurrent
// calls for one customer are counted one after another.
func (s *Service) StartOperation(ctx context.Context, t services.Tx, call services.Call, op Operation, accountNumber string, targets []CodeTarget) (OperationStarted, error) {
	tx := services.As[Tx](t)
	if _, ok := s.effects[op.Kind]; !ok {
		return OperationStarted{}, fmt.Errorf("start operation: kind %q has no effect registered", op.Kind)
	}
	now := s.k.Clock.Now()
	if op.CustomerID != 0 {
		if err := s.checkOperationRate(ctx, tx, op.CustomerID, now); err != nil {
			return OperationStarted{}, err
		}
	}
	op.PartnerID, op.KeyID, op.Status = call.PartnerID, call.KeyID, OpPending
	expires := now.Add(s.settings.TTL)
	if !op.ExpiresAt.IsZero() && op.ExpiresAt.Before(expires) {
		expires = op.ExpiresAt // the operation cannot outlive what it is for
	}
	op.CreatedAt, op.UpdatedAt, op.ExpiresAt = now, now, expires
	codes := make([]string, len(targets))
	inserted := false
	for attempt := 0; attempt < services.MaxDraws && !inserted; attempt++ {
		id, err := NewRequestID()
		if err != nil {
			return OperationStarted{}, err
		}
		op.RequestID = id
		for i, t := range targets {
			if codes[i], err = newOTP(); err != nil {
				return OperationStarted{}, err
			}
			if i == 0 {
				op.CodeHash = s.hashOTP(id, t.Purpose, codes[i])
			} else {
				op.SecondCodeHash = s.hashOTP(id, t.Purpose, codes[i])
			}
		}
		err = tx.InsertOperation(ctx, op)
		if err != nil && !errors.Is(err, services.ErrNumberTaken) {
			return OperationStarted{}, err
		}
		inserted = err == nil
	}
	if !inserted {
		return OperationStarted{}, fmt.Errorf("draw request id: %w", services.ErrNumberTaken)
	}
	out := OperationStarted{RequestID: op.RequestID, Operation: op.Kind, Status: OpPending, ExpiresAt: op.ExpiresAt.Unix(),
		CustomerID: services.FormatID(op.CustomerID), AccountID: accountNumber}
	for i, t := range targets {
		m, err := s.outboxMessage(op, t, codes[i], now)
		if err != nil {
			return OperationStarted{}, err
		}
		if err := tx.InsertOutbox(ctx, &m); err != nil {
			return OperationStarted{}, err
		}
		out.SentTo = append(out.SentTo, SentTo{Purpose: t.Purpose, Channel: t.Channel, To: m.MaskedTo})
	}
	return out, nil
}

// otpRateWindow is the span in which a customer's one-time-code operations
// are counted against Settings.OTPOperationsPerHour.
const otpRateWindow = time.Hour

// checkOperationRate refuses a new operation for a customer who has
// started Settings.OTPOperationsPerHour of them (of any kind, whatever
// became of them) in the last hour, saying when the next is allowed: an
// hour after the oldest of those that count. A refused call starts no
// operation and so does not count.
func (s *Service) checkOperationRate(ctx context.Context, tx Tx, customerID int64, now time.Time) error {
	limit := s.settings.OperationsPerHour
	recent, err := tx.RecentOperations(ctx, customerID, now.Add(-otpRateWindow), limit)
	if err != nil {
		return err
	}
	if len(recent) < limit {
		return nil
	}
	next := recent[limit-1].Add(otpRateWindow)
	return &services.Refusal{Err: ErrOTPOperationLimit, RetryAfter: next.Sub(now),
		Detail: fmt.Sprintf("a customer may be sent codes for %d operations an hour; the next is allowed at %s",
			limit, next.UTC().Format(time.RFC3339))}
}

// newRequestID draws an operation's requestId: 32 hex digits.
func NewRequestID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("draw request id: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// ConfirmOTPInput is VerificationService.ConfirmOTP's payload.
type ConfirmOTPInput struct {
	RequestID string `json:"requestId" size:"id"`
	OTP       string `json:"otp" size:"code"`
}

// ConfirmMobileChangeInput is CustomerService.ConfirmMobileChange's payload:
// the code sent to the old number and the one sent to the new number.
type ConfirmMobileChangeInput struct {
	RequestID         string `json:"requestId" size:"id"`
	ProveIDCode       string `json:"proveIdCode" size:"code"`
	ConfirmChangeCode string `json:"confirmChangeCode" size:"code"`
}

// OperationConfirmed is what confirming an operation returns.
type OperationConfirmed struct {
	RequestID     string `json:"requestId"`
	Operation     string `json:"operation"`
	Status        string `json:"status"`
	CustomerID    string `json:"customerID"`
	AccountID     string `json:"accountId,omitempty"`
	AccountStatus string `json:"accountStatus,omitempty"`
	Verified      string `json:"verified,omitempty"` // email or mobile, for contact operations
	// OnboardingID and Username are a completed onboarding's package and
	// e-banking user.
	OnboardingID string `json:"onboardingId,omitempty"`
	Username     string `json:"username,omitempty"`
}

func (r OperationConfirmed) AuditEntities() map[string]string {
	m := map[string]string{"requestId": r.RequestID, "operation": r.Operation, "customerId": r.CustomerID}
	if r.AccountID != "" {
		m["accountNumber"] = r.AccountID
	}
	if r.OnboardingID != "" {
		m["onboardingId"] = r.OnboardingID
	}
	return m
}

// ConfirmOTP completes a pending single-code operation with its code.
func (s *Service) ConfirmOTP(ctx context.Context, call services.Call, in ConfirmOTPInput) (OperationConfirmed, error) {
	var ck checker
	ck.checkRequestID(in.RequestID)
	ck.checkCode("otp", in.OTP)
	if err := ck.Err(); err != nil {
		return OperationConfirmed{}, fmt.Errorf("confirm otp: %w", err)
	}
	res, err := s.confirm(ctx, call, in, in.RequestID, map[string]string{PurposeOTP: in.OTP})
	if err != nil {
		return OperationConfirmed{}, fmt.Errorf("confirm otp: %w", err)
	}
	return res, nil
}

// ConfirmMobileChange completes a mobile change with both of its codes.
func (s *Service) ConfirmMobileChange(ctx context.Context, call services.Call, in ConfirmMobileChangeInput) (OperationConfirmed, error) {
	var ck checker
	ck.checkRequestID(in.RequestID)
	ck.checkCode("proveIdCode", in.ProveIDCode)
	ck.checkCode("confirmChangeCode", in.ConfirmChangeCode)
	if err := ck.Err(); err != nil {
		return OperationConfirmed{}, fmt.Errorf("confirm mobile change: %w", err)
	}
	codes := map[string]string{PurposeProveID: in.ProveIDCode, PurposeConfirmChange: in.ConfirmChangeCode}
	res, err := s.confirm(ctx, call, in, in.RequestID, codes)
	if err != nil {
		return OperationConfirmed{}, fmt.Errorf("confirm mobile change: %w", err)
	}
	return res, nil
}

func (ck *checker) checkRequestID(id string) {
	if ck.Required("requestId", id) && (len(id) > 64 || strings.IndexFunc(id, services.Invisible) >= 0) {
		ck.Add("requestId", services.ReasonInvalidFormat, "is not a requestId this server issued")
	}
}

func (ck *checker) checkCode(field, code string) {
	if !ck.Required(field, code) {
		return
	}
	if len(code) != otpDigits || strings.Trim(code, "0123456789") != "" {
		ck.Add(field, services.ReasonInvalidFormat, fmt.Sprintf("must be the %d-digit code", otpDigits))
	}
}

// confirm checks the codes of a pending operation and, when they match,
// applies it, all in one transaction. A wrong code is counted and the count
// kept even though the call is refused.
func (s *Service) confirm(ctx context.Context, call services.Call, input any, requestID string, codes map[string]string) (OperationConfirmed, error) {
	return services.Idempotent(ctx, s.k, call, input, func(tx Tx) (OperationConfirmed, error) {
		op, err := s.pendingOperation(ctx, tx, call, requestID)
		if err != nil {
			return OperationConfirmed{}, err
		}
		_, single := codes[PurposeOTP]
		twoCodes := op.SecondCodeHash != ""
		switch {
		case twoCodes && single:
			return OperationConfirmed{}, ErrUseConfirmMobileChange
		case !twoCodes && !single:
			return OperationConfirmed{}, ErrNotMobileChange
		}
		if !s.codesMatch(op, codes) {
			return OperationConfirmed{}, s.wrongCode(ctx, tx, op)
		}
		res, err := s.applyOperation(ctx, tx, call, op)
		if err != nil {
			return OperationConfirmed{}, err
		}
		op.Status, op.UpdatedAt = OpCompleted, s.k.Clock.Now()
		if err := tx.UpdateOperation(ctx, op); err != nil {
			return OperationConfirmed{}, err
		}
		res.RequestID, res.Operation, res.Status = op.RequestID, op.Kind, OpCompleted
		if res.CustomerID == "" {
			res.CustomerID = services.FormatID(op.CustomerID)
		}
		return res, tx.CloseOutbox(ctx, op.RequestID, MsgCancelled, op.UpdatedAt)
	})
}

func (s *Service) codesMatch(op Operation, codes map[string]string) bool {
	if code, ok := codes[PurposeOTP]; ok {
		return s.otpMatches(op.CodeHash, op.RequestID, PurposeOTP, code)
	}
	// Both are compared, so that timing does not tell which one was wrong.
	a := s.otpMatches(op.CodeHash, op.RequestID, PurposeProveID, codes[PurposeProveID])
	b := s.otpMatches(op.SecondCodeHash, op.RequestID, PurposeConfirmChange, codes[PurposeConfirmChange])
	return a && b
}

// wrongCode counts a wrong code, failing the operation at the last attempt,
// and returns the refusal to answer after the count is committed.
func (s *Service) wrongCode(ctx context.Context, tx Tx, op Operation) error {
	op.Attempts++
	op.UpdatedAt = s.k.Clock.Now()
	left := MaxOTPAttempts - op.Attempts
	sentinel := ErrWrongOTP
	if left <= 0 {
		left, op.Status, sentinel = 0, OpFailed, ErrOperationFailed
		if err := tx.CloseOutbox(ctx, op.RequestID, MsgCancelled, op.UpdatedAt); err != nil {
			return err
		}
		if e := s.effects[op.Kind]; e.Failed != nil {
			if err := e.Failed(ctx, tx, op, op.UpdatedAt); err != nil {
				return err
			}
		}
	}
	if err := tx.UpdateOperation(ctx, op); err != nil {
		return err
	}
	return services.KeepWrites(&services.Refusal{Err: sentinel, AttemptsLeft: &left})
}

// pendingOperation locks the partner's operation and checks that it can
// still be confirmed or cancelled. An operation found past its expiry is
// marked EXPIRED, and that is kept although the call is refused.
func (s *Service) pendingOperation(ctx context.Context, tx Tx, call services.Call, requestID string) (Operation, error) {
	op, err := tx.LockOperation(ctx, call.PartnerID, requestID)
	if err != nil {
		return Operation{}, err
	}
	switch op.Status {
	case OpCompleted:
		return Operation{}, ErrOperationCompleted
	case OpCancelled:
		return Operation{}, ErrOperationCancelled
	case OpExpired:
		return Operation{}, ErrOperationExpired
	case OpFailed:
		return Operation{}, ErrOperationFailed
	}
	if now := s.k.Clock.Now(); !now.Before(op.ExpiresAt) {
		op.Status, op.UpdatedAt = OpExpired, now
		if err := tx.UpdateOperation(ctx, op); err != nil {
			return Operation{}, err
		}
		if err := tx.CloseOutbox(ctx, op.RequestID, MsgExpired, now); err != nil {
			return Operation{}, err
		}
		refusal := ErrOperationExpired
		if e := s.effects[op.Kind]; e.Expired != nil {
			var err error
			if refusal, err = e.Expired(ctx, tx, op, now); err != nil {
				return Operation{}, err
			}
		}
		return Operation{}, services.KeepWrites(refusal)
	}
	return op, nil
}

// CancelOperationInput is AccountService.CancelOperation's payload.
type CancelOperationInput struct {
	RequestID string `json:"requestId" size:"id"`
}

// OperationCancelled is what CancelOperation returns.
type OperationCancelled struct {
	RequestID string `json:"requestId"`
	Operation string `json:"operation"`
	Status    string `json:"status"`
}

func (r OperationCancelled) AuditEntities() map[string]string {
	return map[string]string{"requestId": r.RequestID, "operation": r.Operation}
}

// CancelOperation cancels a pending operation: its codes are no longer
// accepted and its unsent messages are not sent.
func (s *Service) CancelOperation(ctx context.Context, call services.Call, in CancelOperationInput) (OperationCancelled, error) {
	var ck checker
	ck.checkRequestID(in.RequestID)
	if err := ck.Err(); err != nil {
		return OperationCancelled{}, fmt.Errorf("cancel operation: %w", err)
	}
	res, err := services.Idempotent(ctx, s.k, call, in, func(tx Tx) (OperationCancelled, error) {
		op, err := s.pendingOperation(ctx, tx, call, in.RequestID)
		if err != nil {
			return OperationCancelled{}, err
		}
		op.Status, op.UpdatedAt = OpCancelled, s.k.Clock.Now()
		if err := tx.UpdateOperation(ctx, op); err != nil {
			return OperationCancelled{}, err
		}
		if err := tx.CloseOutbox(ctx, op.RequestID, MsgCancelled, op.UpdatedAt); err != nil {
			return OperationCancelled{}, err
		}
		return OperationCancelled{RequestID: op.RequestID, Operation: op.Kind, Status: OpCancelled}, nil
	})
	if err != nil {
		return OperationCancelled{}, fmt.Errorf("cancel operation: %w", err)
	}
	return res, nil
}

// End ends the partner's operation requestID with status (OpCancelled,
// OpExpired) in the caller's transaction, and gives up its pending
// messages with msgStatus, unless it is no longer pending.
func (s *Service) End(ctx context.Context, t services.Tx, partnerID int64, requestID, status, msgStatus string) error {
	tx := services.As[Tx](t)
	op, err := tx.LockOperation(ctx, partnerID, requestID)
	if err != nil || op.Status != OpPending {
		return err
	}
	op.Status, op.UpdatedAt = status, s.k.Clock.Now()
	if err := tx.UpdateOperation(ctx, op); err != nil {
		return err
	}
	return tx.CloseOutbox(ctx, op.RequestID, msgStatus, op.UpdatedAt)
}
