package store

import (
	"context"
	"fmt"
	"time"

	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/store/sqldb"
)

// TouchAccount records customer activity on an account at at. The time only
// moves forward: an earlier at leaves a later activity in place.
func (t *txStore) TouchAccount(ctx context.Context, accountID int64, at time.Time) error {
	_, err := sqldb.Exec(ctx, t.tx, `UPDATE accounts SET last_activity_at = ? WHERE id = ? AND last_activity_at < ?`,
		at.UnixMilli(), accountID, at.UnixMilli())
	if err != nil {
		return fmt.Errorf("record activity on account %d: %w", accountID, sqldb.Translate(err))
	}
	return nil
}

// TouchCustomerAccounts records customer activity at at on every account of
// the customer that is not CLOSED, moving each forward only.
func (t *txStore) TouchCustomerAccounts(ctx context.Context, customerID int64, at time.Time) error {
	_, err := sqldb.Exec(ctx, t.tx, `UPDATE accounts SET last_activity_at = ?
		WHERE customer_id = ? AND status <> 'CLOSED' AND last_activity_at < ?`,
		at.UnixMilli(), customerID, at.UnixMilli())
	if err != nil {
		return fmt.Errorf("record activity on accounts of customer %d: %w", customerID, sqldb.Translate(err))
	}
	return nil
}

// DormancyCandidates returns up to limit ACTIVE accounts without activity
// since cutoff, least recently active first, holding them until the
// transaction ends; on PostgreSQL rows another sweeper holds are skipped.
func (t *txStore) DormancyCandidates(ctx context.Context, cutoff time.Time, limit int) ([]account.Account, error) {
	var rows []accountRow
	// General-ledger accounts are the bank's own, and a pool is active as
	// long as one of its open sub-accounts is.
	err := sqldb.Select(ctx, t.tx, &rows, accountColumns+`WHERE a.status = 'ACTIVE' AND a.last_activity_at < ?
		AND a.account_type <> 'GL'
		AND NOT EXISTS (SELECT 1 FROM accounts s WHERE s.activity_account_id = a.id
			AND s.status <> 'CLOSED' AND s.last_activity_at >= ?)
		ORDER BY a.last_activity_at, a.id LIMIT ?`+sqldb.LockOf(t.dialect.SkipLocked, "a"),
		cutoff.UnixMilli(), cutoff.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("find dormancy candidates: %w", sqldb.Translate(err))
	}
	return accounts(rows), nil
}

// MarkDormant makes the account DORMANT if it is still ACTIVE without
// activity since cutoff, and reports whether it did. It writes no history:
// the caller appends the status change.
func (t *txStore) MarkDormant(ctx context.Context, accountID int64, cutoff, at time.Time) (bool, error) {
	res, err := sqldb.Exec(ctx, t.tx, `UPDATE accounts SET status = 'DORMANT', updated_at = ?
		WHERE id = ? AND status = 'ACTIVE' AND last_activity_at < ?`,
		at.UnixMilli(), accountID, cutoff.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("mark account %d dormant: %w", accountID, sqldb.Translate(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("mark account %d dormant: %w", accountID, err)
	}
	return n == 1, nil
}

// ExpiredFreezes returns up to limit accounts whose freeze expired at or
// before now, oldest expiry first, holding them like DormancyCandidates.
func (t *txStore) ExpiredFreezes(ctx context.Context, now time.Time, limit int) ([]account.Account, error) {
	var rows []accountRow
	err := sqldb.Select(ctx, t.tx, &rows, accountColumns+`WHERE a.freeze_reason_code IS NOT NULL
		AND a.freeze_expires_at IS NOT NULL AND a.freeze_expires_at <= ?
		ORDER BY a.freeze_expires_at, a.id LIMIT ?`+sqldb.LockOf(t.dialect.SkipLocked, "a"),
		now.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("find expired freezes: %w", sqldb.Translate(err))
	}
	return accounts(rows), nil
}
