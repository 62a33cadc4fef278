package services_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/store/storetest"
)

// brokenStore fails every write transaction while its err is set.
type brokenStore struct {
	bank.Store
	mu  sync.Mutex
	err error
}

func (b *brokenStore) set(err error) {
	b.mu.Lock()
	b.err = err
	b.mu.Unlock()
}

func (b *brokenStore) Update(ctx context.Context, fn func(tx services.Tx) error) error {
	b.mu.Lock()
	err := b.err
	b.mu.Unlock()
	if err != nil {
		return err
	}
	return b.Store.Update(ctx, fn)
}

// laterEnv is a kernel on e's database through a brokenStore, whose
// failed writes are counted in failures.
type laterEnv struct {
	k        *services.Kernel
	store    *brokenStore
	mu       sync.Mutex
	failures []int
}

func newLaterEnv(t *testing.T, e *banktest.Env) *laterEnv {
	l := &laterEnv{store: &brokenStore{Store: e.Store}}
	b := bank.New(l.store, bank.Settings{InstitutionID: "101115399"}, bank.WithClock(e.Clock),
		bank.WithAuditFlushObserver(func(rows int, err error) {
			l.mu.Lock()
			l.failures = append(l.failures, rows)
			l.mu.Unlock()
		}))
	b.Kernel.AuditFlushInterval = time.Hour
	l.k = b.Kernel
	banktest.CloseAtEnd(t, b)
	return l
}

// record records n rows with request ids from "n:<from>".
func (l *laterEnv) record(t *testing.T, e *banktest.Env, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		call := banktest.With(e.Beta, "AccountService.ValidateName", fmt.Sprintf("n:%d", i))
		if err := l.k.AuditLater(context.Background(), call, nil, services.AuditOK); err != nil {
			t.Fatal(err)
		}
	}
}

// requestIDs are the request ids of the audit trail, in order.
func requestIDs(t *testing.T, e *banktest.Env) []string {
	t.Helper()
	storetest.Sealed(t, e.Store)
	rows, err := e.Store.AuditEntries(context.Background(), 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rows {
		ids = append(ids, r.RequestID)
	}
	return ids
}

// TestAuditLaterFlushFailure: a failed write is reported with how many rows
// it held and loses none: the next flush writes them, in order, before the
// rows recorded since.
func TestAuditLaterFlushFailure(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	l := newLaterEnv(t, e)
	before := len(requestIDs(t, e))
	l.record(t, e, 0, 3)
	down := errors.New("database unavailable")
	l.store.set(down)
	if err := l.k.FlushAudit(ctx); !errors.Is(err, down) {
		t.Fatalf("flush on a failing database: %v, want %v", err, down)
	}
	l.record(t, e, 3, 2)
	l.store.set(nil)
	if err := l.k.FlushAudit(ctx); err != nil {
		t.Fatal(err)
	}
	if len(l.failures) != 1 || l.failures[0] != 3 {
		t.Errorf("failed writes reported: %v, want one of 3 rows", l.failures)
	}
	got := fmt.Sprint(requestIDs(t, e)[before:])
	if want := "[n:0 n:1 n:2 n:3 n:4]"; got != want {
		t.Errorf("rows %s, want %s", got, want)
	}
	if rep := banktest.VerifyAudit(t, e); !rep.OK() {
		t.Fatalf("audit chain broken: %s", rep.Broken)
	}
}

// TestAuditLaterCloseFailure: rows Close cannot write are reported as
// ErrAuditNotWritten with their number, not dropped silently; a second
// Close has nothing left to report.
func TestAuditLaterCloseFailure(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	l := newLaterEnv(t, e)
	l.record(t, e, 0, 2)
	l.store.set(errors.New("database unavailable"))
	err := l.k.Close(ctx)
	if !errors.Is(err, services.ErrAuditNotWritten) {
		t.Fatalf("close on a failing database: %v, want ErrAuditNotWritten", err)
	}
	if want := "close: 2 audit rows not written"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("close: %q, want it to start %q", err, want)
	}
	l.store.set(nil)
	if err := l.k.Close(ctx); err != nil {
		t.Errorf("second close: %v", err)
	}
}
