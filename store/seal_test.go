package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/store"
	"github.com/accountd/accountd/store/storetest"
)

func auditEntry(method string) *services.AuditEntry {
	return &services.AuditEntry{At: epoch, PartnerID: 1, KeyID: "k", Method: method, Entities: "{}", Outcome: services.AuditOK}
}

// TestAuditAppendsDoNotWaitForEachOther: on PostgreSQL a transaction that
// has appended to the audit trail and not yet committed does not hold up
// another's append (no lock of ours spans a transaction). The sealer does
// not chain the later row before the earlier transaction has ended, and
// then chains both in order.
func TestAuditAppendsDoNotWaitForEachOther(t *testing.T) {
	if !storetest.IsPostgres() {
		t.Skip("SQLite has one writer: its appends are chained as they come")
	}
	st, dsn, _ := openGroupCommit(t, store.GroupCommit{Committers: 2})
	ctx := context.Background()
	appended, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- store.Update(ctx, st, func(tx store.AnyTx) error {
			if err := tx.AppendAudit(ctx, auditEntry("first")); err != nil {
				return err
			}
			close(appended)
			<-release
			return nil
		})
	}()
	<-appended
	// The second append commits while the first transaction is open.
	bounded, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := store.Update(bounded, st, func(tx store.AnyTx) error { return tx.AppendAudit(bounded, auditEntry("second")) }); err != nil {
		close(release)
		t.Fatalf("an append waited for another transaction: %v", err)
	}
	// The first transaction is older and still open: the second row
	// cannot be given its place yet.
	if _, err := st.SealAudit(ctx); err != nil {
		t.Fatal(err)
	}
	if n := storetest.Count(t, dsn, `SELECT COUNT(*) FROM audit_pending`); n != 1 {
		t.Errorf("%d rows pending while the older transaction is open, want the second's", n)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	storetest.Sealed(t, st)
	rows, err := st.AuditEntries(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Method != "first" || rows[1].Method != "second" {
		t.Fatalf("chain %+v: want first, then second", rows)
	}
	if rep, err := services.VerifyAudit(ctx, st); err != nil || !rep.OK() || rep.Rows != 2 {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
}

// TestAuditTwoReplicas: two processes' stores on one PostgreSQL database
// append concurrently; once sealed, the trail holds every row, chained.
func TestAuditTwoReplicas(t *testing.T) {
	if !storetest.IsPostgres() {
		t.Skip("replicas run on PostgreSQL")
	}
	a, dsn, _ := openGroupCommit(t, store.GroupCommit{})
	ctx := context.Background()
	b, err := store.Open(ctx, "postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const writers, each = 16, 20
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		st := a
		if w%2 == 1 {
			st = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if err := store.Update(ctx, st, func(tx store.AnyTx) error {
					if err := tx.AppendAudit(ctx, auditEntry("m")); err != nil {
						return err
					}
					return tx.AppendAudit(ctx, auditEntry("m2"))
				}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	storetest.Sealed(t, a)
	rep, err := services.VerifyAudit(ctx, b)
	if err != nil || !rep.OK() || rep.Rows != 2*writers*each {
		t.Fatalf("chain: %+v, %v; want %d intact rows", rep, err, 2*writers*each)
	}
}
