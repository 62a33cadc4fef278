package account_test

import (
	"context"
	"errors"
	"testing"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/customer"
)

// accountFixture holds the parties AddAccount tests refer to.
type accountFixture struct {
	e                             *banktest.Env
	owner, custodian, foreign     string // customer IDs; foreign belongs to beta
	poolUSD, poolEUR, foreignPool string
}

func newAccountFixture(t *testing.T) accountFixture {
	t.Helper()
	ctx := context.Background()
	e := banktest.New(t)
	add := func(call services.Call, in customer.AddCustomerInput) string {
		res, err := e.Bank.Customers.AddCustomer(ctx, banktest.With(call, "CustomerService.AddCustomer", ""), in)
		if err != nil {
			t.Fatal(err)
		}
		return res.ID
	}
	open := func(call services.Call, cust, typ, currency string) string {
		res, err := e.Bank.Accounts.AddAccount(ctx, banktest.With(call, "CustomerService.AddAccount", ""), account.AddAccountInput{CustomerID: cust, Name: "POOL", AccountType: typ, Currency: currency})
		if err != nil {
			t.Fatal(err)
		}
		return res.AccountNumber
	}
	f := accountFixture{e: e}
	f.owner = add(e.Alpha, banktest.Dave())
	minor := banktest.Dave()
	minor.FirstName, minor.Identification[0].Value, minor.Contact = "Sam", "234-56-7890", customer.Contact{Email: "sam@example.com"}
	f.custodian = add(e.Alpha, minor)
	f.foreign = add(e.Beta, banktest.Dave())
	f.poolUSD = open(e.Alpha, f.owner, "CHECKING", "USD")
	f.poolEUR = open(e.Alpha, f.owner, "CHECKING", "EUR")
	f.foreignPool = open(e.Beta, f.foreign, "CHECKING", "USD")
	return f
}

