package onboardingstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/accountd/accountd/services/onboarding"
	"github.com/accountd/accountd/store/sqldb"
)

// RetentionCandidates returns up to limit packages whose pictures and
// applicant data are kept past their retention (see
// onboarding.RetentionCutoffs), oldest change first, holding them until the
// transaction ends; on PostgreSQL rows another sweeper holds are skipped.
func (t *Tx) RetentionCandidates(ctx context.Context, c onboarding.RetentionCutoffs, limit int) ([]onboarding.Onboarding, error) {
	var rows []onboardingRow
	// A package that is neither COMPLETED nor REJECTED and past its time is
	// expired, whether or not it was marked EXPIRED. A COMPLETED package
	// waits until every account of its customer was closed before the
	// cutoff (accounts.updated_at of a CLOSED account is its closing).
	err := sqldb.Select(ctx, t.SQL, &rows, onboardingColumns+`WHERE o.data_removed_at IS NULL AND (
			(o.state = 'REJECTED' AND o.updated_at < ?)
			OR (o.state NOT IN ('REJECTED', 'COMPLETED') AND o.expires_at < ?)
			OR (o.state = 'COMPLETED' AND o.updated_at < ? AND NOT EXISTS (SELECT 1 FROM accounts a
				WHERE a.partner_id = o.partner_id AND a.customer_id = o.customer_id
				AND (a.status <> 'CLOSED' OR a.updated_at >= ?))))
		ORDER BY o.updated_at, o.id LIMIT ?`+sqldb.LockOf(t.Dialect.SkipLocked, "o"),
		c.Final.UnixMilli(), c.Final.UnixMilli(), c.Completed.UnixMilli(), c.Completed.UnixMilli(), limit)
	if err != nil {
		return nil, fmt.Errorf("find packages past retention: %w", sqldb.Translate(err))
	}
	return onboardings(rows)
}

// RemoveOnboardingData empties the package's applicant data (and its FATCA
// declaration unless keepDeclaration) and the data of every picture not
// yet removed, marking them removed at at. The pictures' rows, hashes and
// checks stay.
func (t *Tx) RemoveOnboardingData(ctx context.Context, onboardingID string, keepDeclaration bool, at time.Time) error {
	_, err := sqldb.Exec(ctx, t.SQL, `UPDATE onboarding_images SET data = ?, data_key_id = '', data_removed_at = ?
		WHERE onboarding_id = ? AND data_removed_at IS NULL`, []byte{}, at.UnixMilli(), onboardingID)
	if err != nil {
		return fmt.Errorf("remove pictures of onboarding %s: %w", onboardingID, sqldb.Translate(err))
	}
	query := `UPDATE onboardings SET applicant = '', applicant_key_id = '', data_removed_at = ?`
	if !keepDeclaration {
		query += `, fatca_declaration = '', fatca_declaration_key_id = ''`
	}
	if _, err := sqldb.Exec(ctx, t.SQL, query+` WHERE id = ?`, at.UnixMilli(), onboardingID); err != nil {
		return fmt.Errorf("remove data of onboarding %s: %w", onboardingID, sqldb.Translate(err))
	}
	return nil
}

// keyRanges reads the rows of query whose key column (named in query as
// KEY) is below keyID, then those above it, up to limit in all: two range
// reads of the key's index, where "<>" would read all of it, so that a
// sweep with nothing to do reads nothing.
func keyRanges[R any](ctx context.Context, t *Tx, query, lock, keyID string, limit int) ([]R, error) {
	var out []R
	for _, op := range []string{"<", ">"} {
		var rows []R
		q := strings.Replace(query, "KEY", op+" ?", 1) + ` LIMIT ?` + lock
		if err := sqldb.Select(ctx, t.SQL, &rows, q, keyID, limit-len(out)); err != nil {
			return nil, sqldb.Translate(err)
		}
		if out = append(out, rows...); len(out) >= limit {
			break
		}
	}
	return out, nil
}

// ApplicantsToReseal returns up to limit packages whose applicant data is
// kept under another key than keyID (or in clear), holding them like
// RetentionCandidates.
func (t *Tx) ApplicantsToReseal(ctx context.Context, keyID string, limit int) ([]onboarding.Onboarding, error) {
	rows, err := keyRanges[onboardingRow](ctx, t, onboardingColumns+`WHERE o.data_removed_at IS NULL AND o.applicant_key_id KEY`,
		sqldb.LockOf(t.Dialect.SkipLocked, "o"), keyID, limit)
	if err != nil {
		return nil, fmt.Errorf("find applicants to reseal: %w", err)
	}
	return onboardings(rows)
}

// DeclarationsToReseal is ApplicantsToReseal for FATCA declarations.
func (t *Tx) DeclarationsToReseal(ctx context.Context, keyID string, limit int) ([]onboarding.Onboarding, error) {
	rows, err := keyRanges[onboardingRow](ctx, t, onboardingColumns+`WHERE o.fatca_declaration <> '' AND o.fatca_declaration_key_id KEY`,
		sqldb.LockOf(t.Dialect.SkipLocked, "o"), keyID, limit)
	if err != nil {
		return nil, fmt.Errorf("find declarations to reseal: %w", err)
	}
	return onboardings(rows)
}

// PicturesToResealQuery is PicturesToReseal's query, KEY standing for the
// comparison with the current key.
const PicturesToResealQuery = `SELECT ` + imageColumns + `, data FROM onboarding_images
	WHERE data_removed_at IS NULL AND data_key_id KEY`

// PicturesToReseal returns up to limit pictures, with their data, kept
// under another key than keyID (or in clear), holding them like
// RetentionCandidates.
func (t *Tx) PicturesToReseal(ctx context.Context, keyID string, limit int) ([]onboarding.OnboardingImage, error) {
	rows, err := keyRanges[pictureRow](ctx, t, PicturesToResealQuery, t.Dialect.SkipLocked, keyID, limit)
	if err != nil {
		return nil, fmt.Errorf("find pictures to reseal: %w", err)
	}
	out := make([]onboarding.OnboardingImage, len(rows))
	for i, r := range rows {
		out[i] = r.image()
	}
	return out, nil
}

// ResealOnboarding writes a package's applicant data and FATCA
// declaration with their key ids.
func (t *Tx) ResealOnboarding(ctx context.Context, o onboarding.Onboarding) error {
	_, err := sqldb.Exec(ctx, t.SQL, `UPDATE onboardings SET applicant = ?, applicant_key_id = ?, fatca_declaration = ?,
		fatca_declaration_key_id = ? WHERE id = ?`,
		sealedText(o.Applicant), o.Applicant.KeyID, sealedText(o.FatcaDeclaration), o.FatcaDeclaration.KeyID, o.ID)
	if err != nil {
		return fmt.Errorf("reseal onboarding %s: %w", o.ID, sqldb.Translate(err))
	}
	return nil
}

// ResealPicture writes a picture's data with its key id.
func (t *Tx) ResealPicture(ctx context.Context, img onboarding.OnboardingImage) error {
	_, err := sqldb.Exec(ctx, t.SQL, `UPDATE onboarding_images SET data = ?, data_key_id = ?
		WHERE onboarding_id = ? AND kind = ? AND attempt = ?`,
		blob(img.Data.Data), img.Data.KeyID, img.OnboardingID, img.Kind, img.Attempt)
	if err != nil {
		return fmt.Errorf("reseal picture %s/%d of onboarding %s: %w", img.Kind, img.Attempt, img.OnboardingID, sqldb.Translate(err))
	}
	return nil
}
