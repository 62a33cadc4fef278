package account_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/store/storetest"
)

// countingStore counts the write transactions run through it. With hold
// set, every write transaction waits until hold is closed, and entered
// gets a signal as each one starts.
type countingStore struct {
	bank.Store
	updates atomic.Int64
	hold    chan struct{}
	entered chan struct{}
}

func (c *countingStore) Update(ctx context.Context, fn func(tx services.Tx) error) error {
	c.updates.Add(1)
	if c.hold != nil {
		select {
		case c.entered <- struct{}{}:
		default:
		}
		<-c.hold
	}
	return c.Store.Update(ctx, fn)
}

// inquiryBank is a second bank on e's database, whose write transactions
// st counts, with its kernel's audit settings changed by tune.
func inquiryBank(t *testing.T, e *banktest.Env, st *countingStore, tune func(k *services.Kernel)) *bank.Bank {
	t.Helper()
	st.Store = e.Store
	b := bank.New(st, bank.Settings{InstitutionID: "101115399", BankCode: banktest.BankCode}, bank.WithClock(e.Clock))
	tune(b.Kernel)
	banktest.CloseAtEnd(t, b)
	return b
}

// inquiryInputs are name inquiries answered OK, refused for the account,
// refused for a field and refused as unknown.
func inquiryInputs(t *testing.T, e *banktest.Env) []account.ValidateNameInput {
	t.Helper()
	person := e.AddCustomer(t, e.Alpha, banktest.Kenyan("12345678", "+254712345678", ""))
	plain := e.OpenAccount(t, e.Alpha, person, "CHECKING", "USD", "")
	closed := e.OpenAccount(t, e.Alpha, person, "CHECKING", "USD", "")
	e.SetStatus(t, "accounts", "account_number", closed, "CLOSED")
	return []account.ValidateNameInput{
		{BankCode: banktest.BankCode, AccountNumber: plain},
		{BankCode: banktest.BankCode, AccountNumber: closed},
		{BankCode: "014", AccountNumber: plain},
		{BankCode: banktest.BankCode, AccountNumber: "900309799403557"},
	}
}

// wantRow is the audit row an inquiry should leave.
type wantRow struct {
	requestID, outcome, entities string
	at                           time.Time
}

// inquire runs n name inquiries one after another, cycling through ins,
// a second apart on e's clock, and returns the rows they should leave.
func inquire(t *testing.T, e *banktest.Env, b *bank.Bank, ins []account.ValidateNameInput, n int) []wantRow {
	t.Helper()
	var want []wantRow
	for i := range n {
		in := ins[i%len(ins)]
		e.Clock.Add(time.Second)
		call := banktest.With(e.Beta, "AccountService.ValidateName", fmt.Sprintf("n:%d", i))
		_, err := b.Accounts.ValidateName(context.Background(), call, in)
		w := wantRow{requestID: call.RequestID, outcome: services.AuditOK, at: e.Clock.Now(),
			entities: services.EntitiesJSON(map[string]string{"accountNumber": in.AccountNumber})}
		switch {
		case errors.Is(err, services.ErrInvalidInput):
			w.outcome, w.entities = services.AuditRefused+services.RefusalReason(err), "{}"
		case err != nil && banktest.Refusal(err) != nil:
			w.outcome = services.AuditRefused + services.RefusalReason(err)
		case err != nil:
			t.Fatalf("inquiry %d: %v", i, err)
		}
		want = append(want, w)
	}
	return want
}

