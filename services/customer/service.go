package customer

import "github.com/accountd/accountd/services"

// Settings are the rules a customer's data is checked against.
type Settings struct {
	// PhoneRegion is the ISO 3166 region used to read phone numbers written
	// without a country code; empty means numbers must be international.
	PhoneRegion string
	// MinEKYCAge is the youngest age at which a person may open an account
	// electronically (default 18: Vietnam's Circular 17/2024).
	MinEKYCAge int
}

// DefaultMinEKYCAge is Settings.MinEKYCAge's default.
const DefaultMinEKYCAge = 18

// Service runs the customers: creating and finding them, their identity
// documents, the blacklist, data-sharing consent and the onboarding checks.
type Service struct {
	k        *services.Kernel
	store    Store
	settings Settings
}

// New returns the customer service.
func New(k *services.Kernel, store Store, settings Settings) *Service {
	if settings.MinEKYCAge <= 0 {
		settings.MinEKYCAge = DefaultMinEKYCAge
	}
	return &Service{k: k, store: store, settings: settings}
}