func TestAddAccount(t *testing.T) {
	ctx := context.Background()
	f := newAccountFixture(t)
	e := f.e
	wallet := func() account.AddAccountInput {
		return account.AddAccountInput{CustomerID: f.owner, Name: "DAVE", AccountType: "WALLET", Currency: "USD", ActivityAccountNumber: f.poolUSD}
	}
	tests := []struct {
		name      string
		mutate    func(*account.AddAccountInput)
		call      services.Call
		wantErr   error
		wantField string
	}{
		{name: "the seed example", mutate: func(*account.AddAccountInput) {}},
		{name: "without a pool", mutate: func(in *account.AddAccountInput) { in.ActivityAccountNumber = "" }},
		{name: "zero-decimal currency", mutate: func(in *account.AddAccountInput) { in.Currency, in.ActivityAccountNumber = "VND", "" }},
		{name: "custodial", mutate: func(in *account.AddAccountInput) {
			in.AccountType, in.CustodialCustomerID, in.CustodialType, in.ActivityAccountNumber = "CUSTODIAL", f.custodian, "UTMA", ""
		}},
		{name: "missing everything", mutate: func(in *account.AddAccountInput) { *in = account.AddAccountInput{} }, wantErr: services.ErrInvalidInput,
			wantField: "accountType:REQUIRED currency:REQUIRED customerID:REQUIRED name:REQUIRED"},
		{name: "unknown account type", mutate: func(in *account.AddAccountInput) { in.AccountType = "LOAN" }, wantErr: services.ErrInvalidInput, wantField: "accountType:INVALID_VALUE"},
		{name: "lower-case currency", mutate: func(in *account.AddAccountInput) { in.Currency = "usd" }, wantErr: services.ErrInvalidInput, wantField: "currency:INVALID_VALUE"},
		{name: "withdrawn currency", mutate: func(in *account.AddAccountInput) { in.Currency = "DEM" }, wantErr: services.ErrInvalidInput, wantField: "currency:INVALID_VALUE"},
		{name: "test currency", mutate: func(in *account.AddAccountInput) { in.Currency = "XTS" }, wantErr: services.ErrInvalidInput, wantField: "currency:INVALID_VALUE"},
		{name: "customer ID not numeric", mutate: func(in *account.AddAccountInput) { in.CustomerID = "DAVE" }, wantErr: services.ErrInvalidInput, wantField: "customerID:INVALID_FORMAT"},
		{name: "pool number with a wrong check digit", mutate: func(in *account.AddAccountInput) { in.ActivityAccountNumber = flipLast(f.poolUSD) },
			wantErr: services.ErrInvalidInput, wantField: "activityAccountNumber:INVALID_FORMAT"},
		{name: "custodial without custodian", mutate: func(in *account.AddAccountInput) { in.AccountType = "CUSTODIAL" }, wantErr: services.ErrInvalidInput,
			wantField: "custodialCustomerID:REQUIRED custodialType:REQUIRED"},
		{name: "custodian is the owner", mutate: func(in *account.AddAccountInput) {
			in.AccountType, in.CustodialCustomerID, in.CustodialType = "CUSTODIAL", f.owner, "UTMA"
		}, wantErr: services.ErrInvalidInput, wantField: "custodialCustomerID:INVALID_VALUE"},
		{name: "custodial fields on a wallet", mutate: func(in *account.AddAccountInput) { in.CustodialType = "UTMA" }, wantErr: services.ErrInvalidInput, wantField: "custodialType:NOT_ALLOWED"},
		{name: "unknown customer", mutate: func(in *account.AddAccountInput) { in.CustomerID = "100000000052004" }, wantErr: customer.ErrCustomerNotFound},
		{name: "another partner's customer", mutate: func(in *account.AddAccountInput) { in.CustomerID = f.foreign }, wantErr: customer.ErrCustomerNotFound},
		{name: "unknown pool", mutate: func(in *account.AddAccountInput) { in.ActivityAccountNumber = "900309799403557" }, wantErr: account.ErrActivityAccountNotFound},
		{name: "another partner's pool", mutate: func(in *account.AddAccountInput) { in.ActivityAccountNumber = f.foreignPool }, wantErr: account.ErrActivityAccountNotFound},
		{name: "pool in another currency", mutate: func(in *account.AddAccountInput) { in.ActivityAccountNumber = f.poolEUR }, wantErr: account.ErrActivityAccountCurrency},
		{name: "another partner's custodian", mutate: func(in *account.AddAccountInput) {
			in.AccountType, in.CustodialCustomerID, in.CustodialType, in.ActivityAccountNumber = "CUSTODIAL", f.foreign, "UTMA", ""
		}, wantErr: account.ErrCustodialCustomerNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := wallet()
			tt.mutate(&in)
			res, err := e.Bank.Accounts.AddAccount(ctx, banktest.With(e.Alpha, "CustomerService.AddAccount", ""), in)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if got := banktest.Join(banktest.FieldReasons(err)); got != tt.wantField {
				t.Fatalf("field errors = %q, want %q", got, tt.wantField)
			}
			if err != nil {
				return
			}
			if !account.ValidAccountNumber(res.AccountNumber) || res.Status != "ACTIVE" || res.InstitutionID != "101115399" || res.CustomerID != in.CustomerID || res.AccountType != in.AccountType {
				t.Fatalf("result %+v", res)
			}
			d, err := e.Bank.Accounts.GetDetails(ctx, e.Alpha, account.GetDetailsInput{AccountID: res.AccountNumber})
			if err != nil || d.ID != res.ID || d.Currency != in.Currency || d.ActivityAccountNumber != in.ActivityAccountNumber || d.CustodialType != in.CustodialType {
				t.Fatalf("details %+v, %v", d, err)
			}
		})
	}
}

// TestAddAccountRefusesInactiveParties covers states that only the account
// and customer lifecycle will produce: a closed pool, a customer not active.
func TestAddAccountRefusesInactiveParties(t *testing.T) {
	ctx := context.Background()
	f := newAccountFixture(t)
	add := func() error {
		_, err := f.e.Bank.Accounts.AddAccount(ctx, banktest.With(f.e.Alpha, "CustomerService.AddAccount", ""), account.AddAccountInput{
			CustomerID: f.owner, Name: "DAVE", AccountType: "WALLET", Currency: "USD", ActivityAccountNumber: f.poolUSD})
		return err
	}
	f.e.SetStatus(t, "accounts", "account_number", f.poolUSD, "CLOSED")
	if err := add(); !errors.Is(err, account.ErrActivityAccountNotOpen) {
		t.Fatalf("closed pool: got %v, want ErrActivityAccountNotOpen", err)
	}
	f.e.SetStatus(t, "customers", "id", f.owner, "CLOSED")
	if err := add(); !errors.Is(err, customer.ErrCustomerNotActive) {
		t.Fatalf("closed customer: got %v, want ErrCustomerNotActive", err)
	}
}

