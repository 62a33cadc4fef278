package otp_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/contact"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/otp"
	"github.com/accountd/accountd/store/storetest"
)

// otpFixture is a Kenyan customer whose e-mail is not verified, so that
// VerifyEmailOrMobile can start operations again and again.
type otpFixture struct {
	e          *banktest.Env
	sender     *banktest.CaptureSender
	nationalID string
}

func newOTPFixture(t *testing.T) otpFixture {
	t.Helper()
	// Its tests start more operations an hour than a customer may.
	e := banktest.NewLifecycle(t, func(s *bank.Settings) { s.OTPOperationsPerHour = 100 })
	f := otpFixture{e: e, sender: &banktest.CaptureSender{}, nationalID: "45678901"}
	e.AddCustomer(t, e.Alpha, banktest.Kenyan(f.nationalID, "+254712345678", "akinyi@example.com"))
	return f
}

// start starts verifying the customer's e-mail and returns the requestId
// and its code.
func (f otpFixture) start(t *testing.T) (string, string) {
	t.Helper()
	op, err := f.e.Bank.Contacts.VerifyEmailOrMobile(context.Background(), banktest.With(f.e.Alpha, "VerificationService.VerifyEmailOrMobile", ""),
		contact.VerifyEmailOrMobileInput{OnboardType: "personal", PersonalIDType: "101", DocumentNumber: f.nationalID, VerifyType: "email"})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	return op.RequestID, f.e.Code(t, f.sender, op.RequestID, otp.PurposeOTP)
}

func (f otpFixture) confirm(call services.Call, requestID, code string) (otp.OperationConfirmed, error) {
	if call.Method == "" {
		call.Method = "VerificationService.ConfirmOTP"
	}
	return f.e.Bank.OTP.ConfirmOTP(context.Background(), call, otp.ConfirmOTPInput{RequestID: requestID, OTP: code})
}

func (f otpFixture) cancel(call services.Call, requestID string) (otp.OperationCancelled, error) {
	return f.e.Bank.OTP.CancelOperation(context.Background(), banktest.With(call, "AccountService.CancelOperation", ""), otp.CancelOperationInput{RequestID: requestID})
}

func TestConfirmOTPWrongCodes(t *testing.T) {
	f := newOTPFixture(t)
	requestID, code := f.start(t)
	for want := 4; want >= 1; want-- {
		_, err := f.confirm(f.e.Alpha, requestID, banktest.WrongCode(code))
		if !errors.Is(err, otp.ErrWrongOTP) || banktest.AttemptsLeft(err) != want {
			t.Fatalf("wrong code: got %v (attempts left %d), want ErrWrongOTP with %d left", err, banktest.AttemptsLeft(err), want)
		}
	}
	_, err := f.confirm(f.e.Alpha, requestID, banktest.WrongCode(code))
	if !errors.Is(err, otp.ErrOperationFailed) || banktest.AttemptsLeft(err) != 0 {
		t.Fatalf("fifth wrong code: got %v (attempts left %d), want ErrOperationFailed with 0 left", err, banktest.AttemptsLeft(err))
	}
	if _, err := f.confirm(f.e.Alpha, requestID, code); !errors.Is(err, otp.ErrOperationFailed) {
		t.Fatalf("right code after failing: got %v, want ErrOperationFailed", err)
	}
	if _, err := f.cancel(f.e.Alpha, requestID); !errors.Is(err, otp.ErrOperationFailed) {
		t.Fatalf("cancel after failing: got %v, want ErrOperationFailed", err)
	}
	// The e-mail was never verified: a new verification can start.
	f.start(t)
}

