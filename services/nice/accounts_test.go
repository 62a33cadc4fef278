package nice_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/ebank"
	"github.com/accountd/accountd/services/nice"
)

// TestNiceNumberAccounts: an account opened with a held nice number gets
// it, the hold is used up and the fee recorded, in one transaction; the
// number then works everywhere an account number does.
func TestNiceNumberAccounts(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	an := e.AddCustomer(t, e.Alpha, banktest.Kenyan("51000001", "+254712000111", "a111@example.com"))
	binh := e.AddCustomer(t, e.Alpha, banktest.Kenyan("51000002", "+254712000112", "a112@example.com"))
	hold := func(number, customer string) {
		t.Helper()
		if _, err := e.Bank.Nice.HoldNiceNumber(ctx, banktest.With(e.Alpha, "AccountService.HoldNiceNumber", ""), nice.HoldNiceNumberInput{Number: number, CustomerID: customer}); err != nil {
			t.Fatal(err)
		}
	}
	add := func(customer, currency, number string) (account.AddAccountResult, error) {
		return e.Bank.Accounts.AddAccount(ctx, banktest.With(e.Alpha, "CustomerService.AddAccount", ""), account.AddAccountInput{
			CustomerID: customer, Name: "NICE", AccountType: "CHECKING", Currency: currency, AccountNumber: number})
	}
	hold("39393939", an)
	if _, err := add(binh, "VND", "39393939"); !errors.Is(err, nice.ErrNiceHoldNotFound) {
		t.Fatalf("another customer using An's hold: %v", err)
	}
	if _, err := add(an, "USD", "39393939"); !errors.Is(err, services.ErrCurrencyMismatch) {
		t.Fatalf("a USD account with a VND-priced number: %v", err)
	}
	res, err := add(an, "VND", "39393939")
	if err != nil || res.AccountNumber != "39393939" {
		t.Fatalf("nice account: %+v, %v", res, err)
	}
	d := e.Details(t, e.Alpha, "39393939")
	if d.NiceCategory != nice.NiceRepeatedPairs || d.NiceFee != "1000000.00" || d.CustomerID != an {
		t.Fatalf("details: %+v", d)
	}
	info, err := e.Bank.Nice.CheckNiceNumber(ctx, e.Alpha, nice.CheckNiceNumberInput{Number: "39393939"})
	if err != nil || info.Status != nice.NiceTakenNow {
		t.Fatalf("after use: %+v, %v", info, err)
	}
	if _, err := add(an, "VND", "39393939"); !errors.Is(err, nice.ErrNiceHoldNotFound) {
		t.Fatalf("the hold was used up: %v", err)
	}
	if _, err := e.Bank.Nice.HoldNiceNumber(ctx, e.Alpha, nice.HoldNiceNumberInput{Number: "39393939", CustomerID: binh}); !errors.Is(err, nice.ErrNiceNumberTaken) {
		t.Fatalf("holding a taken number: %v", err)
	}
	// The nice number works where account numbers go.
	e.ChangeStatus(t, e.Alpha, "39393939", account.StatusSuspended)
	if _, err := e.Bank.Accounts.ApplyShortCode(ctx, banktest.With(e.Alpha, "AccountService.ApplyShortCode", ""), account.ShortCodeInput{AccountID: "39393939"}); err != nil {
		t.Fatalf("short code for a nice account: %v", err)
	}
	// OpenCurrentAccount takes a held number too; an expired hold is refused.
	hold("68686868", binh)
	e.Clock.Add(16 * time.Minute)
	open := func(number string) (account.AddAccountResult, error) {
		return e.Bank.Ebank.OpenCurrentAccount(ctx, banktest.With(e.Alpha, "CustomerService.OpenCurrentAccount", ""), ebank.OpenCurrentAccountInput{
			CustomerID: binh, Currency: "VND", AccountNumber: number})
	}
	if _, err := open("68686868"); !errors.Is(err, nice.ErrNiceHoldNotFound) {
		t.Fatalf("an expired hold: %v", err)
	}
	hold("68686868", binh)
	if res, err := open("68686868"); err != nil || res.AccountNumber != "68686868" {
		t.Fatalf("OpenCurrentAccount with a nice number: %+v, %v", res, err)
	}
	for _, bad := range []string{"12345", "1234567890123"} {
		if _, err := add(an, "VND", bad); banktest.Join(banktest.FieldReasons(err)) != "accountNumber:INVALID_FORMAT" {
			t.Errorf("accountNumber %q: %v", bad, err)
		}
	}
}
