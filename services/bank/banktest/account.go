package banktest

import (
	"context"
	"testing"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/customer"
)

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
