package contact

import (
	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/otp"
)

// Settings bound the mobile changes.
type Settings struct {
	// MobileChangesPerDay is how many mobile-change requests a customer may
	// make in a calendar day, failed ones included (default 3).
	MobileChangesPerDay int
}

// DefaultMobileChangesPerDay is Settings.MobileChangesPerDay's default.
const DefaultMobileChangesPerDay = 3

// Service runs a customer's contacts: setting and verifying the e-mail and
// the mobile number, and changing the mobile number, each confirmed with
// one-time codes.
type Service struct {
	k        *services.Kernel
	settings Settings
	otp      *otp.Service
}

// New returns the contact service and registers its operations with o.
func New(k *services.Kernel, settings Settings, o *otp.Service) *Service {
	if settings.MobileChangesPerDay <= 0 {
		settings.MobileChangesPerDay = DefaultMobileChangesPerDay
	}
	s := &Service{k: k, settings: settings, otp: o}
	s.register(o)
	return s
}
