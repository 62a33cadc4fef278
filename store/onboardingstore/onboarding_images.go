package onboardingstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/onboarding"
	"github.com/accountd/accountd/store/sqldb"
)

// onboardingImageRow is a picture without its data. PHash holds the
// perceptual hash's 64 bits as a signed integer, which both databases'
// BIGINT can hold.
type onboardingImageRow struct {
	OnboardingID string `db:"onboarding_id"`
	Kind         string `db:"kind"`
	Attempt      int    `db:"attempt"`
	IDType       string `db:"id_type"`
	IDValue      string `db:"id_value"`
	SHA256       string `db:"sha256"`
	PHash        int64  `db:"phash"`
	DetailHash   string `db:"detail_hash"`
	Format       string `db:"format"`
	Width        int    `db:"width"`
	Height       int    `db:"height"`
	Bytes        int    `db:"bytes"`
	Passed       bool   `db:"passed"`
	Checks       string `db:"checks"`
	CreatedAt    int64  `db:"created_at"`
	// DataKeyID and DataRemovedAt come before data in the table (SQLite).
	DataKeyID     string        `db:"data_key_id"`
	DataRemovedAt sql.NullInt64 `db:"data_removed_at"`
}

// imageColumns are the columns of onboardingImageRow.
const imageColumns = `onboarding_id, kind, attempt, id_type, id_value, sha256, phash, detail_hash, format,
	width, height, bytes, passed, checks, created_at, data_key_id, data_removed_at`

func (r onboardingImageRow) image() onboarding.OnboardingImage {
	return onboarding.OnboardingImage{
		OnboardingID: r.OnboardingID, Kind: r.Kind, Attempt: r.Attempt, IDType: r.IDType, IDValue: r.IDValue,
		SHA256: r.SHA256, Hash: uint64(r.PHash), Detail: parseDetail(r.DetailHash), Format: r.Format, Width: r.Width, Height: r.Height, Bytes: r.Bytes,
		Passed: r.Passed, Checks: r.Checks, CreatedAt: time.UnixMilli(r.CreatedAt).UTC(),
		Data: services.Sealed{KeyID: r.DataKeyID}, DataRemovedAt: sqldb.TimeOf(r.DataRemovedAt),
	}
}

// pictureRow is a picture with its data.
type pictureRow struct {
	onboardingImageRow
	Data []byte `db:"data"`
}

func (r pictureRow) image() onboarding.OnboardingImage {
	img := r.onboardingImageRow.image()
	img.Data.Data = r.Data
	return img
}

// OnboardingImages returns every picture attempt of a package, without
// its data (Data names only its key), by kind and attempt.
func (q Queries) OnboardingImages(ctx context.Context, onboardingID string) ([]onboarding.OnboardingImage, error) {
	var rows []onboardingImageRow
	err := sqldb.Select(ctx, q.DB, &rows, `SELECT `+imageColumns+` FROM onboarding_images WHERE onboarding_id = ?
		ORDER BY kind, attempt`, onboardingID)
	if err != nil {
		return nil, fmt.Errorf("onboarding images: %w", sqldb.Translate(err))
	}
	out := make([]onboarding.OnboardingImage, len(rows))
	for i, r := range rows {
		out[i] = r.image()
	}
	return out, nil
}

// OnboardingPicture returns one picture of a package with its data (sealed;
// empty once removed), or onboarding.ErrOnboardingNotFound.
func (q Queries) OnboardingPicture(ctx context.Context, onboardingID, kind string, attempt int) (onboarding.OnboardingImage, error) {
	var row pictureRow
	err := sqldb.Get(ctx, q.DB, &row, `SELECT `+imageColumns+`, data FROM onboarding_images
		WHERE onboarding_id = ? AND kind = ? AND attempt = ?`, onboardingID, kind, attempt)
	if err != nil {
		return onboarding.OnboardingImage{}, fmt.Errorf("onboarding picture %s/%d: %w", kind, attempt, sqldb.NotFound(err, onboarding.ErrOnboardingNotFound))
	}
	return row.image(), nil
}

// ImageHashesQuery reads the index onboarding_images_passed alone: its
// WHERE repeats the index's "passed" so that both databases may use it.
const ImageHashesQuery = `SELECT onboarding_id, kind, phash, detail_hash FROM onboarding_images
	WHERE passed AND kind IN (?) AND (id_type <> ? OR id_value <> ?)`

// ImageHashes returns the perceptual hashes of the passed pictures of the
// given kinds, of every partner's packages whose document is not (idType,
// idValue).
func (q Queries) ImageHashes(ctx context.Context, kinds []string, idType, idValue string) ([]onboarding.ImageHash, error) {
	if len(kinds) == 0 {
		return []onboarding.ImageHash{}, nil
	}
	var rows []struct {
		OnboardingID string `db:"onboarding_id"`
		Kind         string `db:"kind"`
		PHash        int64  `db:"phash"`
		DetailHash   string `db:"detail_hash"`
	}
	query, args, err := sqlx.In(ImageHashesQuery, kinds, idType, idValue)
	if err == nil {
		err = sqldb.Select(ctx, q.DB, &rows, query, args...)
	}
	if err != nil {
		return nil, fmt.Errorf("image hashes: %w", sqldb.Translate(err))
	}
	out := make([]onboarding.ImageHash, len(rows))
	for i, r := range rows {
		out[i] = onboarding.ImageHash{OnboardingID: r.OnboardingID, Kind: r.Kind, Hash: uint64(r.PHash), Detail: parseDetail(r.DetailHash)}
	}
	return out, nil
}

// InsertOnboardingImage stores one picture attempt. The same package, kind
// and attempt twice is an error of the caller's, not translated.
func (t *Tx) InsertOnboardingImage(ctx context.Context, img onboarding.OnboardingImage) error {
	_, err := sqldb.Exec(ctx, t.SQL, `INSERT INTO onboarding_images (onboarding_id, kind, attempt, id_type, id_value, sha256,
		phash, detail_hash, format, width, height, bytes, passed, checks, created_at, data_key_id, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		img.OnboardingID, img.Kind, img.Attempt, img.IDType, img.IDValue, img.SHA256, int64(img.Hash), formatDetail(img.Detail), img.Format,
		img.Width, img.Height, img.Bytes, img.Passed, img.Checks, img.CreatedAt.UnixMilli(), img.Data.KeyID, blob(img.Data.Data))
	if err != nil {
		return fmt.Errorf("insert onboarding image: %w", sqldb.Translate(err))
	}
	return nil
}

// blob is b for a NOT NULL column: a nil slice would be NULL.
func blob(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// formatDetail writes a 256-bit detail hash as 64 hex digits.
func formatDetail(d [4]uint64) string {
	return fmt.Sprintf("%016x%016x%016x%016x", d[0], d[1], d[2], d[3])
}

// parseDetail reads formatDetail's text; anything else reads as zeros.
func parseDetail(s string) [4]uint64 {
	var d [4]uint64
	if len(s) != 64 {
		return d
	}
	for i := range d {
		v, err := strconv.ParseUint(s[16*i:16*i+16], 16, 64)
		if err != nil {
			return [4]uint64{}
		}
		d[i] = v
	}
	return d
}
