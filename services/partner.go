package services

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"regexp"
	"time"
)

// Key statuses.
const (
	KeyActive  = "ACTIVE"
	KeyRevoked = "REVOKED"
)

// Partner is a fintech that calls the bank's API with its keys.
type Partner struct {
	ID        int64
	Name      string
	CreatedAt time.Time
}

// APIKey is one of a partner's signing keys. Only the public key and a hash
// of the credential are kept.
type APIKey struct {
	KeyID          string
	PartnerID      int64
	PartnerName    string // filled by reads
	PublicKeyPEM   string
	CredentialHash string
	Status         string
	CreatedAt      time.Time
	RevokedAt      time.Time
}

// NewKey is what CreateKey hands out once: the private key and credential
// are not stored and cannot be recovered.
type NewKey struct {
	Partner       string `json:"partner"`
	KeyID         string `json:"keyId"`
	Credential    string `json:"credential"`
	PrivateKeyPEM string `json:"privateKey,omitempty"`
}

var rePartnerName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$`)

// Partners manages partners and their API keys.
type Partners struct {
	store Store
	clock Clock
}

// NewPartners returns the partner and key manager on store.
func NewPartners(store Store, clock Clock) *Partners {
	if clock == nil {
		clock = SystemClock{}
	}
	return &Partners{store: store, clock: clock}
}

// CreateKey generates an ECDSA P-256 key pair and a credential for partner
// name, creating the partner if it is new. It fails with a *ValidationError
// for a bad name.
func (p *Partners) CreateKey(ctx context.Context, name string) (NewKey, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return NewKey{}, fmt.Errorf("create key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return NewKey{}, fmt.Errorf("create key: %w", err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return NewKey{}, fmt.Errorf("create key: %w", err)
	}
	k, err := p.register(ctx, name, pubDER)
	if err != nil {
		return NewKey{}, fmt.Errorf("create key: %w", err)
	}
	k.PrivateKeyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	return k, nil
}

// AddKey registers a partner's own ECDSA P-256 public key (PEM
// SubjectPublicKeyInfo) and returns its key id and a new credential. It fails
// with a *ValidationError for a bad name or key.
func (p *Partners) AddKey(ctx context.Context, name string, publicKeyPEM []byte) (NewKey, error) {
	pub, err := ParsePublicKey(publicKeyPEM)
	if err != nil {
		return NewKey{}, fmt.Errorf("add key: %w", &ValidationError{Fields: []FieldError{{Field: "public-key", Reason: ReasonInvalidValue, Message: err.Error()}}})
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return NewKey{}, fmt.Errorf("add key: %w", err)
	}
	k, err := p.register(ctx, name, der)
	if err != nil {
		return NewKey{}, fmt.Errorf("add key: %w", err)
	}
	return k, nil
}

// register stores a public key under partner name with a new key id and
// credential, in one transaction.
func (p *Partners) register(ctx context.Context, name string, pubDER []byte) (NewKey, error) {
	if !rePartnerName.MatchString(name) {
		return NewKey{}, &ValidationError{Fields: []FieldError{{Field: "partner", Reason: ReasonInvalidFormat, Message: "2 to 64 letters, digits, dots, dashes or underscores"}}}
	}
	keyID, err := randomToken("k", 12)
	if err != nil {
		return NewKey{}, err
	}
	credential, err := randomToken("c", 32)
	if err != nil {
		return NewKey{}, err
	}
	now := p.clock.Now()
	key := APIKey{
		KeyID:          keyID,
		PublicKeyPEM:   string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})),
		CredentialHash: hashCredential(credential),
		Status:         KeyActive,
		CreatedAt:      now,
	}
	err = p.store.Update(ctx, func(tx Tx) error {
		partner, err := tx.FindPartnerByName(ctx, name)
		if errors.Is(err, ErrPartnerNotFound) {
			partner = Partner{Name: name, CreatedAt: now}
			partner.ID, err = randomNumber(rand.Reader, 9)
			if err == nil {
				err = tx.InsertPartner(ctx, partner)
			}
		}
		if err != nil {
			return err
		}
		key.PartnerID = partner.ID
		return tx.InsertAPIKey(ctx, key)
	})
	if err != nil {
		return NewKey{}, err
	}
	return NewKey{Partner: name, KeyID: keyID, Credential: credential}, nil
}

// ListKeys returns every key with its partner and status.
func (p *Partners) ListKeys(ctx context.Context) ([]APIKey, error) {
	keys, err := p.store.ListAPIKeys(ctx)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	return keys, nil
}

// RevokeKey revokes a key for good. It fails with ErrKeyNotFound or
// ErrKeyRevoked.
func (p *Partners) RevokeKey(ctx context.Context, keyID string) error {
	err := p.store.Update(ctx, func(tx Tx) error {
		k, err := tx.FindAPIKey(ctx, keyID)
		if err != nil {
			return err
		}
		if k.Status == KeyRevoked {
			return ErrKeyRevoked
		}
		return tx.RevokeAPIKey(ctx, keyID, p.clock.Now())
	})
	if err != nil {
		return fmt.Errorf("revoke key %s: %w", keyID, err)
	}
	return nil
}

// FindPartner returns a partner by name; ErrPartnerNotFound if none.
func (p *Partners) FindPartner(ctx context.Context, name string) (Partner, error) {
	partner, err := p.store.FindPartnerByName(ctx, name)
	if err != nil {
		return Partner{}, fmt.Errorf("find partner %s: %w", name, err)
	}
	return partner, nil
}

// randomToken returns prefix_ followed by n random bytes in unpadded
// URL-safe Base64.
func randomToken(prefix string, n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("draw token: %w", err)
	}
	return prefix + "_" + base64.RawURLEncoding.EncodeToString(b), nil
}

// hashCredential is how credentials are kept: they are long random tokens,
// so a plain SHA-256 resists guessing as well as a slow hash would.
func hashCredential(credential string) string {
	sum := sha256.Sum256([]byte(credential))
	return hex.EncodeToString(sum[:])
}

// credentialMatches compares a credential with a stored hash in constant time.
func credentialMatches(credential, storedHash string) bool {
	got := hashCredential(credential)
	return subtle.ConstantTimeCompare([]byte(got), []byte(storedHash)) == 1
}

// ParsePublicKey reads a PEM SubjectPublicKeyInfo holding an ECDSA P-256
// public key.
func ParsePublicKey(pemBytes []byte) (*ecdsa.PublicKey, error) {
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, errors.New("not a PEM \"PUBLIC KEY\" block (SubjectPublicKeyInfo)")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse public key: %w", err)
	}
	ec, ok := pub.(*ecdsa.PublicKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, errors.New("the key must be an ECDSA P-256 public key")
	}
	return ec, nil
}