// inquiryRows returns the name inquiries' rows of the audit trail, in
// order, as the database holds them now.
func inquiryRows(t *testing.T, e *banktest.Env) []services.AuditEntry {
	t.Helper()
	storetest.Sealed(t, e.Store)
	all, err := e.Store.AuditEntries(context.Background(), 0, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	var rows []services.AuditEntry
	for _, r := range all {
		if r.Method == "AccountService.ValidateName" {
			rows = append(rows, r)
		}
	}
	return rows
}

// TestNameInquiryAuditBatched: name inquiries make no write transaction on
// the caller's path; on Close their rows are written in one transaction,
// one row per inquiry (answered and refused), in the order of the calls,
// each stamped with the time of its call, and the chain verifies. An
// inquiry after Close is written at once.
func TestNameInquiryAuditBatched(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	ins := inquiryInputs(t, e)
	st := &countingStore{}
	b := inquiryBank(t, e, st, func(k *services.Kernel) { k.AuditFlushInterval = time.Hour })

	const n = 100 // below the batch size: nothing starts a write before Close
	want := inquire(t, e, b, ins, n)
	if got := st.updates.Load(); got != 0 {
		t.Fatalf("%d write transactions during %d name inquiries, want 0", got, n)
	}
	if got := storetest.Count(t, e.Path, `SELECT COUNT(*) FROM audit_log WHERE method = 'AccountService.ValidateName'`); got != 0 {
		t.Fatalf("%d inquiry rows written before the flush, want 0", got)
	}
	e.Clock.Add(time.Hour) // the write happens later than the calls
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if got := st.updates.Load(); got != 1 {
		t.Errorf("%d write transactions for %d rows, want 1", got, n)
	}
	checkInquiryRows(t, inquiryRows(t, e), want)
	if rep := banktest.VerifyAudit(t, e); !rep.OK() {
		t.Fatalf("audit chain broken: %s", rep.Broken)
	}

	more := inquire(t, e, b, ins[:1], 1)
	if got := st.updates.Load(); got != 2 {
		t.Errorf("%d write transactions after an inquiry past Close, want 2", got)
	}
	rows := inquiryRows(t, e)
	checkInquiryRows(t, rows[n:], more)
}

// checkInquiryRows compares the inquiries' rows with the rows wanted, in
// order.
func checkInquiryRows(t *testing.T, rows []services.AuditEntry, want []wantRow) {
	t.Helper()
	if len(rows) != len(want) {
		t.Fatalf("%d inquiry rows, want %d", len(rows), len(want))
	}
	for i, r := range rows {
		w := want[i]
		if r.RequestID != w.requestID || r.Outcome != w.outcome || r.Entities != w.entities || !r.At.Equal(w.at) {
			t.Errorf("row %d: %s %q %s at %s; want %s %q %s at %s", i, r.RequestID, r.Outcome, r.Entities, r.At,
				w.requestID, w.outcome, w.entities, w.at)
		}
	}
}

// TestNameInquiryAuditConcurrent: inquiries from many goroutines at once,
// written by the background writer in batches while they run, leave one
// row each and an intact chain.
func TestNameInquiryAuditConcurrent(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	ins := inquiryInputs(t, e)
	st := &countingStore{}
	b := inquiryBank(t, e, st, func(k *services.Kernel) {
		k.AuditFlushInterval, k.AuditBatchSize, k.AuditQueueSize = 5*time.Millisecond, 8, 32
	})
	const workers, each = 8, 40
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				call := banktest.With(e.Beta, "AccountService.ValidateName", fmt.Sprintf("n:%d-%d", w, i))
				if _, err := b.Accounts.ValidateName(ctx, call, ins[i%len(ins)]); err != nil && banktest.Refusal(err) == nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
	rows := inquiryRows(t, e)
	seen := map[string]int{}
	for _, r := range rows {
		seen[r.RequestID]++
	}
	if len(rows) != workers*each || len(seen) != workers*each {
		t.Errorf("%d rows for %d distinct request ids, want %d of each", len(rows), len(seen), workers*each)
	}
	if rep := banktest.VerifyAudit(t, e); !rep.OK() {
		t.Fatalf("audit chain broken: %s", rep.Broken)
	}
}

// TestNameInquiryAuditWithoutClose: the background writer writes the rows
// after the flush interval, without Close or a full batch.
func TestNameInquiryAuditWithoutClose(t *testing.T) {
	e := banktest.NewLifecycle(t)
	ins := inquiryInputs(t, e)
	st := &countingStore{}
	b := inquiryBank(t, e, st, func(k *services.Kernel) { k.AuditFlushInterval = 10 * time.Millisecond })
	want := inquire(t, e, b, ins, 5)
	// A generous bound on a background write, not a measure of its speed.
	for deadline := time.Now().Add(30 * time.Second); len(inquiryRows(t, e)) < len(want); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d inquiry rows after 30s without Close, want %d", len(inquiryRows(t, e)), len(want))
		}
	}
	checkInquiryRows(t, inquiryRows(t, e), want)
}

// TestNameInquiryAuditBackPressure: while the writer is stuck, inquiries
// beyond the queue's room wait instead of being dropped; a caller that
// gives up is told so; once the writer moves, every waiting inquiry is
// answered and recorded, without deadlock.
func TestNameInquiryAuditBackPressure(t *testing.T) {
	ctx := context.Background()
	e := banktest.NewLifecycle(t)
	ins := inquiryInputs(t, e)
	st := &countingStore{hold: make(chan struct{}), entered: make(chan struct{}, 1)}
	const room, callers = 4, 12
	b := inquiryBank(t, e, st, func(k *services.Kernel) {
		k.AuditFlushInterval, k.AuditBatchSize, k.AuditQueueSize = time.Hour, 2, room
	})
	var release sync.Once
	let := func() { release.Do(func() { close(st.hold) }) }
	t.Cleanup(let) // before the bank closes, even when the test stops early

	var answered atomic.Int64
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			call := banktest.With(e.Beta, "AccountService.ValidateName", fmt.Sprintf("n:%d", i))
			if _, err := b.Accounts.ValidateName(ctx, call, ins[0]); err != nil {
				t.Error(err)
			}
			answered.Add(1)
		}()
	}
	<-st.entered // a full batch started a write, which hold keeps from committing
	for deadline := time.Now().Add(30 * time.Second); answered.Load() < room; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d inquiries answered while the writer is held, want %d", answered.Load(), room)
		}
	}
	// Rows leave the queue only once written: the others still wait.
	if got := answered.Load(); got != room {
		t.Fatalf("%d inquiries answered while the writer is held, want %d (the queue's room)", got, room)
	}
	gaveUp, cancel := context.WithCancel(ctx)
	cancel()
	if err := b.Kernel.AuditLater(gaveUp, e.Beta, nil, services.AuditOK); !errors.Is(err, context.Canceled) {
		t.Errorf("a caller that gives up on a full queue: %v, want context.Canceled", err)
	}
	let()
	wg.Wait()
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if rows := inquiryRows(t, e); len(rows) != callers {
		t.Errorf("%d inquiry rows, want %d", len(rows), callers)
	}
	if rep := banktest.VerifyAudit(t, e); !rep.OK() {
		t.Fatalf("audit chain broken: %s", rep.Broken)
	}
}
