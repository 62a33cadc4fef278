package services

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
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
type codeTarget struct {
	purpose string
	channel string // ChannelSMS or ChannelEmail
	to      string // E.164 number or e-mail address
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

func (r OperationStarted) auditEntities() map[string]string {
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
func (s *Service) startOperation(ctx context.Context, tx Tx, call Call, op Operation, accountNumber string, targets []codeTarget) (OperationStarted, error) {
	now := s.clock.Now()
	if op.CustomerID != 0 {
		if err := s.checkOperationRate(ctx, tx, op.CustomerID, now); err != nil {
			return OperationStarted{}, err
		}
	}
	op.PartnerID, op.KeyID, op.Status = call.PartnerID, call.KeyID, OpPending
	expires := now.Add(s.settings.OTPTTL)
	if !op.ExpiresAt.IsZero() && op.ExpiresAt.Before(expires) {
		expires = op.ExpiresAt // the operation cannot outlive what it is for
	}
	op.CreatedAt, op.UpdatedAt, op.ExpiresAt = now, now, expires
	codes := make([]string, len(targets))
	inserted := false
	for attempt := 0; attempt < maxDraws && !inserted; attempt++ {
		id, err := newRequestID()
		if err != nil {
			return OperationStarted{}, err
		}
		op.RequestID = id
		for i, t := range targets {
			if codes[i], err = newOTP(); err != nil {
				return OperationStarted{}, err
			}
			if i == 0 {
				op.CodeHash = s.hashOTP(id, t.purpose, codes[i])
			} else {
				op.SecondCodeHash = s.hashOTP(id, t.purpose, codes[i])
			}
		}
		err = tx.InsertOperation(ctx, op)
		if err != nil && !errors.Is(err, ErrNumberTaken) {
			return OperationStarted{}, err
		}
		inserted = err == nil
	}
	if !inserted {
		return OperationStarted{}, fmt.Errorf("draw request id: %w", ErrNumberTaken)
	}
	out := OperationStarted{RequestID: op.RequestID, Operation: op.Kind, Status: OpPending, ExpiresAt: op.ExpiresAt.Unix(),
		CustomerID: formatID(op.CustomerID), AccountID: accountNumber}
	for i, t := range targets {
		m, err := s.outboxMessage(op, t, codes[i], now)
		if err != nil {
			return OperationStarted{}, err
		}
		if err := tx.InsertOutbox(ctx, &m); err != nil {
			return OperationStarted{}, err
		}
		out.SentTo = append(out.SentTo, SentTo{Purpose: t.purpose, Channel: t.channel, To: m.MaskedTo})
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
	limit := s.settings.OTPOperationsPerHour
	recent, err := tx.RecentOperations(ctx, customerID, now.Add(-otpRateWindow), limit)
	if err != nil {
		return err
	}
	if len(recent) < limit {
		return nil
	}
	next := recent[limit-1].Add(otpRateWindow)
	return &Refusal{Err: ErrOTPOperationLimit, RetryAfter: next.Sub(now),
		Detail: fmt.Sprintf("a customer may be sent codes for %d operations an hour; the next is allowed at %s",
			limit, next.UTC().Format(time.RFC3339))}
}

// newRequestID draws an operation's requestId: 32 hex digits.
func newRequestID() (string, error) {
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

func (r OperationConfirmed) auditEntities() map[string]string {
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
func (s *Service) ConfirmOTP(ctx context.Context, call Call, in ConfirmOTPInput) (OperationConfirmed, error) {
	var ck checker
	ck.checkRequestID(in.RequestID)
	ck.checkCode("otp", in.OTP)
	if err := ck.err(); err != nil {
		return OperationConfirmed{}, fmt.Errorf("confirm otp: %w", err)
	}
	res, err := s.confirm(ctx, call, in, in.RequestID, map[string]string{PurposeOTP: in.OTP})
	if err != nil {
		return OperationConfirmed{}, fmt.Errorf("confirm otp: %w", err)
	}
	return res, nil
}

// ConfirmMobileChange completes a mobile change with both of its codes.
func (s *Service) ConfirmMobileChange(ctx context.Context, call Call, in ConfirmMobileChangeInput) (OperationConfirmed, error) {
	var ck checker
	ck.checkRequestID(in.RequestID)
	ck.checkCode("proveIdCode", in.ProveIDCode)
	ck.checkCode("confirmChangeCode", in.ConfirmChangeCode)
	if err := ck.err(); err != nil {
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
	if ck.required("requestId", id) && (len(id) > 64 || strings.IndexFunc(id, invisible) >= 0) {
		ck.add("requestId", ReasonInvalidFormat, "is not a requestId this server issued")
	}
}

func (ck *checker) checkCode(field, code string) {
	if !ck.required(field, code) {
		return
	}
	if len(code) != otpDigits || strings.Trim(code, "0123456789") != "" {
		ck.add(field, ReasonInvalidFormat, fmt.Sprintf("must be the %d-digit code", otpDigits))
	}
}

// confirm checks the codes of a pending operation and, when they match,
// applies it, all in one transaction. A wrong code is counted and the count
// kept even though the call is refused.
func (s *Service) confirm(ctx context.Context, call Call, input any, requestID string, codes map[string]string) (OperationConfirmed, error) {
	return idempotent(ctx, s, call, input, func(tx Tx) (OperationConfirmed, error) {
		op, err := s.pendingOperation(ctx, tx, call, requestID)
		if err != nil {
			return OperationConfirmed{}, err
		}
		_, single := codes[PurposeOTP]
		switch {
		case op.Kind == OpChangeMobile && single:
			return OperationConfirmed{}, ErrUseConfirmMobileChange
		case op.Kind != OpChangeMobile && !single:
			return OperationConfirmed{}, ErrNotMobileChange
		}
		if !s.codesMatch(op, codes) {
			return OperationConfirmed{}, s.wrongCode(ctx, tx, op)
		}
		res, err := s.applyOperation(ctx, tx, call, op)
		if err != nil {
			return OperationConfirmed{}, err
		}
		op.Status, op.UpdatedAt = OpCompleted, s.clock.Now()
		if err := tx.UpdateOperation(ctx, op); err != nil {
			return OperationConfirmed{}, err
		}
		res.RequestID, res.Operation, res.Status = op.RequestID, op.Kind, OpCompleted
		if res.CustomerID == "" {
			res.CustomerID = formatID(op.CustomerID)
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
	op.UpdatedAt = s.clock.Now()
	left := MaxOTPAttempts - op.Attempts
	sentinel := ErrWrongOTP
	if left <= 0 {
		left, op.Status, sentinel = 0, OpFailed, ErrOperationFailed
		if err := tx.CloseOutbox(ctx, op.RequestID, MsgCancelled, op.UpdatedAt); err != nil {
			return err
		}
		if op.Kind == OpOnboarding {
			if err := s.onboardingCodeFailed(ctx, tx, op, op.UpdatedAt); err != nil {
				return err
			}
		}
	}
	if err := tx.UpdateOperation(ctx, op); err != nil {
		return err
	}
	return keepWrites(&Refusal{Err: sentinel, AttemptsLeft: &left})
}

// pendingOperation locks the partner's operation and checks that it can
// still be confirmed or cancelled. An operation found past its expiry is
// marked EXPIRED, and that is kept although the call is refused.
func (s *Service) pendingOperation(ctx context.Context, tx Tx, call Call, requestID string) (Operation, error) {
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
	if now := s.clock.Now(); !now.Before(op.ExpiresAt) {
		op.Status, op.UpdatedAt = OpExpired, now
		if err := tx.UpdateOperation(ctx, op); err != nil {
			return Operation{}, err
		}
		if err := tx.CloseOutbox(ctx, op.RequestID, MsgExpired, now); err != nil {
			return Operation{}, err
		}
		refusal := ErrOperationExpired
		if op.Kind == OpOnboarding {
			var err error
			if refusal, err = s.onboardingCodeExpired(ctx, tx, op, now); err != nil {
				return Operation{}, err
			}
		}
		return Operation{}, keepWrites(refusal)
	}
	return op, nil
}

// opParams are the values an operation sets when confirmed.
type opParams struct {
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
	// OnboardingID is the package an ONBOARDING operation completes.
	OnboardingID string `json:"onboardingId,omitempty"`
	// OldPhone is the number a mobile change's PROVE_ID code went to; the
	// change applies only while it is still the customer's.
	OldPhone string `json:"oldPhone,omitempty"`
}

func encodeParams(p opParams) string {
	b, _ := json.Marshal(p)
	return string(b)
}

// applyOperation makes the confirmed change.
func (s *Service) applyOperation(ctx context.Context, tx Tx, call Call, op Operation) (OperationConfirmed, error) {
	var p opParams
	if err := json.Unmarshal([]byte(op.Params), &p); err != nil {
		return OperationConfirmed{}, fmt.Errorf("operation %s params: %w", op.Kind, err)
	}
	now := s.clock.Now()
	switch op.Kind {
	case OpActivateAccount:
		return s.reactivate(ctx, tx, call, op)
	case OpAddEmail:
		if err := tx.SetCustomerEmail(ctx, op.CustomerID, p.Email, true, now); err != nil {
			return OperationConfirmed{}, err
		}
		return OperationConfirmed{Verified: "email"}, tx.TouchCustomerAccounts(ctx, op.CustomerID, now)
	case OpChangeMobile:
		c, err := tx.LockCustomer(ctx, call.PartnerID, op.CustomerID)
		if err != nil {
			return OperationConfirmed{}, err
		}
		if c.Phone != p.OldPhone {
			return OperationConfirmed{}, &Refusal{Err: ErrContactMissing, Detail: "the mobile number changed after the codes were sent; start a new change"}
		}
		if err := checkBlacklist(ctx, tx, call.PartnerID, customerKeys(nil, p.Phone)); err != nil {
			return OperationConfirmed{}, err
		}
		if err := tx.SetCustomerPhone(ctx, op.CustomerID, p.Phone, true, now); err != nil {
			return OperationConfirmed{}, err
		}
		return OperationConfirmed{Verified: "mobile"}, tx.TouchCustomerAccounts(ctx, op.CustomerID, now)
	case OpVerifyEmail, OpVerifyMobile:
		return s.markVerified(ctx, tx, call, op, p)
	case OpOnboarding:
		return s.completeOnboarding(ctx, tx, call, op, p)
	}
	return OperationConfirmed{}, fmt.Errorf("operation kind %q has no effect defined", op.Kind)
}

// reactivate makes the operation's DORMANT account ACTIVE.
func (s *Service) reactivate(ctx context.Context, tx Tx, call Call, op Operation) (OperationConfirmed, error) {
	a, err := tx.LockAccount(ctx, call.PartnerID, AccountLookup{ID: op.AccountID})
	if err != nil {
		return OperationConfirmed{}, err
	}
	now := s.clock.Now()
	if err := s.checkActivatable(a, now); err != nil {
		return OperationConfirmed{}, err
	}
	a.Status, a.UpdatedAt = StatusActive, now
	change := StatusChange{Event: EventStatusChange, FromStatus: StatusDormant, Reason: "reactivated by the customer's one-time code (requestId " + op.RequestID + ")"}
	if err := s.saveWithHistory(ctx, tx, a, call.KeyID, change); err != nil {
		return OperationConfirmed{}, err
	}
	if err := tx.TouchAccount(ctx, a.ID, now); err != nil {
		return OperationConfirmed{}, err
	}
	return OperationConfirmed{AccountID: a.Number, AccountStatus: StatusActive}, nil
}

// markVerified marks the contact the code went to as verified, if it is
// still the customer's.
func (s *Service) markVerified(ctx context.Context, tx Tx, call Call, op Operation, p opParams) (OperationConfirmed, error) {
	c, err := tx.LockCustomer(ctx, call.PartnerID, op.CustomerID)
	if err != nil {
		return OperationConfirmed{}, err
	}
	kind, current, sent := "email", EmailKey(c.Email), EmailKey(p.Email)
	if op.Kind == OpVerifyMobile {
		kind, current, sent = "mobile", c.Phone, p.Phone
	}
	if current != sent {
		return OperationConfirmed{}, &Refusal{Err: ErrContactMissing, Detail: "the " + kind + " changed after the code was sent; verify the new one"}
	}
	now := s.clock.Now()
	if err := tx.SetContactVerified(ctx, op.CustomerID, kind, now); err != nil {
		return OperationConfirmed{}, err
	}
	return OperationConfirmed{Verified: kind}, tx.TouchCustomerAccounts(ctx, op.CustomerID, now)
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

func (r OperationCancelled) auditEntities() map[string]string {
	return map[string]string{"requestId": r.RequestID, "operation": r.Operation}
}

// CancelOperation cancels a pending operation: its codes are no longer
// accepted and its unsent messages are not sent.
func (s *Service) CancelOperation(ctx context.Context, call Call, in CancelOperationInput) (OperationCancelled, error) {
	var ck checker
	ck.checkRequestID(in.RequestID)
	if err := ck.err(); err != nil {
		return OperationCancelled{}, fmt.Errorf("cancel operation: %w", err)
	}
	res, err := idempotent(ctx, s, call, in, func(tx Tx) (OperationCancelled, error) {
		op, err := s.pendingOperation(ctx, tx, call, in.RequestID)
		if err != nil {
			return OperationCancelled{}, err
		}
		op.Status, op.UpdatedAt = OpCancelled, s.clock.Now()
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

// keptWrites marks a refusal whose transaction must still commit: the count
// of a wrong code, an operation found expired, a counted mobile change.
type keptWrites struct{ err error }

func (k *keptWrites) Error() string { return k.err.Error() }
func (k *keptWrites) Unwrap() error { return k.err }

// keepWrites refuses the call with err but commits what the transaction
// wrote.
func keepWrites(err error) error { return &keptWrites{err: err} }
