package onboarding

import (
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/ebank"
	"github.com/accountd/accountd/services/imagecheck"
	"github.com/accountd/accountd/services/otp"
)

// Settings are the onboarding packages' limits, the picture checks and the
// keeping of personal data.
type Settings struct {
	// PhoneRegion reads phone numbers written without a country code.
	PhoneRegion string
	// OnboardingTTL is how long a package may take from InitCustomerInfo to
	// its confirmed code (default 24 hours).
	OnboardingTTL time.Duration
	// PictureRetries is how often a failed picture may be uploaded again;
	// the next failure rejects the package (default 2).
	PictureRetries int
	// HashDistance is the largest Hamming distance between perceptual
	// hashes at which two pictures count as the same picture (default 10).
	HashDistance int
	// CardRules and PortraitRules are the thresholds of the card sides and
	// the portrait (default imagecheck.CardRules and PortraitRules).
	CardRules     imagecheck.Rules
	PortraitRules imagecheck.Rules
	// DataKeys encrypt the packages' pictures and personal data at rest;
	// without keys, a random key of this process alone.
	DataKeys services.DataKeys
	// PictureRetention is how long the pictures and applicant data of a
	// REJECTED or EXPIRED package are kept (default 30 days);
	// CompletedPictureRetention is how long those of a COMPLETED package
	// are kept once every account of its customer is closed (default
	// DefaultCompletedPictureRetention).
	PictureRetention          time.Duration
	CompletedPictureRetention time.Duration
}

// Default settings.
const (
	DefaultOnboardingTTL    = 24 * time.Hour
	DefaultPictureRetries   = 2
	DefaultHashDistance     = 10
	DefaultPictureRetention = 30 * 24 * time.Hour
	// DefaultCompletedPictureRetention is five years and the leap days they
	// can hold: banks keep customer-identification records at least five
	// years after the business relationship ends (FATF Recommendation 11;
	// Vietnam's Law on Anti-Money Laundering 2022).
	DefaultCompletedPictureRetention = (5*365 + 2) * 24 * time.Hour
)

// Service runs OCB-style eKYC onboarding packages: the applicant's data and
// FATCA, the identity card and portrait checks, the one-time code, and the
// customer, account and e-banking user a completed package opens.
type Service struct {
	k         *services.Kernel
	store     Store
	settings  Settings
	vault     *services.Vault
	customers *customer.Service
	accounts  *account.Service
	ebank     *ebank.Service
	otp       *otp.Service
}

// New returns the onboarding service and registers with o what confirming
// an onboarding code does. It fails only on unusable data keys.
func New(k *services.Kernel, store Store, settings Settings, c *customer.Service, a *account.Service, e *ebank.Service, o *otp.Service) (*Service, error) {
	withDefaults(&settings)
	v, err := services.NewVault(settings.DataKeys)
	if err != nil {
		return nil, err
	}
	s := &Service{k: k, store: store, settings: settings, vault: v, customers: c, accounts: a, ebank: e, otp: o}
	o.Register(OpOnboarding, s.authentication())
	return s, nil
}

func withDefaults(s *Settings) {
	if s.OnboardingTTL <= 0 {
		s.OnboardingTTL = DefaultOnboardingTTL
	}
	if s.PictureRetries <= 0 {
		s.PictureRetries = DefaultPictureRetries
	}
	if s.HashDistance <= 0 {
		s.HashDistance = DefaultHashDistance
	}
	if s.CardRules == (imagecheck.Rules{}) {
		s.CardRules = imagecheck.CardRules()
	}
	if s.PortraitRules == (imagecheck.Rules{}) {
		s.PortraitRules = imagecheck.PortraitRules()
	}
	if s.PictureRetention <= 0 {
		s.PictureRetention = DefaultPictureRetention
	}
	if s.CompletedPictureRetention <= 0 {
		s.CompletedPictureRetention = DefaultCompletedPictureRetention
	}
}
