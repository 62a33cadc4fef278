package account_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/store/storetest"
)

func TestUpdateAccountStatusTransitions(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	owner := e.AddCustomer(t, e.Alpha, banktest.Dave())
	tests := []struct {
		name       string
		from, to   string
		wantErr    error
		wantDetail string // part of the refusal's detail
		wantKenya  int    // the Kenyan accountStatus after the change
	}{
		{name: "created to active", from: "CREATED", to: "ACTIVE"},
		{name: "active to curtailed", from: "ACTIVE", to: "CURTAILED"},
		{name: "active to suspended", from: "ACTIVE", to: "SUSPENDED", wantKenya: 1},
		{name: "suspended to active", from: "SUSPENDED", to: "ACTIVE"},
		{name: "blocked to suspended", from: "BLOCKED", to: "SUSPENDED", wantKenya: 1},
		{name: "dormant to blocked", from: "DORMANT", to: "BLOCKED", wantKenya: 1},
		{name: "disabled to active", from: "DISABLED", to: "ACTIVE"},
		{name: "active to closed", from: "ACTIVE", to: "CLOSED", wantKenya: 2},
		{name: "dormant to closed", from: "DORMANT", to: "CLOSED", wantKenya: 2},
		{name: "closed is final", from: "CLOSED", to: "ACTIVE", wantErr: account.ErrInvalidTransition, wantDetail: "final"},
		{name: "closed to disabled", from: "CLOSED", to: "DISABLED", wantErr: account.ErrInvalidTransition, wantDetail: "final"},
		{name: "dormant needs ActivateAccount", from: "DORMANT", to: "ACTIVE", wantErr: account.ErrInvalidTransition, wantDetail: "ActivateAccount"},
		{name: "dormant only by the sweep", from: "ACTIVE", to: "DORMANT", wantErr: account.ErrInvalidTransition, wantDetail: "sweep"},
		{name: "suspended to dormant", from: "SUSPENDED", to: "DORMANT", wantErr: account.ErrInvalidTransition, wantDetail: "sweep"},
		{name: "same status", from: "ACTIVE", to: "ACTIVE", wantErr: account.ErrInvalidTransition, wantDetail: "already"},
		{name: "suspended to curtailed", from: "SUSPENDED", to: "CURTAILED", wantErr: account.ErrInvalidTransition, wantDetail: "allowed"},
		{name: "created to suspended", from: "CREATED", to: "SUSPENDED", wantErr: account.ErrInvalidTransition, wantDetail: "allowed"},
		{name: "dormant to disabled", from: "DORMANT", to: "DISABLED", wantErr: account.ErrInvalidTransition, wantDetail: "allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			number := e.OpenAccount(t, e.Alpha, owner, "CHECKING", "USD", "")
			e.SetStatus(t, "accounts", "account_number", number, tt.from)
			e.Clock.Add(time.Minute)
			res, err := e.Bank.Accounts.UpdateAccountStatus(ctx, banktest.With(e.Alpha, "AccountService.UpdateAccountStatus", ""),
				account.UpdateAccountStatusInput{AccountNumber: number, Status: tt.to, Reason: "ops ticket 42"})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			changes := e.History(t, e.Alpha, number)
			if err != nil {
				if r := banktest.Refusal(err); r == nil || !strings.Contains(r.Detail, tt.wantDetail) {
					t.Errorf("refusal %+v: want a detail with %q", r, tt.wantDetail)
				}
				if got := e.Details(t, e.Alpha, number).Status; got != tt.from {
					t.Errorf("status after refusal = %s, want %s", got, tt.from)
				}
				if len(changes) != 0 {
					t.Errorf("history after refusal = %+v, want none", changes)
				}
				return
			}
			if res.FromStatus != tt.from || res.Status != tt.to || res.AccountStatus != tt.wantKenya || res.ChangedAt != e.Clock.Now().Unix() {
				t.Errorf("result %+v", res)
			}
			if got := e.Details(t, e.Alpha, number).Status; got != tt.to {
				t.Errorf("status = %s, want %s", got, tt.to)
			}
			want := account.StatusHistoryEntry{Event: "STATUS_CHANGE", FromStatus: tt.from, ToStatus: tt.to,
				Reason: "ops ticket 42", KeyID: e.Alpha.KeyID, At: e.Clock.Now().Unix()}
			if len(changes) != 1 || changes[0] != want {
				t.Errorf("history = %+v, want [%+v]", changes, want)
			}
		})
	}
}

