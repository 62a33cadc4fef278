package services

import (
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"math/big"
	"time"

	"github.com/accountd/accountd/services/imagecheck"
)

// Settings are the bank-wide values the services need.
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
	// NiceFees prices nice numbers (default DefaultNiceFees in VND).
	NiceFees NiceFees
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
	DataKeys DataKeys
	// PictureRetention is how long the pictures and applicant data of a
	// REJECTED or EXPIRED package are kept (default 30 days);
	// CompletedPictureRetention is how long those of a COMPLETED package
	// are kept once every account of its customer is closed (default
	// DefaultCompletedPictureRetention).
	PictureRetention          time.Duration
	CompletedPictureRetention time.Duration
}

// DefaultCompletedPictureRetention is five years and the leap days they
// can hold: banks keep customer-identification records at least five years
// after the business relationship ends (FATF Recommendation 11; Vietnam's
// Law on Anti-Money Laundering 2022).
const DefaultCompletedPictureRetention = (5*365 + 2) * 24 * time.Hour

// Service runs the bank's customer and account operations for partners.
type Service struct {
	store    Store
	clock    Clock
	random   io.Reader
	settings Settings
	inflight *inflight
	onReplay func(method string)
	sealer   *sealer
	vault    *vault
	otpKey   []byte // keys the code hashes; nil without Settings.MessageKey
	wake     chan struct{}
}

// Option changes how a Service is built.
type Option func(*Service)

// WithClock makes the Service tell time by c.
func WithClock(c Clock) Option { return func(s *Service) { s.clock = c } }

// WithReplayObserver makes the Service call f with the method of every
// call answered by an idempotent replay, for metrics.
func WithReplayObserver(f func(method string)) Option { return func(s *Service) { s.onReplay = f } }

// WithRandom makes the Service draw IDs and numbers from r.
func WithRandom(r io.Reader) Option { return func(s *Service) { s.random = r } }

// New returns a Service on store.
func New(store Store, settings Settings, opts ...Option) *Service {
	if settings.IdempotencyTTL <= 0 {
		settings.IdempotencyTTL = 24 * time.Hour
	}
	if settings.IdempotencyWait <= 0 {
		settings.IdempotencyWait = 5 * time.Second
	}
	if settings.Dormancy <= 0 {
		settings.Dormancy = 180 * 24 * time.Hour
	}
	if settings.OTPTTL <= 0 {
		settings.OTPTTL = 5 * time.Minute
	}
	if settings.MobileChangesPerDay <= 0 {
		settings.MobileChangesPerDay = 3
	}
	if settings.OTPOperationsPerHour <= 0 {
		settings.OTPOperationsPerHour = 5
	}
	if settings.NiceFees.Fees == nil {
		settings.NiceFees, _ = ParseNiceFees("", "VND")
	}
	if settings.NiceHoldTTL <= 0 {
		settings.NiceHoldTTL = 15 * time.Minute
	}
	if settings.NiceMaxSearchDepth <= 0 {
		settings.NiceMaxSearchDepth = DefaultNiceMaxSearchDepth
	}
	if settings.NiceMaxSearchCandidates <= 0 {
		settings.NiceMaxSearchCandidates = DefaultNiceMaxSearchCandidates
	}
	if settings.MinEKYCAge <= 0 {
		settings.MinEKYCAge = 18
	}
	if settings.OnboardingTTL <= 0 {
		settings.OnboardingTTL = 24 * time.Hour
	}
	if settings.PictureRetries <= 0 {
		settings.PictureRetries = 2
	}
	if settings.HashDistance <= 0 {
		settings.HashDistance = 10
	}
	if settings.CardRules == (imagecheck.Rules{}) {
		settings.CardRules = imagecheck.CardRules()
	}
	if settings.PortraitRules == (imagecheck.Rules{}) {
		settings.PortraitRules = imagecheck.PortraitRules()
	}
	if settings.Location == nil {
		settings.Location = time.UTC
	}
	if settings.PictureRetention <= 0 {
		settings.PictureRetention = 30 * 24 * time.Hour
	}
	if settings.CompletedPictureRetention <= 0 {
		settings.CompletedPictureRetention = DefaultCompletedPictureRetention
	}
	sl, err := newSealer(settings.MessageKey)
	if err != nil {
		// The configuration checks the key's length; this is a programming error.
		panic("services.New: " + err.Error())
	}
	v, err := newVault(settings.DataKeys)
	if err != nil {
		// The configuration checks the keys too.
		panic("services.New: " + err.Error())
	}
	s := &Service{store: store, clock: SystemClock{}, random: rand.Reader, settings: settings, inflight: newInflight(),
		sealer: sl, vault: v, wake: make(chan struct{}, 1)}
	if len(settings.MessageKey) > 0 {
		k := sha256.Sum256(append([]byte("accountd otp hash\x00"), settings.MessageKey...))
		s.otpKey = k[:]
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// randomNumber draws a uniformly random number with exactly digits digits
// (no leading zero).
func randomNumber(r io.Reader, digits int) (int64, error) {
	lo := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits-1)), nil)
	span := new(big.Int).Sub(new(big.Int).Mul(lo, big.NewInt(10)), lo)
	n, err := rand.Int(r, span)
	if err != nil {
		return 0, fmt.Errorf("draw random number: %w", err)
	}
	return n.Add(n, lo).Int64(), nil
}

// maxDraws bounds how often a generated number is drawn again after a
// collision; with 10^12 and more possible values, a second draw is already
// rare.
const maxDraws = 8

// randomBelow draws a uniformly random number in [0, n).
func randomBelow(r io.Reader, n int) (int, error) {
	v, err := rand.Int(r, big.NewInt(int64(n)))
	if err != nil {
		return 0, fmt.Errorf("draw random number: %w", err)
	}
	return int(v.Int64()), nil
}