func TestConfirmOTPRefusals(t *testing.T) {
	f := newOTPFixture(t)
	e := f.e
	tests := []struct {
		name    string
		prepare func(t *testing.T, requestID string)
		call    services.Call
		wantErr error
	}{
		{name: "right code", call: e.Alpha},
		{name: "a second before expiry", call: e.Alpha, prepare: func(*testing.T, string) { e.Clock.Add(5*time.Minute - time.Second) }},
		{name: "at expiry", call: e.Alpha, prepare: func(*testing.T, string) { e.Clock.Add(5 * time.Minute) }, wantErr: otp.ErrOperationExpired},
		{name: "expired", call: e.Alpha, prepare: func(*testing.T, string) { e.Clock.Add(6 * time.Minute) }, wantErr: otp.ErrOperationExpired},
		{name: "cancelled", call: e.Alpha, prepare: func(t *testing.T, id string) {
			res, err := f.cancel(e.Alpha, id)
			if err != nil || res.Status != "CANCELLED" || res.Operation != "VERIFY_EMAIL" {
				t.Fatalf("cancel: %+v, %v", res, err)
			}
		}, wantErr: otp.ErrOperationCancelled},
		{name: "another partner's operation", call: e.Beta, wantErr: otp.ErrOperationNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requestID, code := f.start(t)
			if tt.prepare != nil {
				tt.prepare(t, requestID)
			}
			res, err := f.confirm(tt.call, requestID, code)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if err == nil {
				if res.Verified != "email" || res.Status != "COMPLETED" || res.RequestID != requestID {
					t.Fatalf("result %+v", res)
				}
				// Verified now; put the customer back for the next case.
				storetest.Exec(t, e.Path, `UPDATE customers SET email_verified = ? WHERE email = ?`, false, "akinyi@example.com")
				return
			}
			// The refusal stands when asked again, and the operation can
			// no longer be cancelled.
			if _, again := f.confirm(tt.call, requestID, code); !errors.Is(again, tt.wantErr) {
				t.Fatalf("asked again: got %v, want %v", again, tt.wantErr)
			}
			if _, err := f.cancel(tt.call, requestID); !errors.Is(err, tt.wantErr) {
				t.Fatalf("cancel: got %v, want %v", err, tt.wantErr)
			}
		})
	}
	if _, err := f.confirm(e.Alpha, "0123456789abcdef0123456789abcdef", "123456"); !errors.Is(err, otp.ErrOperationNotFound) {
		t.Errorf("unknown requestId: got %v, want ErrOperationNotFound", err)
	}
	_, err := e.Bank.OTP.ConfirmOTP(context.Background(), e.Alpha, otp.ConfirmOTPInput{OTP: "12345"})
	if got := banktest.Join(banktest.FieldReasons(err)); got != "otp:INVALID_FORMAT requestId:REQUIRED" {
		t.Errorf("bad input: field errors %q (%v)", got, err)
	}
}

// TestConfirmOTPRequestIDKeepsItsRefusal checks that a wrong code given
// with a JSON-RPC request id is counted once: the same request again (a
// retry, or a captured copy) gets the same refusal without using up another
// attempt, while the right code under the same id takes the id over.
func TestConfirmOTPRequestIDKeepsItsRefusal(t *testing.T) {
	f := newOTPFixture(t)
	e := f.e
	requestID, code := f.start(t)
	call := banktest.With(e.Alpha, "VerificationService.ConfirmOTP", `"retry-1"`)
	for range 3 {
		if _, err := f.confirm(call, requestID, banktest.WrongCode(code)); !errors.Is(err, otp.ErrWrongOTP) || banktest.AttemptsLeft(err) != 4 {
			t.Fatalf("wrong code: got %v (attempts left %d), want the first refusal, 4 left", err, banktest.AttemptsLeft(err))
		}
	}
	other := banktest.With(e.Alpha, "VerificationService.ConfirmOTP", `"retry-other"`)
	if _, err := f.confirm(other, requestID, banktest.WrongCode(code)); !errors.Is(err, otp.ErrWrongOTP) || banktest.AttemptsLeft(err) != 3 {
		t.Fatalf("a wrong code under another id: got %v (attempts left %d), want 3 left", err, banktest.AttemptsLeft(err))
	}
	first, err := f.confirm(call, requestID, code)
	if err != nil {
		t.Fatalf("right code with the same request id: %v", err)
	}
	replayed, err := f.confirm(call, requestID, code)
	if err != nil || replayed != first {
		t.Fatalf("replay: %+v, %v; want %+v", replayed, err, first)
	}
	if _, err := f.confirm(banktest.With(e.Alpha, "VerificationService.ConfirmOTP", `"retry-2"`), requestID, code); !errors.Is(err, otp.ErrOperationCompleted) {
		t.Fatalf("another request id: got %v, want ErrOperationCompleted", err)
	}
}

func TestCancelOperation(t *testing.T) {
	f := newOTPFixture(t)
	requestID, code := f.start(t)
	if _, err := f.cancel(f.e.Beta, requestID); !errors.Is(err, otp.ErrOperationNotFound) {
		t.Fatalf("another partner cancels: got %v, want ErrOperationNotFound", err)
	}
	if _, err := f.cancel(f.e.Alpha, requestID); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	if _, err := f.cancel(f.e.Alpha, requestID); !errors.Is(err, otp.ErrOperationCancelled) {
		t.Fatalf("cancel twice: got %v, want ErrOperationCancelled", err)
	}
	if _, err := f.confirm(f.e.Alpha, requestID, code); !errors.Is(err, otp.ErrOperationCancelled) {
		t.Fatalf("confirm: got %v, want ErrOperationCancelled", err)
	}
	done, code := f.start(t)
	if _, err := f.confirm(f.e.Alpha, done, code); err != nil {
		t.Fatal(err)
	}
	if _, err := f.cancel(f.e.Alpha, done); !errors.Is(err, otp.ErrOperationCompleted) {
		t.Fatalf("cancel a confirmed operation: got %v, want ErrOperationCompleted", err)
	}
}

