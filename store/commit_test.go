package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store"
	"github.com/accountd/accountd/store/sqldb"
	"github.com/accountd/accountd/store/storetest"
)

// openGroupCommit opens a migrated store of the driver under test with the
// given group-commit settings, and observes its batch sizes.
func openGroupCommit(t *testing.T, gc store.GroupCommit) (*store.Store, string, *batchSizes) {
	t.Helper()
	ctx := context.Background()
	dsn := storetest.DSN(t)
	st, err := store.Open(ctx, storetest.Driver(), dsn, store.Options{GroupCommit: gc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	sizes := &batchSizes{}
	st.Observe(sizes.add, func(err error) { t.Errorf("sealer: %v", err) })
	return st, dsn, sizes
}

type batchSizes struct {
	mu    sync.Mutex
	sizes []int
}

func (b *batchSizes) add(n int) {
	b.mu.Lock()
	b.sizes = append(b.sizes, n)
	b.mu.Unlock()
}

func (b *batchSizes) max() (most, total int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, n := range b.sizes {
		most = max(most, n)
		total += n
	}
	return most, total
}

var errRefused = errors.New("refused for the test")

// TestGroupCommitIsolatesCalls runs many concurrent calls, some refused,
// some breaking a uniqueness rule, some succeeding, so that they share
// transactions; each call's outcome is its own: the successes are stored,
// and nothing of a refused or failed call is, though it shared the
// transaction and the commit with the others.
func TestGroupCommitIsolatesCalls(t *testing.T) {
	st, dsn, sizes := openGroupCommit(t, store.GroupCommit{MaxBatch: 16})
	ctx := context.Background()
	// A partner every "duplicate" call tries to insert again.
	if err := store.Update(ctx, st, func(tx store.AnyTx) error {
		return tx.InsertPartner(ctx, partner.Partner{ID: 1, Name: "taken", CreatedAt: epoch})
	}); err != nil {
		t.Fatal(err)
	}
	const callers, each = 32, 12
	var wg sync.WaitGroup
	var ok, refused, dup atomic.Int64
	for c := 0; c < callers; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				n := int64(c*each + i + 100)
				name := fmt.Sprintf("p%d", n)
				err := store.Update(ctx, st, func(tx store.AnyTx) error {
					if err := tx.InsertPartner(ctx, partner.Partner{ID: n, Name: name, CreatedAt: epoch}); err != nil {
						return err
					}
					switch i % 3 {
					case 1: // refused after writing
						return errRefused
					case 2: // a statement that breaks a rule, after writing
						return tx.InsertPartner(ctx, partner.Partner{ID: 1, Name: "taken", CreatedAt: epoch})
					}
					return nil
				})
				switch {
				case i%3 == 0 && err == nil:
					ok.Add(1)
				case i%3 == 1 && errors.Is(err, errRefused):
					refused.Add(1)
				case i%3 == 2 && err != nil && !errors.Is(err, errRefused):
					dup.Add(1)
				default:
					t.Errorf("call %d (kind %d): %v", n, i%3, err)
				}
			}
		}()
	}
	wg.Wait()
	want := int64(callers * each / 3)
	if ok.Load() != want || refused.Load() != want || dup.Load() != want {
		t.Fatalf("outcomes: %d ok, %d refused, %d failed; want %d each", ok.Load(), refused.Load(), dup.Load(), want)
	}
	if got := storetest.Count(t, dsn, `SELECT COUNT(*) FROM partners WHERE id >= 100`); got != int(want) {
		t.Fatalf("%d partners stored, want the %d successes alone", got, want)
	}
	if got := storetest.Count(t, dsn, `SELECT COUNT(*) FROM partners WHERE id >= 100 AND (id - 100) % 12 % 3 <> 0`); got != 0 {
		t.Fatalf("%d partners of refused or failed calls stored", got)
	}
	most, total := sizes.max()
	if total != 1+callers*each {
		t.Errorf("batches held %d calls, want %d", total, 1+callers*each)
	}
	if most > 16 {
		t.Errorf("a batch of %d calls, over MaxBatch 16", most)
	}
	if most < 2 {
		t.Errorf("every batch held one call: %d concurrent callers never shared a commit", callers)
	}
}

