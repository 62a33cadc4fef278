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

// The store keeps the audit chain's signed checkpoints.
var (
	_ services.CheckpointStore = (*Store)(nil)
	_ services.CheckpointTx    = (*txStore)(nil)
)

type checkpointRow struct {
	Seq       int64  `db:"seq"`
	Hash      string `db:"hash"`
	At        int64  `db:"at"`
	PublicKey string `db:"public_key"`
	Signature string `db:"signature"`
}

func (r checkpointRow) checkpoint() services.AuditCheckpoint {
	return services.AuditCheckpoint{Seq: r.Seq, Hash: r.Hash, At: time.UnixMilli(r.At).UTC(), Key: r.PublicKey, Signature: r.Signature}
}

// AuditHead returns the last row of the audit chain, once the rows waiting
// to be chained are sealed (PostgreSQL), so that a checkpoint covers every
// row committed before it; Seq 0 when the trail is empty.
func (s *Store) AuditHead(ctx context.Context) (services.AuditHead, error) {
	if _, err := s.SealAudit(ctx); err != nil {
		return services.AuditHead{}, err
	}
	return s.queries.AuditHead(ctx)
}

// AuditHead returns the last row of audit_log, which holds only rows
// already chained; Seq 0 when the trail is empty.
func (q queries) AuditHead(ctx context.Context) (services.AuditHead, error) {
	var h struct {
		Seq  int64  `db:"seq"`
		Hash string `db:"hash"`
	}
	err := sqldb.Get(ctx, q.db, &h, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return services.AuditHead{}, fmt.Errorf("read audit trail head: %w", sqldb.Translate(err))
	}
	return services.AuditHead{Seq: h.Seq, Hash: h.Hash}, nil
}

// LatestAuditCheckpoint returns the stored checkpoint of the highest row.
func (q queries) LatestAuditCheckpoint(ctx context.Context) (services.AuditCheckpoint, bool, error) {
	var r checkpointRow
	err := sqldb.Get(ctx, q.db, &r, `SELECT seq, hash, at, public_key, signature FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return services.AuditCheckpoint{}, false, nil
	}
	if err != nil {
		return services.AuditCheckpoint{}, false, fmt.Errorf("read latest audit checkpoint: %w", sqldb.Translate(err))
	}
	return r.checkpoint(), true, nil
}

// AuditCheckpoints returns up to limit stored checkpoints of rows after
// afterSeq, by row.
func (q queries) AuditCheckpoints(ctx context.Context, afterSeq int64, limit int) ([]services.AuditCheckpoint, error) {
	var rows []checkpointRow
	err := sqldb.Select(ctx, q.db, &rows, `SELECT seq, hash, at, public_key, signature FROM audit_checkpoints
		WHERE seq > ? ORDER BY seq LIMIT ?`, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit checkpoints: %w", sqldb.Translate(err))
	}
	out := make([]services.AuditCheckpoint, len(rows))
	for i, r := range rows {
		out[i] = r.checkpoint()
	}
	return out, nil
}

// AddAuditCheckpoint stores c unless a checkpoint of its row is stored
// already (by another replica).
func (t *txStore) AddAuditCheckpoint(ctx context.Context, c services.AuditCheckpoint) (bool, error) {
	res, err := sqldb.Exec(ctx, t.tx, `INSERT INTO audit_checkpoints (seq, hash, at, public_key, signature)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING`, c.Seq, c.Hash, c.At.UnixMilli(), c.Key, c.Signature)
	if err != nil {
		return false, fmt.Errorf("store audit checkpoint: %w", sqldb.Translate(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store audit checkpoint: %w", err)
	}
	return n == 1, nil
}
