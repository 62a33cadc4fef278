package services

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Identity is who an authenticated call comes from.
type Identity struct {
	PartnerID   int64
	PartnerName string
	KeyID       string
	Tier        string   // the partner's package tier
	Methods     []string // the key's allowed methods; all when empty
	publicKey   *ecdsa.PublicKey
}

// Allows reports whether the key may call method.
func (id Identity) Allows(method string) bool {
	return len(id.Methods) == 0 || slices.Contains(id.Methods, method)
}

// Authenticator checks API keys and payload signatures. It caches keys for a
// short time, so that a key revoked by another process (`accountd keys
// revoke`) is refused within that time without a restart.
type Authenticator struct {
	store Reader
	clock Clock
	ttl   time.Duration

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
func NewAuthenticator(store Reader, clock Clock, ttl time.Duration) *Authenticator {
	if clock == nil {
		clock = SystemClock{}
	}
	return &Authenticator{store: store, clock: clock, ttl: ttl, cache: make(map[string]cachedKey)}
}

// Authenticate checks a key id and credential. Unknown keys, revoked keys
// and wrong credentials all fail with ErrUnauthenticated.
func (a *Authenticator) Authenticate(ctx context.Context, keyID, credential string) (Identity, error) {
	ck, err := a.lookup(ctx, keyID)
	if errors.Is(err, ErrKeyNotFound) {
		credentialMatches(credential, "") // spend the same time as a real check
		return Identity{}, fmt.Errorf("authenticate: %w", ErrUnauthenticated)
	}
	if err != nil {
		return Identity{}, fmt.Errorf("authenticate: %w", err)
	}
	if !credentialMatches(credential, ck.key.CredentialHash) || ck.key.Status != KeyActive {
		return Identity{}, fmt.Errorf("authenticate: %w", ErrUnauthenticated)
	}
	return Identity{PartnerID: ck.key.PartnerID, PartnerName: ck.key.PartnerName, KeyID: ck.key.KeyID,
		Tier: ck.key.PartnerTier, Methods: ck.key.Methods, publicKey: ck.pub}, nil
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

// VerifyPayload checks signature, the Base64 of an ECDSA P-256/SHA-256
// signature, over payload: the exact bytes of params.payload as they stand in
// the request. The signature may be ASN.1 DER (Java's SHA256withECDSA, Go's
// ecdsa.SignASN1) or the raw 64-byte r||s form (WebCrypto). If the exact
// bytes do not verify, the payload with insignificant whitespace removed is
// tried. Anything else fails with ErrInvalidSignature.
func (id Identity) VerifyPayload(payload []byte, signature string) error {
	return VerifyPayload(id.publicKey, payload, signature)
}

// VerifyPayload is Identity.VerifyPayload for a given public key.
func VerifyPayload(pub *ecdsa.PublicKey, payload []byte, signature string) error {
	if pub == nil {
		return fmt.Errorf("verify signature: no key: %w", ErrInvalidSignature)
	}
	if signature == "" {
		return fmt.Errorf("verify signature: missing: %w", ErrInvalidSignature)
	}
	sig, err := decodeBase64(signature)
	if err != nil {
		return fmt.Errorf("verify signature: not Base64: %w", ErrInvalidSignature)
	}
	if VerifySignature(pub, payload, sig) {
		return nil
	}
	var compact bytes.Buffer
	if json.Compact(&compact, payload) == nil && compact.Len() != len(payload) && VerifySignature(pub, compact.Bytes(), sig) {
		return nil
	}
	return fmt.Errorf("verify signature: %w", ErrInvalidSignature)
}

// VerifySignature reports whether sig (DER or raw r||s) is pub's signature of
// the SHA-256 digest of msg.
func VerifySignature(pub *ecdsa.PublicKey, msg, sig []byte) bool {
	digest := sha256.Sum256(msg)
	if ecdsa.VerifyASN1(pub, digest[:], sig) {
		return true
	}
	if len(sig) == 64 {
		r := new(big.Int).SetBytes(sig[:32])
		s := new(big.Int).SetBytes(sig[32:])
		return ecdsa.Verify(pub, digest[:], r, s)
	}
	return false
}

// decodeBase64 accepts standard Base64, padded or not, and its URL-safe
// variant.
func decodeBase64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not Base64")
}
