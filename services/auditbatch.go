package services

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Defaults of the audit rows written later (AuditLater).
const (
	// DefaultAuditFlushInterval is how long a row may wait before it is
	// written.
	DefaultAuditFlushInterval = 100 * time.Millisecond
	// DefaultAuditBatchSize is how many waiting rows start a write at once.
	DefaultAuditBatchSize = 256
	// DefaultAuditQueueSize is how many rows may wait; AuditLater waits for
	// room beyond it.
	DefaultAuditQueueSize = 1024
)

// auditFlushTimeout bounds one background write of waiting rows, so that a
// database that stops answering cannot hold shutdown for ever.
const auditFlushTimeout = 30 * time.Second

// ErrAuditNotWritten is returned by Close (wrapped) for audit rows still
// waiting that could not be written.
var ErrAuditNotWritten = errors.New("audit rows not written")

// auditQueue holds the audit rows of calls that changed nothing (name
// inquiries) until one background writer appends them to the chain, many
// in one transaction. A row stays in waiting until the transaction that
// writes it has committed, so a failed write is tried again, in order, by
// the next one.
type auditQueue struct {
	mu      sync.Mutex
	waiting []AuditEntry  // oldest first
	room    chan struct{} // closed and replaced when rows leave waiting
	kick    chan struct{} // a full batch waits (buffered: one signal)
	stop    chan struct{} // closed by Close
	running bool          // the writer goroutine runs
	closed  bool
	writer  sync.WaitGroup
	flushMu sync.Mutex // one write of waiting rows at a time
}

func newAuditQueue() *auditQueue {
	return &auditQueue{room: make(chan struct{}), kick: make(chan struct{}, 1), stop: make(chan struct{})}
}

// AuditLater records a call that changed nothing (a name inquiry, OK or
// refused) in the audit trail without a write transaction on the caller's
// path: the row, stamped with the clock now, waits in memory and a
// background writer appends the waiting rows in one transaction when
// AuditBatchSize of them wait or AuditFlushInterval has passed, in the
// order they were recorded. When AuditQueueSize rows already wait, the
// caller waits for room (back-pressure) rather than the row being dropped,
// until ctx ends; after Close the row is written at once in its own
// transaction. A row still waiting when the process dies is lost: at most
// the last flush interval's rows, never more than AuditQueueSize.
func (k *Kernel) AuditLater(ctx context.Context, call Call, entities map[string]string, outcome string) error {
	e := AuditEntry{At: k.Clock.Now(), PartnerID: call.PartnerID, KeyID: call.KeyID, Method: call.Method,
		RequestID: call.RequestID, Entities: EntitiesJSON(entities), Outcome: outcome}
	q := k.later
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return k.appendAudit(ctx, []AuditEntry{e})
		}
		if len(q.waiting) < positive(k.AuditQueueSize, DefaultAuditQueueSize) {
			q.waiting = append(q.waiting, e)
			if !q.running {
				q.running = true
				q.writer.Add(1)
				go k.writeAuditLoop()
			}
			if len(q.waiting) >= positive(k.AuditBatchSize, DefaultAuditBatchSize) {
				select {
				case q.kick <- struct{}{}:
				default:
				}
			}
			q.mu.Unlock()
			return nil
		}
		room := q.room
		q.mu.Unlock()
		select {
		case <-room:
		case <-ctx.Done():
			return fmt.Errorf("audit %s: waiting for room among the rows not yet written: %w", call.Method, ctx.Err())
		}
	}
}

// FlushAudit writes every row AuditLater holds now, in one transaction.
func (k *Kernel) FlushAudit(ctx context.Context) error {
	q := k.later
	q.flushMu.Lock()
	defer q.flushMu.Unlock()
	q.mu.Lock()
	batch := slices.Clone(q.waiting)
	q.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	if err := k.appendAudit(ctx, batch); err != nil {
		if k.OnAuditFlushError != nil {
			k.OnAuditFlushError(len(batch), err)
		}
		return err
	}
	q.mu.Lock()
	q.waiting = slices.Clone(q.waiting[len(batch):]) // a new array: the written rows' memory goes
	close(q.room)
	q.room = make(chan struct{})
	q.mu.Unlock()
	return nil
}

// Close stops the background writer and writes the rows still waiting; a
// row recorded afterwards is written at once. Rows it cannot write are
// lost and reported as ErrAuditNotWritten. Close is safe to call twice.
func (k *Kernel) Close(ctx context.Context) error {
	q := k.later
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return nil
	}
	q.closed = true
	close(q.stop)
	q.mu.Unlock()
	q.writer.Wait()
	err := k.FlushAudit(ctx)
	q.mu.Lock()
	defer q.mu.Unlock()
	// Callers waiting for room write their own rows now (q.closed).
	close(q.room)
	q.room = make(chan struct{})
	if n := len(q.waiting); n > 0 {
		q.waiting = nil
		return fmt.Errorf("close: %d %w: %w", n, ErrAuditNotWritten, err)
	}
	return nil
}

// writeAuditLoop is the background writer: it writes the waiting rows at
// every flush interval, or at once when a batch is full, and ends when
// none wait (AuditLater starts it again) or on Close. After a failed write
// it waits a whole interval before trying again.
func (k *Kernel) writeAuditLoop() {
	q := k.later
	defer q.writer.Done()
	timer := time.NewTimer(positiveDuration(k.AuditFlushInterval, DefaultAuditFlushInterval))
	defer timer.Stop()
	failed := false
	for {
		kick := q.kick
		if failed {
			kick = nil
		}
		select {
		case <-timer.C:
		case <-kick:
		case <-q.stop:
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), auditFlushTimeout)
		failed = k.FlushAudit(ctx) != nil
		cancel()
		q.mu.Lock()
		if len(q.waiting) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		timer.Reset(positiveDuration(k.AuditFlushInterval, DefaultAuditFlushInterval))
	}
}

// appendAudit appends rows to the chain in one write transaction, in
// order. Each attempt of the transaction starts from copies, so that a
// retried transaction numbers the rows afresh.
func (k *Kernel) appendAudit(ctx context.Context, rows []AuditEntry) error {
	err := k.Store.Update(ctx, func(tx Tx) error {
		for _, e := range rows {
			if err := tx.AppendAudit(ctx, &e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("write %d audit rows: %w", len(rows), err)
	}
	return nil
}

// positive is n, or def when n is not positive.
func positive(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

// positiveDuration is d, or def when d is not positive.
func positiveDuration(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
