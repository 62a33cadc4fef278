package otp_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/contact"
	"github.com/accountd/accountd/services/notify"
	"github.com/accountd/accountd/services/otp"
	"github.com/accountd/accountd/store/storetest"
)

// outboxOf returns an operation's only message.
func outboxOf(t *testing.T, e *banktest.Env, requestID string) otp.OutboxMessage {
	t.Helper()
	msgs, err := e.Store.OutboxMessages(context.Background(), requestID)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("messages of %s: %+v, %v", requestID, msgs, err)
	}
	return msgs[0]
}

func TestDispatchRetriesThenSends(t *testing.T) {
	ctx := context.Background()
	f := newOTPFixture(t)
	e := f.e
	requestID := f.queueCode(t)
	down := banktest.FailingSender{Err: errors.New("gateway timeout")}
	rep, err := e.Bank.OTP.DispatchOnce(ctx, down)
	if err == nil || rep != (otp.DispatchReport{Retried: 1}) {
		t.Fatalf("dispatch through a failing sender: %+v, %v; want one retried and an error", rep, err)
	}
	m := outboxOf(t, e, requestID)
	if m.Status != "PENDING" || m.Attempts != 1 || m.LastError != "gateway timeout" || m.Sealed == "" ||
		!m.NextAttemptAt.Equal(e.Clock.Now().Add(notify.Backoff(1))) {
		t.Fatalf("after a failure: %+v", m)
	}
	e.Clock.Add(notify.Backoff(1) - time.Millisecond)
	if rep, err := e.Bank.OTP.DispatchOnce(ctx, f.sender); err != nil || rep != (otp.DispatchReport{}) || f.sender.Count(requestID) != 0 {
		t.Fatalf("before the backoff: %+v, %v; want nothing sent", rep, err)
	}
	e.Clock.Add(time.Millisecond)
	if rep, err := e.Bank.OTP.DispatchOnce(ctx, f.sender); err != nil || rep != (otp.DispatchReport{Sent: 1}) || f.sender.Count(requestID) != 1 {
		t.Fatalf("after the backoff: %+v, %v; want it sent", rep, err)
	}
	if m := outboxOf(t, e, requestID); m.Status != "SENT" || m.Attempts != 2 || m.Sealed != "" {
		t.Fatalf("sent: %+v", m)
	}
	if rep, _ := e.Bank.OTP.DispatchOnce(ctx, f.sender); rep != (otp.DispatchReport{}) || f.sender.Count(requestID) != 1 {
		t.Fatalf("a sent message went again: %+v", rep)
	}
}

// TestDispatchGivesUp covers the messages that are never delivered.
func TestDispatchGivesUp(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		prepare    func(t *testing.T, f otpFixture, requestID string)
		sender     func(f otpFixture) otp.Sender
		wantReport otp.DispatchReport
		wantStatus string
	}{
		{name: "permanent failure", sender: func(otpFixture) otp.Sender {
			return banktest.FailingSender{Err: fmt.Errorf("mailbox does not exist: %w", notify.ErrPermanent)}
		}, wantReport: otp.DispatchReport{Failed: 1}, wantStatus: "FAILED"},
		{name: "cancelled operation", prepare: func(t *testing.T, f otpFixture, id string) {
			if _, err := f.cancel(f.e.Alpha, id); err != nil {
				t.Fatal(err)
			}
		}, wantStatus: "CANCELLED"},
		{name: "expired before delivery", prepare: func(_ *testing.T, f otpFixture, _ string) { f.e.Clock.Add(6 * time.Minute) },
			wantReport: otp.DispatchReport{Expired: 1}, wantStatus: "EXPIRED"},
		{name: "operation found expired", prepare: func(t *testing.T, f otpFixture, id string) {
			f.e.Clock.Add(6 * time.Minute)
			if _, err := f.confirm(f.e.Alpha, id, "123456"); !errors.Is(err, otp.ErrOperationExpired) {
				t.Fatalf("confirm: got %v, want ErrOperationExpired", err)
			}
		}, wantStatus: "EXPIRED"},
		{name: "too many wrong codes", prepare: func(t *testing.T, f otpFixture, id string) {
			for range otp.MaxOTPAttempts {
				// The code was never sent, so "000000" is wrong (and were it
				// right, confirming would close the message all the same).
				_, _ = f.confirm(f.e.Alpha, id, "000000")
			}
		}, wantStatus: "CANCELLED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newOTPFixture(t)
			requestID := f.queueCode(t)
			if tt.prepare != nil {
				tt.prepare(t, f, requestID)
			}
			var sender otp.Sender = f.sender
			if tt.sender != nil {
				sender = tt.sender(f)
			}
			rep, _ := f.e.Bank.OTP.DispatchOnce(ctx, sender)
			if rep != tt.wantReport {
				t.Fatalf("report %+v, want %+v", rep, tt.wantReport)
			}
			f.e.Clock.Add(time.Hour)
			if rep, err := f.e.Bank.OTP.DispatchOnce(ctx, f.sender); err != nil || rep != (otp.DispatchReport{}) {
				t.Fatalf("a later round: %+v, %v; want nothing", rep, err)
			}
			if n := f.sender.Count(requestID); n != 0 {
				t.Fatalf("%d messages delivered, want none", n)
			}
			if m := outboxOf(t, f.e, requestID); m.Status != tt.wantStatus || m.Sealed != "" {
				t.Fatalf("message %+v, want %s and no sealed text", m, tt.wantStatus)
			}
		})
	}
}

