// Package bank wires every domain service of accountd on one store: the
// composition root that cmd and the tests build, and that rpc dispatches to.
package bank

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/contact"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/ebank"
	"github.com/accountd/accountd/services/imagecheck"
	"github.com/accountd/accountd/services/nice"
	"github.com/accountd/accountd/services/onboarding"
	"github.com/accountd/accountd/services/otp"
)

// Settings are the bank-wide values the services need; zero values take
// each domain's default.
type Settings struct {
	// InstitutionID is the bank's routing number, echoed in account results.
	InstitutionID string
	// PhoneRegion is the ISO 3166 region used to read phone numbers written
	// without a country code; empty means numbers must be international.
	PhoneRegion string
	// IdempotencyTTL is how long a request id is remembered.
	IdempotencyTTL time.Duration
	// IdempotencyWait is how long a duplicate arriving while the first call
	// runs waits for it before it is ErrRequestInProgress (default 5s).
	IdempotencyWait time.Duration
	// Dormancy is how long an ACTIVE account may go without customer
	// activity before the sweep makes it DORMANT (default 180 days).
	Dormancy time.Duration
	// OTPTTL is how long a one-time code is accepted (default 5 minutes).
	OTPTTL time.Duration
	// MobileChangesPerDay is how many mobile-change requests a customer may
	// make in a calendar day, failed ones included (default 3).
	MobileChangesPerDay int
	// OTPOperationsPerHour is how many one-time-code operations may be
	// started for one customer in any hour; refused calls do not count
	// (default 5).
	OTPOperationsPerHour int
	// Location is the bank's time zone, for calendar days (default UTC).
	Location *time.Location
	// BankCode is the bank's code in name inquiries (bank.code).
	BankCode string
	// MessageKey encrypts queued messages: 32 bytes shared by the replicas,
	// or empty for a random key of this process alone.
	MessageKey []byte
	// NiceFees prices nice numbers (default nice.DefaultNiceFees in VND).
	NiceFees nice.NiceFees
	// NiceHoldTTL is how long a nice number stays held (default 15 minutes).
	NiceHoldTTL time.Duration
	// NiceReserved are numbers the bank keeps back.
	NiceReserved map[string]bool
	// NiceMaxSearchDepth bounds pageNumber × pageSize of a nice-number
	// search (default DefaultNiceMaxSearchDepth).
	NiceMaxSearchDepth int
	// NiceMaxSearchCandidates bounds the candidates one search examines;
	// a search that reaches it answers a truncated page (default
	// DefaultNiceMaxSearchCandidates).
	NiceMaxSearchCandidates int
	// MinEKYCAge is the youngest age at which a person may open an account
	// electronically (default 18: Vietnam's Circular 17/2024).
	MinEKYCAge int
	// OnboardingTTL is how long an onboarding package may take from
	// InitCustomerInfo to its confirmed code (default 24 hours).
	OnboardingTTL time.Duration
	// PictureRetries is how often a failed onboarding picture may be
	// uploaded again; the next failure rejects the package (default 2).
	PictureRetries int
	// HashDistance is the largest Hamming distance between perceptual
	// hashes at which two pictures count as the same picture (default 10).
	HashDistance int
	// CardRules and PortraitRules are the thresholds of the card sides and
	// the portrait (default imagecheck.CardRules and PortraitRules).
	CardRules     imagecheck.Rules
	PortraitRules imagecheck.Rules
	// DataKeys encrypt the onboarding packages' pictures and personal data
	// at rest; without keys, a random key of this process alone.
	DataKeys services.DataKeys
	// PictureRetention is how long the pictures and applicant data of a
	// REJECTED or EXPIRED package are kept (default 30 days);
	// CompletedPictureRetention is how long those of a COMPLETED package
	// are kept once every account of its customer is closed (default
	// onboarding.DefaultCompletedPictureRetention).
	PictureRetention          time.Duration
	CompletedPictureRetention time.Duration
	// AuditFlushInterval is how long the audit row of a name inquiry may
	// wait in memory before it is written with others (default
	// services.DefaultAuditFlushInterval).
	AuditFlushInterval time.Duration
}

