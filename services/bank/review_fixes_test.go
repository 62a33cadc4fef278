package bank_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/contact"
	"github.com/accountd/accountd/services/otp"
	"github.com/accountd/accountd/store/storetest"
)

// TestInactiveAccountNeedsTheCustomersCode: an account past the dormancy
// period cannot be made ACTIVE by the bank through another status; the bank
// may set it DORMANT, and the customer's code reactivates it.
func TestInactiveAccountNeedsTheCustomersCode(t *testing.T) {
	ctx := context.Background()
	e := newLifecycleEnv(t)
	codes := &captureSender{}
	id := e.addCustomer(t, e.alpha, kenyan("31000001", "+254712000001", "w1@example.com"))
	number := e.openAccount(t, e.alpha, id, "WALLET", "KES", "")
	e.verifyContact(t, e.alpha, codes, "31000001", "mobile")
	e.clock.Add(181 * 24 * time.Hour)
	if _, err := e.svc.Accounts.SweepDormancy(ctx); err != nil {
		t.Fatal(err)
	}
	e.changeStatus(t, e.alpha, number, account.StatusSuspended)
	_, err := e.svc.Accounts.UpdateAccountStatus(ctx, with(e.alpha, "AccountService.UpdateAccountStatus", ""),
		account.UpdateAccountStatusInput{AccountNumber: number, Status: account.StatusActive, Reason: "lifted"})
	if !errors.Is(err, services.ErrInvalidTransition) || !strings.Contains(refusal(err).Detail, "ActivateAccount") {
		t.Fatalf("SUSPENDED to ACTIVE after dormancy: %v, want ErrInvalidTransition naming ActivateAccount", err)
	}
	e.changeStatus(t, e.alpha, number, account.StatusDormant)
	op, err := e.svc.Accounts.ActivateAccount(ctx, with(e.alpha, "AccountService.ActivateAccount", ""), account.ActivateAccountInput{AccountID: number})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.OTP.ConfirmOTP(ctx, with(e.alpha, "VerificationService.ConfirmOTP", ""), otp.ConfirmOTPInput{
		RequestID: op.RequestID, OTP: e.code(t, codes, op.RequestID, otp.PurposeOTP)}); err != nil {
		t.Fatal(err)
	}
	// Reactivated by the customer, the account is active and stays so.
	if _, err := e.svc.Accounts.SweepDormancy(ctx); err != nil {
		t.Fatal(err)
	}
	if d := e.details(t, e.alpha, number); d.Status != account.StatusActive {
		t.Fatalf("after reactivation and a sweep: %s", d.Status)
	}
	// An active account cannot be set DORMANT by hand.
	_, err = e.svc.Accounts.UpdateAccountStatus(ctx, with(e.alpha, "AccountService.UpdateAccountStatus", ""),
		account.UpdateAccountStatusInput{AccountNumber: number, Status: account.StatusDormant, Reason: "x"})
	if !errors.Is(err, services.ErrInvalidTransition) {
		t.Fatalf("ACTIVE to DORMANT by hand: %v", err)
	}
}

// TestSweepSkipsGLAndBusyPools: general-ledger accounts never become
// dormant, and a pool stays ACTIVE while one of its open sub-accounts is
// active.
func TestSweepSkipsGLAndBusyPools(t *testing.T) {
	ctx := context.Background()
	e := newLifecycleEnv(t)
	id := e.addCustomer(t, e.alpha, business("CPR/2020/1", "Pool Co", "pool@example.com"))
	gl := e.openAccount(t, e.alpha, id, "GL", "KES", "")
	pool := e.openAccount(t, e.alpha, id, "CHECKING", "KES", "")
	sub := e.openAccount(t, e.alpha, id, "WALLET", "KES", pool)
	e.clock.Add(170 * 24 * time.Hour)
	if _, err := e.svc.Accounts.ApplyShortCode(ctx, with(e.alpha, "AccountService.ApplyShortCode", ""), account.ShortCodeInput{AccountID: sub}); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(11 * 24 * time.Hour)
	if _, err := e.svc.Accounts.SweepDormancy(ctx); err != nil {
		t.Fatal(err)
	}
	for number, want := range map[string]string{gl: account.StatusActive, pool: account.StatusActive, sub: account.StatusActive} {
		if got := e.details(t, e.alpha, number).Status; got != want {
			t.Errorf("%s: %s, want %s", number, got, want)
		}
	}
	e.clock.Add(180 * 24 * time.Hour)
	if _, err := e.svc.Accounts.SweepDormancy(ctx); err != nil {
		t.Fatal(err)
	}
	for number, want := range map[string]string{gl: account.StatusActive, pool: account.StatusDormant, sub: account.StatusDormant} {
		if got := e.details(t, e.alpha, number).Status; got != want {
			t.Errorf("after a quiet half-year %s: %s, want %s", number, got, want)
		}
	}
}

