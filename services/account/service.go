package account

import (
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/nice"
	"github.com/accountd/accountd/services/otp"
)

// Settings are the bank's values in account results and the dormancy rule.
type Settings struct {
	// InstitutionID is the bank's routing number, echoed in account results.
	InstitutionID string
	// BankCode is the bank's code in name inquiries (bank.code).
	BankCode string
	// PhoneRegion reads phone numbers written without a country code in
	// customer lookups; empty means numbers must be international.
	PhoneRegion string
	// Dormancy is how long an ACTIVE account may go without customer
	// activity before the sweep makes it DORMANT (default 180 days).
	Dormancy time.Duration
}

// DefaultDormancy is Settings.Dormancy's default.
const DefaultDormancy = 180 * 24 * time.Hour

// Service runs the accounts: opening, details and lists, the status
// lifecycle and freezes, the dormancy sweep, short codes and name inquiry.
type Service struct {
	k        *services.Kernel
	store    Store
	settings Settings
	nice     *nice.Service
	otp      *otp.Service
}

// New returns the account service and registers with o what confirming an
// account reactivation does.
func New(k *services.Kernel, store Store, settings Settings, n *nice.Service, o *otp.Service) *Service {
	if settings.Dormancy <= 0 {
		settings.Dormancy = DefaultDormancy
	}
	s := &Service{k: k, store: store, settings: settings, nice: n, otp: o}
	o.Register(OpActivateAccount, s.activation())
	return s
}
