package store

import (
	"context"
	"fmt"
	"time"

	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/store/sqldb"
)

// Blacklisted returns those of keys that are on the partner's blacklist.
func (q queries) Blacklisted(ctx context.Context, partnerID int64, keys []customer.BlacklistKey) ([]customer.BlacklistKey, error) {
	var out []customer.BlacklistKey
	for _, k := range keys {
		var n int
		err := sqldb.Get(ctx, q.db, &n, `SELECT COUNT(*) FROM blacklist WHERE partner_id = ? AND kind = ? AND value = ? AND active`,
			partnerID, k.Kind, k.Value)
		if err != nil {
			return nil, fmt.Errorf("check blacklist: %w", sqldb.Translate(err))
		}
		if n > 0 {
			out = append(out, k)
		}
	}
	return out, nil
}

// CustomerBlacklist returns the kinds of the customer's documents and
// phone that are on the partner's blacklist, in one query.
func (q queries) CustomerBlacklist(ctx context.Context, partnerID, customerID int64) ([]string, error) {
	var kinds []string
	err := sqldb.Select(ctx, q.db, &kinds, `SELECT DISTINCT b.kind FROM blacklist b WHERE b.partner_id = ? AND b.active AND (
		(b.kind = 'PHONE' AND b.value = (SELECT phone FROM customers WHERE id = ?)) OR
		(b.kind = 'IDENTIFICATION' AND b.value IN (SELECT type || ':' || value FROM customer_identifications WHERE customer_id = ?)))
		ORDER BY b.kind`, partnerID, customerID, customerID)
	if err != nil {
		return nil, fmt.Errorf("check blacklist of customer %d: %w", customerID, sqldb.Translate(err))
	}
	return kinds, nil
}

// SetBlacklisted adds (active) or removes a blacklist entry and records the
// change in its history; changed is false when the entry already was so.
func (t *txStore) SetBlacklisted(ctx context.Context, partnerID int64, k customer.BlacklistKey, active bool, reason, keyID string, at time.Time) (bool, error) {
	var current []bool
	err := sqldb.Select(ctx, t.tx, &current, `SELECT active FROM blacklist WHERE partner_id = ? AND kind = ? AND value = ?`+t.dialect.ForUpdate,
		partnerID, k.Kind, k.Value)
	if err != nil {
		return false, fmt.Errorf("blacklist: %w", sqldb.Translate(err))
	}
	if (len(current) == 0 && !active) || (len(current) == 1 && current[0] == active) {
		return false, nil
	}
	if len(current) == 0 {
		_, err = sqldb.Exec(ctx, t.tx, `INSERT INTO blacklist (partner_id, kind, value, active, reason, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			partnerID, k.Kind, k.Value, active, reason, at.UnixMilli())
	} else {
		_, err = sqldb.Exec(ctx, t.tx, `UPDATE blacklist SET active = ?, reason = ?, updated_at = ? WHERE partner_id = ? AND kind = ? AND value = ?`,
			active, reason, at.UnixMilli(), partnerID, k.Kind, k.Value)
	}
	if err != nil {
		return false, fmt.Errorf("blacklist: %w", sqldb.Translate(err))
	}
	action := "ADD"
	if !active {
		action = "REMOVE"
	}
	_, err = sqldb.Exec(ctx, t.tx, `INSERT INTO blacklist_history (partner_id, kind, value, action, reason, key_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		partnerID, k.Kind, k.Value, action, reason, keyID, at.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("blacklist history: %w", sqldb.Translate(err))
	}
	return true, nil
}

type consentRow struct {
	Agreed  bool   `db:"agreed"`
	Version string `db:"version"`
	Channel string `db:"channel"`
	KeyID   string `db:"key_id"`
	At      int64  `db:"at"`
}

// Consents returns a customer's consent records, newest first.
func (q queries) Consents(ctx context.Context, customerID int64) ([]customer.Consent, error) {
	var rows []consentRow
	err := sqldb.Select(ctx, q.db, &rows, `SELECT agreed, version, channel, key_id, at FROM consents WHERE customer_id = ? ORDER BY id DESC`, customerID)
	if err != nil {
		return nil, fmt.Errorf("consents of customer %d: %w", customerID, sqldb.Translate(err))
	}
	out := make([]customer.Consent, len(rows))
	for i, r := range rows {
		out[i] = customer.Consent{CustomerID: customerID, Agreed: r.Agreed, Version: r.Version, Channel: r.Channel, KeyID: r.KeyID, At: time.UnixMilli(r.At).UTC()}
	}
	return out, nil
}

// InsertConsent appends a consent record.
func (t *txStore) InsertConsent(ctx context.Context, partnerID int64, c customer.Consent) error {
	_, err := sqldb.Exec(ctx, t.tx, `INSERT INTO consents (partner_id, customer_id, agreed, version, channel, key_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		partnerID, c.CustomerID, c.Agreed, c.Version, c.Channel, c.KeyID, c.At.UnixMilli())
	if err != nil {
		return fmt.Errorf("insert consent: %w", sqldb.Translate(err))
	}
	return nil
}
