package services_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/store"
	"github.com/accountd/accountd/store/storetest"
)

// gatedStore holds the first write transaction it runs open, after the
// operation's statements and before the commit, until the test lets it go:
// a first call as slow as the test wants. fail, when set, makes that
// transaction fail (roll back) instead of committing.
type gatedStore struct {
	bank.Store
	once    sync.Once
	entered chan struct{} // closed once the held transaction has done its work
	release chan struct{} // closed by the test to let it end
	fail    error
}

func newGatedStore(st bank.Store, fail error) *gatedStore {
	return &gatedStore{Store: st, entered: make(chan struct{}), release: make(chan struct{}), fail: fail}
}

func (g *gatedStore) Update(ctx context.Context, fn func(tx services.Tx) error) error {
	return g.Store.Update(ctx, func(tx services.Tx) error {
		err := fn(tx)
		held := false
		g.once.Do(func() { held = true })
		if held {
			close(g.entered)
			<-g.release
			if err == nil {
				err = g.fail
			}
		}
		return err
	})
}

// slowFirst starts the first call of id on svc, held open by gate, and
// returns once it has done its work; the returned function lets it commit
// and returns its answer.
func slowFirst(t *testing.T, svc *bank.Bank, gate *gatedStore, call services.Call) func() (customer.AddCustomerResult, error) {
	t.Helper()
	type answer struct {
		r   customer.AddCustomerResult
		err error
	}
	done := make(chan answer, 1)
	go func() {
		r, err := svc.Customers.AddCustomer(context.Background(), call, banktest.Dave())
		done <- answer{r, err}
	}()
	<-gate.entered
	var release sync.Once
	let := func() { release.Do(func() { close(gate.release) }) }
	t.Cleanup(let) // a test that stops early must not leave the transaction open
	return func() (customer.AddCustomerResult, error) {
		let()
		a := <-done
		return a.r, a.err
	}
}

// TestDuplicateWaitsForFirst: a duplicate arriving while the first call
// runs waits for it, up to Settings.IdempotencyWait and never past its own
// deadline; a first call that outlasts the wait makes it -32006, and a
// first call that fails leaves the id to the duplicate, which runs.
func TestDuplicateWaitsForFirst(t *testing.T) {
	ctx := context.Background()
	newSvc := func(t *testing.T, wait time.Duration, fail error) (*banktest.Env, *bank.Bank, *gatedStore) {
		e := banktest.New(t)
		gate := newGatedStore(e.Store, fail)
		svc := bank.New(gate, bank.Settings{InstitutionID: "101115399", IdempotencyTTL: time.Hour, IdempotencyWait: wait},
			bank.WithClock(e.Clock))
		return e, svc, gate
	}
	t.Run("the first outlasts the wait", func(t *testing.T) {
		e, svc, gate := newSvc(t, 50*time.Millisecond, nil)
		call := banktest.With(e.Alpha, "CustomerService.AddCustomer", `"slow"`)
		finish := slowFirst(t, svc, gate, call)
		if _, err := svc.Customers.AddCustomer(ctx, call, banktest.Dave()); !errors.Is(err, services.ErrRequestInProgress) {
			t.Fatalf("duplicate: %v, want ErrRequestInProgress", err)
		}
		first, err := finish()
		if err != nil {
			t.Fatal(err)
		}
		if again, err := svc.Customers.AddCustomer(ctx, call, banktest.Dave()); err != nil || again != first {
			t.Fatalf("after the first ended: %+v, %v; want %+v", again, err, first)
		}
	})
	t.Run("the call's deadline comes before the wait ends", func(t *testing.T) {
		e, svc, gate := newSvc(t, time.Hour, nil)
		call := banktest.With(e.Alpha, "CustomerService.AddCustomer", `"deadline"`)
		finish := slowFirst(t, svc, gate, call)
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if _, err := svc.Customers.AddCustomer(short, call, banktest.Dave()); !errors.Is(err, services.ErrRequestInProgress) {
			t.Fatalf("duplicate: %v, want ErrRequestInProgress", err)
		}
		if _, err := finish(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("the first fails: the duplicate runs", func(t *testing.T) {
		e, svc, gate := newSvc(t, time.Hour, errors.New("injected failure"))
		call := banktest.With(e.Alpha, "CustomerService.AddCustomer", `"failing"`)
		finish := slowFirst(t, svc, gate, call)
		type answer struct {
			r   customer.AddCustomerResult
			err error
		}
		dup := make(chan answer, 1)
		go func() {
			r, err := svc.Customers.AddCustomer(ctx, call, banktest.Dave())
			dup <- answer{r, err}
		}()
		if _, err := finish(); err == nil {
			t.Fatal("the first call did not fail")
		}
		a := <-dup
		if a.err != nil || a.r.ID == "" {
			t.Fatalf("duplicate: %+v, %v; want the customer", a.r, a.err)
		}
		if c := countCustomers(t, e, e.Alpha); c != 1 {
			t.Fatalf("%d customers, want 1", c)
		}
	})
}

// TestDuplicateOnAnotherReplica: two Services on one database, as two
// replicas. The first call holds its transaction open on replica A; the
// duplicate on replica B waits (PostgreSQL: on the unique index of the
// request id; SQLite: for the database's write lock) and then replays A's
// answer. On PostgreSQL, a first call that outlasts B's wait makes B's
// call -32006.
func TestDuplicateOnAnotherReplica(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	gate := newGatedStore(e.Store, nil)
	settings := bank.Settings{InstitutionID: "101115399", IdempotencyTTL: time.Hour, IdempotencyWait: 5 * time.Second}
	a := bank.New(gate, settings, bank.WithClock(e.Clock))
	other, err := store.Open(ctx, storetest.Driver(), e.Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	b := bank.New(other, settings, bank.WithClock(e.Clock))
	call := banktest.With(e.Alpha, "CustomerService.AddCustomer", `"replicated"`)
	finish := slowFirst(t, a, gate, call)

	if storetest.IsPostgres() {
		impatient := settings
		impatient.IdempotencyWait = 100 * time.Millisecond
		c := bank.New(other, impatient, bank.WithClock(e.Clock))
		bounded, cancel := context.WithTimeout(ctx, 3*time.Second) // fail rather than hang
		defer cancel()
		if _, err := c.Customers.AddCustomer(bounded, call, banktest.Dave()); !errors.Is(err, services.ErrRequestInProgress) {
			t.Fatalf("a duplicate that waits 100ms: %v, want ErrRequestInProgress", err)
		}
	}
	type answer struct {
		r   customer.AddCustomerResult
		err error
	}
	dup := make(chan answer, 1)
	go func() {
		r, err := b.Customers.AddCustomer(ctx, call, banktest.Dave())
		dup <- answer{r, err}
	}()
	if storetest.IsPostgres() {
		waitForLockWait(t, e.Path)
	}
	first, err := finish()
	if err != nil {
		t.Fatal(err)
	}
	if got := <-dup; got.err != nil || got.r != first {
		t.Fatalf("replica B: %+v, %v; want A's answer %+v", got.r, got.err, first)
	}
	if c := countCustomers(t, e, e.Alpha); c != 1 {
		t.Fatalf("%d customers, want 1", c)
	}
}

// waitForLockWait returns once some session of the database waits for a
// lock held by another transaction (PostgreSQL only).
func waitForLockWait(t *testing.T, dsn string) {
	t.Helper()
	db := storetest.Conn(t, dsn)
	for range 500 {
		var n int
		if err := db.Get(&n, `SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no session waits for a lock after 5s")
}
