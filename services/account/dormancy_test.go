package account_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/contact"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/otp"
)

const day = 24 * time.Hour

// TestDormancyAndReactivation follows an account that falls dormant after
// 180 days without activity and is reactivated with the customer's code.
func TestDormancyAndReactivation(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	sms := &banktest.CaptureSender{}
	const nationalID = "23456789"
	holder := e.AddCustomer(t, e.Alpha, banktest.Kenyan(nationalID, "+254712345678", "wanjiru@example.com"))
	idle := e.OpenAccount(t, e.Alpha, holder, "SAVINGS", "KES", "")
	busy := e.OpenAccount(t, e.Alpha, holder, "CHECKING", "KES", "")
	e.Clock.Add(day)
	edge := e.OpenAccount(t, e.Alpha, e.AddCustomer(t, e.Alpha, banktest.Dave()), "CHECKING", "USD", "")

	e.Clock.Add(99 * day) // day 100
	if _, err := e.Bank.Accounts.ApplyShortCode(ctx, banktest.With(e.Alpha, "AccountService.ApplyShortCode", ""), account.ShortCodeInput{AccountID: busy}); err != nil {
		t.Fatal(err)
	}
	e.Clock.Add(81 * day) // day 181: idle untouched for 181 days, edge for exactly 180
	auditBefore := len(banktest.AuditRows(t, e))
	rep, err := e.Bank.Accounts.SweepDormancy(ctx)
	if err != nil || rep != (account.SweepReport{Dormant: 1}) {
		t.Fatalf("sweep: %+v, %v; want one account made dormant", rep, err)
	}
	wantStatus := func(step string, want map[string]string) {
		t.Helper()
		for number, status := range want {
			d := e.Details(t, e.Alpha, number)
			dormant := 0
			if status == "DORMANT" {
				dormant = 1
			}
			if d.Status != status || d.DormantStatus != dormant {
				t.Errorf("%s: %s is %s (dormantStatus %d), want %s", step, number, d.Status, d.DormantStatus, status)
			}
		}
	}
	wantStatus("first sweep", map[string]string{idle: "DORMANT", busy: "ACTIVE", edge: "ACTIVE"})
	changes := e.History(t, e.Alpha, idle)
	if len(changes) != 1 || changes[0].FromStatus != "ACTIVE" || changes[0].ToStatus != "DORMANT" || changes[0].KeyID != "system" ||
		changes[0].ReasonCode != "NO_ACTIVITY" || changes[0].At != e.Clock.Now().Unix() || !strings.Contains(changes[0].Reason, "180 days") {
		t.Fatalf("history of the dormant account: %+v", changes)
	}
	rows := banktest.AuditRows(t, e)
	if len(rows) != auditBefore+1 || rows[len(rows)-1].Method != "system.DormancySweep" || banktest.Entities(t, rows[len(rows)-1])["accountNumber"] != idle {
		t.Errorf("audit after sweep: %d rows (was %d), last %+v", len(rows), auditBefore, rows[len(rows)-1])
	}
	if rep, err := e.Bank.Accounts.SweepDormancy(ctx); err != nil || rep != (account.SweepReport{}) {
		t.Fatalf("second sweep: %+v, %v; want nothing done", rep, err)
	}
	if n := len(e.History(t, e.Alpha, idle)); n != 1 {
		t.Fatalf("second sweep: history has %d entries, want 1", n)
	}
	e.Clock.Add(time.Millisecond) // edge is now past 180 days
	if rep, err := e.Bank.Accounts.SweepDormancy(ctx); err != nil || rep.Dormant != 1 {
		t.Fatalf("sweep a moment later: %+v, %v; want the edge account made dormant", rep, err)
	}
	wantStatus("sweep a moment later", map[string]string{edge: "DORMANT", busy: "ACTIVE"})

	activate := func(number string) (otp.OperationStarted, error) {
		return e.Bank.Accounts.ActivateAccount(ctx, banktest.With(e.Alpha, "AccountService.ActivateAccount", ""), account.ActivateAccountInput{AccountID: number})
	}
	if _, err := activate(idle); !errors.Is(err, customer.ErrNoVerifiedContact) {
		t.Fatalf("activate without a verified contact: got %v, want ErrNoVerifiedContact", err)
	}
	if _, err := activate(busy); !errors.Is(err, account.ErrAccountNotDormant) {
		t.Fatalf("activate an active account: got %v, want ErrAccountNotDormant", err)
	}
	if _, err := e.Bank.Accounts.ActivateAccount(ctx, e.Beta, account.ActivateAccountInput{AccountID: idle}); !errors.Is(err, account.ErrAccountNotFound) {
		t.Fatalf("another partner activates: got %v, want ErrAccountNotFound", err)
	}
	e.VerifyContact(t, e.Alpha, sms, nationalID, "mobile")
	wantStatus("mobile verified", map[string]string{idle: "DORMANT"})

	op, err := activate(idle)
	if err != nil {
		t.Fatalf("activate: %v", err)
	}
	if op.Operation != "ACTIVATE_ACCOUNT" || op.Status != "PENDING" || op.AccountID != idle || op.CustomerID != holder ||
		op.ExpiresAt != e.Clock.Now().Add(5*time.Minute).Unix() || len(op.SentTo) != 1 ||
		op.SentTo[0] != (otp.SentTo{Purpose: "OTP", Channel: "sms", To: "+2547*****678"}) {
		t.Fatalf("activate: %+v", op)
	}
	m := e.Message(t, sms, op.RequestID, otp.PurposeOTP)
	if m.To != "+254712345678" || m.Channel != "sms" || !strings.Contains(m.Text, m.Code) {
		t.Fatalf("code message %+v", m)
	}
	wantStatus("code sent", map[string]string{idle: "DORMANT"})
	e.Clock.Add(time.Minute)
	confirm := func() (otp.OperationConfirmed, error) {
		return e.Bank.OTP.ConfirmOTP(ctx, banktest.With(e.Alpha, "VerificationService.ConfirmOTP", ""), otp.ConfirmOTPInput{RequestID: op.RequestID, OTP: m.Code})
	}
	res, err := confirm()
	if err != nil || res.AccountStatus != "ACTIVE" || res.AccountID != idle || res.Status != "COMPLETED" {
		t.Fatalf("confirm: %+v, %v", res, err)
	}
	wantStatus("confirmed", map[string]string{idle: "ACTIVE"})
	changes = e.History(t, e.Alpha, idle)
	last := changes[len(changes)-1]
	if len(changes) != 2 || last.FromStatus != "DORMANT" || last.ToStatus != "ACTIVE" || last.KeyID != e.Alpha.KeyID || last.At != e.Clock.Now().Unix() {
		t.Fatalf("history after reactivation: %+v", changes)
	}
	if _, err := confirm(); !errors.Is(err, otp.ErrOperationCompleted) {
		t.Fatalf("confirm again: got %v, want ErrOperationCompleted", err)
	}
	// Verifying the mobile on day 181 was activity on every account of the
	// customer: on day 281 busy (shortcode on day 100) is not dormant yet.
	e.Clock.Add(100 * day)
	if rep, err := e.Bank.Accounts.SweepDormancy(ctx); err != nil || rep.Dormant != 0 {
		t.Fatalf("sweep 100 days after reactivation: %+v, %v; want none made dormant", rep, err)
	}
	wantStatus("100 days after reactivation", map[string]string{idle: "ACTIVE", busy: "ACTIVE"})
}

