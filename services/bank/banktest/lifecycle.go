package banktest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/contact"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/notify"
	"github.com/accountd/accountd/services/otp"
)

// BankCode is the bank's code in name inquiries, as the lifecycle env sets it.
const BankCode = "970"

// NewLifecycle is newEnv with the settings the account lifecycle needs
// (the bank code), changed further by the given functions.
func NewLifecycle(t *testing.T, change ...func(*bank.Settings)) *Env {
	t.Helper()
	e := New(t)
	s := bank.Settings{InstitutionID: "101115399", PhoneRegion: "VN", IdempotencyTTL: 24 * time.Hour, BankCode: BankCode}
	for _, f := range change {
		f(&s)
	}
	e.Bank = bank.New(e.Store, s, bank.WithClock(e.Clock))
	return e
}

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

// Kenyan is an individual identified by a Kenyan national ID (personal
// ID type 101), with a mobile number and an e-mail.
func Kenyan(nationalID, phone, email string) customer.AddCustomerInput {
	return customer.AddCustomerInput{
		Type: "INDIVIDUAL", FirstName: "Wanjiru", LastName: "Kamau", DOB: "19900115", Gender: "FEMALE",
		Identification: []customer.Identification{{Type: "NATIONAL_ID", Value: nationalID}},
		Contact:        customer.Contact{PhoneNumber: phone, Email: email},
		Address:        customer.Address{Line1: "Moi Avenue 1", City: "Nairobi", Country: "KE"},
	}
}

// Business is a business identified by its registration number.
func Business(registration, name, email string) customer.AddCustomerInput {
	return customer.AddCustomerInput{
		Type: "BUSINESS", BusinessNameLegal: name, DateEstablished: "20100301",
		Identification: []customer.Identification{{Type: "BUSINESS_REGISTRATION", Value: registration}},
		Contact:        customer.Contact{Email: email},
	}
}

// AddCustomer creates a customer and returns its ID.
func (e *Env) AddCustomer(t *testing.T, call services.Call, in customer.AddCustomerInput) string {
	t.Helper()
	res, err := e.Bank.Customers.AddCustomer(context.Background(), With(call, "CustomerService.AddCustomer", ""), in)
	if err != nil {
		t.Fatalf("add customer: %v", err)
	}
	return res.ID
}

// OpenAccount opens an account and returns its number; pool is the
// activity account's number or "".
func (e *Env) OpenAccount(t *testing.T, call services.Call, customerID, accountType, currency, pool string) string {
	t.Helper()
	res, err := e.Bank.Accounts.AddAccount(context.Background(), With(call, "CustomerService.AddAccount", ""), account.AddAccountInput{
		CustomerID: customerID, Name: "MAIN", AccountType: accountType, Currency: currency, ActivityAccountNumber: pool})
	if err != nil {
		t.Fatalf("add account: %v", err)
	}
	return res.AccountNumber
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

// Details returns an account as its partner sees it.
func (e *Env) Details(t *testing.T, call services.Call, number string) account.AccountDetails {
	t.Helper()
	d, err := e.Bank.Accounts.GetDetails(context.Background(), call, account.GetDetailsInput{AccountID: number})
	if err != nil {
		t.Fatalf("details of %s: %v", number, err)
	}
	return d
}

// History returns an account's whole status history.
func (e *Env) History(t *testing.T, call services.Call, number string) []account.StatusHistoryEntry {
	t.Helper()
	size := services.MaxPageSize
	page, err := e.Bank.Accounts.GetStatusHistory(context.Background(), call, account.GetStatusHistoryInput{AccountNumber: number, PageSize: &size})
	if err != nil {
		t.Fatalf("history of %s: %v", number, err)
	}
	return page.Changes
}

// ChangeStatus changes an account's status through UpdateAccountStatus.
func (e *Env) ChangeStatus(t *testing.T, call services.Call, number, status string) {
	t.Helper()
	_, err := e.Bank.Accounts.UpdateAccountStatus(context.Background(), With(call, "AccountService.UpdateAccountStatus", ""),
		account.UpdateAccountStatusInput{AccountNumber: number, Status: status, Reason: "test"})
	if err != nil {
		t.Fatalf("%s to %s: %v", number, status, err)
	}
}

// Refusal returns err's *services.Refusal, or nil.
func Refusal(err error) *services.Refusal {
	var r *services.Refusal
	if errors.As(err, &r) {
		return r
	}
	return nil
}

// AttemptsLeft returns the AttemptsLeft of err's refusal, or -1 when it has none.
func AttemptsLeft(err error) int {
	if r := Refusal(err); r != nil && r.AttemptsLeft != nil {
		return *r.AttemptsLeft
	}
	return -1
}

// IntPtr returns a pointer to n.
func IntPtr(n int) *int { return &n }
