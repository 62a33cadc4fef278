package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/accountd/accountd/services/ebank"
	"github.com/accountd/accountd/store/sqldb"
)

type ebankUserRow struct {
	ID         int64  `db:"id"`
	PartnerID  int64  `db:"partner_id"`
	CustomerID int64  `db:"customer_id"`
	Username   string `db:"username"`
	Mobile     string `db:"mobile"`
	Status     string `db:"status"`
	Channel    string `db:"channel"`
	CreatedAt  int64  `db:"created_at"`
	UpdatedAt  int64  `db:"updated_at"`
}

func (r ebankUserRow) user() ebank.EbankUser {
	return ebank.EbankUser{ID: r.ID, PartnerID: r.PartnerID, CustomerID: r.CustomerID, Username: r.Username,
		Mobile: r.Mobile, Status: r.Status, Channel: r.Channel,
		CreatedAt: time.UnixMilli(r.CreatedAt).UTC(), UpdatedAt: time.UnixMilli(r.UpdatedAt).UTC()}
}

const selectEbankUser = `SELECT id, partner_id, customer_id, username, mobile, status, channel, created_at, updated_at
	FROM ebank_users WHERE partner_id = ? AND `

// FindEbankUser returns the partner's e-banking user by username (any case)
// or, when several share a mobile number, the newest not CLOSED one with it;
// ebank.ErrUserNotFound when none.
func (q queries) FindEbankUser(ctx context.Context, partnerID int64, by ebank.EbankUserLookup) (ebank.EbankUser, error) {
	return findEbankUser(ctx, q, partnerID, by, "")
}

// LockEbankUser is FindEbankUser holding the row until the transaction ends.
func (t *txStore) LockEbankUser(ctx context.Context, partnerID int64, by ebank.EbankUserLookup) (ebank.EbankUser, error) {
	return findEbankUser(ctx, t.queries, partnerID, by, t.dialect.ForUpdate)
}

func findEbankUser(ctx context.Context, q queries, partnerID int64, by ebank.EbankUserLookup, lock string) (ebank.EbankUser, error) {
	query, args := selectEbankUser, []any{partnerID}
	switch {
	case by.Username != "":
		query += `username_key = ?`
		args = append(args, strings.ToLower(by.Username))
	case by.Mobile != "":
		query += `mobile = ? ORDER BY CASE WHEN status = 'CLOSED' THEN 1 ELSE 0 END, created_at DESC, id LIMIT 1`
		args = append(args, by.Mobile)
	default:
		return ebank.EbankUser{}, fmt.Errorf("find e-banking user: empty lookup: %w", ebank.ErrUserNotFound)
	}
	var row ebankUserRow
	if err := sqldb.Get(ctx, q.db, &row, query+lock, args...); err != nil {
		return ebank.EbankUser{}, fmt.Errorf("find e-banking user: %w", sqldb.NotFound(err, ebank.ErrUserNotFound))
	}
	return row.user(), nil
}

// InsertEbankUser inserts a user: services.ErrNumberTaken for a used ID,
// ErrUsernameExists, ErrCustomerHasUser.
func (t *txStore) InsertEbankUser(ctx context.Context, u ebank.EbankUser) error {
	err := sqldb.WithSavepoint(ctx, t.tx, func() error {
		_, err := sqldb.Exec(ctx, t.tx, `INSERT INTO ebank_users (id, partner_id, customer_id, username, username_key, mobile,
			status, channel, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.PartnerID, u.CustomerID, u.Username, strings.ToLower(u.Username), u.Mobile, u.Status, u.Channel,
			u.CreatedAt.UnixMilli(), u.UpdatedAt.UnixMilli())
		return sqldb.Translate(err)
	})
	if err != nil {
		return fmt.Errorf("insert e-banking user: %w", err)
	}
	return nil
}

// SetEbankUserStatus writes a user's status and records the change.
func (t *txStore) SetEbankUserStatus(ctx context.Context, c ebank.UserStatusChange) error {
	if _, err := sqldb.Exec(ctx, t.tx, `UPDATE ebank_users SET status = ?, updated_at = ? WHERE id = ?`,
		c.ToStatus, c.At.UnixMilli(), c.UserID); err != nil {
		return fmt.Errorf("set e-banking user status: %w", sqldb.Translate(err))
	}
	_, err := sqldb.Exec(ctx, t.tx, `INSERT INTO ebank_user_history (user_id, from_status, to_status, reason, key_id, at)
		VALUES (?, ?, ?, ?, ?, ?)`, c.UserID, c.FromStatus, c.ToStatus, c.Reason, c.KeyID, c.At.UnixMilli())
	if err != nil {
		return fmt.Errorf("record e-banking user status: %w", sqldb.Translate(err))
	}
	return nil
}

type userChangeRow struct {
	From   string `db:"from_status"`
	To     string `db:"to_status"`
	Reason string `db:"reason"`
	KeyID  string `db:"key_id"`
	At     int64  `db:"at"`
}

// EbankUserHistory returns a user's status changes, oldest first.
func (q queries) EbankUserHistory(ctx context.Context, userID int64) ([]ebank.UserStatusChange, error) {
	var rows []userChangeRow
	err := sqldb.Select(ctx, q.db, &rows, `SELECT from_status, to_status, reason, key_id, at FROM ebank_user_history
		WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("e-banking user history: %w", sqldb.Translate(err))
	}
	out := make([]ebank.UserStatusChange, len(rows))
	for i, r := range rows {
		out[i] = ebank.UserStatusChange{UserID: userID, FromStatus: r.From, ToStatus: r.To, Reason: r.Reason, KeyID: r.KeyID, At: time.UnixMilli(r.At).UTC()}
	}
	return out, nil
}
