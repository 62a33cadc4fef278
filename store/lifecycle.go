package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/store/sqldb"
)

// freeze is an account's freeze as column values: all NULL (and an empty
// reason) when the account has none.
type freeze struct {
	reasonCode sql.NullString
	reason     string
	at         sql.NullInt64
	expiresAt  sql.NullInt64
}

func freezeColumns(f *account.Freeze) freeze {
	if f == nil {
		return freeze{}
	}
	return freeze{
		reasonCode: sql.NullString{String: f.ReasonCode, Valid: true},
		reason:     f.Reason,
		at:         sqldb.NullTime(f.At),
		expiresAt:  sqldb.NullTime(f.ExpiresAt),
	}
}

// SaveAccountState writes an account's status, freeze, name and updated_at,
// or returns account.ErrAccountNotFound.
func (t *txStore) SaveAccountState(ctx context.Context, a account.Account) error {
	f := freezeColumns(a.Freeze)
	res, err := sqldb.Exec(ctx, t.tx, `UPDATE accounts SET status = ?, freeze_reason_code = ?, freeze_reason = ?,
		frozen_at = ?, freeze_expires_at = ?, name = ?, updated_at = ? WHERE id = ?`,
		a.Status, f.reasonCode, f.reason, f.at, f.expiresAt, a.Name, a.UpdatedAt.UnixMilli(), a.ID)
	if err != nil {
		return fmt.Errorf("save account %d: %w", a.ID, sqldb.Translate(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("save account %d: %w", a.ID, account.ErrAccountNotFound)
	}
	return nil
}

type statusChangeRow struct {
	AccountID  int64  `db:"account_id"`
	PartnerID  int64  `db:"partner_id"`
	Event      string `db:"event"`
	FromStatus string `db:"from_status"`
	ToStatus   string `db:"to_status"`
	ReasonCode string `db:"reason_code"`
	Reason     string `db:"reason"`
	KeyID      string `db:"key_id"`
	At         int64  `db:"at"`
}

// AppendStatusChange records one status change or freeze event.
func (t *txStore) AppendStatusChange(ctx context.Context, c account.StatusChange) error {
	_, err := sqldb.Exec(ctx, t.tx, `INSERT INTO account_status_history (account_id, partner_id, event, from_status,
		to_status, reason_code, reason, key_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.AccountID, c.PartnerID, c.Event, c.FromStatus, c.ToStatus, c.ReasonCode, c.Reason, c.KeyID, c.At.UnixMilli())
	if err != nil {
		return fmt.Errorf("append status change of account %d: %w", c.AccountID, sqldb.Translate(err))
	}
	return nil
}

// StatusHistory returns a page of an account's status history, oldest
// first, and the number of entries in all.
func (q queries) StatusHistory(ctx context.Context, accountID int64, offset, limit int) ([]account.StatusChange, int, error) {
	var total int
	err := sqldb.Get(ctx, q.db, &total, `SELECT COUNT(*) FROM account_status_history WHERE account_id = ?`, accountID)
	if err != nil {
		return nil, 0, fmt.Errorf("count status history of account %d: %w", accountID, sqldb.Translate(err))
	}
	var rows []statusChangeRow
	err = sqldb.Select(ctx, q.db, &rows, `SELECT account_id, partner_id, event, from_status, to_status, reason_code,
		reason, key_id, at FROM account_status_history WHERE account_id = ? ORDER BY id LIMIT ? OFFSET ?`,
		accountID, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("read status history of account %d: %w", accountID, sqldb.Translate(err))
	}
	out := make([]account.StatusChange, len(rows))
	for i, r := range rows {
		out[i] = account.StatusChange{
			AccountID: r.AccountID, PartnerID: r.PartnerID, Event: r.Event, FromStatus: r.FromStatus,
			ToStatus: r.ToStatus, ReasonCode: r.ReasonCode, Reason: r.Reason, KeyID: r.KeyID,
			At: time.UnixMilli(r.At).UTC(),
		}
	}
	return out, total, nil
}

// abnormal selects the accounts that are not ACTIVE or carry a freeze in
// force at the time given as its one argument.
const abnormal = `AND (a.status <> 'ACTIVE' OR (a.freeze_reason_code IS NOT NULL
	AND (a.freeze_expires_at IS NULL OR a.freeze_expires_at > ?))) `

// ListAbnormalAccounts returns a page of the partner's accounts that are not
// ACTIVE or are frozen at now, in creation order, and how many there are.
func (q queries) ListAbnormalAccounts(ctx context.Context, partnerID int64, now time.Time, offset, limit int) ([]account.Account, int, error) {
	var total int
	err := sqldb.Get(ctx, q.db, &total, `SELECT COUNT(*) FROM accounts a WHERE a.partner_id = ? `+abnormal,
		partnerID, now.UnixMilli())
	if err != nil {
		return nil, 0, fmt.Errorf("count abnormal accounts: %w", sqldb.Translate(err))
	}
	var rows []accountRow
	err = sqldb.Select(ctx, q.db, &rows, selectAccount+abnormal+`ORDER BY a.seq LIMIT ? OFFSET ?`,
		partnerID, now.UnixMilli(), limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("list abnormal accounts: %w", sqldb.Translate(err))
	}
	return accounts(rows), total, nil
}

// OpenSubAccounts counts the accounts not CLOSED whose pool account is
// poolID.
func (q queries) OpenSubAccounts(ctx context.Context, poolID int64) (int, error) {
	var n int
	err := sqldb.Get(ctx, q.db, &n, `SELECT COUNT(*) FROM accounts WHERE activity_account_id = ? AND status <> 'CLOSED'`, poolID)
	if err != nil {
		return 0, fmt.Errorf("count sub-accounts of %d: %w", poolID, sqldb.Translate(err))
	}
	return n, nil
}

// AssignShortCode gives code to the partner's account for good. A code
// already given (to any account) is services.ErrNumberTaken, an account that
// has a code account.ErrShortCodeExists, another partner's account
// account.ErrAccountNotFound; the transaction stays usable after each.
func (t *txStore) AssignShortCode(ctx context.Context, partnerID, accountID int64, code string, at time.Time) error {
	err := sqldb.WithSavepoint(ctx, t.tx, func() error {
		res, err := sqldb.Exec(ctx, t.tx, `UPDATE accounts SET short_code = ?, updated_at = ? WHERE id = ? AND partner_id = ?`,
			code, at.UnixMilli(), accountID, partnerID)
		if err != nil {
			return sqldb.Translate(err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return account.ErrAccountNotFound
		}
		_, err = sqldb.Exec(ctx, t.tx, `INSERT INTO short_codes (code, account_id, partner_id, created_at) VALUES (?, ?, ?, ?)`,
			code, accountID, partnerID, at.UnixMilli())
		return sqldb.Translate(err)
	})
	if err != nil {
		return fmt.Errorf("assign short code to account %d: %w", accountID, err)
	}
	return nil
}