// TestActivateAccountByEmail sends the code to a verified e-mail when the
// mobile number is not verified, and refuses a frozen dormant account.
func TestActivateAccountByEmail(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	mail := &banktest.CaptureSender{}
	const nationalID = "34567890"
	holder := e.AddCustomer(t, e.Alpha, banktest.Kenyan(nationalID, "+254712345678", "Wanjiru.K@example.com"))
	number := e.OpenAccount(t, e.Alpha, holder, "SAVINGS", "KES", "")
	frozen := e.OpenAccount(t, e.Alpha, holder, "SAVINGS", "KES", "")
	e.VerifyContact(t, e.Alpha, mail, nationalID, "email")
	e.Clock.Add(181 * day)
	if _, err := freezeAccount(e, e.Alpha, frozen, "COURT_ORDER", ""); err != nil {
		t.Fatal(err)
	}
	if rep, err := e.Bank.Accounts.SweepDormancy(ctx); err != nil || rep.Dormant != 2 {
		t.Fatalf("sweep: %+v, %v; want both accounts dormant", rep, err)
	}
	if _, err := e.Bank.Accounts.ActivateAccount(ctx, e.Alpha, account.ActivateAccountInput{AccountNumber: frozen}); !errors.Is(err, account.ErrAccountFrozen) {
		t.Fatalf("activate a frozen account: got %v, want ErrAccountFrozen", err)
	}
	op, err := e.Bank.Accounts.ActivateAccount(ctx, e.Alpha, account.ActivateAccountInput{AccountNumber: number})
	if err != nil || len(op.SentTo) != 1 || op.SentTo[0] != (otp.SentTo{Purpose: "OTP", Channel: "email", To: "W********@example.com"}) {
		t.Fatalf("activate: %+v, %v", op, err)
	}
	m := e.Message(t, mail, op.RequestID, otp.PurposeOTP)
	if m.To != "Wanjiru.K@example.com" || m.Channel != "email" {
		t.Fatalf("message %+v", m)
	}
	// A freeze placed while the code is on its way stops the reactivation.
	if _, err := freezeAccount(e, e.Alpha, number, "LOST_DEVICE", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Bank.OTP.ConfirmOTP(ctx, e.Alpha, otp.ConfirmOTPInput{RequestID: op.RequestID, OTP: m.Code}); !errors.Is(err, account.ErrAccountFrozen) {
		t.Fatalf("confirm while frozen: got %v, want ErrAccountFrozen", err)
	}
	if d := e.Details(t, e.Alpha, number); d.Status != "DORMANT" {
		t.Fatalf("after a refused confirmation: %s, want DORMANT", d.Status)
	}
	if _, err := unfreezeAccount(e, e.Alpha, number); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Bank.OTP.ConfirmOTP(ctx, e.Alpha, otp.ConfirmOTPInput{RequestID: op.RequestID, OTP: m.Code}); err != nil {
		t.Fatalf("confirm after the unfreeze: %v", err)
	}
	if d := e.Details(t, e.Alpha, number); d.Status != "ACTIVE" {
		t.Fatalf("after confirming: %s, want ACTIVE", d.Status)
	}
	// Reactivation is activity: the next sweep leaves the account ACTIVE.
	if rep, err := e.Bank.Accounts.SweepDormancy(ctx); err != nil || rep.Dormant != 0 {
		t.Fatalf("sweep after reactivation: %+v, %v; want none made dormant", rep, err)
	}
}

// TestCustomerActivity checks what counts as customer activity: each case
// acts on day 100 on an account opened on day 0, and the sweep runs on day
// 181.
func TestCustomerActivity(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	sms := &banktest.CaptureSender{}
	type subject struct{ nationalID, customer, account string }
	confirm := func(t *testing.T, op otp.OperationStarted, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Bank.OTP.ConfirmOTP(ctx, e.Alpha, otp.ConfirmOTPInput{RequestID: op.RequestID, OTP: e.Code(t, sms, op.RequestID, otp.PurposeOTP)}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name        string
		business    bool
		act         func(t *testing.T, s subject)
		wantDormant bool
	}{
		{name: "nothing", act: func(*testing.T, subject) {}, wantDormant: true},
		{name: "short code", act: func(t *testing.T, s subject) {
			if _, err := applyShortCode(e, e.Alpha, s.account); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "sub-account renamed", business: true, act: func(t *testing.T, s subject) {
			if _, err := e.Bank.Accounts.EditSubAccountName(ctx, e.Alpha, account.EditSubAccountNameInput{AccountID: s.account, SubAccountName: "Payroll"}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "mobile verified", act: func(t *testing.T, s subject) { e.VerifyContact(t, e.Alpha, sms, s.nationalID, "mobile") }},
		{name: "e-mail changed", act: func(t *testing.T, s subject) {
			op, err := e.Bank.Contacts.AddOrUpdateEmail(ctx, e.Alpha, contact.AddOrUpdateEmailInput{OnboardType: "personal", PersonalIDType: "101",
				DocumentNumber: s.nationalID, Email: "new." + s.nationalID + "@example.com"})
			confirm(t, op, err)
		}},
		{name: "verification started, not confirmed", act: func(t *testing.T, s subject) {
			if _, err := e.Bank.Contacts.VerifyEmailOrMobile(ctx, e.Alpha, contact.VerifyEmailOrMobileInput{OnboardType: "personal", PersonalIDType: "101",
				DocumentNumber: s.nationalID, VerifyType: "mobile"}); err != nil {
				t.Fatal(err)
			}
		}, wantDormant: true},
		{name: "status changed by the bank", act: func(t *testing.T, s subject) {
			e.ChangeStatus(t, e.Alpha, s.account, "SUSPENDED")
			e.ChangeStatus(t, e.Alpha, s.account, "ACTIVE")
		}, wantDormant: true},
		{name: "frozen and unfrozen by the bank", act: func(t *testing.T, s subject) {
			if _, err := freezeAccount(e, e.Alpha, s.account, "AML_REVIEW", ""); err != nil {
				t.Fatal(err)
			}
			if _, err := unfreezeAccount(e, e.Alpha, s.account); err != nil {
				t.Fatal(err)
			}
		}, wantDormant: true},
		{name: "name inquiry", act: func(t *testing.T, s subject) {
			if _, err := e.Bank.Accounts.ValidateName(ctx, e.Beta, account.ValidateNameInput{BankCode: banktest.BankCode, AccountNumber: s.account}); err != nil {
				t.Fatal(err)
			}
		}, wantDormant: true},
		{name: "details read", act: func(t *testing.T, s subject) { e.Details(t, e.Alpha, s.account) }, wantDormant: true},
	}
	subjects := make([]subject, len(tests))
	for i, tt := range tests {
		s := subject{nationalID: fmt.Sprintf("%08d", 30000000+i)}
		in := banktest.Kenyan(s.nationalID, fmt.Sprintf("+2547120000%02d", i), "")
		if tt.business {
			in = banktest.Business(fmt.Sprintf("PVT-%d", i), "Choice Microfinance Bank", fmt.Sprintf("biz%d@example.com", i))
		}
		s.customer = e.AddCustomer(t, e.Alpha, in)
		s.account = e.OpenAccount(t, e.Alpha, s.customer, "SAVINGS", "KES", "")
		subjects[i] = s
	}
	e.Clock.Add(100 * day)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.act(t, subjects[i]) })
	}
	e.Clock.Add(81 * day)
	if _, err := e.Bank.Accounts.SweepDormancy(ctx); err != nil {
		t.Fatal(err)
	}
	for i, tt := range tests {
		if got := e.Details(t, e.Alpha, subjects[i].account).Status == "DORMANT"; got != tt.wantDormant {
			t.Errorf("%s: dormant %v, want %v", tt.name, got, tt.wantDormant)
		}
	}
}

// TestInactiveAccountNeedsTheCustomersCode: an account past the dormancy
// period cannot be made ACTIVE by the bank through another status; the bank
// may set it DORMANT, and the customer's code reactivates it.
func TestInactiveAccountNeedsTheCustomersCode(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	codes := &banktest.CaptureSender{}
	id := e.AddCustomer(t, e.Alpha, banktest.Kenyan("31000001", "+254712000001", "w1@example.com"))
	number := e.OpenAccount(t, e.Alpha, id, "WALLET", "KES", "")
	e.VerifyContact(t, e.Alpha, codes, "31000001", "mobile")
	e.Clock.Add(181 * 24 * time.Hour)
	if _, err := e.Bank.Accounts.SweepDormancy(ctx); err != nil {
		t.Fatal(err)
	}
	e.ChangeStatus(t, e.Alpha, number, account.StatusSuspended)
	_, err := e.Bank.Accounts.UpdateAccountStatus(ctx, banktest.With(e.Alpha, "AccountService.UpdateAccountStatus", ""),
		account.UpdateAccountStatusInput{AccountNumber: number, Status: account.StatusActive, Reason: "lifted"})
	if !errors.Is(err, account.ErrInvalidTransition) || !strings.Contains(banktest.Refusal(err).Detail, "ActivateAccount") {
		t.Fatalf("SUSPENDED to ACTIVE after dormancy: %v, want ErrInvalidTransition naming ActivateAccount", err)
	}
	e.ChangeStatus(t, e.Alpha, number, account.StatusDormant)
	op, err := e.Bank.Accounts.ActivateAccount(ctx, banktest.With(e.Alpha, "AccountService.ActivateAccount", ""), account.ActivateAccountInput{AccountID: number})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Bank.OTP.ConfirmOTP(ctx, banktest.With(e.Alpha, "VerificationService.ConfirmOTP", ""), otp.ConfirmOTPInput{
		RequestID: op.RequestID, OTP: e.Code(t, codes, op.RequestID, otp.PurposeOTP)}); err != nil {
		t.Fatal(err)
	}
	// Reactivated by the customer, the account is active and stays so.
	if _, err := e.Bank.Accounts.SweepDormancy(ctx); err != nil {
		t.Fatal(err)
	}
	if d := e.Details(t, e.Alpha, number); d.Status != account.StatusActive {
		t.Fatalf("after reactivation and a sweep: %s", d.Status)
	}
	// An active account cannot be set DORMANT by hand.
	_, err = e.Bank.Accounts.UpdateAccountStatus(ctx, banktest.With(e.Alpha, "AccountService.UpdateAccountStatus", ""),
		account.UpdateAccountStatusInput{AccountNumber: number, Status: account.StatusDormant, Reason: "x"})
	if !errors.Is(err, account.ErrInvalidTransition) {
		t.Fatalf("ACTIVE to DORMANT by hand: %v", err)
	}
}

// TestSweepSkipsGLAndBusyPools: general-ledger accounts never become
// dormant, and a pool stays ACTIVE while one of its open sub-accounts is
// active.
func TestSweepSkipsGLAndBusyPools(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	id := e.AddCustomer(t, e.Alpha, banktest.Business("CPR/2020/1", "Pool Co", "pool@example.com"))
	gl := e.OpenAccount(t, e.Alpha, id, "GL", "KES", "")
	pool := e.OpenAccount(t, e.Alpha, id, "CHECKING", "KES", "")
	sub := e.OpenAccount(t, e.Alpha, id, "WALLET", "KES", pool)
	e.Clock.Add(170 * 24 * time.Hour)
	if _, err := e.Bank.Accounts.ApplyShortCode(ctx, banktest.With(e.Alpha, "AccountService.ApplyShortCode", ""), account.ShortCodeInput{AccountID: sub}); err != nil {
		t.Fatal(err)
	}
	e.Clock.Add(11 * 24 * time.Hour)
	if _, err := e.Bank.Accounts.SweepDormancy(ctx); err != nil {
		t.Fatal(err)
	}
	for number, want := range map[string]string{gl: account.StatusActive, pool: account.StatusActive, sub: account.StatusActive} {
		if got := e.Details(t, e.Alpha, number).Status; got != want {
			t.Errorf("%s: %s, want %s", number, got, want)
		}
	}
	e.Clock.Add(180 * 24 * time.Hour)
	if _, err := e.Bank.Accounts.SweepDormancy(ctx); err != nil {
		t.Fatal(err)
	}
	for number, want := range map[string]string{gl: account.StatusActive, pool: account.StatusDormant, sub: account.StatusDormant} {
		if got := e.Details(t, e.Alpha, number).Status; got != want {
			t.Errorf("after a quiet half-year %s: %s, want %s", number, got, want)
		}
	}
}
