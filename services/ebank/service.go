package ebank

import (
	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/customer"
)

// Settings are the bank's values the e-banking users need.
type Settings struct {
	// InstitutionID is the bank's routing number, echoed in account results.
	InstitutionID string
	// PhoneRegion reads phone numbers written without a country code.
	PhoneRegion string
}

// Service runs the e-banking users: combo onboarding (customer, user and
// current account at once), current accounts for existing customers, and
// the users' status.
type Service struct {
	k         *services.Kernel
	store     Store
	settings  Settings
	customers *customer.Service
	accounts  *account.Service
}

// New returns the e-banking service.
func New(k *services.Kernel, store Store, settings Settings, c *customer.Service, a *account.Service) *Service {
	return &Service{k: k, store: store, settings: settings, customers: c, accounts: a}
}
