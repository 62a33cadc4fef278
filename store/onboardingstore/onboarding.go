package onboardingstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/onboarding"
	"github.com/accountd/accountd/store/sqldb"
)

type onboardingRow struct {
	ID               string        `db:"id"`
	PartnerID        int64         `db:"partner_id"`
	KeyID            string        `db:"key_id"`
	State            string        `db:"state"`
	Applicant        string        `db:"applicant"`
	IDType           string        `db:"id_type"`
	IDValue          string        `db:"id_value"`
	Phone            string        `db:"phone"`
	Username         string        `db:"username"`
	Checks           string        `db:"checks"`
	FatcaAnswers     string        `db:"fatca_answers"`
	FatcaStatus      string        `db:"fatca_status"`
	FatcaDeclaration string        `db:"fatca_declaration"`
	USReportable     bool          `db:"us_reportable"`
	AuthRequestID    string        `db:"auth_request_id"`
	AuthSends        int           `db:"auth_sends"`
	CustomerID       sql.NullInt64 `db:"customer_id"`
	AccountID        sql.NullInt64 `db:"account_id"`
	RejectReason     string        `db:"reject_reason"`
	ExpiresAt        int64         `db:"expires_at"`
	CreatedAt        int64         `db:"created_at"`
	UpdatedAt        int64         `db:"updated_at"`
	ApplicantKeyID   string        `db:"applicant_key_id"`
	DeclarationKeyID string        `db:"fatca_declaration_key_id"`
	DataRemovedAt    sql.NullInt64 `db:"data_removed_at"`
}

func (r onboardingRow) onboarding() (onboarding.Onboarding, error) {
	applicant, err := readSealedText(r.ApplicantKeyID, r.Applicant)
	if err != nil {
		return onboarding.Onboarding{}, fmt.Errorf("onboarding %s applicant: %w", r.ID, err)
	}
	declaration, err := readSealedText(r.DeclarationKeyID, r.FatcaDeclaration)
	if err != nil {
		return onboarding.Onboarding{}, fmt.Errorf("onboarding %s declaration: %w", r.ID, err)
	}
	return onboarding.Onboarding{
		ID: r.ID, PartnerID: r.PartnerID, KeyID: r.KeyID, State: r.State, Applicant: applicant,
		IDType: r.IDType, IDValue: r.IDValue, Phone: r.Phone, Username: r.Username, Checks: r.Checks,
		FatcaAnswers: r.FatcaAnswers, FatcaStatus: r.FatcaStatus, FatcaDeclaration: declaration,
		USReportable: r.USReportable, AuthRequestID: r.AuthRequestID, AuthSends: r.AuthSends,
		CustomerID: r.CustomerID.Int64, AccountID: r.AccountID.Int64, RejectReason: r.RejectReason,
		ExpiresAt: time.UnixMilli(r.ExpiresAt).UTC(), CreatedAt: time.UnixMilli(r.CreatedAt).UTC(),
		UpdatedAt: time.UnixMilli(r.UpdatedAt).UTC(), DataRemovedAt: sqldb.TimeOf(r.DataRemovedAt),
	}, nil
}

func onboardings(rows []onboardingRow) ([]onboarding.Onboarding, error) {
	out := make([]onboarding.Onboarding, len(rows))
	for i, r := range rows {
		o, err := r.onboarding()
		if err != nil {
			return nil, err
		}
		out[i] = o
	}
	return out, nil
}

// sealedText is how a sealed value is kept in a TEXT column: Base64, or as
// it is when in clear (KeyID "").
func sealedText(s services.Sealed) string {
	if s.KeyID == "" {
		return string(s.Data)
	}
	return base64.StdEncoding.EncodeToString(s.Data)
}

// readSealedText reads sealedText's column back.
func readSealedText(keyID, text string) (services.Sealed, error) {
	if keyID == "" {
		return services.Sealed{Data: []byte(text)}, nil
	}
	b, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return services.Sealed{}, fmt.Errorf("sealed under %s but not Base64: %w", keyID, err)
	}
	return services.Sealed{KeyID: keyID, Data: b}, nil
}

const onboardingColumns = `SELECT o.id, o.partner_id, o.key_id, o.state, o.applicant, o.id_type, o.id_value, o.phone,
	o.username, o.checks, o.fatca_answers, o.fatca_status, o.fatca_declaration, o.us_reportable, o.auth_request_id,
	o.auth_sends, o.customer_id, o.account_id, o.reject_reason, o.expires_at, o.created_at, o.updated_at,
	o.applicant_key_id, o.fatca_declaration_key_id, o.data_removed_at FROM onboardings o `

const selectOnboarding = onboardingColumns + `WHERE o.partner_id = ? AND `

// FindOnboarding returns the partner's onboarding package, or
// onboarding.ErrOnboardingNotFound (also for another partner's).
func (q Queries) FindOnboarding(ctx context.Context, partnerID int64, id string) (onboarding.Onboarding, error) {
	return findOnboarding(ctx, q.DB, partnerID, id, "")
}

