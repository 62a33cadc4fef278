package services_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/store/storetest"
)

func countCustomers(t *testing.T, e *banktest.Env, call services.Call) int {
	t.Helper()
	return storetest.Count(t, e.Path, `SELECT COUNT(*) FROM customers WHERE partner_id = ?`, call.PartnerID)
}

func TestIdempotentReplay(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	call := banktest.With(e.Alpha, "CustomerService.AddCustomer", `"req-1"`)
	first, err := e.Bank.Customers.AddCustomer(ctx, call, banktest.Dave())
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.Bank.Customers.AddCustomer(ctx, call, banktest.Dave())
	if err != nil || again != first {
		t.Fatalf("replay: got %+v, %v; want the first result %+v", again, err, first)
	}
	if n := countCustomers(t, e, e.Alpha); n != 1 {
		t.Fatalf("%d customers after a replay, want 1", n)
	}

	changed := banktest.Dave()
	changed.FirstName = "David"
	if _, err := e.Bank.Customers.AddCustomer(ctx, call, changed); !errors.Is(err, services.ErrIdempotencyConflict) {
		t.Fatalf("same id, other payload: got %v, want ErrIdempotencyConflict", err)
	}
	other := banktest.With(e.Alpha, "CustomerService.AddAccount", `"req-1"`)
	if _, err := e.Bank.Accounts.AddAccount(ctx, other, account.AddAccountInput{CustomerID: first.ID, Name: "D", AccountType: "WALLET", Currency: "USD"}); !errors.Is(err, services.ErrIdempotencyConflict) {
		t.Fatalf("same id, other method: got %v, want ErrIdempotencyConflict", err)
	}
	// Ids are per partner.
	if _, err := e.Bank.Customers.AddCustomer(ctx, banktest.With(e.Beta, "CustomerService.AddCustomer", `"req-1"`), banktest.Dave()); err != nil {
		t.Fatalf("same id at another partner: %v", err)
	}
	// After the window the id may be used again.
	e.Clock.Add(24*time.Hour + time.Second)
	changed.Identification[0].Value, changed.Contact = "234-56-7890", customer.Contact{Email: "david@example.com"}
	if res, err := e.Bank.Customers.AddCustomer(ctx, call, changed); err != nil || res.ID == first.ID {
		t.Fatalf("reuse after the window: %+v, %v", res, err)
	}
}

func TestFailedRequestsAreNotRecorded(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	call := banktest.With(e.Alpha, "CustomerService.AddCustomer", `n:7`)
	bad := banktest.Dave()
	bad.DOB = "19851332"
	if _, err := e.Bank.Customers.AddCustomer(ctx, call, bad); !errors.Is(err, services.ErrInvalidInput) {
		t.Fatalf("bad DOB: %v", err)
	}
	if _, err := e.Bank.Customers.AddCustomer(ctx, banktest.With(e.Alpha, "CustomerService.AddCustomer", ""), banktest.Dave()); err != nil {
		t.Fatal(err)
	}
	// A business refusal is not recorded either: the corrected retry with
	// the same id goes through.
	if _, err := e.Bank.Customers.AddCustomer(ctx, call, banktest.Dave()); !errors.Is(err, customer.ErrIdentificationExists) {
		t.Fatalf("duplicate: %v", err)
	}
	fixed := banktest.Dave()
	fixed.Identification[0].Value, fixed.Contact = "234-56-7890", customer.Contact{Email: "other@example.com"}
	if _, err := e.Bank.Customers.AddCustomer(ctx, call, fixed); err != nil {
		t.Fatalf("corrected retry with the same id: %v", err)
	}
}

// TestConcurrentDuplicates fires the same request id 20 times at once:
// exactly one customer is created, and every call waits for the first and
// answers the same customer (none is "in progress").
func TestConcurrentDuplicates(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	call := banktest.With(e.Alpha, "CustomerService.AddCustomer", `"same"`)
	const n = 20
	var wg sync.WaitGroup
	results := make([]customer.AddCustomerResult, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i], errs[i] = e.Bank.Customers.AddCustomer(ctx, call, banktest.Dave())
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("call %d: %v", i, errs[i])
		}
		if results[i] != results[0] {
			t.Fatalf("call %d answered %+v, call 0 %+v", i, results[i], results[0])
		}
	}
	if c := countCustomers(t, e, e.Alpha); c != 1 {
		t.Fatalf("%d customers, want 1", c)
	}
}
