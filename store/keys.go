package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store/sqldb"
)

type keyRow struct {
	KeyID          string        `db:"key_id"`
	PartnerID      int64         `db:"partner_id"`
	PartnerName    string        `db:"partner_name"`
	PublicKey      string        `db:"public_key"`
	CredentialHash string        `db:"credential_hash"`
	Status         string        `db:"status"`
	CreatedAt      int64         `db:"created_at"`
	RevokedAt      sql.NullInt64 `db:"revoked_at"`
	Methods        string        `db:"methods"`
	PartnerTier    string        `db:"partner_tier"`
	Signature      string        `db:"signature"`
}

func (r keyRow) key() partner.APIKey {
	k := partner.APIKey{
		KeyID: r.KeyID, PartnerID: r.PartnerID, PartnerName: r.PartnerName, PublicKeyPEM: r.PublicKey,
		CredentialHash: r.CredentialHash, Status: r.Status, CreatedAt: time.UnixMilli(r.CreatedAt).UTC(),
		Methods: strings.Fields(r.Methods), PartnerTier: r.PartnerTier, Signature: r.Signature,
	}
	if r.RevokedAt.Valid {
		k.RevokedAt = time.UnixMilli(r.RevokedAt.Int64).UTC()
	}
	return k
}

const selectKey = `SELECT k.key_id, k.partner_id, p.name AS partner_name, k.public_key, k.credential_hash,
	k.status, k.created_at, k.revoked_at, k.methods, p.tier AS partner_tier, k.signature
	FROM api_keys k JOIN partners p ON p.id = k.partner_id `

// FindAPIKey returns a key with its partner's name, or partner.ErrKeyNotFound.
func (q queries) FindAPIKey(ctx context.Context, keyID string) (partner.APIKey, error) {
	var row keyRow
	if err := sqldb.Get(ctx, q.db, &row, selectKey+`WHERE k.key_id = ?`, keyID); err != nil {
		return partner.APIKey{}, fmt.Errorf("find key: %w", sqldb.NotFound(err, partner.ErrKeyNotFound))
	}
	return row.key(), nil
}

// ListAPIKeys returns every key, by partner and age.
func (q queries) ListAPIKeys(ctx context.Context) ([]partner.APIKey, error) {
	var rows []keyRow
	if err := sqldb.Select(ctx, q.db, &rows, selectKey+`ORDER BY p.name, k.created_at, k.key_id`); err != nil {
		return nil, fmt.Errorf("list keys: %w", sqldb.Translate(err))
	}
	keys := make([]partner.APIKey, len(rows))
	for i, r := range rows {
		keys[i] = r.key()
	}
	return keys, nil
}

// FindPartnerByName returns a partner, or partner.ErrPartnerNotFound.
func (q queries) FindPartnerByName(ctx context.Context, name string) (partner.Partner, error) {
	var row struct {
		ID        int64  `db:"id"`
		Name      string `db:"name"`
		Tier      string `db:"tier"`
		CreatedAt int64  `db:"created_at"`
	}
	if err := sqldb.Get(ctx, q.db, &row, `SELECT id, name, tier, created_at FROM partners WHERE name = ?`, name); err != nil {
		return partner.Partner{}, fmt.Errorf("find partner: %w", sqldb.NotFound(err, partner.ErrPartnerNotFound))
	}
	return partner.Partner{ID: row.ID, Name: row.Name, Tier: row.Tier, CreatedAt: time.UnixMilli(row.CreatedAt).UTC()}, nil
}

// InsertPartner inserts a partner.
func (t *txStore) InsertPartner(ctx context.Context, p partner.Partner) error {
	tier := p.Tier
	if tier == "" {
		tier = partner.TierBronze
	}
	_, err := sqldb.Exec(ctx, t.tx, `INSERT INTO partners (id, name, tier, created_at) VALUES (?, ?, ?, ?)`, p.ID, p.Name, tier, p.CreatedAt.UnixMilli())
	if err != nil {
		return fmt.Errorf("insert partner: %w", sqldb.Translate(err))
	}
	return nil
}

// SetPartnerTier changes a partner's package tier.
func (t *txStore) SetPartnerTier(ctx context.Context, partnerID int64, tier string) error {
	res, err := sqldb.Exec(ctx, t.tx, `UPDATE partners SET tier = ? WHERE id = ?`, tier, partnerID)
	if err != nil {
		return fmt.Errorf("set partner tier: %w", sqldb.Translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("set partner tier: %w", partner.ErrPartnerNotFound)
	}
	return nil
}

// InsertAPIKey inserts a key.
func (t *txStore) InsertAPIKey(ctx context.Context, k partner.APIKey) error {
	_, err := sqldb.Exec(ctx, t.tx, `INSERT INTO api_keys (key_id, partner_id, public_key, credential_hash, status, created_at, methods, signature)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, k.KeyID, k.PartnerID, k.PublicKeyPEM, k.CredentialHash, k.Status, k.CreatedAt.UnixMilli(),
		strings.Join(k.Methods, " "), k.Signature)
	if err != nil {
		return fmt.Errorf("insert key: %w", sqldb.Translate(err))
	}
	return nil
}

// SetAPIKeySignature sets a key's signature policy.
func (t *txStore) SetAPIKeySignature(ctx context.Context, keyID, policy string) error {
	res, err := sqldb.Exec(ctx, t.tx, `UPDATE api_keys SET signature = ? WHERE key_id = ?`, policy, keyID)
	if err != nil {
		return fmt.Errorf("set key signature policy: %w", sqldb.Translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("set key signature policy: %w", partner.ErrKeyNotFound)
	}
	return nil
}

// RevokeAPIKey marks a key revoked.
func (t *txStore) RevokeAPIKey(ctx context.Context, keyID string, at time.Time) error {
	res, err := sqldb.Exec(ctx, t.tx, `UPDATE api_keys SET status = 'REVOKED', revoked_at = ? WHERE key_id = ?`, at.UnixMilli(), keyID)
	if err != nil {
		return fmt.Errorf("revoke key: %w", sqldb.Translate(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("revoke key: %w", partner.ErrKeyNotFound)
	}
	return nil
}
