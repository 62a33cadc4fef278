package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/store/sqldb"
)

type auditRow struct {
	Seq       int64  `db:"seq"`
	At        int64  `db:"at"`
	PartnerID int64  `db:"partner_id"`
	KeyID     string `db:"key_id"`
	Method    string `db:"method"`
	RequestID string `db:"request_id"`
	Entities  string `db:"entities"`
	Outcome   string `db:"outcome"`
	PrevHash  string `db:"prev_hash"`
	Hash      string `db:"hash"`
}

func (r auditRow) entry() services.AuditEntry {
	return services.AuditEntry{
		Seq: r.Seq, At: time.UnixMilli(r.At).UTC(), PartnerID: r.PartnerID, KeyID: r.KeyID, Method: r.Method,
		RequestID: r.RequestID, Entities: r.Entities, Outcome: r.Outcome, PrevHash: r.PrevHash, Hash: r.Hash,
	}
}

// AppendAudit appends e to the audit trail.
//
// On SQLite the writer holds the whole database, so the row is chained at
// once: linked to the last row, with its Seq, PrevHash and Hash filled in.
//
// On PostgreSQL no lock of ours spans the transaction: the row goes to
// audit_pending with the transaction's id, and the sealer (SealAudit)
// chains it into audit_log shortly after the transaction commits.
func (t *txStore) AppendAudit(ctx context.Context, e *services.AuditEntry) error {
	if t.dialect.PendingAudit {
		_, err := sqldb.Exec(ctx, t.tx, `INSERT INTO audit_pending (xid, at, partner_id, key_id, method, request_id, entities, outcome)
			VALUES (pg_current_xact_id()::text::bigint, ?, ?, ?, ?, ?, ?, ?)`,
			e.At.UnixMilli(), e.PartnerID, e.KeyID, e.Method, e.RequestID, e.Entities, e.Outcome)
		if err != nil {
			return fmt.Errorf("append audit row: %w", sqldb.Translate(err))
		}
		return nil
	}
	last, err := auditHead(ctx, t.tx)
	if err != nil {
		return err
	}
	e.Seq, e.PrevHash = last.Seq+1, last.Hash
	e.Hash = e.ComputeHash()
	return insertAudit(ctx, t.tx, []services.AuditEntry{*e})
}

// auditHead is the last row of the chain; zero when there is none.
func auditHead(ctx context.Context, db sqlx.ExtContext) (services.AuditEntry, error) {
	var last struct {
		Seq  int64  `db:"seq"`
		Hash string `db:"hash"`
	}
	err := sqldb.Get(ctx, db, &last, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return services.AuditEntry{}, fmt.Errorf("read audit trail: %w", sqldb.Translate(err))
	}
	return services.AuditEntry{Seq: last.Seq, Hash: last.Hash}, nil
}

// insertAudit appends chained rows to audit_log, several per statement.
func insertAudit(ctx context.Context, db sqlx.ExtContext, rows []services.AuditEntry) error {
	const perStatement = 500
	for len(rows) > 0 {
		n := min(len(rows), perStatement)
		var q strings.Builder
		q.WriteString(`INSERT INTO audit_log (seq, at, partner_id, key_id, method, request_id, entities, outcome, prev_hash, hash) VALUES `)
		args := make([]any, 0, 10*n)
		for i, e := range rows[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, e.Seq, e.At.UnixMilli(), e.PartnerID, e.KeyID, e.Method, e.RequestID, e.Entities, e.Outcome, e.PrevHash, e.Hash)
		}
		if _, err := sqldb.Exec(ctx, db, q.String(), args...); err != nil {
			return fmt.Errorf("append audit row: %w", sqldb.Translate(err))
		}
		rows = rows[n:]
	}
	return nil
}

// sealLock is the key of the advisory lock that one sealer at a time holds
// (within its own short transaction, never a request's).
const sealLock = 7240519002

// sealPage is how many pending rows one sealing transaction chains.
const sealPage = 2000

// SealAudit chains the pending rows of committed transactions into the
// audit trail (PostgreSQL; on SQLite rows are chained as they are
// appended and there is nothing to seal). It returns how many rows it
// sealed.
//
// Order: rows are chained by transaction id, then by the order they were
// appended in it. A row is sealed only once every transaction with a lower
// id has ended (the snapshot's xmin is above its id): no row can then
// appear before it, so the order is final. One sealer runs at a time
// across replicas (an advisory lock taken by the sealing transaction
// alone); SealAudit waits for its turn, while the background sealer that
// finds the lock taken leaves the work to its holder.
func (s *Store) SealAudit(ctx context.Context) (int, error) {
	return s.seal(ctx, true)
}

func (s *Store) seal(ctx context.Context, wait bool) (int, error) {
	if !s.dialect.PendingAudit {
		return 0, nil
	}
	total := 0
	for {
		n, err := s.sealPage(ctx, wait)
		total += n
		if err != nil || n < sealPage {
			return total, err
		}
	}
}