// TestClosePoolWhileOpeningUnderIt races closing a pool with opening
// accounts under it: either the close is refused or the new account is, and
// no open account is left under a closed pool.
func TestClosePoolWhileOpeningUnderIt(t *testing.T) {
	ctx := context.Background()
	e := newLifecycleEnv(t)
	id := e.addCustomer(t, e.alpha, business("CPR/2020/2", "Race Co", "race@example.com"))
	for round := range 10 {
		pool := e.openAccount(t, e.alpha, id, "CHECKING", "KES", "")
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			e.svc.Accounts.UpdateAccountStatus(ctx, with(e.alpha, "AccountService.UpdateAccountStatus", ""), //nolint:errcheck // either outcome is fine
				account.UpdateAccountStatusInput{AccountNumber: pool, Status: account.StatusClosed, Reason: "race"})
		}()
		go func() {
			defer wg.Done()
			e.svc.Accounts.AddAccount(ctx, with(e.alpha, "CustomerService.AddAccount", ""), //nolint:errcheck // either outcome is fine
				account.AddAccountInput{CustomerID: id, Name: "SUB", AccountType: "WALLET", Currency: "KES", ActivityAccountNumber: pool})
		}()
		wg.Wait()
		n := storetest.Count(t, e.path, `SELECT COUNT(*) FROM accounts s JOIN accounts p ON p.id = s.activity_account_id
			WHERE p.account_number = ? AND p.status = 'CLOSED' AND s.status <> 'CLOSED'`, pool)
		if n != 0 {
			t.Fatalf("round %d: %d open accounts under the closed pool %s", round, n, pool)
		}
	}
}

// TestMaskedAddressStaysText: an e-mail address starting with a letter
// outside ASCII is masked by characters, and the code goes out.
func TestMaskedAddressStaysText(t *testing.T) {
	ctx := context.Background()
	e := newLifecycleEnv(t)
	codes := &captureSender{}
	e.addCustomer(t, e.alpha, kenyan("31000003", "+254712000003", ""))
	op, err := e.svc.Contacts.AddOrUpdateEmail(ctx, with(e.alpha, "CustomerService.AddOrUpdateEmail", ""), contact.AddOrUpdateEmailInput{
		OnboardType: "personal", PersonalIDType: "101", DocumentNumber: "31000003", Email: "élodie@bücher.de"})
	if err != nil {
		t.Fatal(err)
	}
	if to := op.SentTo[0].To; !utf8.ValidString(to) || to != "é*****@bücher.de" {
		t.Fatalf("masked %q", to)
	}
	if e.code(t, codes, op.RequestID, otp.PurposeOTP) == "" {
		t.Fatal("no code sent")
	}
}

// TestStrandedMessagesExpire: messages sealed under a key no process holds
// any more (a restart without otp.message_key) are given up and emptied at
// their expiry by any dispatcher.
func TestStrandedMessagesExpire(t *testing.T) {
	ctx := context.Background()
	e := newLifecycleEnv(t)
	e.addCustomer(t, e.alpha, kenyan("31000004", "+254712000004", "w4@example.com"))
	op, err := e.svc.Contacts.VerifyEmailOrMobile(ctx, with(e.alpha, "VerificationService.VerifyEmailOrMobile", ""), contact.VerifyEmailOrMobileInput{
		OnboardType: "personal", PersonalIDType: "101", DocumentNumber: "31000004", VerifyType: "mobile"})
	if err != nil {
		t.Fatal(err)
	}
	restarted := bank.New(e.st, bank.Settings{InstitutionID: "101115399"}, bank.WithClock(e.clock))
	codes := &captureSender{}
	if rep, err := restarted.OTP.DispatchOnce(ctx, codes); err != nil || rep.Sent != 0 {
		t.Fatalf("another key sent %+v, %v", rep, err)
	}
	e.clock.Add(6 * time.Minute)
	if rep, err := restarted.OTP.DispatchOnce(ctx, codes); err != nil || rep.Expired != 1 {
		t.Fatalf("after expiry: %+v, %v; want 1 expired", rep, err)
	}
	msgs, err := e.st.OutboxMessages(ctx, op.RequestID)
	if err != nil || len(msgs) != 1 || msgs[0].Status != otp.MsgExpired || msgs[0].Sealed != "" {
		t.Fatalf("stranded message: %+v, %v", msgs, err)
	}
}