// LockOnboarding is FindOnboarding holding the row until the transaction
// ends.
func (t *Tx) LockOnboarding(ctx context.Context, partnerID int64, id string) (onboarding.Onboarding, error) {
	return findOnboarding(ctx, t.SQL, partnerID, id, t.Dialect.ForUpdate)
}

func findOnboarding(ctx context.Context, db sqlx.ExtContext, partnerID int64, id, lock string) (onboarding.Onboarding, error) {
	var row onboardingRow
	if err := sqldb.Get(ctx, db, &row, selectOnboarding+`o.id = ?`+lock, partnerID, id); err != nil {
		return onboarding.Onboarding{}, fmt.Errorf("find onboarding: %w", sqldb.NotFound(err, onboarding.ErrOnboardingNotFound))
	}
	return row.onboarding()
}

// FindOpenOnboarding returns the partner's newest package for the document
// (when by.IDValue is set) or else the username (any case) that is not
// COMPLETED, REJECTED or EXPIRED and expires after now, or
// onboarding.ErrOnboardingNotFound.
func (q Queries) FindOpenOnboarding(ctx context.Context, partnerID int64, by onboarding.OnboardingLookup, now time.Time) (onboarding.Onboarding, error) {
	query, args := selectOnboarding, []any{partnerID}
	switch {
	case by.IDValue != "":
		query += `o.id_type = ? AND o.id_value = ?`
		args = append(args, by.IDType, by.IDValue)
	case by.Username != "":
		query += `o.username_key = ?`
		args = append(args, strings.ToLower(by.Username))
	default:
		return onboarding.Onboarding{}, fmt.Errorf("find open onboarding: empty lookup: %w", onboarding.ErrOnboardingNotFound)
	}
	query += ` AND o.state NOT IN ('COMPLETED', 'REJECTED', 'EXPIRED') AND o.expires_at > ?
		ORDER BY o.created_at DESC, o.id DESC LIMIT 1`
	args = append(args, now.UnixMilli())
	var row onboardingRow
	if err := sqldb.Get(ctx, q.DB, &row, query, args...); err != nil {
		return onboarding.Onboarding{}, fmt.Errorf("find open onboarding: %w", sqldb.NotFound(err, onboarding.ErrOnboardingNotFound))
	}
	return row.onboarding()
}

// InsertOnboarding stores a new package. An ID already used (by any
// partner) is services.ErrNumberTaken, and the transaction stays usable.
func (t *Tx) InsertOnboarding(ctx context.Context, o onboarding.Onboarding) error {
	err := sqldb.WithSavepoint(ctx, t.SQL, func() error {
		_, err := sqldb.Exec(ctx, t.SQL, `INSERT INTO onboardings (id, partner_id, key_id, state, applicant, id_type, id_value,
			phone, username, username_key, checks, fatca_answers, fatca_status, fatca_declaration, us_reportable,
			auth_request_id, auth_sends, customer_id, account_id, reject_reason, expires_at, created_at, updated_at,
			applicant_key_id, fatca_declaration_key_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			o.ID, o.PartnerID, o.KeyID, o.State, sealedText(o.Applicant), o.IDType, o.IDValue, o.Phone, o.Username,
			strings.ToLower(o.Username), o.Checks, o.FatcaAnswers, o.FatcaStatus, sealedText(o.FatcaDeclaration), o.USReportable,
			o.AuthRequestID, o.AuthSends, sqldb.NullID(o.CustomerID), sqldb.NullID(o.AccountID), o.RejectReason,
			o.ExpiresAt.UnixMilli(), o.CreatedAt.UnixMilli(), o.UpdatedAt.UnixMilli(),
			o.Applicant.KeyID, o.FatcaDeclaration.KeyID)
		return sqldb.Translate(err)
	})
	if err != nil {
		return fmt.Errorf("insert onboarding: %w", err)
	}
	return nil
}

// UpdateOnboarding writes a package's state, FATCA status, declaration
// (and its key id) and US-reportable flag, auth request and sends, customer and account (NULL
// when 0), reject reason and updated_at, or returns
// onboarding.ErrOnboardingNotFound.
func (t *Tx) UpdateOnboarding(ctx context.Context, o onboarding.Onboarding) error {
	res, err := sqldb.Exec(ctx, t.SQL, `UPDATE onboardings SET state = ?, fatca_status = ?, fatca_declaration = ?,
		fatca_declaration_key_id = ?, us_reportable = ?, auth_request_id = ?, auth_sends = ?, customer_id = ?,
		account_id = ?, reject_reason = ?, updated_at = ? WHERE partner_id = ? AND id = ?`,
		o.State, o.FatcaStatus, sealedText(o.FatcaDeclaration), o.FatcaDeclaration.KeyID, o.USReportable,
		o.AuthRequestID, o.AuthSends, sqldb.NullID(o.CustomerID), sqldb.NullID(o.AccountID), o.RejectReason,
		o.UpdatedAt.UnixMilli(), o.PartnerID, o.ID)
	if err != nil {
		return fmt.Errorf("update onboarding: %w", sqldb.Translate(err))
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("update onboarding %s: %w", o.ID, onboarding.ErrOnboardingNotFound)
	}
	return nil
}
