package bank_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/contact"
	"github.com/accountd/accountd/services/otp"
)

// otpLimitFixture is a customer with a verified mobile number and an
// account, the first of the hour's operations (the verification) done.
type otpLimitFixture struct {
	e       *env
	sender  *captureSender
	id      string
	account string
}

const otpLimitNationalID = "31415926"

func newOTPLimitFixture(t *testing.T) otpLimitFixture {
	t.Helper()
	e := newLifecycleEnv(t) // the default: 5 operations an hour
	f := otpLimitFixture{e: e, sender: &captureSender{}}
	f.id = e.addCustomer(t, e.alpha, kenyan(otpLimitNationalID, "+254712345678", "zawadi@example.com"))
	f.account = e.openAccount(t, e.alpha, f.id, "SAVINGS", "KES", "")
	e.verifyContact(t, e.alpha, f.sender, otpLimitNationalID, "mobile") // the first operation
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
			return e.svc.Contacts.VerifyEmailOrMobile(ctx, with(e.alpha, "VerificationService.VerifyEmailOrMobile", ""), doc("email"))
		},
		"VerifyEmailAddress": func() (otp.OperationStarted, error) {
			in := doc("")
			return e.svc.Contacts.VerifyEmailAddress(ctx, with(e.alpha, "VerificationService.VerifyEmailAddress", ""),
				contact.VerifyEmailAddressInput{OnboardType: in.OnboardType, PersonalIDType: in.PersonalIDType, DocumentNumber: in.DocumentNumber})
		},
		"AddOrUpdateEmail": func() (otp.OperationStarted, error) {
			return e.svc.Contacts.AddOrUpdateEmail(ctx, with(e.alpha, "CustomerService.AddOrUpdateEmail", ""), contact.AddOrUpdateEmailInput{
				OnboardType: "personal", PersonalIDType: "101", DocumentNumber: otpLimitNationalID, Email: "zawadi.new@example.com"})
		},
		"ChangeMobile": func() (otp.OperationStarted, error) {
			return e.svc.Contacts.ChangeMobile(ctx, with(e.alpha, "CustomerService.ChangeMobile", ""), contact.ChangeMobileInput{
				AccountID: f.account, NewMobileCountryCode: "254", NewMobileNumber: "0733123456"})
		},
		"ActivateAccount": func() (otp.OperationStarted, error) {
			return e.svc.Accounts.ActivateAccount(ctx, with(e.alpha, "AccountService.ActivateAccount", ""), account.ActivateAccountInput{AccountID: f.account})
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
	first := e.clock.Now() // the verification's
	e.setStatus(t, "accounts", "account_number", f.account, account.StatusDormant)
	starts := f.starts()
	for _, kind := range []string{"VerifyEmailOrMobile", "AddOrUpdateEmail", "ChangeMobile", "ActivateAccount"} {
		e.clock.Add(time.Minute)
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
		r := refusal(err)
		next := first.Add(time.Hour)
		if r == nil || !strings.Contains(r.Detail, next.Format(time.RFC3339)) || r.RetryAfter != next.Sub(e.clock.Now()) {
			t.Fatalf("%s: refusal %+v, want the detail to say %s and RetryAfter %s", kind, r, next.Format(time.RFC3339), next.Sub(e.clock.Now()))
		}
	}
	// The same request under the same request id, a second before the hour
	// and then at it: a limit that resets is not remembered with the id.
	verifyEmail := func() error {
		_, err := e.svc.Contacts.VerifyEmailAddress(context.Background(), with(e.alpha, "VerificationService.VerifyEmailAddress", `"retry-1"`),
			contact.VerifyEmailAddressInput{OnboardType: "personal", PersonalIDType: "101", DocumentNumber: otpLimitNationalID})
		return err
	}
	e.clock.Add(first.Add(time.Hour).Sub(e.clock.Now()) - time.Second)
	if err := verifyEmail(); !errors.Is(err, otp.ErrOTPOperationLimit) {
		t.Fatalf("a second before the hour: got %v, want ErrOTPOperationLimit", err)
	}
	// The refusals did not count: an hour after the verification, one more.
	e.clock.Add(time.Second)
	if err := verifyEmail(); err != nil {
		t.Fatalf("an hour after the first, the same request id: %v", err)
	}
	_, err := starts["VerifyEmailOrMobile"]()
	if r := refusal(err); !errors.Is(err, otp.ErrOTPOperationLimit) || !strings.Contains(r.Detail, second.Add(time.Hour).Format(time.RFC3339)) {
		t.Fatalf("then: got %v, want ErrOTPOperationLimit until %s", err, second.Add(time.Hour).Format(time.RFC3339))
	}

	other := e.addCustomer(t, e.alpha, kenyan("27182818", "+254722333444", "juma@example.com"))
	if _, err := e.svc.Contacts.VerifyEmailOrMobile(context.Background(), with(e.alpha, "VerificationService.VerifyEmailOrMobile", ""),
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
