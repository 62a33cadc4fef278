package bank_test

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

// bankCode is the bank's code in name inquiries, as the lifecycle env sets it.
const bankCode = "970"

// newLifecycleEnv is newEnv with the settings the account lifecycle needs
// (the bank code), changed further by the given functions.
func newLifecycleEnv(t *testing.T, change ...func(*bank.Settings)) *env {
	t.Helper()
	e := newEnv(t)
	s := bank.Settings{InstitutionID: "101115399", PhoneRegion: "VN", IdempotencyTTL: 24 * time.Hour, BankCode: bankCode}
	for _, f := range change {
		f(&s)
	}
	e.svc = bank.New(e.st, s, bank.WithClock(e.clock))
	return e
}

// captureSender is a Sender that keeps every message it is given.
type captureSender struct {
	mu   sync.Mutex
	msgs []notify.Message
}

func (c *captureSender) Send(_ context.Context, m notify.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, m)
	return nil
}

// find returns the message of an operation with a purpose.
func (c *captureSender) find(requestID, purpose string) (notify.Message, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range c.msgs {
		if m.RequestID == requestID && m.Purpose == purpose {
			return m, true
		}
	}
	return notify.Message{}, false
}

// count returns how many messages of an operation were sent.
func (c *captureSender) count(requestID string) int {
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

// failingSender fails every message with err.
type failingSender struct{ err error }

func (f failingSender) Send(context.Context, notify.Message) error { return f.err }

// dispatchAll runs dispatch rounds through s until one claims nothing.
func (e *env) dispatchAll(t *testing.T, s otp.Sender) {
	t.Helper()
	for range 100 {
		rep, err := e.svc.OTP.DispatchOnce(context.Background(), s)
		if err != nil {
			t.Fatalf("dispatch: %v", err)
		}
		if rep == (otp.DispatchReport{}) {
			return
		}
	}
	t.Fatal("dispatch never ran out of messages")
}

// message dispatches the due messages and returns the one of an operation
// with a purpose.
func (e *env) message(t *testing.T, s *captureSender, requestID, purpose string) notify.Message {
	t.Helper()
	e.dispatchAll(t, s)
	m, ok := s.find(requestID, purpose)
	if !ok {
		t.Fatalf("no %s message for operation %s", purpose, requestID)
	}
	return m
}

// code returns the one-time code sent for an operation with a purpose.
func (e *env) code(t *testing.T, s *captureSender, requestID, purpose string) string {
	t.Helper()
	return e.message(t, s, requestID, purpose).Code
}

// wrongCode is a well-formed code other than code.
func wrongCode(code string) string {
	b := []byte(code)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}

// kenyan is an individual identified by a Kenyan national ID (personal
// ID type 101), with a mobile number and an e-mail.
func kenyan(nationalID, phone, email string) customer.AddCustomerInput {
	return customer.AddCustomerInput{
		Type: "INDIVIDUAL", FirstName: "Wanjiru", LastName: "Kamau", DOB: "19900115", Gender: "FEMALE",
		Identification: []customer.Identification{{Type: "NATIONAL_ID", Value: nationalID}},
		Contact:        customer.Contact{PhoneNumber: phone, Email: email},
		Address:        customer.Address{Line1: "Moi Avenue 1", City: "Nairobi", Country: "KE"},
	}
}

// business is a business identified by its registration number.
func business(registration, name, email string) customer.AddCustomerInput {
	return customer.AddCustomerInput{
		Type: "BUSINESS", BusinessNameLegal: name, DateEstablished: "20100301",
		Identification: []customer.Identification{{Type: "BUSINESS_REGISTRATION", Value: registration}},
		Contact:        customer.Contact{Email: email},
	}
}

// addCustomer creates a customer and returns its ID.
func (e *env) addCustomer(t *testing.T, call services.Call, in customer.AddCustomerInput) string {
	t.Helper()
	res, err := e.svc.Customers.AddCustomer(context.Background(), with(call, "CustomerService.AddCustomer", ""), in)
	if err != nil {
		t.Fatalf("add customer: %v", err)
	}
	return res.ID
}

// openAccount opens an account and returns its number; pool is the
// activity account's number or "".
func (e *env) openAccount(t *testing.T, call services.Call, customerID, accountType, currency, pool string) string {
	t.Helper()
	res, err := e.svc.Accounts.AddAccount(context.Background(), with(call, "CustomerService.AddAccount", ""), account.AddAccountInput{
		CustomerID: customerID, Name: "MAIN", AccountType: accountType, Currency: currency, ActivityAccountNumber: pool})
	if err != nil {
		t.Fatalf("add account: %v", err)
	}
	return res.AccountNumber
}

// verifyContact verifies a personal (101) customer's mobile or e-mail with
// the code sent to it.
func (e *env) verifyContact(t *testing.T, call services.Call, s *captureSender, nationalID, kind string) {
	t.Helper()
	ctx := context.Background()
	op, err := e.svc.Contacts.VerifyEmailOrMobile(ctx, with(call, "VerificationService.VerifyEmailOrMobile", ""), contact.VerifyEmailOrMobileInput{
		OnboardType: "personal", PersonalIDType: "101", DocumentNumber: nationalID, VerifyType: kind})
	if err != nil {
		t.Fatalf("verify %s: %v", kind, err)
	}
	res, err := e.svc.OTP.ConfirmOTP(ctx, with(call, "VerificationService.ConfirmOTP", ""), otp.ConfirmOTPInput{
		RequestID: op.RequestID, OTP: e.code(t, s, op.RequestID, otp.PurposeOTP)})
	if err != nil || res.Verified != kind {
		t.Fatalf("confirm %s: %+v, %v", kind, res, err)
	}
}

// details returns an account as its partner sees it.
func (e *env) details(t *testing.T, call services.Call, number string) account.AccountDetails {
	t.Helper()
	d, err := e.svc.Accounts.GetDetails(context.Background(), call, account.GetDetailsInput{AccountID: number})
	if err != nil {
		t.Fatalf("details of %s: %v", number, err)
	}
	return d
}

// history returns an account's whole status history.
func (e *env) history(t *testing.T, call services.Call, number string) []account.StatusHistoryEntry {
	t.Helper()
	size := services.MaxPageSize
	page, err := e.svc.Accounts.GetStatusHistory(context.Background(), call, account.GetStatusHistoryInput{AccountNumber: number, PageSize: &size})
	if err != nil {
		t.Fatalf("history of %s: %v", number, err)
	}
	return page.Changes
}

// changeStatus changes an account's status through UpdateAccountStatus.
func (e *env) changeStatus(t *testing.T, call services.Call, number, status string) {
	t.Helper()
	_, err := e.svc.Accounts.UpdateAccountStatus(context.Background(), with(call, "AccountService.UpdateAccountStatus", ""),
		account.UpdateAccountStatusInput{AccountNumber: number, Status: status, Reason: "test"})
	if err != nil {
		t.Fatalf("%s to %s: %v", number, status, err)
	}
}

// refusal returns err's *services.Refusal, or nil.
func refusal(err error) *services.Refusal {
	var r *services.Refusal
	if errors.As(err, &r) {
		return r
	}
	return nil
}

// attemptsLeft returns the AttemptsLeft of err's refusal, or -1 when it has none.
func attemptsLeft(err error) int {
	if r := refusal(err); r != nil && r.AttemptsLeft != nil {
		return *r.AttemptsLeft
	}
	return -1
}

// intp returns a pointer to n.
func intp(n int) *int { return &n }
