package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/store/onboardingstore"
	"github.com/accountd/accountd/store/sqldb"
)

// Group commit: concurrent calls to Update share one database transaction
// and one commit (one fsync), each inside its own savepoint, so that one
// call's refusal or failed statement rolls back its own work only. Every
// call is answered after the commit that holds its work, never before.
//
// A committer takes the first call waiting, then every call already
// waiting, and keeps the batch open to calls arriving while it runs until
// the batch holds GroupCommit.MaxBatch calls or has been open for
// GroupCommit.MaxWait; then it commits. A call that finds the committer free
// runs and commits at once: under light load nothing waits.
//
// SQLite has one writer, so one committer. PostgreSQL runs
// GroupCommit.Committers batches at once, each on its own connection; they
// take row locks like any transactions (no lock of ours spans them).

// GroupCommit tunes group commit.
type GroupCommit struct {
	// MaxBatch bounds the calls that share one transaction. 1 turns group
	// commit off: one transaction per call. Zero means the database's
	// default: DefaultMaxBatch on SQLite, DefaultMaxBatchPostgres on
	// PostgreSQL.
	MaxBatch int
	// MaxWait bounds how long a batch stays open to calls arriving while it
	// runs; a batch never waits for a call that has not arrived. Zero
	// means DefaultMaxWait.
	MaxWait time.Duration
	// Committers is how many batches run at once on PostgreSQL (SQLite
	// always runs one). Zero means DefaultCommitters.
	Committers int
}

// Group commit defaults.
const (
	DefaultMaxBatch = 64
	// DefaultMaxBatchPostgres keeps a batch's subtransactions (a call's
	// savepoint, and the savepoints some statements take inside it) within
	// the 64 that PostgreSQL keeps cached per transaction: beyond them
	// every snapshot of the server gets slower.
	DefaultMaxBatchPostgres = 16
	DefaultMaxWait          = 2 * time.Millisecond
	DefaultCommitters       = 4
	// maxAttempts is how often a call that lost a deadlock or a
	// serialization conflict is run again.
	maxAttempts = 3
)

// job is one call to Update waiting for, or in, a batch.
type job struct {
	ctx context.Context
	fn  func(tx services.Tx) error
	// state moves from pending to running when a committer takes the job,
	// or to abandoned when its caller gives up first.
	state    atomic.Int32
	attempts int
	err      error
	// panicked is the value a panic in fn carried; submit panics with it
	// again in the caller's goroutine, once the batch is answered.
	panicked any
	done     chan struct{}
}

const (
	jobPending int32 = iota
	jobRunning
	jobAbandoned
)

// committer runs the batches of one Store.
type committer struct {
	store *Store
	opts  GroupCommit
	queue chan *job
	// mu guards closed: no call is queued once the committers stop.
	mu      sync.RWMutex
	closed  bool
	stop    chan struct{}
	stopped sync.WaitGroup
	once    sync.Once
	observe observers
	// seal, on PostgreSQL, chains the audit rows a batch appended.
	seal *sealer
}

// observers are told the size of every committed batch (for metrics) and
// the audit sealer's failures (for the log); Store.Observe sets them.
type observers struct {
	mu      sync.RWMutex
	batch   func(size int)
	sealErr func(error)
}

func (o *observers) get() (batch func(int), sealErr func(error)) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	return o.batch, o.sealErr
}

func newCommitter(s *Store, o GroupCommit) *committer {
	switch {
	case o.MaxBatch > 0:
	case s.dialect.PendingAudit: // PostgreSQL
		o.MaxBatch = DefaultMaxBatchPostgres
	default:
		o.MaxBatch = DefaultMaxBatch
	}
	if o.MaxWait == 0 {
		o.MaxWait = DefaultMaxWait
	}
	if o.Committers <= 0 {
		o.Committers = DefaultCommitters
	}
	if s.dialect.Name == sqldb.SQLite.Name {
		o.Committers = 1
	}
	c := &committer{store: s, opts: o, queue: make(chan *job, 1024), stop: make(chan struct{})}
	if s.dialect.PendingAudit {
		c.seal = newSealer(s, func(err error) {
			if _, sealErr := c.observe.get(); sealErr != nil {
				sealErr(err)
			}
		})
	}
	for i := 0; i < o.Committers; i++ {
		c.stopped.Add(1)
		go c.run()
	}
	return c
}

