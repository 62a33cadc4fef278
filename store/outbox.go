package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/accountd/accountd/services/otp"
	"github.com/accountd/accountd/store/sqldb"
	"github.com/jmoiron/sqlx"
)

type outboxRow struct {
	ID             int64         `db:"id"`
	RequestID      string        `db:"request_id"`
	Channel        string        `db:"channel"`
	Purpose        string        `db:"purpose"`
	MaskedTo       string        `db:"masked_to"`
	KeyFingerprint string        `db:"key_fingerprint"`
	Sealed         string        `db:"sealed"`
	Status         string        `db:"status"`
	Attempts       int           `db:"attempts"`
	NextAttemptAt  int64         `db:"next_attempt_at"`
	LeaseUntil     int64         `db:"lease_until"`
	ExpiresAt      int64         `db:"expires_at"`
	LastError      string        `db:"last_error"`
	CreatedAt      int64         `db:"created_at"`
	SentAt         sql.NullInt64 `db:"sent_at"`
}

func (r outboxRow) message() otp.OutboxMessage {
	return otp.OutboxMessage{
		ID: r.ID, RequestID: r.RequestID, Channel: r.Channel, Purpose: r.Purpose, MaskedTo: r.MaskedTo,
		KeyFingerprint: r.KeyFingerprint, Sealed: r.Sealed, Status: r.Status, Attempts: r.Attempts,
		NextAttemptAt: time.UnixMilli(r.NextAttemptAt).UTC(),
		LeaseUntil:    sqldb.TimeOf(sql.NullInt64{Int64: r.LeaseUntil, Valid: r.LeaseUntil != 0}),
		ExpiresAt:     time.UnixMilli(r.ExpiresAt).UTC(), LastError: r.LastError,
		CreatedAt: time.UnixMilli(r.CreatedAt).UTC(), SentAt: sqldb.TimeOf(r.SentAt),
	}
}

func messages(rows []outboxRow) []otp.OutboxMessage {
	out := make([]otp.OutboxMessage, len(rows))
	for i, r := range rows {
		out[i] = r.message()
	}
	return out
}

const outboxColumns = `id, request_id, channel, purpose, masked_to, key_fingerprint, sealed, status, attempts,
	next_attempt_at, lease_until, expires_at, last_error, created_at, sent_at`

