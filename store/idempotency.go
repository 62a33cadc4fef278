package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/store/sqldb"
)

// ClaimIdempotencyKey records a request id for a partner unless it is
// already recorded. A record older than expiredBefore is taken over. When the
// id is held, it returns the existing record and claimed false.
//
// On PostgreSQL, a claim of an id that another transaction (another
// replica) has claimed and not yet committed waits for that transaction on
// the unique index, for at most wait: then it is
// services.ErrRequestInProgress. On SQLite the whole database is the
// writer's until it commits, so the claim never waits here.
func (t *txStore) ClaimIdempotencyKey(ctx context.Context, rec services.IdempotencyRecord, expiredBefore time.Time,
	wait time.Duration) (bool, services.IdempotencyRecord, error) {
	if t.dialect.SetLockTimeout != "" {
		ms := strconv.FormatInt(max(wait.Milliseconds(), 1), 10) + "ms"
		if _, err := sqldb.Exec(ctx, t.tx, t.dialect.SetLockTimeout, ms); err != nil {
			return false, services.IdempotencyRecord{}, fmt.Errorf("claim request id: %w", sqldb.Translate(err))
		}
	}
	claimed, existing, err := t.claimIdempotencyKey(ctx, rec, expiredBefore)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "55P03" { // lock_not_available: the lock timeout passed
		return false, existing, fmt.Errorf("claim request id: the first call is still running on another replica: %w", services.ErrRequestInProgress)
	}
	if err == nil && t.dialect.ResetLockTimeout != "" {
		if _, err = sqldb.Exec(ctx, t.tx, t.dialect.ResetLockTimeout); err != nil {
			err = fmt.Errorf("claim request id: %w", sqldb.Translate(err))
		}
	}
	return claimed, existing, err
}

// claimIdempotencyKey is ClaimIdempotencyKey without the lock timeout.
func (t *txStore) claimIdempotencyKey(ctx context.Context, rec services.IdempotencyRecord, expiredBefore time.Time) (bool, services.IdempotencyRecord, error) {
	res, err := sqldb.Exec(ctx, t.tx, `INSERT INTO idempotency_keys (partner_id, request_id, method, payload_hash, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (partner_id, request_id) DO NOTHING`,
		rec.PartnerID, rec.RequestID, rec.Method, rec.PayloadHash, rec.CreatedAt.UnixMilli())
	if err != nil {
		return false, services.IdempotencyRecord{}, fmt.Errorf("claim request id: %w", sqldb.Translate(err))
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, services.IdempotencyRecord{}, nil
	}
	// An expired record is taken over, and so is a refused one by a
	// corrected request (another method or payload).
	res, err = sqldb.Exec(ctx, t.tx, `UPDATE idempotency_keys SET method = ?, payload_hash = ?, response = NULL, refusal = NULL, created_at = ?
		WHERE partner_id = ? AND request_id = ?
		AND (created_at < ? OR (refusal IS NOT NULL AND (method <> ? OR payload_hash <> ?)))`,
		rec.Method, rec.PayloadHash, rec.CreatedAt.UnixMilli(), rec.PartnerID, rec.RequestID, expiredBefore.UnixMilli(),
		rec.Method, rec.PayloadHash)
	if err != nil {
		return false, services.IdempotencyRecord{}, fmt.Errorf("claim expired request id: %w", sqldb.Translate(err))
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, services.IdempotencyRecord{}, nil
	}
	var row struct {
		Method      string         `db:"method"`
		PayloadHash string         `db:"payload_hash"`
		Response    sql.NullString `db:"response"`
		Refusal     sql.NullString `db:"refusal"`
		CreatedAt   int64          `db:"created_at"`
	}
	err = sqldb.Get(ctx, t.tx, &row, `SELECT method, payload_hash, response, refusal, created_at FROM idempotency_keys
		WHERE partner_id = ? AND request_id = ?`, rec.PartnerID, rec.RequestID)
	if err != nil {
		return false, services.IdempotencyRecord{}, fmt.Errorf("read request id: %w", sqldb.Translate(err))
	}
	existing := services.IdempotencyRecord{
		PartnerID: rec.PartnerID, RequestID: rec.RequestID, Method: row.Method, PayloadHash: row.PayloadHash,
		CreatedAt: time.UnixMilli(row.CreatedAt).UTC(),
	}
	if row.Response.Valid {
		existing.Response = []byte(row.Response.String)
	}
	if row.Refusal.Valid {
		existing.Refusal = []byte(row.Refusal.String)
	}
	return false, existing, nil
}

// SaveIdempotencyResponse stores the response of a claimed request id.
func (t *txStore) SaveIdempotencyResponse(ctx context.Context, partnerID int64, requestID string, response []byte) error {
	_, err := sqldb.Exec(ctx, t.tx, `UPDATE idempotency_keys SET response = ? WHERE partner_id = ? AND request_id = ?`,
		string(response), partnerID, requestID)
	if err != nil {
		return fmt.Errorf("save response: %w", sqldb.Translate(err))
	}
	return nil
}

// PurgeIdempotencyKeys deletes records created before the given time.
func (t *txStore) PurgeIdempotencyKeys(ctx context.Context, createdBefore time.Time) (int64, error) {
	res, err := sqldb.Exec(ctx, t.tx, `DELETE FROM idempotency_keys WHERE created_at < ?`, createdBefore.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("purge request ids: %w", sqldb.Translate(err))
	}
	return res.RowsAffected()
}

// SaveIdempotencyRefusal stores the refusal of a claimed request id.
func (t *txStore) SaveIdempotencyRefusal(ctx context.Context, partnerID int64, requestID string, refusal []byte) error {
	_, err := sqldb.Exec(ctx, t.tx, `UPDATE idempotency_keys SET refusal = ?, response = NULL WHERE partner_id = ? AND request_id = ?`,
		string(refusal), partnerID, requestID)
	if err != nil {
		return fmt.Errorf("save refusal: %w", sqldb.Translate(err))
	}
	return nil
}

// ReleaseIdempotencyKey forgets the partner's request id, so that the call
// can be made again with it.
func (t *txStore) ReleaseIdempotencyKey(ctx context.Context, partnerID int64, requestID string) error {
	_, err := sqldb.Exec(ctx, t.tx, `DELETE FROM idempotency_keys WHERE partner_id = ? AND request_id = ?`, partnerID, requestID)
	if err != nil {
		return fmt.Errorf("release request id: %w", sqldb.Translate(err))
	}
	return nil
}
