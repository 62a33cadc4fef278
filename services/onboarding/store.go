package onboarding

import (
	"context"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/ebank"
)

// Reader reads packages and their pictures, inside a transaction or outside: FindOnboarding returns ErrOnboardingNotFound (also for another partner's).
type Reader interface {
	// FindOnboarding returns the partner's onboarding package, or
	// ErrOnboardingNotFound (also for another partner's).
	FindOnboarding(ctx context.Context, partnerID int64, id string) (Onboarding, error)
	// OnboardingImages returns a package's pictures without their data,
	// by kind and attempt.
	OnboardingImages(ctx context.Context, onboardingID string) ([]OnboardingImage, error)
	FindAccount(ctx context.Context, partnerID int64, by account.AccountLookup) (account.Account, error)
	FindCustomer(ctx context.Context, partnerID int64, by customer.CustomerLookup) (customer.Customer, error)
}

// Store is what the onboarding service needs from storage.
type Store interface {
	services.Store
	Reader
	// OnboardingPicture returns one picture of a package with its data
	// (sealed; empty once removed), or ErrOnboardingNotFound.
	OnboardingPicture(ctx context.Context, onboardingID, kind string, attempt int) (OnboardingImage, error)
}

// Tx is what the onboarding service needs from a write transaction.
type Tx interface {
	services.Tx
	Reader
	customer.BlacklistReader
	// FindEbankUser returns the partner's e-banking user by username (any
	// case) or by mobile number (the newest that is not CLOSED first), or
	// ErrUserNotFound.
	FindEbankUser(ctx context.Context, partnerID int64, by ebank.EbankUserLookup) (ebank.EbankUser, error)
	// FindOpenOnboarding returns the partner's newest package for the
	// document (IDType and IDValue) or the username (any case) that is not
	// COMPLETED, REJECTED or EXPIRED and expires after now, or
	// ErrOnboardingNotFound.
	FindOpenOnboarding(ctx context.Context, partnerID int64, by OnboardingLookup, now time.Time) (Onboarding, error)
	// ImageHashes returns the perceptual hashes of the passed pictures of
	// the given kinds, of every partner's packages whose document is not
	// (idType, idValue): the pictures of other people.
	ImageHashes(ctx context.Context, kinds []string, idType, idValue string) ([]ImageHash, error)
	// InsertOnboarding stores a new package (ErrNumberTaken when its ID is
	// used).
	InsertOnboarding(ctx context.Context, o Onboarding) error
	// InsertOnboardingImage stores one picture attempt.
	InsertOnboardingImage(ctx context.Context, img OnboardingImage) error
	// LockOnboarding is FindOnboarding holding the row until the
	// transaction ends.
	LockOnboarding(ctx context.Context, partnerID int64, id string) (Onboarding, error)
	// UpdateOnboarding writes a package's state, FATCA status, declaration
	// and US-reportable flag, auth request and sends, customer and account,
	// reject reason and updated_at.
	UpdateOnboarding(ctx context.Context, o Onboarding) error
}

// RetentionTx is what removing and resealing personal data needs from a write transaction.
type RetentionTx interface {
	services.Tx
	OnboardingImages(ctx context.Context, onboardingID string) ([]OnboardingImage, error)
	// RetentionCandidates returns up to limit packages whose pictures and
	// applicant data are kept past their retention, holding them until the
	// transaction ends (another sweeper's rows are skipped).
	RetentionCandidates(ctx context.Context, c RetentionCutoffs, limit int) ([]Onboarding, error)
	// RemoveOnboardingData empties a package's applicant data (and its
	// FATCA declaration unless keepDeclaration) and its pictures' data,
	// keeping the pictures' rows, hashes and checks.
	RemoveOnboardingData(ctx context.Context, onboardingID string, keepDeclaration bool, at time.Time) error
	// ApplicantsToReseal, DeclarationsToReseal and PicturesToReseal return
	// up to limit values kept under another key than keyID or in clear,
	// holding their rows like RetentionCandidates.
	ApplicantsToReseal(ctx context.Context, keyID string, limit int) ([]Onboarding, error)
	DeclarationsToReseal(ctx context.Context, keyID string, limit int) ([]Onboarding, error)
	PicturesToReseal(ctx context.Context, keyID string, limit int) ([]OnboardingImage, error)
	// ResealOnboarding writes a package's applicant data and declaration;
	// ResealPicture a picture's data.
	ResealOnboarding(ctx context.Context, o Onboarding) error
	ResealPicture(ctx context.Context, img OnboardingImage) error
}