func TestUpdateAccountStatusRefusals(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	number := e.OpenAccount(t, e.Alpha, e.AddCustomer(t, e.Alpha, banktest.Dave()), "CHECKING", "USD", "")
	other := e.OpenAccount(t, e.Alpha, e.AddCustomer(t, e.Alpha, banktest.CustomerN(7)), "CHECKING", "USD", "")
	tests := []struct {
		name      string
		call      services.Call
		in        account.UpdateAccountStatusInput
		wantErr   error
		wantField string
	}{
		{name: "accountId names the account", call: e.Alpha, in: account.UpdateAccountStatusInput{AccountID: number, Status: "SUSPENDED", Reason: "r"}},
		{name: "unknown status", call: e.Alpha, in: account.UpdateAccountStatusInput{AccountNumber: number, Status: "OPEN", Reason: "r"},
			wantErr: services.ErrInvalidInput, wantField: "status:INVALID_VALUE"},
		{name: "lower-case status", call: e.Alpha, in: account.UpdateAccountStatusInput{AccountNumber: number, Status: "active", Reason: "r"},
			wantErr: services.ErrInvalidInput, wantField: "status:INVALID_VALUE"},
		{name: "no reason", call: e.Alpha, in: account.UpdateAccountStatusInput{AccountNumber: number, Status: "ACTIVE"},
			wantErr: services.ErrInvalidInput, wantField: "reason:REQUIRED"},
		{name: "reason too long", call: e.Alpha, in: account.UpdateAccountStatusInput{AccountNumber: number, Status: "ACTIVE", Reason: strings.Repeat("r", 256)},
			wantErr: services.ErrInvalidInput, wantField: "reason:TOO_LONG"},
		{name: "no account", call: e.Alpha, in: account.UpdateAccountStatusInput{Status: "ACTIVE", Reason: "r"},
			wantErr: services.ErrInvalidInput, wantField: "accountNumber:REQUIRED"},
		{name: "accountId and accountNumber disagree", call: e.Alpha, in: account.UpdateAccountStatusInput{AccountNumber: number, AccountID: other, Status: "ACTIVE", Reason: "r"},
			wantErr: services.ErrInvalidInput, wantField: "accountId:CONFLICT"},
		{name: "another partner's account", call: e.Beta, in: account.UpdateAccountStatusInput{AccountNumber: number, Status: "ACTIVE", Reason: "r"},
			wantErr: account.ErrAccountNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Bank.Accounts.UpdateAccountStatus(ctx, banktest.With(tt.call, "AccountService.UpdateAccountStatus", ""), tt.in)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.wantErr)
			}
			if got := banktest.Join(banktest.FieldReasons(err)); got != tt.wantField {
				t.Fatalf("field errors = %q, want %q", got, tt.wantField)
			}
		})
	}
}

func TestStatusHistoryPaging(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	number := e.OpenAccount(t, e.Alpha, e.AddCustomer(t, e.Alpha, banktest.Dave()), "CHECKING", "USD", "")
	path := []string{"SUSPENDED", "ACTIVE", "BLOCKED", "ACTIVE", "CURTAILED"}
	var times []int64
	for _, to := range path {
		e.Clock.Add(time.Hour)
		e.ChangeStatus(t, e.Alpha, number, to)
		times = append(times, e.Clock.Now().Unix())
	}
	page := func(n, size int) account.StatusHistoryPage {
		t.Helper()
		p, err := e.Bank.Accounts.GetStatusHistory(ctx, e.Alpha, account.GetStatusHistoryInput{AccountID: number, PageNumber: banktest.IntPtr(n), PageSize: banktest.IntPtr(size)})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		page, size int
		wantFirst  int // index in path of the first entry; -1 for none
		wantLen    int
	}{
		{page: 1, size: 2, wantFirst: 0, wantLen: 2},
		{page: 2, size: 2, wantFirst: 2, wantLen: 2},
		{page: 3, size: 2, wantFirst: 4, wantLen: 1},
		{page: 4, size: 2, wantFirst: -1, wantLen: 0},
		{page: 1, size: 100, wantFirst: 0, wantLen: 5},
	}
	for _, tt := range tests {
		p := page(tt.page, tt.size)
		if p.Total != len(path) || p.PageNumber != tt.page || p.PageSize != tt.size || len(p.Changes) != tt.wantLen || p.AccountNumber != number {
			t.Fatalf("page %d of %d: %+v", tt.page, tt.size, p)
		}
		for i, c := range p.Changes {
			k := tt.wantFirst + i
			from := "ACTIVE"
			if k > 0 {
				from = path[k-1]
			}
			if c.FromStatus != from || c.ToStatus != path[k] || c.At != times[k] {
				t.Errorf("page %d of %d, entry %d = %+v, want %s -> %s at %d", tt.page, tt.size, i, c, from, path[k], times[k])
			}
		}
	}
	_, err := e.Bank.Accounts.GetStatusHistory(ctx, e.Alpha, account.GetStatusHistoryInput{AccountID: number, PageNumber: banktest.IntPtr(0), PageSize: banktest.IntPtr(101)})
	if got := banktest.Join(banktest.FieldReasons(err)); got != "pageNumber:INVALID_VALUE pageSize:INVALID_VALUE" {
		t.Errorf("bad paging: field errors %q (%v)", got, err)
	}
	if _, err := e.Bank.Accounts.GetStatusHistory(ctx, e.Beta, account.GetStatusHistoryInput{AccountID: number}); !errors.Is(err, account.ErrAccountNotFound) {
		t.Errorf("another partner's history: got %v, want ErrAccountNotFound", err)
	}
}

