package account_test

import (
	"context"
	"testing"
	"time"

	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank/banktest"
)

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
	got := abnormal(t, e, e.Alpha)
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
	if got := abnormal(t, e, e.Beta); len(got) != 1 || got[foreign] != "BLOCKED/" {
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
	if got := abnormal(t, e, e.Alpha)[dormantFrozen]; got != "DORMANT/" {
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
