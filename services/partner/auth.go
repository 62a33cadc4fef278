package partner

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/accountd/accountd/services"
)

// Identity is who an authenticated call comes from.
type Identity struct {
	PartnerID   int64
	PartnerName string
	KeyID       string
	Tier        string   // the partner's package tier
	Methods     []string // the key's allowed methods; all when empty
	// Signature is the key's signature policy: SignatureV2 or
	// SignatureNetXD.
	Signature string
	publicKey *ecdsa.PublicKey
}

// Allows reports whether the key may call method.
func (id Identity) Allows(method string) bool {
	return len(id.Methods) == 0 || slices.Contains(id.Methods, method)
}

// Authenticator checks API keys and payload signatures. It caches keys for a
// short time, so that a key revoked by another process (`accountd keys
// revoke`) is refused within that time without a restart.
type Authenticator struct {
	store KeyReader
	clock services.Clock
	ttl   time.Duration
	// maxSkew is how far an ACCOUNTD-V2 timestamp may be from the clock.
	maxSkew time.Duration

	mu    sync.Mutex
	cache map[string]cachedKey
}

type cachedKey struct {
	key     APIKey
	pub     *ecdsa.PublicKey
	missing bool // no such key: remembered too, so that unknown and known
	// key ids cost the same and junk ids do not each reach the database
	fetched time.Time
}

// maxCachedKeys bounds the cache; keys are few, so reaching it means
// something odd and the cache simply starts over.
const maxCachedKeys = 10000

// NewAuthenticator returns an Authenticator that re-reads a key from store
// once its cached copy is older than ttl.
func NewAuthenticator(store KeyReader, clock services.Clock, ttl time.Duration) *Authenticator {
	if clock == nil {
		clock = services.SystemClock{}
	}
	return &Authenticator{store: store, clock: clock, ttl: ttl, maxSkew: DefaultMaxClockSkew, cache: make(map[string]cachedKey)}
}

// maxCredentialLength bounds a credential before it is hashed; accountd's
// are "c_" and 43 Base64 characters.
const maxCredentialLength = 128

// DefaultMaxClockSkew is how far an ACCOUNTD-V2 timestamp may be from the
// server's clock unless WithMaxClockSkew says otherwise.
const DefaultMaxClockSkew = 5 * time.Minute

// WithMaxClockSkew sets how far an ACCOUNTD-V2 timestamp may be from the
// server's clock (auth.max_clock_skew).
func (a *Authenticator) WithMaxClockSkew(d time.Duration) *Authenticator {
	a.maxSkew = d
	return a
}

// Verify checks the signature of a request from id: ACCOUNTD-V2 with a
// timestamp within the clock-skew window, or NetXD's payload-only form for
// keys whose policy allows it. It fails with ErrInvalidSignature,
// ErrTimestampOutOfWindow (a *Refusal that says the server's time) or a
// *ValidationError for a malformed timestamp.
func (a *Authenticator) Verify(id Identity, req SignedRequest) error {
	return verifyRequest(id.publicKey, id.Signature, req, a.clock.Now(), a.maxSkew)
}

// Authenticate checks a key id and credential. Unknown keys, revoked keys
// and wrong credentials all fail with ErrUnauthenticated.
func (a *Authenticator) Authenticate(ctx context.Context, keyID, credential string) (Identity, error) {
	if len(credential) > maxCredentialLength {
		// Credentials are 45 characters; a longer one is not hashed.
		return Identity{}, fmt.Errorf("authenticate: %w", services.ErrUnauthenticated)
	}
	ck, err := a.lookup(ctx, keyID)
	if errors.Is(err, ErrKeyNotFound) {
		credentialMatches(credential, "") // spend the same time as a real check
		return Identity{}, fmt.Errorf("authenticate: %w", services.ErrUnauthenticated)
	}
	if err != nil {
		return Identity{}, fmt.Errorf("authenticate: %w", err)
	}
	if !credentialMatches(credential, ck.key.CredentialHash) || ck.key.Status != KeyActive {
		return Identity{}, fmt.Errorf("authenticate: %w", services.ErrUnauthenticated)
	}
	return Identity{PartnerID: ck.key.PartnerID, PartnerName: ck.key.PartnerName, KeyID: ck.key.KeyID,
		Tier: ck.key.PartnerTier, Methods: ck.key.Methods, Signature: ck.key.Signature, publicKey: ck.pub}, nil
}

func (a *Authenticator) lookup(ctx context.Context, keyID string) (cachedKey, error) {
	now := a.clock.Now()
	a.mu.Lock()
	ck, ok := a.cache[keyID]
	a.mu.Unlock()
	switch {
	case ok && now.Sub(ck.fetched) < a.ttl && ck.missing:
		return cachedKey{}, ErrKeyNotFound
	case ok && now.Sub(ck.fetched) < a.ttl:
		return ck, nil
	case keyID == "" || len(keyID) > 64 || strings.ContainsFunc(keyID, unicode.IsControl):
		return cachedKey{}, ErrKeyNotFound
	}
	key, err := a.store.FindAPIKey(ctx, keyID)
	switch {
	case errors.Is(err, ErrKeyNotFound):
		ck = cachedKey{missing: true, fetched: now}
	case err != nil:
		return cachedKey{}, err
	default:
		pub, err := ParsePublicKey([]byte(key.PublicKeyPEM))
		if err != nil {
			return cachedKey{}, fmt.Errorf("stored key %s: %w", keyID, err)
		}
		ck = cachedKey{key: key, pub: pub, fetched: now}
	}
	a.mu.Lock()
	if len(a.cache) >= maxCachedKeys {
		a.cache = make(map[string]cachedKey)
	}
	a.cache[keyID] = ck
	a.mu.Unlock()
	if ck.missing {
		return cachedKey{}, ErrKeyNotFound
	}
	return ck, nil
}