func flipLast(number string) string {
	b := []byte(number)
	b[len(b)-1] = '0' + (b[len(b)-1]-'0'+1)%10
	return string(b)
}

func TestGetDetailsAndList(t *testing.T) {
	ctx := context.Background()
	f := newAccountFixture(t)
	e := f.e
	p := func(n int) *int { return &n }
	details := []struct {
		name string
		call services.Call
		in   account.GetDetailsInput
		want error
	}{
		{"by number", e.Alpha, account.GetDetailsInput{AccountID: f.poolUSD}, nil},
		{"by another partner", e.Beta, account.GetDetailsInput{AccountID: f.poolUSD}, account.ErrAccountNotFound},
		{"unknown number", e.Alpha, account.GetDetailsInput{AccountID: "900309799403557"}, account.ErrAccountNotFound},
		{"short number", e.Alpha, account.GetDetailsInput{AccountID: "12345"}, services.ErrInvalidInput},
		{"both keys", e.Alpha, account.GetDetailsInput{AccountID: f.poolUSD, ID: "1"}, services.ErrInvalidInput},
		{"neither key", e.Alpha, account.GetDetailsInput{}, services.ErrInvalidInput},
	}
	for _, tt := range details {
		t.Run(tt.name, func(t *testing.T) {
			d, err := e.Bank.Accounts.GetDetails(ctx, tt.call, tt.in)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if err == nil {
				byID, err := e.Bank.Accounts.GetDetails(ctx, tt.call, account.GetDetailsInput{ID: d.ID})
				if err != nil || byID != d || d.Balance != "0.00" || d.AccountStatus != 0 || d.CustomerID != f.owner {
					t.Fatalf("by ID %+v, %v; by number %+v", byID, err, d)
				}
			}
		})
	}
	lists := []struct {
		name      string
		call      services.Call
		in        account.ListAccountsInput
		wantCount int
		wantTotal int
		want      error
	}{
		{"all", e.Alpha, account.ListAccountsInput{CustomerID: f.owner}, 2, 2, nil},
		{"by userId", e.Alpha, account.ListAccountsInput{UserID: f.owner, PageSize: p(1)}, 1, 2, nil},
		{"second page", e.Alpha, account.ListAccountsInput{CustomerID: f.owner, PageNumber: p(2), PageSize: p(1)}, 1, 2, nil},
		{"by status", e.Alpha, account.ListAccountsInput{CustomerID: f.owner, Status: "DORMANT"}, 0, 0, nil},
		{"another partner's customer", e.Beta, account.ListAccountsInput{CustomerID: f.owner}, 0, 0, customer.ErrCustomerNotFound},
		{"page size 101", e.Alpha, account.ListAccountsInput{CustomerID: f.owner, PageSize: p(101)}, 0, 0, services.ErrInvalidInput},
		{"page 0", e.Alpha, account.ListAccountsInput{CustomerID: f.owner, PageNumber: p(0)}, 0, 0, services.ErrInvalidInput},
		{"customerID and userId disagree", e.Alpha, account.ListAccountsInput{CustomerID: f.owner, UserID: f.custodian}, 0, 0, services.ErrInvalidInput},
		{"unknown status", e.Alpha, account.ListAccountsInput{CustomerID: f.owner, Status: "OPEN"}, 0, 0, services.ErrInvalidInput},
		{"no customer", e.Alpha, account.ListAccountsInput{}, 0, 0, services.ErrInvalidInput},
	}
	for _, tt := range lists {
		t.Run(tt.name, func(t *testing.T) {
			page, err := e.Bank.Accounts.ListAccounts(ctx, tt.call, tt.in)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if len(page.Accounts) != tt.wantCount || page.Total != tt.wantTotal {
				t.Fatalf("got %d accounts of %d, want %d of %d", len(page.Accounts), page.Total, tt.wantCount, tt.wantTotal)
			}
		})
	}
}