func TestCloseAccountRefusals(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	owner := e.AddCustomer(t, e.Alpha, banktest.Dave())
	pool := e.OpenAccount(t, e.Alpha, owner, "CHECKING", "USD", "")
	sub := e.OpenAccount(t, e.Alpha, owner, "WALLET", "USD", pool)
	parked := e.OpenAccount(t, e.Alpha, owner, "WALLET", "USD", pool)
	e.ChangeStatus(t, e.Alpha, parked, "SUSPENDED")
	rich := e.OpenAccount(t, e.Alpha, owner, "SAVINGS", "USD", "")
	storetest.Exec(t, e.Path, `UPDATE accounts SET balance_minor = ? WHERE account_number = ?`, 1, rich)

	closeAccount := func(number string) error {
		_, err := e.Bank.Accounts.UpdateAccountStatus(ctx, banktest.With(e.Alpha, "AccountService.UpdateAccountStatus", ""),
			account.UpdateAccountStatusInput{AccountNumber: number, Status: "CLOSED", Reason: "customer request"})
		return err
	}
	steps := []struct {
		name    string
		number  string
		wantErr error
	}{
		{name: "pool with two open sub-accounts", number: pool, wantErr: account.ErrClosePoolInUse},
		{name: "first sub-account", number: sub},
		{name: "pool with a suspended sub-account", number: pool, wantErr: account.ErrClosePoolInUse},
		{name: "suspended sub-account", number: parked},
		{name: "pool without open sub-accounts", number: pool},
		{name: "account with a balance of one cent", number: rich, wantErr: account.ErrCloseNonZeroBalance},
	}
	for _, s := range steps {
		err := closeAccount(s.number)
		if !errors.Is(err, s.wantErr) || (s.wantErr == nil && err != nil) {
			t.Fatalf("%s: got %v, want %v", s.name, err, s.wantErr)
		}
		want := "CLOSED"
		if s.wantErr != nil {
			want = "ACTIVE"
			if r := banktest.Refusal(err); r == nil || r.Detail == "" {
				t.Errorf("%s: refusal %+v without detail", s.name, r)
			}
		}
		if got := e.Details(t, e.Alpha, s.number).Status; got != want {
			t.Errorf("%s: status %s, want %s", s.name, got, want)
		}
	}
}

// TestClosePoolWhileOpeningUnderIt races closing a pool with opening
// accounts under it: either the close is refused or the new account is, and
// no open account is left under a closed pool.
func TestClosePoolWhileOpeningUnderIt(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	id := e.AddCustomer(t, e.Alpha, banktest.Business("CPR/2020/2", "Race Co", "race@example.com"))
	for round := range 10 {
		pool := e.OpenAccount(t, e.Alpha, id, "CHECKING", "KES", "")
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			e.Bank.Accounts.UpdateAccountStatus(ctx, banktest.With(e.Alpha, "AccountService.UpdateAccountStatus", ""), //nolint:errcheck // either outcome is fine
				account.UpdateAccountStatusInput{AccountNumber: pool, Status: account.StatusClosed, Reason: "race"})
		}()
		go func() {
			defer wg.Done()
			e.Bank.Accounts.AddAccount(ctx, banktest.With(e.Alpha, "CustomerService.AddAccount", ""), //nolint:errcheck // either outcome is fine
				account.AddAccountInput{CustomerID: id, Name: "SUB", AccountType: "WALLET", Currency: "KES", ActivityAccountNumber: pool})
		}()
		wg.Wait()
		n := storetest.Count(t, e.Path, `SELECT COUNT(*) FROM accounts s JOIN accounts p ON p.id = s.activity_account_id
			WHERE p.account_number = ? AND p.status = 'CLOSED' AND s.status <> 'CLOSED'`, pool)
		if n != 0 {
			t.Fatalf("round %d: %d open accounts under the closed pool %s", round, n, pool)
		}
	}
}
