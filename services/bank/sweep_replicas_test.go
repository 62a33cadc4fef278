package bank_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank"
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
	e := newEnv(t)
	c, err := e.svc.Customers.AddCustomer(ctx, e.alpha, dave())
	if err != nil {
		t.Fatal(err)
	}
	const n = 450 // more than two sweep batches
	numbers := make([]string, 0, n)
	for range n {
		a, err := e.svc.Accounts.AddAccount(ctx, e.alpha, account.AddAccountInput{CustomerID: c.ID, Name: "DAVE", AccountType: "CHECKING", Currency: "USD"})
		if err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, a.AccountNumber)
	}
	e.clock.Add(181 * 24 * time.Hour)
	other, err := store.Open(ctx, storetest.Driver(), e.path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	replicas := []*bank.Bank{
		e.svc,
		bank.New(other, bank.Settings{InstitutionID: "101115399"}, bank.WithClock(e.clock)),
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
	if got := storetest.Count(t, e.path, `SELECT COUNT(*) FROM accounts WHERE status = 'DORMANT'`); got != n {
		t.Fatalf("%d DORMANT accounts, want %d", got, n)
	}
	if got := storetest.Count(t, e.path, `SELECT COUNT(*) FROM account_status_history WHERE to_status = 'DORMANT'`); got != n {
		t.Fatalf("%d history entries, want %d", got, n)
	}
	if got := storetest.Count(t, e.path, `SELECT COUNT(*) FROM audit_log WHERE method = 'system.DormancySweep'`); got != n {
		t.Fatalf("%d audit rows, want %d", got, n)
	}
	rep, err := services.VerifyAudit(ctx, e.st)
	if err != nil || !rep.OK() {
		t.Fatalf("audit chain: %+v %v", rep, err)
	}
	d, err := e.svc.Accounts.GetDetails(ctx, e.alpha, account.GetDetailsInput{AccountID: numbers[n-1]})
	if err != nil || d.Status != account.StatusDormant || d.DormantStatus != 1 || d.AccountStatus != 0 {
		t.Fatalf("GetDetails after the sweep: %+v %v", d, err)
	}
	// A second sweep finds nothing left to do.
	again, err := replicas[1].Accounts.SweepDormancy(ctx)
	if err != nil || again.Dormant != 0 {
		t.Fatalf("second sweep: %+v %v", again, err)
	}
}