// TestDispatchRetriesUntilExpiry fails every attempt: the backoff doubles
// until the next attempt would fall after the code's expiry.
func TestDispatchRetriesUntilExpiry(t *testing.T) {
	ctx := context.Background()
	f := newOTPFixture(t)
	e := f.e
	requestID := f.queueCode(t)
	expires := e.Clock.Now().Add(5 * time.Minute)
	var total otp.DispatchReport
	for range 20 {
		rep, _ := e.Bank.OTP.DispatchOnce(ctx, banktest.FailingSender{Err: errors.New("busy")})
		total.Retried += rep.Retried
		total.Expired += rep.Expired
		m := outboxOf(t, e, requestID)
		if m.Status != "PENDING" {
			break
		}
		e.Clock.Add(m.NextAttemptAt.Sub(e.Clock.Now()))
	}
	// Attempts at 0, 2, 6, 14, 30, 62, 126 and 254 seconds; the next would
	// be at 510s, after the 300s expiry.
	if total != (otp.DispatchReport{Retried: 7, Expired: 1}) {
		t.Fatalf("report %+v, want 7 retried and 1 expired", total)
	}
	m := outboxOf(t, e, requestID)
	if m.Status != "EXPIRED" || m.Attempts != 8 || !e.Clock.Now().Before(expires) {
		t.Fatalf("message %+v at %s", m, e.Clock.Now())
	}
}