// TestConfirmWrongKind gives a mobile change to ConfirmOTP and an e-mail
// verification to ConfirmMobileChange.
func TestConfirmWrongKind(t *testing.T) {
	ctx := context.Background()
	f := newOTPFixture(t)
	e := f.e
	holder, err := e.Bank.Accounts.GetCustomer(ctx, e.Alpha, account.GetCustomerInput{Contact: customer.Contact{Email: "akinyi@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	number := e.OpenAccount(t, e.Alpha, holder.ID, "SAVINGS", "KES", "")
	e.VerifyContact(t, e.Alpha, f.sender, f.nationalID, "mobile")
	change, err := e.Bank.Contacts.ChangeMobile(ctx, e.Alpha, contact.ChangeMobileInput{AccountID: number, NewMobileCountryCode: "254", NewMobileNumber: "0733123456"})
	if err != nil {
		t.Fatal(err)
	}
	prove := e.Code(t, f.sender, change.RequestID, otp.PurposeProveID)
	if _, err := f.confirm(e.Alpha, change.RequestID, prove); !errors.Is(err, otp.ErrUseConfirmMobileChange) {
		t.Errorf("ConfirmOTP of a mobile change: got %v, want ErrUseConfirmMobileChange", err)
	}
	requestID, code := f.start(t)
	_, err = e.Bank.OTP.ConfirmMobileChange(ctx, e.Alpha, otp.ConfirmMobileChangeInput{RequestID: requestID, ProveIDCode: code, ConfirmChangeCode: code})
	if !errors.Is(err, otp.ErrNotMobileChange) {
		t.Errorf("ConfirmMobileChange of an e-mail verification: got %v, want ErrNotMobileChange", err)
	}
	// Neither refusal used up an attempt.
	if _, err := f.confirm(e.Alpha, requestID, banktest.WrongCode(code)); banktest.AttemptsLeft(err) != 4 {
		t.Errorf("after the wrong kinds: %v, attempts left %d, want 4", err, banktest.AttemptsLeft(err))
	}
}

// TestOnlyHashesStored checks that a code is kept nowhere readable: the
// operation keeps a hash, the outbox keeps it sealed until it is sent and
// then nothing.
func TestOnlyHashesStored(t *testing.T) {
	ctx := context.Background()
	f := newOTPFixture(t)
	e := f.e
	op, err := e.Bank.Contacts.VerifyEmailOrMobile(ctx, e.Alpha, contact.VerifyEmailOrMobileInput{
		OnboardType: "personal", PersonalIDType: "101", DocumentNumber: f.nationalID, VerifyType: "email"})
	if err != nil {
		t.Fatal(err)
	}
	queued, err := e.Store.OutboxMessages(ctx, op.RequestID)
	if err != nil || len(queued) != 1 {
		t.Fatalf("queued messages: %+v, %v", queued, err)
	}
	q := queued[0]
	if q.Status != "PENDING" || q.Sealed == "" || q.MaskedTo != "a*****@example.com" || q.Purpose != "OTP" || q.Channel != "email" ||
		strings.Contains(q.Sealed, "akinyi") {
		t.Fatalf("queued message %+v", q)
	}
	code := e.Code(t, f.sender, op.RequestID, otp.PurposeOTP)
	if strings.Contains(q.Sealed, code) {
		t.Errorf("sealed text %q holds the code %s", q.Sealed, code)
	}
	sent, err := e.Store.OutboxMessages(ctx, op.RequestID)
	if err != nil || len(sent) != 1 || sent[0].Status != "SENT" || sent[0].Sealed != "" || !sent[0].SentAt.Equal(e.Clock.Now()) {
		t.Fatalf("sent message: %+v, %v", sent, err)
	}
	db := storetest.Conn(t, e.Path)
	var row struct {
		CodeHash string `db:"code_hash"`
		Params   string `db:"params"`
	}
	if err := db.Get(&row, db.Rebind(`SELECT code_hash, params FROM otp_operations WHERE request_id = ?`), op.RequestID); err != nil {
		t.Fatal(err)
	}
	if len(row.CodeHash) != 64 || strings.Trim(row.CodeHash, "0123456789abcdef") != "" || strings.Contains(row.Params, code) {
		t.Errorf("stored operation: hash %q, params %q; want a SHA-256 hash and no code", row.CodeHash, row.Params)
	}
	for _, r := range banktest.AuditRows(t, e) {
		if strings.Contains(r.Entities, code) || strings.Contains(r.Entities, "akinyi") {
			t.Errorf("audit row %d names the code or the address: %s", r.Seq, r.Entities)
		}
	}
}

// queueCode starts an e-mail verification without sending its message.
func (f otpFixture) queueCode(t *testing.T) string {
	t.Helper()
	op, err := f.e.Bank.Contacts.VerifyEmailOrMobile(context.Background(), f.e.Alpha, contact.VerifyEmailOrMobileInput{
		OnboardType: "personal", PersonalIDType: "101", DocumentNumber: f.nationalID, VerifyType: "email"})
	if err != nil {
		t.Fatal(err)
	}
	return op.RequestID
}