// close stops the committers once every call already queued is answered.
func (c *committer) close() {
	c.once.Do(func() {
		c.mu.Lock()
		c.closed = true
		c.mu.Unlock()
		close(c.stop)
		c.stopped.Wait()
		if c.seal != nil {
			c.seal.close()
		}
	})
}

// submit runs fn in a batch and returns its outcome once the batch has
// committed or rolled back.
func (c *committer) submit(ctx context.Context, fn func(tx services.Tx) error) error {
	j := &job{ctx: ctx, fn: fn, done: make(chan struct{})}
	for {
		if err := c.enqueue(ctx, j); err != nil {
			return err
		}
		select {
		case <-j.done:
		case <-ctx.Done():
			if j.state.CompareAndSwap(jobPending, jobAbandoned) {
				return ctx.Err()
			}
			<-j.done // running: its outcome is the commit's
		}
		if j.panicked != nil {
			panic(j.panicked) // the caller's recovery handles it, as without group commit
		}
		if !errors.Is(j.err, sqldb.ErrRetry) || j.attempts >= maxAttempts {
			return j.err
		}
		// Lost a deadlock or a serialization conflict: its work was rolled
		// back to its savepoint; run it again in a later batch.
		j.state.Store(jobPending)
		j.done = make(chan struct{})
	}
}

func (c *committer) enqueue(ctx context.Context, j *job) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed {
		return errStoreClosed
	}
	select {
	case c.queue <- j:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

var errStoreClosed = errors.New("store: closed")

func (c *committer) run() {
	defer c.stopped.Done()
	for {
		var first *job
		select {
		case first = <-c.queue:
		case <-c.stop:
			// Answer what is still queued, then stop.
			for {
				select {
				case j := <-c.queue:
					c.batch(j)
				default:
					return
				}
			}
		}
		c.batch(first)
	}
}

// batch runs first and the calls that join it in one transaction.
func (c *committer) batch(first *job) {
	if !first.state.CompareAndSwap(jobPending, jobRunning) {
		return // its caller has gone
	}
	first.attempts++
	if c.opts.MaxBatch == 1 {
		first.err = c.store.runAlone(first)
		close(first.done)
		return
	}
	// The batch's statements do not end with any one caller's context: a
	// caller that gives up mid-call still gets its work committed or rolled
	// back whole, and the others' work is not touched.
	tx, err := c.store.writer.BeginTxx(context.Background(), c.store.dialect.TxOptions)
	if err != nil {
		first.err = fmt.Errorf("begin: %w", sqldb.Translate(err))
		close(first.done)
		return
	}
	if err := c.store.bound(tx); err != nil {
		tx.Rollback() //nolint:errcheck // nothing ran in it
		first.err = err
		close(first.done)
		return
	}
	// Take in the calls waiting now, and those arriving while the batch
	// runs until it has been open MaxWait, up to MaxBatch in all; a batch
	// never waits for a call that has not arrived.
	waiting, closeAt := len(c.queue), time.Now().Add(c.opts.MaxWait)
	t := c.store.newTx(tx)
	jobs := []*job{first}
	ok, broken := c.runInSavepoint(tx, t, first)
	oks := []bool{ok}
	for taken := 0; len(jobs) < c.opts.MaxBatch && broken == nil && (taken < waiting || time.Now().Before(closeAt)); taken++ {
		var next *job
		select {
		case next = <-c.queue:
		default:
		}
		if next == nil {
			break
		}
		if !next.state.CompareAndSwap(jobPending, jobRunning) {
			continue // its caller has gone
		}
		next.attempts++
		jobs = append(jobs, next)
		ok, broken = c.runInSavepoint(tx, t, next)
		oks = append(oks, ok)
	}
	var commitErr error
	if broken != nil {
		tx.Rollback() //nolint:errcheck // the transaction is already unusable
		// Nothing was committed: the others' work runs again in a later
		// batch rather than fail for a reason of another call's.
		commitErr = fmt.Errorf("%w: the shared transaction failed: %w", sqldb.ErrRetry, broken)
	} else if err := tx.Commit(); err != nil {
		commitErr = fmt.Errorf("commit: %w", sqldb.Translate(err))
	}
	if batch, _ := c.observe.get(); batch != nil {
		batch(len(jobs))
	}
	if commitErr == nil && c.seal != nil {
		c.seal.wake()
	}
	for i, j := range jobs {
		if commitErr != nil && oks[i] {
			j.err = commitErr
		}
		close(j.done)
	}
}

// runInSavepoint runs one job's work inside its own savepoint of tx and
// records its outcome in j.err; ok reports whether the work succeeded. A
// failure to set, release or undo the savepoint leaves the transaction
// unusable: broken, and the whole batch is rolled back.
func (c *committer) runInSavepoint(tx *sqlx.Tx, t *txStore, j *job) (ok bool, broken error) {
	ctx := context.WithoutCancel(j.ctx)
	if _, err := tx.ExecContext(ctx, "SAVEPOINT call"); err != nil {
		j.err = fmt.Errorf("savepoint: %w", sqldb.Translate(err))
		return false, j.err
	}
	j.err = callFn(t, j)
	if j.err == nil {
		_, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT call")
		if err == nil {
			return true, nil
		}
		// Its work cannot be kept (on PostgreSQL, a failed statement it
		// did not report): undo it alone.
		j.err = fmt.Errorf("release savepoint: %w", sqldb.Translate(err))
	}
	if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT call"); err != nil {
		return false, fmt.Errorf("roll back to savepoint: %w", sqldb.Translate(err))
	}
	if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT call"); err != nil {
		return false, fmt.Errorf("release savepoint: %w", sqldb.Translate(err))
	}
	return false, nil
}

