package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

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

// AppendAudit appends e to the audit chain: it takes the chain's lock until
// the transaction ends, links e to the last row, and fills in e's Seq,
// PrevHash and Hash.
func (t *txStore) AppendAudit(ctx context.Context, e *services.AuditEntry) error {
	if t.dialect.LockAudit != "" {
		if _, err := t.tx.ExecContext(ctx, t.dialect.LockAudit); err != nil {
			return fmt.Errorf("lock audit trail: %w", sqldb.Translate(err))
		}
	}
	var last struct {
		Seq  int64  `db:"seq"`
		Hash string `db:"hash"`
	}
	err := sqldb.Get(ctx, t.tx, &last, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read audit trail: %w", sqldb.Translate(err))
	}
	e.Seq, e.PrevHash = last.Seq+1, last.Hash
	e.Hash = e.ComputeHash()
	_, err = sqldb.Exec(ctx, t.tx, `INSERT INTO audit_log (seq, at, partner_id, key_id, method, request_id, entities, outcome, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, e.At.UnixMilli(), e.PartnerID, e.KeyID, e.Method, e.RequestID, e.Entities, e.Outcome, e.PrevHash, e.Hash)
	if err != nil {
		return fmt.Errorf("append audit row: %w", sqldb.Translate(err))
	}
	return nil
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
		out[i] = services.AuditEntry{
			Seq: r.Seq, At: time.UnixMilli(r.At).UTC(), PartnerID: r.PartnerID, KeyID: r.KeyID, Method: r.Method,
			RequestID: r.RequestID, Entities: r.Entities, Outcome: r.Outcome, PrevHash: r.PrevHash, Hash: r.Hash,
		}
	}
	return out, nil
}
