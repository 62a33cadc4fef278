package nice

import (
	"time"

	"github.com/accountd/accountd/services"
)

// Settings price and bound the nice numbers.
type Settings struct {
	// Fees prices nice numbers (default DefaultNiceFees in VND).
	Fees NiceFees
	// HoldTTL is how long a nice number stays held (default 15 minutes).
	HoldTTL time.Duration
	// Reserved are numbers the bank keeps back.
	Reserved map[string]bool
	// MaxSearchDepth bounds pageNumber × pageSize of a search (default
	// DefaultNiceMaxSearchDepth).
	MaxSearchDepth int
	// MaxSearchCandidates bounds the candidates one search examines; a
	// search that reaches it answers a truncated page (default
	// DefaultNiceMaxSearchCandidates).
	MaxSearchCandidates int
}

// DefaultHoldTTL is Settings.HoldTTL's default.
const DefaultHoldTTL = 15 * time.Minute

// Service searches, prices and holds nice (chosen) account numbers.
type Service struct {
	k        *services.Kernel
	store    Store
	settings Settings
}

// New returns the nice-number service.
func New(k *services.Kernel, store Store, settings Settings) *Service {
	if settings.Fees.Fees == nil {
		settings.Fees, _ = ParseNiceFees("", "VND")
	}
	if settings.HoldTTL <= 0 {
		settings.HoldTTL = DefaultHoldTTL
	}
	if settings.MaxSearchDepth <= 0 {
		settings.MaxSearchDepth = DefaultNiceMaxSearchDepth
	}
	if settings.MaxSearchCandidates <= 0 {
		settings.MaxSearchCandidates = DefaultNiceMaxSearchCandidates
	}
	return &Service{k: k, store: store, settings: settings}
}
