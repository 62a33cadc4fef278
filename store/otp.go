package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/accountd/accountd/services/otp"
	"github.com/accountd/accountd/store/sqldb"
)

type operationRow struct {
	RequestID      string        `db:"request_id"`
	PartnerID      int64         `db:"partner_id"`
	KeyID          string        `db:"key_id"`
	Kind           string        `db:"kind"`
	CustomerID     sql.NullInt64 `db:"customer_id"` // NULL for an onboarding's code
	AccountID      sql.NullInt64 `db:"account_id"`
	Params         string        `db:"params"`
	Status         string        `db:"status"`
	Attempts       int           `db:"attempts"`
	CodeHash       string        `db:"code_hash"`
	SecondCodeHash string        `db:"second_code_hash"`
	ExpiresAt      int64         `db:"expires_at"`
	CreatedAt      int64         `db:"created_at"`
	UpdatedAt      int64         `db:"updated_at"`
}

func (r operationRow) operation() otp.Operation {
	return otp.Operation{
		RequestID: r.RequestID, PartnerID: r.PartnerID, KeyID: r.KeyID, Kind: r.Kind, CustomerID: r.CustomerID.Int64,
		AccountID: r.AccountID.Int64, Params: r.Params, Status: r.Status, Attempts: r.Attempts,
		CodeHash: r.CodeHash, SecondCodeHash: r.SecondCodeHash, ExpiresAt: time.UnixMilli(r.ExpiresAt).UTC(),
		CreatedAt: time.UnixMilli(r.CreatedAt).UTC(), UpdatedAt: time.UnixMilli(r.UpdatedAt).UTC(),
	}
}

const selectOperation = `SELECT request_id, partner_id, key_id, kind, customer_id, account_id, params, status,
	attempts, code_hash, second_code_hash, expires_at, created_at, updated_at
	FROM otp_operations WHERE partner_id = ? AND request_id = ?`

// FindOperation returns the partner's operation with that request id, or
// otp.ErrOperationNotFound (also for another partner's).
func (q queries) FindOperation(ctx context.Context, partnerID int64, requestID string) (otp.Operation, error) {
	return findOperation(ctx, q.db, partnerID, requestID, "")
}

// LockOperation is FindOperation holding the row until the transaction ends.
func (t *txStore) LockOperation(ctx context.Context, partnerID int64, requestID string) (otp.Operation, error) {
	return findOperation(ctx, t.tx, partnerID, requestID, t.dialect.ForUpdate)
}

func findOperation(ctx context.Context, db sqlx.ExtContext, partnerID int64, requestID, lock string) (otp.Operation, error) {
	var row operationRow
	if err := sqldb.Get(ctx, db, &row, selectOperation+lock, partnerID, requestID); err != nil {
		return otp.Operation{}, fmt.Errorf("find operation: %w", sqldb.NotFound(err, otp.ErrOperationNotFound))
	}
	return row.operation(), nil
}

// InsertOperation stores a new operation; a CustomerID of 0 (an
// onboarding's code, sent before the customer exists) is stored as NULL. A
// request id already used (by any partner) is services.ErrNumberTaken, and
// the transaction stays usable.
func (t *txStore) InsertOperation(ctx context.Context, op otp.Operation) error {
	params := op.Params
	if params == "" {
		params = "{}"
	}
	err := sqldb.WithSavepoint(ctx, t.tx, func() error {
		_, err := sqldb.Exec(ctx, t.tx, `INSERT INTO otp_operations (request_id, partner_id, key_id, kind, customer_id,
			account_id, params, status, attempts, code_hash, second_code_hash, expires_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			op.RequestID, op.PartnerID, op.KeyID, op.Kind, sqldb.NullID(op.CustomerID), sqldb.NullID(op.AccountID), params, op.Status,
			op.Attempts, op.CodeHash, op.SecondCodeHash, op.ExpiresAt.UnixMilli(), op.CreatedAt.UnixMilli(),
			op.UpdatedAt.UnixMilli())
		return sqldb.Translate(err)
	})
	if err != nil {
		return fmt.Errorf("insert operation: %w", err)
	}
	return nil
}

// UpdateOperation writes an operation's status, attempts and updated_at, or
// returns otp.ErrOperationNotFound.
func (t *txStore) UpdateOperation(ctx context.Context, op otp.Operation) error {
	res, err := sqldb.Exec(ctx, t.tx, `UPDATE otp_operations SET status = ?, attempts = ?, updated_at = ?
		WHERE partner_id = ? AND request_id = ?`,
		op.Status, op.Attempts, op.UpdatedAt.UnixMilli(), op.PartnerID, op.RequestID)
	if err != nil {
		return fmt.Errorf("update operation: %w", sqldb.Translate(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("update operation: %w", otp.ErrOperationNotFound)
	}
	return nil
}
