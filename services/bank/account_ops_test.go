package bank_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
)

func TestEditSubAccountName(t *testing.T) {
	ctx := context.Background()
	e := newLifecycleEnv(t)
	const bizName = "Choice Microfinance Bank" // 24 characters: 230 are left for the sub-account name
	biz := e.addCustomer(t, e.alpha, business("PVT-2019/0042", bizName, "ops@choice.example"))
	number := e.openAccount(t, e.alpha, biz, "CHECKING", "KES", "")
	personal := e.openAccount(t, e.alpha, e.addCustomer(t, e.alpha, dave()), "CHECKING", "USD", "")
	closed := e.openAccount(t, e.alpha, biz, "CHECKING", "KES", "")
	e.changeStatus(t, e.alpha, closed, "CLOSED")

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
		{name: "another partner's account", call: e.beta, sub: "Payroll", wantErr: account.ErrAccountNotFound},
		{name: "malformed account and name", account: "12", sub: strings.Repeat("x", 256), wantErr: services.ErrInvalidInput,
			wantField: "accountId:INVALID_FORMAT subAccountName:TOO_LONG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call, acct := tt.call, tt.account
			if call.PartnerID == 0 {
				call = e.alpha
			}
			if acct == "" {
				acct = number
			}
			before := e.details(t, e.alpha, number).AccountName
			res, err := e.svc.Accounts.EditSubAccountName(ctx, with(call, "AccountService.EditSubAccountName", ""),
				account.EditSubAccountNameInput{AccountID: acct, SubAccountName: tt.sub})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if got := join(fieldReasons(err)); got != tt.wantField {
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
			if got := e.details(t, e.alpha, number).AccountName; got != want {
				t.Fatalf("account name %q, want %q", got, want)
			}
		})
	}
}

func TestListAbnormalAccounts(t *testing.T) {
	ctx := context.Background()
	e := newLifecycleEnv(t)
	owner := e.addCustomer(t, e.alpha, dave())
	open := func() string { return e.openAccount(t, e.alpha, owner, "CHECKING", "USD", "") }
	plain := open()
	suspended := open()
	e.changeStatus(t, e.alpha, suspended, "SUSPENDED")
	frozen := open()
	if _, err := e.freeze(e.alpha, frozen, "COURT_ORDER", ""); err != nil {
		t.Fatal(err)
	}
	dormantFrozen := open()
	e.setStatus(t, "accounts", "account_number", dormantFrozen, "DORMANT")
	if _, err := e.freeze(e.alpha, dormantFrozen, "AML_REVIEW", e.clock.Now().Add(time.Hour).Format(time.RFC3339)); err != nil {
		t.Fatal(err)
	}
	closed := open()
	e.changeStatus(t, e.alpha, closed, "CLOSED")
	foreign := e.openAccount(t, e.beta, e.addCustomer(t, e.beta, dave()), "CHECKING", "USD", "")
	e.changeStatus(t, e.beta, foreign, "BLOCKED")

	want := map[string]string{suspended: "SUSPENDED/", frozen: "FROZEN/COURT_ORDER", dormantFrozen: "DORMANT,FROZEN/AML_REVIEW", closed: "CLOSED/"}
	got := e.abnormal(t, e.alpha)
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
	if got := e.abnormal(t, e.beta); len(got) != 1 || got[foreign] != "BLOCKED/" {
		t.Errorf("beta's abnormal accounts %v", got)
	}

	// Pages in creation order.
	order := []string{suspended, frozen, dormantFrozen, closed}
	for page := 1; page <= 3; page++ {
		p, err := e.svc.Accounts.ListAbnormalAccounts(ctx, e.alpha, account.ListAbnormalAccountsInput{PageNo: intp(page), PageSize: intp(2)})
		if err != nil || p.Total != 4 || p.PageNo != page || p.PageSize != 2 {
			t.Fatalf("page %d: %+v, %v", page, p, err)
		}
		var numbers []string
		for _, a := range p.Accounts {
			numbers = append(numbers, a.Account.AccountID)
		}
		lo, hi := min(2*(page-1), 4), min(2*page, 4)
		if join(numbers) != join(order[lo:hi]) {
			t.Errorf("page %d: %v, want %v", page, numbers, order[lo:hi])
		}
	}

	// The expiring freeze no longer counts once expired; the status still does.
	e.clock.Add(time.Hour)
	if got := e.abnormal(t, e.alpha)[dormantFrozen]; got != "DORMANT/" {
		t.Errorf("after the freeze expired: %q, want DORMANT/", got)
	}

	_, err := e.svc.Accounts.ListAbnormalAccounts(ctx, e.alpha, account.ListAbnormalAccountsInput{})
	if got := join(fieldReasons(err)); got != "pageNo:REQUIRED pageSize:REQUIRED" {
		t.Errorf("no paging: field errors %q (%v)", got, err)
	}
	_, err = e.svc.Accounts.ListAbnormalAccounts(ctx, e.alpha, account.ListAbnormalAccountsInput{PageNo: intp(1), PageSize: intp(0)})
	if got := join(fieldReasons(err)); got != "pageSize:INVALID_VALUE" {
		t.Errorf("page size 0: field errors %q (%v)", got, err)
	}
}
