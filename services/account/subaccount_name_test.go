package account_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank/banktest"
)

func TestEditSubAccountName(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	const bizName = "Choice Microfinance Bank" // 24 characters: 230 are left for the sub-account name
	biz := e.AddCustomer(t, e.Alpha, banktest.Business("PVT-2019/0042", bizName, "ops@choice.example"))
	number := e.OpenAccount(t, e.Alpha, biz, "CHECKING", "KES", "")
	personal := e.OpenAccount(t, e.Alpha, e.AddCustomer(t, e.Alpha, banktest.Dave()), "CHECKING", "USD", "")
	closed := e.OpenAccount(t, e.Alpha, biz, "CHECKING", "KES", "")
	e.ChangeStatus(t, e.Alpha, closed, "CLOSED")

	tests := []struct {
		name      string
		call      services.Call
		account   string
		sub       string
		want      string
		wantErr   error
		wantField string
	}{
		{name: "sub-account name", sub: "Payroll", want: bizName + "_Payroll"},
		{name: "trimmed", sub: "  Savings pot ", want: bizName + "_Savings pot"},
		{name: "empty resets to the business name", sub: "", want: bizName},
		{name: "exactly 255 characters", sub: strings.Repeat("x", 230), want: bizName + "_" + strings.Repeat("x", 230)},
		{name: "255 characters, not bytes", sub: strings.Repeat("é", 230), want: bizName + "_" + strings.Repeat("é", 230)},
		{name: "256 characters", sub: strings.Repeat("x", 231), wantErr: services.ErrInvalidInput, wantField: "subAccountName:TOO_LONG"},
		{name: "longer than 255 alone", sub: strings.Repeat("x", 256), wantErr: services.ErrInvalidInput, wantField: "subAccountName:TOO_LONG"},
		{name: "control character", sub: "Pay\nroll", wantErr: services.ErrInvalidInput, wantField: "subAccountName:INVALID_FORMAT"},
		{name: "individual's account", account: personal, sub: "Payroll", wantErr: account.ErrNotBusinessAccount},
		{name: "closed account", account: closed, sub: "Payroll", wantErr: account.ErrAccountClosed},
		{name: "another partner's account", call: e.Beta, sub: "Payroll", wantErr: account.ErrAccountNotFound},
		{name: "malformed account and name", account: "12", sub: strings.Repeat("x", 256), wantErr: services.ErrInvalidInput,
			wantField: "accountId:INVALID_FORMAT subAccountName:TOO_LONG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call, acct := tt.call, tt.account
			if call.PartnerID == 0 {
				call = e.Alpha
			}
			if acct == "" {
				acct = number
			}
			before := e.Details(t, e.Alpha, number).AccountName
			res, err := e.Bank.Accounts.EditSubAccountName(ctx, banktest.With(call, "AccountService.EditSubAccountName", ""),
				account.EditSubAccountNameInput{AccountID: acct, SubAccountName: tt.sub})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if got := banktest.Join(banktest.FieldReasons(err)); got != tt.wantField {
				t.Fatalf("field errors %q, want %q", got, tt.wantField)
			}
			var v *services.ValidationError
			if tt.name == "256 characters" && (!errors.As(err, &v) || !strings.Contains(v.Fields[0].Message, "may have 230")) {
				t.Fatalf("TOO_LONG should say 230 characters are left: %v", err)
			}
			want := tt.want
			if err != nil {
				want = before
			} else if res.AccountName != want || res.AccountID != number {
				t.Fatalf("result %+v, want name %q", res, want)
			}
			if got := e.Details(t, e.Alpha, number).AccountName; got != want {
				t.Fatalf("account name %q, want %q", got, want)
			}
		})
	}
}