// callFn runs j's work, turning a panic into a failure of j alone so that
// one call's bug does not take the committer, and the other calls of its
// batch, down with it; submit raises the panic again in j's caller.
func callFn(t *txStore, j *job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			j.panicked = r
			err = errPanicked
		}
	}()
	return j.fn(t)
}

var errPanicked = errors.New("store: the call panicked in its write transaction")

// runAlone runs fn in a transaction of its own (group commit off).
func (s *Store) runAlone(j *job) error {
	tx, err := s.writer.BeginTxx(context.Background(), s.dialect.TxOptions)
	if err != nil {
		return fmt.Errorf("begin: %w", sqldb.Translate(err))
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := s.bound(tx); err != nil {
		return err
	}
	if err := callFn(s.newTx(tx), j); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", sqldb.Translate(err))
	}
	return nil
}

// batchStatementTimeout bounds each statement of a write transaction on
// PostgreSQL: statements run detached from their callers' deadlines, so
// that a row lock held elsewhere (an operator's session, a migration)
// cannot stall a batch, and every batch behind it, for ever. The call whose
// statement runs out is refused alone; its batch goes on.
const batchStatementTimeout = "30s"

// bound sets the statement bound on a new write transaction (PostgreSQL;
// SQLite's busy timeout already bounds its one wait, for the write lock).
func (s *Store) bound(tx *sqlx.Tx) error {
	if s.dialect.SetStatementTimeout == "" {
		return nil
	}
	if _, err := tx.ExecContext(context.Background(), s.dialect.SetStatementTimeout, batchStatementTimeout); err != nil {
		return fmt.Errorf("begin: %w", sqldb.Translate(err))
	}
	return nil
}

// newTx wraps one write transaction for the domains. Its statements ignore
// their callers' cancellation (sqldb.Detached): cancelling a statement can
// roll back the whole transaction, the other calls of a batch included.
func (s *Store) newTx(tx *sqlx.Tx) *txStore {
	d := sqldb.Detached{Tx: tx}
	return &txStore{queries: queries{db: d}, tx: d, dialect: s.dialect,
		Tx: onboardingstore.Tx{Queries: onboardingstore.Queries{DB: d}, SQL: d, Dialect: s.dialect}}
}