// TestDispatchSharedKey checks that a replica delivers the messages sealed
// under the key it shares, and not those of another key.
func TestDispatchSharedKey(t *testing.T) {
	ctx := context.Background()
	f := newOTPFixture(t)
	e := f.e
	key := bytes.Repeat([]byte{7}, 32)
	settings := bank.Settings{InstitutionID: "101115399", BankCode: banktest.BankCode, MessageKey: key}
	replica1 := bank.New(e.Store, settings, bank.WithClock(e.Clock))
	replica2 := bank.New(e.Store, settings, bank.WithClock(e.Clock))
	op, err := replica1.Contacts.VerifyEmailAddress(ctx, e.Alpha, contact.VerifyEmailAddressInput{OnboardType: "personal", PersonalIDType: "101", DocumentNumber: f.nationalID})
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := e.Bank.OTP.DispatchOnce(ctx, f.sender); err != nil || rep != (otp.DispatchReport{}) {
		t.Fatalf("a process with another key: %+v, %v; want nothing claimed", rep, err)
	}
	if rep, err := replica2.OTP.DispatchOnce(ctx, f.sender); err != nil || rep != (otp.DispatchReport{Sent: 1}) {
		t.Fatalf("a replica with the same key: %+v, %v; want it sent", rep, err)
	}
	m, ok := f.sender.Find(op.RequestID, otp.PurposeOTP)
	if !ok || m.To != "akinyi@example.com" {
		t.Fatalf("message %+v, %v", m, ok)
	}
	// The code hashes are keyed too: a process without the key cannot
	// check them (a wrong code, counted), a replica with it can.
	if _, err := e.Bank.OTP.ConfirmOTP(ctx, e.Alpha, otp.ConfirmOTPInput{RequestID: op.RequestID, OTP: m.Code}); !errors.Is(err, otp.ErrWrongOTP) {
		t.Fatalf("confirm through a process without the key: %v, want ErrWrongOTP", err)
	}
	if _, err := replica2.OTP.ConfirmOTP(ctx, e.Alpha, otp.ConfirmOTPInput{RequestID: op.RequestID, OTP: m.Code}); err != nil {
		t.Fatalf("confirm through another replica: %v", err)
	}
	sum := sha256.Sum256([]byte(op.RequestID + "\x00" + otp.PurposeOTP + "\x00" + m.Code))
	if n := storetest.Count(t, e.Path, `SELECT COUNT(*) FROM otp_operations WHERE code_hash = ?`, hex.EncodeToString(sum[:])); n != 0 {
		t.Fatal("with otp.message_key the stored hash is a plain SHA-256 of the code")
	}
}

// TestMaskedAddressStaysText: an e-mail address starting with a letter
// outside ASCII is masked by characters, and the code goes out.
func TestMaskedAddressStaysText(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	codes := &banktest.CaptureSender{}
	e.AddCustomer(t, e.Alpha, banktest.Kenyan("31000003", "+254712000003", ""))
	op, err := e.Bank.Contacts.AddOrUpdateEmail(ctx, banktest.With(e.Alpha, "CustomerService.AddOrUpdateEmail", ""), contact.AddOrUpdateEmailInput{
		OnboardType: "personal", PersonalIDType: "101", DocumentNumber: "31000003", Email: "élodie@bücher.de"})
	if err != nil {
		t.Fatal(err)
	}
	if to := op.SentTo[0].To; !utf8.ValidString(to) || to != "é*****@bücher.de" {
		t.Fatalf("masked %q", to)
	}
	if e.Code(t, codes, op.RequestID, otp.PurposeOTP) == "" {
		t.Fatal("no code sent")
	}
}

// TestStrandedMessagesExpire: messages sealed under a key no process holds
// any more (a restart without otp.message_key) are given up and emptied at
// their expiry by any dispatcher.
func TestStrandedMessagesExpire(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	e.AddCustomer(t, e.Alpha, banktest.Kenyan("31000004", "+254712000004", "w4@example.com"))
	op, err := e.Bank.Contacts.VerifyEmailOrMobile(ctx, banktest.With(e.Alpha, "VerificationService.VerifyEmailOrMobile", ""), contact.VerifyEmailOrMobileInput{
		OnboardType: "personal", PersonalIDType: "101", DocumentNumber: "31000004", VerifyType: "mobile"})
	if err != nil {
		t.Fatal(err)
	}
	restarted := bank.New(e.Store, bank.Settings{InstitutionID: "101115399"}, bank.WithClock(e.Clock))
	codes := &banktest.CaptureSender{}
	if rep, err := restarted.OTP.DispatchOnce(ctx, codes); err != nil || rep.Sent != 0 {
		t.Fatalf("another key sent %+v, %v", rep, err)
	}
	e.Clock.Add(6 * time.Minute)
	if rep, err := restarted.OTP.DispatchOnce(ctx, codes); err != nil || rep.Expired != 1 {
		t.Fatalf("after expiry: %+v, %v; want 1 expired", rep, err)
	}
	msgs, err := e.Store.OutboxMessages(ctx, op.RequestID)
	if err != nil || len(msgs) != 1 || msgs[0].Status != otp.MsgExpired || msgs[0].Sealed != "" {
		t.Fatalf("stranded message: %+v, %v", msgs, err)
	}
}
