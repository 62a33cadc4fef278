package ebank_test

import (
	"context"
	"errors"
	"testing"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/ebank"
	"github.com/accountd/accountd/store/storetest"
)

// TestOnboardCombo: customer, e-banking user and current account in one
// transaction; a clash on username, identification or phone leaves nothing.
func TestOnboardCombo(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	onboard := func(call services.Call, in ebank.OnboardComboInput) (ebank.OnboardComboResult, error) {
		return e.Bank.Ebank.OnboardCombo(ctx, banktest.With(call, "CustomerService.OnboardCombo", ""), in)
	}
	res, err := onboard(e.Alpha, banktest.Combo("46000001", "+254712000061", "wanjiru.k"))
	if err != nil {
		t.Fatal(err)
	}
	if res.UserStatus != ebank.UserActive || res.AccountType != "CHECKING" || res.Currency != "KES" || res.Username != "wanjiru.k" {
		t.Fatalf("combo: %+v", res)
	}
	view, err := e.Bank.Accounts.GetCustomer(ctx, e.Alpha, account.GetCustomerInput{ID: res.CustomerID})
	if err != nil || len(view.Accounts) != 1 || view.Accounts[0].AccountID != res.AccountNumber || view.Accounts[0].AccountName != "WANJIRU KAMAU" {
		t.Fatalf("GetCustomer after combo: %+v, %v", view, err)
	}
	info, err := e.Bank.Ebank.GetUserInfo(ctx, e.Alpha, ebank.UsernameInput{Username: "WANJIRU.K"})
	if err != nil || info.CustomerID != res.CustomerID || info.Mobile != "+254712000061" || info.Status != ebank.UserActive || info.Channel != "MOBILE" {
		t.Fatalf("GetUserInfo: %+v, %v", info, err)
	}

	customers := func() int { return storetest.Count(t, e.Path, `SELECT COUNT(*) FROM customers`) }
	before := customers()
	clashes := []struct {
		name string
		call services.Call
		in   ebank.OnboardComboInput
		want error
	}{
		{"username in another case", e.Alpha, banktest.Combo("46000002", "+254712000062", "Wanjiru.K"), ebank.ErrUsernameExists},
		{"username of another partner's user", e.Beta, banktest.Combo("46000002", "+254712000062", "wanjiru.k"), ebank.ErrUsernameExists},
		{"identification", e.Alpha, banktest.Combo("46000001", "+254712000062", "someone.else"), customer.ErrIdentificationExists},
		{"phone", e.Alpha, banktest.Combo("46000002", "+254712000061", "someone.else"), customer.ErrPhoneExists},
	}
	for _, tt := range clashes {
		if _, err := onboard(tt.call, tt.in); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	if got := customers(); got != before {
		t.Fatalf("%d customers after the refused combos, want %d: something was left behind", got, before)
	}
	if n := storetest.Count(t, e.Path, `SELECT COUNT(*) FROM ebank_users`); n != 1 {
		t.Fatalf("%d users, want 1", n)
	}
	if _, err := e.Bank.Customers.UpdateBlacklist(ctx, banktest.With(e.Alpha, "CustomerService.UpdateBlacklist", ""), customer.UpdateBlacklistInput{
		PhoneNumber: "+254712000063", Action: "ADD", Reason: "fraud"}); err != nil {
		t.Fatal(err)
	}
	if _, err := onboard(e.Alpha, banktest.Combo("46000003", "+254712000063", "blocked.one")); !errors.Is(err, customer.ErrBlacklisted) {
		t.Fatalf("blacklisted phone: %v", err)
	}

	bad := []struct {
		name   string
		change func(*ebank.OnboardComboInput)
		want   string
	}{
		{"a business", func(in *ebank.OnboardComboInput) {
			in.Customer = banktest.Business("CPR/1/1", "Biz", "biz@example.com")
			in.Customer.Contact.PhoneNumber = "+254712000064"
		}, "customer.type:INVALID_VALUE"},
		{"a landline", func(in *ebank.OnboardComboInput) { in.Customer.Contact.PhoneNumber = "+254202222222" }, "customer.contact.phoneNumber:INVALID_VALUE"},
		{"no phone", func(in *ebank.OnboardComboInput) { in.Customer.Contact = customer.Contact{Email: "x@example.com"} }, "customer.contact.phoneNumber:REQUIRED"},
		{"bad customer and user", func(in *ebank.OnboardComboInput) { in.Customer.DOB, in.Username, in.Currency = "", "1abc", "" },
			"currency:REQUIRED customer.DOB:REQUIRED username:INVALID_FORMAT"},
		{"unknown channel", func(in *ebank.OnboardComboInput) { in.Channel = "FAX" }, "channel:INVALID_VALUE"},
	}
	for _, tt := range bad {
		in := banktest.Combo("46000004", "+254712000065", "new.user")
		tt.change(&in)
		_, err := onboard(e.Alpha, in)
		if got := banktest.Join(banktest.FieldReasons(err)); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestEbankUserLifecycle: status changes with history, closing for good
// with the bank accounts left open, and ValidateMobileUser.
func TestEbankUserLifecycle(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	res, err := e.Bank.Ebank.OnboardCombo(ctx, banktest.With(e.Alpha, "CustomerService.OnboardCombo", ""), banktest.Combo("47000001", "+254712000071", "achieng.o"))
	if err != nil {
		t.Fatal(err)
	}
	mobile := func(phone string) ebank.MobileUserResult {
		t.Helper()
		r, err := e.Bank.Ebank.ValidateMobileUser(ctx, e.Alpha, ebank.ValidateMobileUserInput{PhoneNumber: phone})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := mobile("+254 712 000 071"); !r.Registered || r.Username != "achieng.o" || r.Status != ebank.UserActive || r.PhoneNumber != "+254712000071" {
		t.Fatalf("ValidateMobileUser: %+v", r)
	}
	if r := mobile("+254712000079"); r.Registered {
		t.Fatalf("an unknown number: %+v", r)
	}
	set := func(status string) error {
		_, err := e.Bank.Ebank.UpdateUserStatus(ctx, banktest.With(e.Alpha, "UserService.UpdateUserStatus", ""), ebank.UpdateUserStatusInput{
			Username: "achieng.o", Status: status, Reason: "test " + status})
		return err
	}
	for _, st := range []string{ebank.UserLocked, ebank.UserBlocked, ebank.UserActive} {
		if err := set(st); err != nil {
			t.Fatalf("to %s: %v", st, err)
		}
	}
	if err := set(ebank.UserActive); !errors.Is(err, ebank.ErrUserStatusUnchanged) {
		t.Fatalf("ACTIVE again: %v", err)
	}
	if err := set("CLOSED"); banktest.FieldReasons(err) == nil {
		t.Fatalf("CLOSED through UpdateUserStatus: %v", err)
	}
	if _, err := e.Bank.Ebank.UpdateUserStatus(ctx, e.Beta, ebank.UpdateUserStatusInput{Username: "achieng.o", Status: "LOCKED", Reason: "x"}); !errors.Is(err, ebank.ErrUserNotFound) {
		t.Fatalf("another partner: %v", err)
	}
	second, err := e.Bank.Ebank.OpenCurrentAccount(ctx, banktest.With(e.Alpha, "CustomerService.OpenCurrentAccount", ""), ebank.OpenCurrentAccountInput{CustomerID: res.CustomerID, Currency: "USD"})
	if err != nil || second.AccountType != "CHECKING" {
		t.Fatalf("OpenCurrentAccount: %+v, %v", second, err)
	}
	if d := e.Details(t, e.Alpha, second.AccountNumber); d.AccountName != "WANJIRU KAMAU" || d.Currency != "USD" {
		t.Fatalf("current account %+v", d)
	}
	closed, err := e.Bank.Ebank.CloseMobileAccount(ctx, banktest.With(e.Alpha, "UserService.CloseMobileAccount", ""), ebank.UsernameInput{Username: "ACHIENG.O"})
	if err != nil || closed.Status != ebank.UserClosed || len(closed.OpenAccounts) != 2 {
		t.Fatalf("CloseMobileAccount: %+v, %v", closed, err)
	}
	if err := set(ebank.UserActive); !errors.Is(err, ebank.ErrUserClosed) {
		t.Fatalf("reactivating a closed user: %v", err)
	}
	if _, err := e.Bank.Ebank.CloseMobileAccount(ctx, e.Alpha, ebank.UsernameInput{Username: "achieng.o"}); !errors.Is(err, ebank.ErrUserClosed) {
		t.Fatalf("closing twice: %v", err)
	}
	if r := mobile("+254712000071"); !r.Registered || r.Status != ebank.UserClosed {
		t.Fatalf("after closing: %+v", r)
	}
	info, err := e.Bank.Ebank.GetUserInfo(ctx, e.Alpha, ebank.UsernameInput{Username: "achieng.o"})
	if err != nil || len(info.History) != 4 || info.History[3].ToStatus != ebank.UserClosed || info.History[0].Reason != "test LOCKED" || info.History[0].KeyID != e.Alpha.KeyID {
		t.Fatalf("history: %+v, %v", info.History, err)
	}
	if d := e.Details(t, e.Alpha, res.AccountNumber); d.Status != account.StatusActive {
		t.Fatalf("the bank account after closing the user: %s", d.Status)
	}
	if _, err := e.Bank.Ebank.OpenCurrentAccount(ctx, e.Alpha, ebank.OpenCurrentAccountInput{CustomerID: "999999999999999", Currency: "USD"}); !errors.Is(err, customer.ErrCustomerNotFound) {
		t.Fatalf("unknown customer: %v", err)
	}
}