func (s *Store) sealPage(ctx context.Context, wait bool) (int, error) {
	tx, err := s.writer.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return 0, fmt.Errorf("seal audit trail: %w", sqldb.Translate(err))
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	lock := `SELECT pg_try_advisory_xact_lock($1)`
	if wait {
		lock = `SELECT true FROM pg_advisory_xact_lock($1)`
	}
	var mine bool
	if err := tx.GetContext(ctx, &mine, lock, int64(sealLock)); err != nil {
		return 0, fmt.Errorf("seal audit trail: %w", sqldb.Translate(err))
	}
	if !mine {
		return 0, nil // another replica is sealing
	}
	// One statement, so one snapshot: every row it returns belongs to a
	// transaction older than the snapshot's oldest running one, and every
	// committed row of those transactions is visible to it.
	var pending []struct {
		ID  int64 `db:"id"`
		XID int64 `db:"xid"`
		auditRow
	}
	err = sqldb.Select(ctx, tx, &pending, `SELECT id, xid, 0 AS seq, at, partner_id, key_id, method, request_id, entities, outcome, '' AS prev_hash, '' AS hash
		FROM audit_pending WHERE xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
		ORDER BY xid, id LIMIT ?`, sealPage)
	if err != nil {
		return 0, fmt.Errorf("seal audit trail: read pending rows: %w", sqldb.Translate(err))
	}
	if len(pending) == 0 {
		return 0, nil
	}
	head, err := auditHead(ctx, tx)
	if err != nil {
		return 0, fmt.Errorf("seal audit trail: %w", err)
	}
	rows := make([]services.AuditEntry, len(pending))
	for i, p := range pending {
		e := p.auditRow.entry()
		e.Seq, e.PrevHash = head.Seq+1, head.Hash
		e.Hash = e.ComputeHash()
		rows[i], head = e, e
	}
	if err := insertAudit(ctx, tx, rows); err != nil {
		return 0, fmt.Errorf("seal audit trail: %w", err)
	}
	last := pending[len(pending)-1]
	if _, err := sqldb.Exec(ctx, tx, `DELETE FROM audit_pending WHERE (xid, id) <= (?, ?)`, last.XID, last.ID); err != nil {
		return 0, fmt.Errorf("seal audit trail: %w", sqldb.Translate(err))
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("seal audit trail: commit: %w", sqldb.Translate(err))
	}
	return len(pending), nil
}

// PendingAudit counts the rows appended but not yet sealed into the chain.
func (q queries) PendingAudit(ctx context.Context) (int64, error) {
	var n int64
	if err := sqldb.Get(ctx, q.db, &n, `SELECT COUNT(*) FROM audit_pending`); err != nil {
		return 0, fmt.Errorf("count pending audit rows: %w", sqldb.Translate(err))
	}
	return n, nil
}

// AuditEntries returns up to limit rows of the audit chain after seq, in
// order.
func (q queries) AuditEntries(ctx context.Context, afterSeq int64, limit int) ([]services.AuditEntry, error) {
	var rows []auditRow
	err := sqldb.Select(ctx, q.db, &rows, `SELECT seq, at, partner_id, key_id, method, request_id, entities, outcome, prev_hash, hash
		FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit trail: %w", sqldb.Translate(err))
	}
	out := make([]services.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = r.entry()
	}
	return out, nil
}

// sealer runs SealAudit in the background on PostgreSQL: soon after each
// group commit of this process, and every sealInterval for the rows of
// other processes (replicas, the command line).
type sealer struct {
	store   *Store
	kick    chan struct{}
	stop    chan struct{}
	stopped chan struct{}
	onError func(error)
}

// sealInterval is how often the sealer looks for rows it was not told of;
// sealGap is the least time between two seals, so that a replica under
// load seals many batches at a time rather than one sealing transaction
// (and commit) per batch.
const (
	sealInterval = time.Second
	sealGap      = 50 * time.Millisecond
)

func newSealer(s *Store, onError func(error)) *sealer {
	z := &sealer{store: s, kick: make(chan struct{}, 1), stop: make(chan struct{}), stopped: make(chan struct{}), onError: onError}
	go z.run()
	return z
}

// wake asks for a seal soon; it never blocks.
func (z *sealer) wake() {
	select {
	case z.kick <- struct{}{}:
	default:
	}
}

func (z *sealer) run() {
	defer close(z.stopped)
	t := time.NewTicker(sealInterval)
	defer t.Stop()
	for {
		select {
		case <-z.stop:
			z.seal() // what this process committed last
			return
		case <-z.kick:
		case <-t.C:
		}
		z.seal()
		select {
		case <-z.stop:
			z.seal()
			return
		case <-time.After(sealGap):
		}
	}
}

func (z *sealer) seal() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := z.store.seal(ctx, false); err != nil && z.onError != nil {
		z.onError(err)
	}
}

func (z *sealer) close() {
	close(z.stop)
	<-z.stopped
}
