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

func TestListAbnormalAccounts(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	owner := e.AddCustomer(t, e.Alpha, banktest.Dave())
	open := func() string { return e.OpenAccount(t, e.Alpha, owner, "CHECKING", "USD", "") }
	plain := open()
	suspended := open()
	e.ChangeStatus(t, e.Alpha, suspended, "SUSPENDED")
	frozen := open()
	if _, err := freezeAccount(e, e.Alpha, frozen, "COURT_ORDER", ""); err != nil {
		t.Fatal(err)
	}
	dormantFrozen := open()
	e.SetStatus(t, "accounts", "account_number", dormantFrozen, "DORMANT")
	if _, err := freezeAccount(e, e.Alpha, dormantFrozen, "AML_REVIEW", e.Clock.Now().Add(time.Hour).Format(time.RFC3339)); err != nil {
		t.Fatal(err)
	}
	closed := open()
	e.ChangeStatus(t, e.Alpha, closed, "CLOSED")
	foreign := e.OpenAccount(t, e.Beta, e.AddCustomer(t, e.Beta, banktest.Dave()), "CHECKING", "USD", "")
	e.ChangeStatus(t, e.Beta, foreign, "BLOCKED")

	want := map[string]string{suspended: "SUSPENDED/", frozen: "FROZEN/COURT_ORDER", dormantFrozen: "DORMANT,FROZEN/AML_REVIEW", closed: "CLOSED/"}
	got := abnormal(e, t, e.Alpha)
	if len(got) != len(want) {
		t.Fatalf("abnormal accounts %v, want %v", got, want)
	}
	for number, reasons := range want {
		if got[number] != reasons {
			t.Errorf("%s: reasons %q, want %q", number, got[number], reasons)
		}
	}
	if _, listed := got[plain]; listed {
		t.Errorf("a plain ACTIVE account is listed")
	}
	if got := abnormal(e, t, e.Beta); len(got) != 1 || got[foreign] != "BLOCKED/" {
		t.Errorf("beta's abnormal accounts %v", got)
	}

	// Pages in creation order.
	order := []string{suspended, frozen, dormantFrozen, closed}
	for page := 1; page <= 3; page++ {
		p, err := e.Bank.Accounts.ListAbnormalAccounts(ctx, e.Alpha, account.ListAbnormalAccountsInput{PageNo: banktest.IntPtr(page), PageSize: banktest.IntPtr(2)})
		if err != nil || p.Total != 4 || p.PageNo != page || p.PageSize != 2 {
			t.Fatalf("page %d: %+v, %v", page, p, err)
		}
		var numbers []string
		for _, a := range p.Accounts {
			numbers = append(numbers, a.Account.AccountID)
		}
		lo, hi := min(2*(page-1), 4), min(2*page, 4)
		if banktest.Join(numbers) != banktest.Join(order[lo:hi]) {
			t.Errorf("page %d: %v, want %v", page, numbers, order[lo:hi])
		}
	}

	// The expiring freeze no longer counts once expired; the status still does.
	e.Clock.Add(time.Hour)
	if got := abnormal(e, t, e.Alpha)[dormantFrozen]; got != "DORMANT/" {
		t.Errorf("after the freeze expired: %q, want DORMANT/", got)
	}

	_, err := e.Bank.Accounts.ListAbnormalAccounts(ctx, e.Alpha, account.ListAbnormalAccountsInput{})
	if got := banktest.Join(banktest.FieldReasons(err)); got != "pageNo:REQUIRED pageSize:REQUIRED" {
		t.Errorf("no paging: field errors %q (%v)", got, err)
	}
	_, err = e.Bank.Accounts.ListAbnormalAccounts(ctx, e.Alpha, account.ListAbnormalAccountsInput{PageNo: banktest.IntPtr(1), PageSize: banktest.IntPtr(0)})
	if got := banktest.Join(banktest.FieldReasons(err)); got != "pageSize:INVALID_VALUE" {
		t.Errorf("page size 0: field errors %q (%v)", got, err)
	}
}