// TestGroupCommitLoneCallDoesNotWait: a call that finds the committer free
// commits at once, even when a batch may stay open for an hour to calls
// that arrive while it runs: had it waited for company, the calls below
// would run into their deadline.
func TestGroupCommitLoneCallDoesNotWait(t *testing.T) {
	st, _, sizes := openGroupCommit(t, store.GroupCommit{MaxWait: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i := 0; i < 20; i++ {
		if err := store.Update(ctx, st, func(tx store.AnyTx) error {
			return tx.InsertPartner(ctx, partner.Partner{ID: int64(i + 1), Name: fmt.Sprint(i), CreatedAt: epoch})
		}); err != nil {
			t.Fatal(err)
		}
	}
	if most, total := sizes.max(); most != 1 || total != 20 {
		t.Errorf("batches: most %d, total %d; want 20 batches of one", most, total)
	}
}

// TestGroupCommitPanic: a call that panics has its work rolled back and
// panics again in its caller's goroutine (where the server's recovery
// answers it); the committer and the other calls go on.
func TestGroupCommitPanic(t *testing.T) {
	st, dsn, _ := openGroupCommit(t, store.GroupCommit{})
	ctx := context.Background()
	func() {
		defer func() {
			if r := recover(); r != "a bug" {
				t.Errorf("recovered %v, want the call's own panic", r)
			}
		}()
		_ = store.Update(ctx, st, func(tx store.AnyTx) error {
			if err := tx.InsertPartner(ctx, partner.Partner{ID: 7, Name: "seven", CreatedAt: epoch}); err != nil {
				return err
			}
			panic("a bug")
		})
		t.Error("a panicking call returned")
	}()
	if err := store.Update(ctx, st, func(tx store.AnyTx) error {
		return tx.InsertPartner(ctx, partner.Partner{ID: 8, Name: "eight", CreatedAt: epoch})
	}); err != nil {
		t.Fatalf("the call after a panic: %v", err)
	}
	if got := storetest.Count(t, dsn, `SELECT COUNT(*) FROM partners`); got != 1 {
		t.Fatalf("%d partners stored, want the second call's alone", got)
	}
}

// TestGroupCommitSwallowedFailure: on PostgreSQL a call that hides a
// failed statement (the transaction is then aborted) is refused alone;
// the calls that shared its batch are committed.
func TestGroupCommitSwallowedFailure(t *testing.T) {
	st, dsn, sizes := openGroupCommit(t, store.GroupCommit{Committers: 1})
	ctx := context.Background()
	hold, release := make(chan struct{}), make(chan struct{})
	errs := make(chan error, 3)
	go func() {
		errs <- store.Update(ctx, st, func(tx store.AnyTx) error {
			close(hold)
			<-release
			return tx.InsertPartner(ctx, partner.Partner{ID: 1, Name: "one", CreatedAt: epoch})
		})
	}()
	<-hold
	// These two queue behind the first and join one batch with it.
	go func() {
		errs <- store.Update(ctx, st, func(tx store.AnyTx) error {
			_ = store.ExecForTest(tx, `INSERT INTO no_such_table VALUES (1)`) // failure hidden
			return nil
		})
	}()
	go func() {
		time.Sleep(20 * time.Millisecond)
		errs <- store.Update(ctx, st, func(tx store.AnyTx) error {
			return tx.InsertPartner(ctx, partner.Partner{ID: 3, Name: "three", CreatedAt: epoch})
		})
	}()
	time.Sleep(100 * time.Millisecond)
	close(release)
	failed := 0
	for i := 0; i < 3; i++ {
		if err := <-errs; err != nil {
			failed++
		}
	}
	// On SQLite the hidden failure leaves the transaction usable: that
	// call succeeds with nothing written.
	if want := map[bool]int{true: 1, false: 0}[storetest.IsPostgres()]; failed != want {
		t.Errorf("%d calls failed, want %d (the one that hid its failure)", failed, want)
	}
	if got := storetest.Count(t, dsn, `SELECT COUNT(*) FROM partners`); got != 2 {
		t.Fatalf("%d partners stored, want the two other calls'", got)
	}
	// The first call's batch closed while it was held (group_commit_wait
	// passed); the two queued behind it shared the next.
	if most, total := sizes.max(); most != 2 || total != 3 {
		t.Fatalf("batches: most %d, total %d; want the two later calls in one batch", most, total)
	}
}

// TestGroupCommitCallerGone: a call whose caller gives up while it waits
// for the committer never runs; one that gives up while it runs is
// committed or rolled back whole, without cutting its statements short.
func TestGroupCommitCallerGone(t *testing.T) {
	st, dsn, _ := openGroupCommit(t, store.GroupCommit{Committers: 1})
	ctx := context.Background()
	hold, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- store.Update(ctx, st, func(tx store.AnyTx) error {
			close(hold)
			<-release
			return tx.InsertPartner(ctx, partner.Partner{ID: 1, Name: "first", CreatedAt: epoch})
		})
	}()
	<-hold // the committer is busy with the first call
	gone, cancel := context.WithCancel(ctx)
	ran := atomic.Bool{}
	second := make(chan error, 1)
	go func() {
		second <- store.Update(gone, st, func(tx store.AnyTx) error {
			ran.Store(true)
			return tx.InsertPartner(ctx, partner.Partner{ID: 2, Name: "second", CreatedAt: epoch})
		})
	}()
	time.Sleep(50 * time.Millisecond) // let it queue (if it has not, it is refused before queueing: the same outcome)
	cancel()
	if err := <-second; !errors.Is(err, context.Canceled) {
		t.Fatalf("the abandoned call: %v, want context.Canceled", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if ran.Load() {
		t.Fatal("the abandoned call ran")
	}

	// Cancelled while it runs: its later statements still run, and the
	// call is committed.
	running, stop := context.WithCancel(ctx)
	err := store.Update(running, st, func(tx store.AnyTx) error {
		stop()
		for i := 3; i < 6; i++ {
			if err := tx.InsertPartner(running, partner.Partner{ID: int64(i), Name: fmt.Sprint(i), CreatedAt: epoch}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("a call whose caller left mid-way: %v", err)
	}
	if got := storetest.Count(t, dsn, `SELECT COUNT(*) FROM partners`); got != 4 {
		t.Fatalf("%d partners, want 4 (the first call and the 3 of the last)", got)
	}
}

// TestGroupCommitRetry: work that loses a deadlock or a serialization
// conflict is run again in a later batch, and the caller sees only the
// outcome of the last run.
func TestGroupCommitRetry(t *testing.T) {
	st, dsn, _ := openGroupCommit(t, store.GroupCommit{})
	ctx := context.Background()
	runs := 0
	err := store.Update(ctx, st, func(tx store.AnyTx) error {
		runs++
		if err := tx.InsertPartner(ctx, partner.Partner{ID: int64(runs), Name: fmt.Sprint(runs), CreatedAt: epoch}); err != nil {
			return err
		}
		if runs < 3 {
			return fmt.Errorf("lost a conflict: %w", sqldb.ErrRetry)
		}
		return nil
	})
	if err != nil || runs != 3 {
		t.Fatalf("got %v after %d runs, want success on the third", err, runs)
	}
	if got := storetest.Count(t, dsn, `SELECT COUNT(*) FROM partners WHERE id = 3`); got != 1 {
		t.Fatal("the last run's work is not stored")
	}
	if got := storetest.Count(t, dsn, `SELECT COUNT(*) FROM partners`); got != 1 {
		t.Fatalf("%d partners: the failed runs' work was kept", got)
	}
}

// TestGroupCommitClose: Close answers the calls already queued, and calls
// after it are refused.
func TestGroupCommitClose(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t)
	st, err := store.Open(ctx, storetest.Driver(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var done atomic.Int64
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := store.Update(ctx, st, func(tx store.AnyTx) error {
				return tx.AppendAudit(ctx, &services.AuditEntry{At: epoch, PartnerID: 1, KeyID: "k", Method: "m", Entities: "{}", Outcome: services.AuditOK})
			})
			if err == nil {
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := store.Update(ctx, st, func(store.AnyTx) error { return nil }); err == nil {
		t.Fatal("a write after Close succeeded")
	}
	st2, err := store.Open(ctx, storetest.Driver(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	rep, err := services.VerifyAudit(ctx, st2)
	if err != nil || !rep.OK() || rep.Rows != done.Load() {
		t.Fatalf("after Close: %+v, %v; want %d intact rows", rep, err, done.Load())
	}
}