// InsertOutbox queues a message (PENDING unless m.Status says otherwise) and
// fills in its ID.
func (t *txStore) InsertOutbox(ctx context.Context, m *otp.OutboxMessage) error {
	if m.Status == "" {
		m.Status = otp.MsgPending
	}
	var lease int64
	if !m.LeaseUntil.IsZero() {
		lease = m.LeaseUntil.UnixMilli()
	}
	err := sqldb.Get(ctx, t.tx, &m.ID, `INSERT INTO outbox (request_id, channel, purpose, masked_to, key_fingerprint,
		sealed, status, attempts, next_attempt_at, lease_until, expires_at, last_error, created_at, sent_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		m.RequestID, m.Channel, m.Purpose, m.MaskedTo, m.KeyFingerprint, m.Sealed, m.Status, m.Attempts,
		m.NextAttemptAt.UnixMilli(), lease, m.ExpiresAt.UnixMilli(), m.LastError, m.CreatedAt.UnixMilli(),
		sqldb.NullTime(m.SentAt))
	if err != nil {
		return fmt.Errorf("queue message: %w", sqldb.Translate(err))
	}
	return nil
}

// OutboxMessages returns an operation's messages, oldest first.
func (q queries) OutboxMessages(ctx context.Context, requestID string) ([]otp.OutboxMessage, error) {
	var rows []outboxRow
	err := sqldb.Select(ctx, q.db, &rows, `SELECT `+outboxColumns+` FROM outbox WHERE request_id = ? ORDER BY id`, requestID)
	if err != nil {
		return nil, fmt.Errorf("read messages: %w", sqldb.Translate(err))
	}
	return messages(rows), nil
}

// CloseOutbox gives up an operation's PENDING messages with status
// (CANCELLED or EXPIRED) and empties their sealed text. The outbox keeps no
// time of change, so at is not stored.
func (t *txStore) CloseOutbox(ctx context.Context, requestID, status string, _ time.Time) error {
	_, err := sqldb.Exec(ctx, t.tx, `UPDATE outbox SET status = ?, sealed = '', lease_until = 0
		WHERE request_id = ? AND status = 'PENDING'`, status, requestID)
	if err != nil {
		return fmt.Errorf("close messages: %w", sqldb.Translate(err))
	}
	return nil
}

// ClaimOutbox leases up to limit PENDING messages sealed under fingerprint,
// due at now and not leased, oldest first: each gets one more attempt and
// lease_until = leaseUntil. The due rows are selected with a lock that skips
// rows another claimer holds (PostgreSQL) and then updated while held, so
// that no message goes to two claimers.
func (t *txStore) ClaimOutbox(ctx context.Context, fingerprint string, now, leaseUntil time.Time, limit int) ([]otp.OutboxMessage, error) {
	var ids []int64
	err := sqldb.Select(ctx, t.tx, &ids, `SELECT id FROM outbox WHERE status = 'PENDING' AND next_attempt_at <= ?
		AND lease_until <= ? AND key_fingerprint = ? ORDER BY id LIMIT ?`+t.dialect.SkipLocked,
		now.UnixMilli(), now.UnixMilli(), fingerprint, limit)
	if err != nil {
		return nil, fmt.Errorf("claim messages: %w", sqldb.Translate(err))
	}
	if len(ids) == 0 {
		return nil, nil
	}
	query, args, err := sqlx.In(`UPDATE outbox SET attempts = attempts + 1, lease_until = ? WHERE id IN (?)
		RETURNING `+outboxColumns, leaseUntil.UnixMilli(), ids)
	if err != nil {
		return nil, fmt.Errorf("claim messages: %w", err)
	}
	var rows []outboxRow
	if err := sqldb.Select(ctx, t.tx, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("claim messages: %w", sqldb.Translate(err))
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ID < rows[j].ID })
	return messages(rows), nil
}

// FinishOutbox gives a message its final status (SENT, EXPIRED or FAILED),
// sent_at when SENT, and last_error, and empties its sealed text.
func (t *txStore) FinishOutbox(ctx context.Context, id int64, status, lastError string, at time.Time) error {
	var sentAt sql.NullInt64
	if status == otp.MsgSent {
		sentAt = sqldb.NullTime(at)
	}
	// Only a PENDING message is finished: one closed meanwhile (its
	// operation cancelled or completed) keeps its status.
	_, err := sqldb.Exec(ctx, t.tx, `UPDATE outbox SET status = ?, sent_at = ?, last_error = ?, sealed = '', lease_until = 0
		WHERE id = ? AND status = 'PENDING'`, status, sentAt, lastError, id)
	if err != nil {
		return fmt.Errorf("finish message %d: %w", id, sqldb.Translate(err))
	}
	return nil
}

// RetryOutbox releases a claimed message for another attempt at next.
func (t *txStore) RetryOutbox(ctx context.Context, id int64, next time.Time, lastError string) error {
	_, err := sqldb.Exec(ctx, t.tx, `UPDATE outbox SET next_attempt_at = ?, lease_until = 0, last_error = ?
		WHERE id = ? AND status = 'PENDING'`, next.UnixMilli(), lastError, id)
	if err != nil {
		return fmt.Errorf("retry message %d: %w", id, sqldb.Translate(err))
	}
	return nil
}

// ExpireOutbox gives up every PENDING message past its expiry, whatever key
// sealed it (a process whose random key died with it leaves such messages),
// emptying their sealed text, and returns how many.
func (t *txStore) ExpireOutbox(ctx context.Context, now time.Time) (int64, error) {
	res, err := sqldb.Exec(ctx, t.tx, `UPDATE outbox SET status = 'EXPIRED', sealed = '', lease_until = 0,
		last_error = 'expired before delivery' WHERE status = 'PENDING' AND expires_at <= ?`, now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("expire messages: %w", sqldb.Translate(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("expire messages: %w", err)
	}
	return n, nil
}
