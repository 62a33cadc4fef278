package onboarding

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
)

// RetentionCutoffs say which finished packages' pictures and applicant
// data the retention sweep removes.
type RetentionCutoffs struct {
	// Final: packages REJECTED before it, and packages whose time ran out
	// before it, marked EXPIRED or not.
	Final time.Time
	// Completed: packages COMPLETED before it whose customer's accounts
	// were all closed before it.
	Completed time.Time
}

// RetentionReport says what a retention sweep removed.
type RetentionReport struct {
	Packages int // packages whose pictures and applicant data were removed
	Pictures int // pictures removed
	Expired  int // packages found past their time and marked EXPIRED
}

// retentionBatch is how many packages one retention transaction handles.
const retentionBatch = 50

// Audit actions of the retention sweep: one row per picture removed, with
// its SHA-256, and one per package.
const (
	auditPictureRemoved = "system.PictureRetention"
	auditDataRemoved    = "system.OnboardingDataRetention"
)

// SweepOnboardingData removes the pictures and applicant data of finished
// packages once their retention has passed: REJECTED and EXPIRED packages
// (also those past their time that no call marked EXPIRED) after
// Settings.PictureRetention, COMPLETED packages after
// Settings.CompletedPictureRetention counted from the closing of the
// customer's last account. A COMPLETED package keeps its FATCA
// declaration, the bank's only record of the customer's FATCA status. The
// audit trail records each removed picture's SHA-256. Several replicas may
// sweep at once: on PostgreSQL each skips the packages another holds.
func (s *Service) SweepOnboardingData(ctx context.Context) (RetentionReport, error) {
	var rep RetentionReport
	for {
		var batch RetentionReport
		seen := 0
		err := services.Update(ctx, s.k.Store, func(tx RetentionTx) error {
			batch = RetentionReport{}
			var err error
			seen, err = s.retentionBatch(ctx, tx, s.k.Clock.Now(), &batch)
			return err
		})
		if err != nil {
			return rep, fmt.Errorf("onboarding data retention sweep: %w", err)
		}
		rep.Packages, rep.Pictures, rep.Expired = rep.Packages+batch.Packages, rep.Pictures+batch.Pictures, rep.Expired+batch.Expired
		if seen < retentionBatch {
			return rep, nil
		}
	}
}

// retentionBatch removes the data of one batch of packages past their
// retention and returns how many it found.
func (s *Service) retentionBatch(ctx context.Context, tx RetentionTx, now time.Time, rep *RetentionReport) (int, error) {
	c := RetentionCutoffs{Final: now.Add(-s.settings.PictureRetention), Completed: now.Add(-s.settings.CompletedPictureRetention)}
	packages, err := tx.RetentionCandidates(ctx, c, retentionBatch)
	if err != nil {
		return 0, err
	}
	for _, o := range packages {
		if !onboardingFinal(o.State) {
			if err := s.expireOnboarding(ctx, services.As[Tx](tx), o, now); err != nil {
				return 0, err
			}
			o.State = OnbExpired
			rep.Expired++
		}
		n, err := s.removeOnboardingData(ctx, tx, o, now)
		if err != nil {
			return 0, err
		}
		rep.Packages++
		rep.Pictures += n
	}
	return len(packages), nil
}

// removeOnboardingData removes one package's pictures and applicant data,
// with their audit rows, and returns how many pictures it removed.
func (s *Service) removeOnboardingData(ctx context.Context, tx RetentionTx, o Onboarding, now time.Time) (int, error) {
	images, err := tx.OnboardingImages(ctx, o.ID)
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, img := range images {
		if !img.DataRemovedAt.IsZero() {
			continue
		}
		if err := appendRetentionAudit(ctx, tx, now, o, auditPictureRemoved, map[string]string{"onboardingId": o.ID,
			"picture": img.Kind, "upload": strconv.Itoa(img.Attempt), "sha256": img.SHA256}); err != nil {
			return 0, err
		}
		removed++
	}
	if err := tx.RemoveOnboardingData(ctx, o.ID, o.State == OnbCompleted, now); err != nil {
		return 0, err
	}
	err = appendRetentionAudit(ctx, tx, now, o, auditDataRemoved, map[string]string{"onboardingId": o.ID, "state": o.State,
		"pictures": strconv.Itoa(removed)})
	return removed, err
}

func appendRetentionAudit(ctx context.Context, tx RetentionTx, at time.Time, o Onboarding, action string, entities map[string]string) error {
	e := services.AuditEntry{At: at, PartnerID: o.PartnerID, KeyID: account.SystemKeyID, Method: action, Entities: services.EntitiesJSON(entities), Outcome: services.AuditOK}
	return tx.AppendAudit(ctx, &e)
}

