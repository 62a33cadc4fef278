package banktest

import (
	"context"
	"sync"
	"testing"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/contact"
	"github.com/accountd/accountd/services/notify"
	"github.com/accountd/accountd/services/otp"
)

// CaptureSender is a Sender that keeps every message it is given.
type CaptureSender struct {
	mu   sync.Mutex
	msgs []notify.Message
}

// Send keeps m.
func (c *CaptureSender) Send(_ context.Context, m notify.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, m)
	return nil
}

// Find returns the message of an operation with a purpose.
func (c *CaptureSender) Find(requestID, purpose string) (notify.Message, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.msgs {
		if m.RequestID == requestID && m.Purpose == purpose {
			return m, true
		}
	}
	return notify.Message{}, false
}

// Count returns how many messages of an operation were sent.
func (c *CaptureSender) Count(requestID string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, m := range c.msgs {
		if m.RequestID == requestID {
			n++
		}
	}
	return n
}

// FailingSender fails every message with err.
type FailingSender struct{ Err error }

// Send returns f.Err.
func (f FailingSender) Send(context.Context, notify.Message) error { return f.Err }

// DispatchAll runs dispatch rounds through s until one claims nothing.
func (e *Env) DispatchAll(t *testing.T, s otp.Sender) {
	t.Helper()
	for range 100 {
		rep, err := e.Bank.OTP.DispatchOnce(context.Background(), s)
		if err != nil {
			t.Fatalf("dispatch: %v", err)
		}
		if rep == (otp.DispatchReport{}) {
			return
		}
	}
	t.Fatal("dispatch never ran out of messages")
}

// Message dispatches the due messages and returns the one of an operation
// with a purpose.
func (e *Env) Message(t *testing.T, s *CaptureSender, requestID, purpose string) notify.Message {
	t.Helper()
	e.DispatchAll(t, s)
	m, ok := s.Find(requestID, purpose)
	if !ok {
		t.Fatalf("no %s message for operation %s", purpose, requestID)
	}
	return m
}

// Code returns the one-time code sent for an operation with a purpose.
func (e *Env) Code(t *testing.T, s *CaptureSender, requestID, purpose string) string {
	t.Helper()
	return e.Message(t, s, requestID, purpose).Code
}

// WrongCode is a well-formed code other than code.
func WrongCode(code string) string {
	b := []byte(code)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}

// VerifyContact verifies a personal (101) customer's mobile or e-mail with
// the code sent to it.
func (e *Env) VerifyContact(t *testing.T, call services.Call, s *CaptureSender, nationalID, kind string) {
	t.Helper()
	ctx := context.Background()
	op, err := e.Bank.Contacts.VerifyEmailOrMobile(ctx, With(call, "VerificationService.VerifyEmailOrMobile", ""), contact.VerifyEmailOrMobileInput{
		OnboardType: "personal", PersonalIDType: "101", DocumentNumber: nationalID, VerifyType: kind})
	if err != nil {
		t.Fatalf("verify %s: %v", kind, err)
	}
	res, err := e.Bank.OTP.ConfirmOTP(ctx, With(call, "VerificationService.ConfirmOTP", ""), otp.ConfirmOTPInput{
		RequestID: op.RequestID, OTP: e.Code(t, s, op.RequestID, otp.PurposeOTP)})
	if err != nil || res.Verified != kind {
		t.Fatalf("confirm %s: %+v, %v", kind, res, err)
	}
}
