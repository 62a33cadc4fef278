package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/accountd/accountd/services/nice"
	"github.com/accountd/accountd/store/sqldb"
)

// NiceTaken returns which of numbers are account numbers already, and which
// are held (unexpired at now), with one indexed query each.
func (q queries) NiceTaken(ctx context.Context, numbers []string, now time.Time) (accounts, held map[string]bool, err error) {
	accounts, held = map[string]bool{}, map[string]bool{}
	if len(numbers) == 0 {
		return accounts, held, nil
	}
	var found []string
	query, args, err := sqlx.In(`SELECT account_number FROM accounts WHERE account_number IN (?)`, numbers)
	if err == nil {
		err = sqldb.Select(ctx, q.db, &found, query, args...)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("nice numbers taken: %w", sqldb.Translate(err))
	}
	for _, n := range found {
		accounts[n] = true
	}
	found = found[:0]
	query, args, err = sqlx.In(`SELECT number FROM nice_holds WHERE number IN (?) AND expires_at > ?`, numbers, now.UnixMilli())
	if err == nil {
		err = sqldb.Select(ctx, q.db, &found, query, args...)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("nice numbers held: %w", sqldb.Translate(err))
	}
	for _, n := range found {
		held[n] = true
	}
	return accounts, held, nil
}

type niceHoldRow struct {
	Number     string `db:"number"`
	PartnerID  int64  `db:"partner_id"`
	CustomerID int64  `db:"customer_id"`
	Category   string `db:"category"`
	FeeMinor   int64  `db:"fee_minor"`
	Currency   string `db:"currency"`
	KeyID      string `db:"key_id"`
	CreatedAt  int64  `db:"created_at"`
	ExpiresAt  int64  `db:"expires_at"`
}

// FindNiceHold returns the hold of a number, expired or not, or
// nice.ErrNiceHoldNotFound.
func (q queries) FindNiceHold(ctx context.Context, number string) (nice.NiceHold, error) {
	var r niceHoldRow
	err := sqldb.Get(ctx, q.db, &r, `SELECT number, partner_id, customer_id, category, fee_minor, currency, key_id, created_at, expires_at
		FROM nice_holds WHERE number = ?`, number)
	if err != nil {
		return nice.NiceHold{}, fmt.Errorf("find nice hold: %w", sqldb.NotFound(err, nice.ErrNiceHoldNotFound))
	}
	return nice.NiceHold{Number: r.Number, PartnerID: r.PartnerID, CustomerID: r.CustomerID, Category: r.Category,
		FeeMinor: r.FeeMinor, Currency: r.Currency, KeyID: r.KeyID,
		CreatedAt: time.UnixMilli(r.CreatedAt).UTC(), ExpiresAt: time.UnixMilli(r.ExpiresAt).UTC()}, nil
}

// InsertNiceHold holds a number, first dropping an expired hold of it;
// nice.ErrNiceNumberHeld when an unexpired hold exists (also one
// another transaction inserted at the same time: the primary key decides).
func (t *txStore) InsertNiceHold(ctx context.Context, h nice.NiceHold) error {
	if _, err := sqldb.Exec(ctx, t.tx, `DELETE FROM nice_holds WHERE number = ? AND expires_at <= ?`, h.Number, h.CreatedAt.UnixMilli()); err != nil {
		return fmt.Errorf("drop expired hold: %w", sqldb.Translate(err))
	}
	err := sqldb.WithSavepoint(ctx, t.tx, func() error {
		_, err := sqldb.Exec(ctx, t.tx, `INSERT INTO nice_holds (number, partner_id, customer_id, category, fee_minor, currency, key_id,
			created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, h.Number, h.PartnerID, h.CustomerID, h.Category,
			h.FeeMinor, h.Currency, h.KeyID, h.CreatedAt.UnixMilli(), h.ExpiresAt.UnixMilli())
		return sqldb.Translate(err)
	})
	if err != nil {
		return fmt.Errorf("hold nice number: %w", err)
	}
	return nil
}

// DeleteNiceHold releases a number.
func (t *txStore) DeleteNiceHold(ctx context.Context, number string) error {
	if _, err := sqldb.Exec(ctx, t.tx, `DELETE FROM nice_holds WHERE number = ?`, number); err != nil {
		return fmt.Errorf("release nice number: %w", sqldb.Translate(err))
	}
	return nil
}
