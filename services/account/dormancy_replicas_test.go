package account_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/store"
	"github.com/accountd/accountd/store/storetest"
)

// TestSweepDormancyTwoReplicas runs the dormancy sweep from two services on
// two connection pools to one database at the same time (on PostgreSQL,
// real concurrent transactions): every inactive account becomes DORMANT
// exactly once, with one history entry and one audit row, and the reports
// add up.
func TestSweepDormancyTwoReplicas(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	c, err := e.Bank.Customers.AddCustomer(ctx, e.Alpha, banktest.Dave())
	if err != nil {
		t.Fatal(err)
	}
	const n = 450 // more than two sweep batches
	numbers := make([]string, 0, n)
	for range n {
		a, err := e.Bank.Accounts.AddAccount(ctx, e.Alpha, account.AddAccountInput{CustomerID: c.ID, Name: "DAVE", AccountType: "CHECKING", Currency: "USD"})
		if err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, a.AccountNumber)
	}
	e.Clock.Add(181 * 24 * time.Hour)
	other, err := store.Open(ctx, storetest.Driver(), e.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	replicas := []*bank.Bank{
		e.Bank,
		bank.New(other, bank.Settings{InstitutionID: "101115399"}, bank.WithClock(e.Clock)),
	}
	reports := make([]account.SweepReport, len(replicas))
	var wg sync.WaitGroup
	for i, svc := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if reports[i], err = svc.Accounts.SweepDormancy(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := reports[0].Dormant + reports[1].Dormant; got != n {
		t.Fatalf("reports %+v: %d made DORMANT, want %d", reports, got, n)
	}
	if got := storetest.Count(t, e.Path, `SELECT COUNT(*) FROM accounts WHERE status = 'DORMANT'`); got != n {
		t.Fatalf("%d DORMANT accounts, want %d", got, n)
	}
	if got := storetest.Count(t, e.Path, `SELECT COUNT(*) FROM account_status_history WHERE to_status = 'DORMANT'`); got != n {
		t.Fatalf("%d history entries, want %d", got, n)
	}
	if got := storetest.Count(t, e.Path, `SELECT COUNT(*) FROM audit_log WHERE method = 'system.DormancySweep'`); got != n {
		t.Fatalf("%d audit rows, want %d", got, n)
	}
	rep, err := services.VerifyAudit(ctx, e.Store)
	if err != nil || !rep.OK() {
		t.Fatalf("audit chain: %+v %v", rep, err)
	}
	d, err := e.Bank.Accounts.GetDetails(ctx, e.Alpha, account.GetDetailsInput{AccountID: numbers[n-1]})
	if err != nil || d.Status != account.StatusDormant || d.DormantStatus != 1 || d.AccountStatus != 0 {
		t.Fatalf("GetDetails after the sweep: %+v %v", d, err)
	}
	// A second sweep finds nothing left to do.
	again, err := replicas[1].Accounts.SweepDormancy(ctx)
	if err != nil || again.Dormant != 0 {
		t.Fatalf("second sweep: %+v %v", again, err)
	}
}
