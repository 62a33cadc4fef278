package account_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank/banktest"
)

func TestValidateName(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	person := e.AddCustomer(t, e.Alpha, banktest.Kenyan("12345678", "+254712345678", ""))
	biz := e.AddCustomer(t, e.Alpha, banktest.Business("PVT-2019/0042", "Choice Microfinance Bank", "ops@choice.example"))
	open := func(customer, typ, pool string) string { return e.OpenAccount(t, e.Alpha, customer, typ, "USD", pool) }
	withStatus := func(status string) string {
		n := open(person, "CHECKING", "")
		e.SetStatus(t, "accounts", "account_number", n, status)
		return n
	}
	frozenFor := func(expiry time.Duration) string {
		n := open(person, "CHECKING", "")
		expires := ""
		if expiry > 0 {
			expires = e.Clock.Now().Add(expiry).Format(time.RFC3339)
		}
		if _, err := freezeAccount(e, e.Alpha, n, "COURT_ORDER", expires); err != nil {
			t.Fatal(err)
		}
		return n
	}
	plain := open(person, "CHECKING", "")
	bizAccount := open(biz, "CHECKING", "")
	payroll := open(biz, "CHECKING", "")
	if _, err := e.Bank.Accounts.EditSubAccountName(ctx, e.Alpha, account.EditSubAccountNameInput{AccountID: payroll, SubAccountName: "Payroll"}); err != nil {
		t.Fatal(err)
	}
	pool := open(person, "CHECKING", "")
	sub := open(person, "WALLET", pool)
	retiredPool := open(person, "CHECKING", "")
	e.ChangeStatus(t, e.Alpha, open(person, "WALLET", retiredPool), "CLOSED")
	frozen, lapsed := frozenFor(0), frozenFor(time.Minute)
	dormant, closed, suspended := withStatus("DORMANT"), withStatus("CLOSED"), withStatus("SUSPENDED")
	disabled, blocked := withStatus("DISABLED"), withStatus("BLOCKED")
	gl, card, mm := open(person, "GL", ""), open(person, "CREDIT_CARD", ""), open(person, "MONEY_MARKET", "")
	e.Clock.Add(time.Minute) // lapsed's freeze expires; no sweep runs

	info := &account.AdditionalInfo{DeviceID: "dev-1", Channel: "MOBILE"}
	tests := []struct {
		name     string
		in       account.ValidateNameInput
		wantName string
		wantErr  error
		wantCode string
	}{
		{name: "individual", in: account.ValidateNameInput{AccountNumber: plain}, wantName: "Wanjiru Kamau"},
		{name: "with currency and additionalInfo", in: account.ValidateNameInput{AccountNumber: plain, Currency: "USD", AdditionalInfo: info}, wantName: "Wanjiru Kamau"},
		{name: "business", in: account.ValidateNameInput{AccountNumber: bizAccount}, wantName: "Choice Microfinance Bank"},
		{name: "business sub-account name", in: account.ValidateNameInput{AccountNumber: payroll}, wantName: "Choice Microfinance Bank_Payroll"},
		{name: "pool whose sub-accounts are closed", in: account.ValidateNameInput{AccountNumber: retiredPool}, wantName: "Wanjiru Kamau"},
		{name: "freeze expired", in: account.ValidateNameInput{AccountNumber: lapsed}, wantName: "Wanjiru Kamau"},
		{name: "not found", in: account.ValidateNameInput{AccountNumber: "900309799403557"}, wantErr: account.ErrAccountNotFound, wantCode: "0110"},
		{name: "closed", in: account.ValidateNameInput{AccountNumber: closed}, wantErr: account.ErrAccountClosed, wantCode: "0618"},
		{name: "dormant", in: account.ValidateNameInput{AccountNumber: dormant}, wantErr: account.ErrAccountDormant, wantCode: "0621"},
		{name: "suspended", in: account.ValidateNameInput{AccountNumber: suspended}, wantErr: account.ErrAccountPassive, wantCode: "0619"},
		{name: "disabled", in: account.ValidateNameInput{AccountNumber: disabled}, wantErr: account.ErrAccountPassive, wantCode: "0619"},
		{name: "blocked", in: account.ValidateNameInput{AccountNumber: blocked}, wantErr: account.ErrAccountBlocked, wantCode: "0619"},
		{name: "frozen", in: account.ValidateNameInput{AccountNumber: frozen}, wantErr: account.ErrAccountFrozen, wantCode: "0619"},
		{name: "GL", in: account.ValidateNameInput{AccountNumber: gl}, wantErr: account.ErrAccountCannotReceive, wantCode: "0620"},
		{name: "credit card", in: account.ValidateNameInput{AccountNumber: card}, wantErr: account.ErrAccountCannotReceive, wantCode: "0623"},
		{name: "money market", in: account.ValidateNameInput{AccountNumber: mm}, wantErr: account.ErrAccountCannotReceive, wantCode: "0624"},
		{name: "sub-account", in: account.ValidateNameInput{AccountNumber: sub}, wantErr: account.ErrAccountCannotReceive, wantCode: "0622"},
		{name: "pool with an open sub-account", in: account.ValidateNameInput{AccountNumber: pool}, wantErr: account.ErrAccountCannotReceive, wantCode: "0620"},
		{name: "currency mismatch", in: account.ValidateNameInput{AccountNumber: plain, Currency: "IDR"}, wantErr: services.ErrCurrencyMismatch, wantCode: "0105"},
		{name: "unknown currency", in: account.ValidateNameInput{AccountNumber: plain, Currency: "usd"}, wantErr: services.ErrInvalidInput, wantCode: "0002"},
		{name: "no bank code", in: account.ValidateNameInput{BankCode: " ", AccountNumber: plain}, wantErr: services.ErrInvalidInput, wantCode: "0001"},
		{name: "bank code with letters", in: account.ValidateNameInput{BankCode: "97O", AccountNumber: plain}, wantErr: services.ErrInvalidInput, wantCode: "0003"},
		{name: "another bank's code", in: account.ValidateNameInput{BankCode: "014", AccountNumber: plain}, wantErr: services.ErrInvalidInput, wantCode: "0110"},
		{name: "no account number", in: account.ValidateNameInput{}, wantErr: services.ErrInvalidInput, wantCode: "0004"},
		{name: "account number with letters", in: account.ValidateNameInput{AccountNumber: plain[:14] + "A"}, wantErr: services.ErrInvalidInput, wantCode: "0006"},
		{name: "account number too short", in: account.ValidateNameInput{AccountNumber: plain[:14]}, wantErr: services.ErrInvalidInput, wantCode: "0008"},
		{name: "account number too long", in: account.ValidateNameInput{AccountNumber: plain + "0"}, wantErr: services.ErrInvalidInput, wantCode: "0008"},
		{name: "bad bank code comes first", in: account.ValidateNameInput{BankCode: "X", AccountNumber: "1"}, wantErr: services.ErrInvalidInput, wantCode: "0003"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if in.BankCode == "" {
				in.BankCode = banktest.BankCode
			}
			call := banktest.With(e.Beta, "AccountService.ValidateName", "")
			before := len(banktest.AuditRows(t, e))
			res, err := e.Bank.Accounts.ValidateName(ctx, call, in)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			rows := banktest.AuditRows(t, e)
			if len(rows) != before+1 {
				t.Fatalf("audit rows %d, want %d", len(rows), before+1)
			}
			last := rows[len(rows)-1]
			if last.Method != call.Method || last.PartnerID != call.PartnerID || last.KeyID != call.KeyID {
				t.Errorf("audit row %+v", last)
			}
			if err != nil {
				r := banktest.Refusal(err)
				if r == nil || r.SchemeCode != tt.wantCode {
					t.Fatalf("refusal %+v, want scheme code %s", r, tt.wantCode)
				}
				if !strings.HasPrefix(last.Outcome, "REFUSED: ") {
					t.Errorf("audit outcome %q, want a refusal", last.Outcome)
				}
				return
			}
			want := account.ValidateNameResult{AccountNo: in.AccountNumber, AccountName: tt.wantName, BankCode: banktest.BankCode, AdditionalInfo: in.AdditionalInfo}
			if res.AccountNo != want.AccountNo || res.AccountName != want.AccountName || res.BankCode != want.BankCode ||
				(want.AdditionalInfo == nil) != (res.AdditionalInfo == nil) || (res.AdditionalInfo != nil && *res.AdditionalInfo != *want.AdditionalInfo) {
				t.Fatalf("result %+v, want %+v", res, want)
			}
			if last.Outcome != "OK" || banktest.Entities(t, last)["accountNumber"] != in.AccountNumber {
				t.Errorf("audit row %+v", last)
			}
		})
	}
	if rep := banktest.VerifyAudit(t, e); !rep.OK() {
		t.Errorf("audit chain broken: %s", rep.Broken)
	}
}