// Store is the storage every domain needs; store.Store implements it.
type Store interface {
	customer.Store
	account.Store
	nice.Store
	ebank.Store
	otp.Store
	onboarding.Store
}

// Bank holds one Service per domain, sharing one kernel.
type Bank struct {
	Kernel     *services.Kernel
	Customers  *customer.Service
	Accounts   *account.Service
	Nice       *nice.Service
	Contacts   *contact.Service
	Ebank      *ebank.Service
	OTP        *otp.Service
	Onboarding *onboarding.Service
}

// Option changes how a Bank is built.
type Option func(*services.Kernel)

// WithClock makes every service tell time by c.
func WithClock(c services.Clock) Option { return func(k *services.Kernel) { k.Clock = c } }

// WithRandom makes every service draw IDs and numbers from r.
func WithRandom(r io.Reader) Option { return func(k *services.Kernel) { k.Random = r } }

// WithReplayObserver makes the services call f with the method of every
// call answered by an idempotent replay, for metrics.
func WithReplayObserver(f func(method string)) Option {
	return func(k *services.Kernel) { k.OnReplay = f }
}

// WithAuditFlushObserver makes the kernel call f when a write of the
// waiting audit rows of name inquiries fails (they are tried again), for
// the log and metrics.
func WithAuditFlushObserver(f func(rows int, err error)) Option {
	return func(k *services.Kernel) { k.OnAuditFlushError = f }
}

// Close writes the audit rows of name inquiries still waiting in memory;
// call it before the store is closed. A row that cannot be written is
// reported (services.ErrAuditNotWritten).
func (b *Bank) Close(ctx context.Context) error { return b.Kernel.Close(ctx) }

// New wires the domain services on st. It panics on a MessageKey or data
// keys that config would have refused: a programming error.
func New(st Store, s Settings, opts ...Option) *Bank {
	k := services.NewKernel(st)
	if s.IdempotencyTTL > 0 {
		k.IdempotencyTTL = s.IdempotencyTTL
	}
	if s.IdempotencyWait > 0 {
		k.IdempotencyWait = s.IdempotencyWait
	}
	if s.Location != nil {
		k.Location = s.Location
	}
	if s.AuditFlushInterval > 0 {
		k.AuditFlushInterval = s.AuditFlushInterval
	}
	for _, o := range opts {
		o(k)
	}
	o, err := otp.New(k, st, otp.Settings{TTL: s.OTPTTL, OperationsPerHour: s.OTPOperationsPerHour, MessageKey: s.MessageKey})
	if err != nil {
		panic(fmt.Sprintf("bank.New: %v", err))
	}
	b := &Bank{Kernel: k, OTP: o}
	b.Customers = customer.New(k, st, customer.Settings{PhoneRegion: s.PhoneRegion, MinEKYCAge: s.MinEKYCAge})
	b.Nice = nice.New(k, st, nice.Settings{Fees: s.NiceFees, HoldTTL: s.NiceHoldTTL, Reserved: s.NiceReserved,
		MaxSearchDepth: s.NiceMaxSearchDepth, MaxSearchCandidates: s.NiceMaxSearchCandidates})
	b.Accounts = account.New(k, st, account.Settings{InstitutionID: s.InstitutionID, BankCode: s.BankCode,
		PhoneRegion: s.PhoneRegion, Dormancy: s.Dormancy}, b.Nice, o)
	b.Contacts = contact.New(k, contact.Settings{MobileChangesPerDay: s.MobileChangesPerDay}, o)
	b.Ebank = ebank.New(k, st, ebank.Settings{InstitutionID: s.InstitutionID, PhoneRegion: s.PhoneRegion}, b.Customers, b.Accounts)
	b.Onboarding, err = onboarding.New(k, st, onboarding.Settings{PhoneRegion: s.PhoneRegion, OnboardingTTL: s.OnboardingTTL,
		PictureRetries: s.PictureRetries, HashDistance: s.HashDistance, CardRules: s.CardRules, PortraitRules: s.PortraitRules,
		DataKeys: s.DataKeys, PictureRetention: s.PictureRetention, CompletedPictureRetention: s.CompletedPictureRetention},
		b.Customers, b.Accounts, b.Ebank, o)
	if err != nil {
		panic(fmt.Sprintf("bank.New: %v", err))
	}
	return b
}
