package otp

import (
	"crypto/sha256"
	"time"

	"github.com/accountd/accountd/services"
)

// Settings are the one-time codes' limits and the outbox key.
type Settings struct {
	// TTL is how long a one-time code is accepted (default 5 minutes).
	TTL time.Duration
	// OperationsPerHour is how many operations may be started for one
	// customer in any hour; refused calls do not count (default 5).
	OperationsPerHour int
	// MessageKey encrypts queued messages: 32 bytes shared by the replicas,
	// or empty for a random key of this process alone.
	MessageKey []byte
}

// Default settings.
const (
	DefaultTTL               = 5 * time.Minute
	DefaultOperationsPerHour = 5
)

// Service runs operations that wait for a customer's one-time code, and
// the outbox that delivers the codes.
type Service struct {
	k        *services.Kernel
	store    Store
	settings Settings
	sealer   *sealer
	otpKey   []byte // keys the code hashes; nil without Settings.MessageKey
	wake     chan struct{}
	effects  map[string]Effect
}

// New returns the OTP service. It fails only on a MessageKey that is not
// 32 bytes.
func New(k *services.Kernel, store Store, settings Settings) (*Service, error) {
	if settings.TTL <= 0 {
		settings.TTL = DefaultTTL
	}
	if settings.OperationsPerHour <= 0 {
		settings.OperationsPerHour = DefaultOperationsPerHour
	}
	sl, err := newSealer(settings.MessageKey)
	if err != nil {
		return nil, err
	}
	s := &Service{k: k, store: store, settings: settings, sealer: sl, wake: make(chan struct{}, 1), effects: map[string]Effect{}}
	if len(settings.MessageKey) > 0 {
		sum := sha256.Sum256(append([]byte("accountd otp hash\x00"), settings.MessageKey...))
		s.otpKey = sum[:]
	}
	return s, nil
}
