package otp_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/contact"
	"github.com/accountd/accountd/services/otp"
)

// otpLimitFixture is a customer with a verified mobile number and an
// account, the first of the hour's operations (the verification) done.
type otpLimitFixture struct {
	e       *banktest.Env
	sender  *banktest.CaptureSender
	id      string
	account string
}

const otpLimitNationalID = "31415926"

func newOTPLimitFixture(t *testing.T) otpLimitFixture {
	t.Helper()
	e := banktest.NewLifecycle(t) // the default: 5 operations an hour
	f := otpLimitFixture{e: e, sender: &banktest.CaptureSender{}}
	f.id = e.AddCustomer(t, e.Alpha, banktest.Kenyan(otpLimitNationalID, "+254712345678", "zawadi@example.com"))
	f.account = e.OpenAccount(t, e.Alpha, f.id, "SAVINGS", "KES", "")
	e.VerifyContact(t, e.Alpha, f.sender, otpLimitNationalID, "mobile") // the first operation
	return f
}

// starts are the calls that send a customer a code, one of each kind.
func (f otpLimitFixture) starts() map[string]func() (otp.OperationStarted, error) {
	ctx, e := context.Background(), f.e
	doc := func(kind string) contact.VerifyEmailOrMobileInput {
		return contact.VerifyEmailOrMobileInput{OnboardType: "personal", PersonalIDType: "101", DocumentNumber: otpLimitNationalID, VerifyType: kind}
	}
	return map[string]func() (otp.OperationStarted, error){
		"VerifyEmailOrMobile": func() (otp.OperationStarted, error) {
			return e.Bank.Contacts.VerifyEmailOrMobile(ctx, banktest.With(e.Alpha, "VerificationService.VerifyEmailOrMobile", ""), doc("email"))
		},
		"VerifyEmailAddress": func() (otp.OperationStarted, error) {
			in := doc("")
			return e.Bank.Contacts.VerifyEmailAddress(ctx, banktest.With(e.Alpha, "VerificationService.VerifyEmailAddress", ""),
				contact.VerifyEmailAddressInput{OnboardType: in.OnboardType, PersonalIDType: in.PersonalIDType, DocumentNumber: in.DocumentNumber})
		},
		"AddOrUpdateEmail": func() (otp.OperationStarted, error) {
			return e.Bank.Contacts.AddOrUpdateEmail(ctx, banktest.With(e.Alpha, "CustomerService.AddOrUpdateEmail", ""), contact.AddOrUpdateEmailInput{
				OnboardType: "personal", PersonalIDType: "101", DocumentNumber: otpLimitNationalID, Email: "zawadi.new@example.com"})
		},
		"ChangeMobile": func() (otp.OperationStarted, error) {
			return e.Bank.Contacts.ChangeMobile(ctx, banktest.With(e.Alpha, "CustomerService.ChangeMobile", ""), contact.ChangeMobileInput{
				AccountID: f.account, NewMobileCountryCode: "254", NewMobileNumber: "0733123456"})
		},
		"ActivateAccount": func() (otp.OperationStarted, error) {
			return e.Bank.Accounts.ActivateAccount(ctx, banktest.With(e.Alpha, "AccountService.ActivateAccount", ""), account.ActivateAccountInput{AccountID: f.account})
		},
	}
}

// TestOTPOperationsPerHour starts one operation of every kind after the
// verification, in one hour: the sixth is refused with
// ErrOTPOperationLimit, saying when the next is allowed; refusals do not
// count; the next is allowed exactly an hour after the oldest that counts;
// another customer has an allowance of their own.
func TestOTPOperationsPerHour(t *testing.T) {
	f := newOTPLimitFixture(t)
	e := f.e
	first := e.Clock.Now() // the verification's
	e.SetStatus(t, "accounts", "account_number", f.account, account.StatusDormant)
	starts := f.starts()
	for _, kind := range []string{"VerifyEmailOrMobile", "AddOrUpdateEmail", "ChangeMobile", "ActivateAccount"} {
		e.Clock.Add(time.Minute)
		if _, err := starts[kind](); err != nil {
			t.Fatalf("%s, within the hour's five: %v", kind, err)
		}
	}
	second := first.Add(time.Minute)
	for kind, start := range starts {
		_, err := start()
		if !errors.Is(err, otp.ErrOTPOperationLimit) {
			t.Fatalf("%s, the sixth: got %v, want ErrOTPOperationLimit", kind, err)
		}
		r := banktest.Refusal(err)
		next := first.Add(time.Hour)
		if r == nil || !strings.Contains(r.Detail, next.Format(time.RFC3339)) || r.RetryAfter != next.Sub(e.Clock.Now()) {
			t.Fatalf("%s: refusal %+v, want the detail to say %s and RetryAfter %s", kind, r, next.Format(time.RFC3339), next.Sub(e.Clock.Now()))
		}
	}
	// The same request under the same request id, a second before the hour
	// and then at it: a limit that resets is not remembered with the id.
	verifyEmail := func() error {
		_, err := e.Bank.Contacts.VerifyEmailAddress(context.Background(), banktest.With(e.Alpha, "VerificationService.VerifyEmailAddress", `"retry-1"`),
			contact.VerifyEmailAddressInput{OnboardType: "personal", PersonalIDType: "101", DocumentNumber: otpLimitNationalID})
		return err
	}
	e.Clock.Add(first.Add(time.Hour).Sub(e.Clock.Now()) - time.Second)
	if err := verifyEmail(); !errors.Is(err, otp.ErrOTPOperationLimit) {
		t.Fatalf("a second before the hour: got %v, want ErrOTPOperationLimit", err)
	}
	// The refusals did not count: an hour after the verification, one more.
	e.Clock.Add(time.Second)
	if err := verifyEmail(); err != nil {
		t.Fatalf("an hour after the first, the same request id: %v", err)
	}
	_, err := starts["VerifyEmailOrMobile"]()
	if r := banktest.Refusal(err); !errors.Is(err, otp.ErrOTPOperationLimit) || !strings.Contains(r.Detail, second.Add(time.Hour).Format(time.RFC3339)) {
		t.Fatalf("then: got %v, want ErrOTPOperationLimit until %s", err, second.Add(time.Hour).Format(time.RFC3339))
	}

	other := e.AddCustomer(t, e.Alpha, banktest.Kenyan("27182818", "+254722333444", "juma@example.com"))
	if _, err := e.Bank.Contacts.VerifyEmailOrMobile(context.Background(), banktest.With(e.Alpha, "VerificationService.VerifyEmailOrMobile", ""),
		contact.VerifyEmailOrMobileInput{OnboardType: "personal", PersonalIDType: "101", DocumentNumber: "27182818", VerifyType: "mobile"}); err != nil {
		t.Fatalf("another customer (%s): %v", other, err)
	}
}

// TestOTPOperationsPerHourConcurrent starts ten operations for one
// customer at once: the count is taken in each call's transaction with the
// customer's row held, so exactly the allowance goes through, on SQLite and
// PostgreSQL alike.
func TestOTPOperationsPerHourConcurrent(t *testing.T) {
	f := newOTPLimitFixture(t)
	start := f.starts()["VerifyEmailOrMobile"]
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := start()
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	started, limited := 0, 0
	for err := range errs {
		switch {
		case err == nil:
			started++
		case errors.Is(err, otp.ErrOTPOperationLimit):
			limited++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if started != 4 || limited != 6 { // the verification was the first of five
		t.Errorf("%d started and %d refused, want 4 and 6", started, limited)
	}
}
