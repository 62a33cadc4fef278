package services

import (
	"crypto/rand"
	"fmt"
	"io"
	"math/big"
	"time"
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
}

// Service runs the bank's customer and account operations for partners.
type Service struct {
	store    Store
	clock    Clock
	random   io.Reader
	settings Settings
	inflight *inflight
	onReplay func(method string)
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
	s := &Service{store: store, clock: SystemClock{}, random: rand.Reader, settings: settings, inflight: newInflight()}
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