// ResealReport says what a reseal sweep sealed again under the current
// data key.
type ResealReport struct {
	KeyID        string // the current data key
	Applicants   int
	Declarations int
	Pictures     int
}

// Batch sizes of the reseal sweep: pictures are up to
// ekyc.max_picture_bytes each, held in clear and sealed at once.
const (
	resealBatch        = 100
	resealPictureBatch = 8
)

// ResealOnboardingData seals again under the current data key every
// applicant's data, FATCA declaration and picture kept under another key
// or in clear (rows written before data keys existed). It fails on a value
// sealed under a key that is no longer configured (ErrDataKeyUnknown) or
// that fails authentication (ErrDataTampered). Several replicas may run it
// at once.
func (s *Service) ResealOnboardingData(ctx context.Context) (ResealReport, error) {
	rep := ResealReport{KeyID: s.vault.Current()}
	steps := []struct {
		count *int
		limit int
		batch func(context.Context, RetentionTx) (int, error)
	}{
		{&rep.Applicants, resealBatch, s.resealApplicants},
		{&rep.Declarations, resealBatch, s.resealDeclarations},
		{&rep.Pictures, resealPictureBatch, s.resealPictures},
	}
	for _, step := range steps {
		for {
			n := 0
			err := services.Update(ctx, s.k.Store, func(tx RetentionTx) error {
				var err error
				n, err = step.batch(ctx, tx)
				return err
			})
			if err != nil {
				return rep, fmt.Errorf("reseal onboarding data: %w", err)
			}
			*step.count += n
			if n < step.limit {
				break
			}
		}
	}
	return rep, nil
}

func (s *Service) resealApplicants(ctx context.Context, tx RetentionTx) (int, error) {
	packages, err := tx.ApplicantsToReseal(ctx, s.vault.Current(), resealBatch)
	if err != nil {
		return 0, err
	}
	for _, o := range packages {
		if o.Applicant, err = s.vault.Reseal(o.Applicant, services.ApplicantAD(o.ID)); err != nil {
			return 0, err
		}
		if err := tx.ResealOnboarding(ctx, o); err != nil {
			return 0, err
		}
	}
	return len(packages), nil
}

func (s *Service) resealDeclarations(ctx context.Context, tx RetentionTx) (int, error) {
	packages, err := tx.DeclarationsToReseal(ctx, s.vault.Current(), resealBatch)
	if err != nil {
		return 0, err
	}
	for _, o := range packages {
		if o.FatcaDeclaration, err = s.vault.Reseal(o.FatcaDeclaration, services.DeclarationAD(o.ID)); err != nil {
			return 0, err
		}
		if err := tx.ResealOnboarding(ctx, o); err != nil {
			return 0, err
		}
	}
	return len(packages), nil
}

func (s *Service) resealPictures(ctx context.Context, tx RetentionTx) (int, error) {
	images, err := tx.PicturesToReseal(ctx, s.vault.Current(), resealPictureBatch)
	if err != nil {
		return 0, err
	}
	for _, img := range images {
		if img.Data, err = s.vault.Reseal(img.Data, services.PictureAD(img.OnboardingID, img.Kind, img.SHA256)); err != nil {
			return 0, err
		}
		if err := tx.ResealPicture(ctx, img); err != nil {
			return 0, err
		}
	}
	return len(images), nil
}

// OpenPicture reads one picture of a package and opens its data, for a
// data-subject access request or an investigation; the caller must not log
// it.
func (s *Service) OpenPicture(ctx context.Context, onboardingID, kind string, attempt int) ([]byte, error) {
	img, err := s.store.OnboardingPicture(ctx, onboardingID, kind, attempt)
	if err != nil {
		return nil, err
	}
	return s.vault.Open(img.Data, services.PictureAD(onboardingID, kind, img.SHA256))
}

// OpenApplicant reads a package and opens its applicant data and FATCA
// declaration, like OpenPicture.
func (s *Service) OpenApplicant(ctx context.Context, partnerID int64, id string) (applicant, declaration []byte, err error) {
	o, err := s.store.FindOnboarding(ctx, partnerID, id)
	if err != nil {
		return nil, nil, err
	}
	if applicant, err = s.vault.Open(o.Applicant, services.ApplicantAD(id)); err != nil {
		return nil, nil, err
	}
	declaration, err = s.vault.Open(o.FatcaDeclaration, services.DeclarationAD(id))
	return applicant, declaration, err
}
