package partner

import (
	"cmp"
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
	"slices"
	"strings"
	"time"

	"github.com/accountd/accountd/services"
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
	Tier      string // package tier: BRONZE, SILVER, GOLD or PLATINUM
	CreatedAt time.Time
}

// Package tiers, after OCB's partner packages: each sets a partner's
// requests per minute (rpc enforces them; config sets the numbers).
const (
	TierBronze   = "BRONZE"
	TierSilver   = "SILVER"
	TierGold     = "GOLD"
	TierPlatinum = "PLATINUM"
)

// Tiers lists the package tiers from the smallest.
var Tiers = []string{TierBronze, TierSilver, TierGold, TierPlatinum}

// unknownSignature is the field error for a policy not in SignaturePolicies.
var unknownSignature = services.FieldError{Field: "signature", Reason: services.ReasonNotAllowed, Message: "must be " + strings.Join(SignaturePolicies, " or ")}

// unknownTier is the field error for a tier not in Tiers.
var unknownTier = services.FieldError{Field: "tier", Reason: services.ReasonNotAllowed, Message: "must be one of " + strings.Join(Tiers, ", ")}

// KeyOptions are the optional settings of a new key.
type KeyOptions struct {
	// Tier sets the partner's package tier; empty keeps the partner's tier
	// (BRONZE for a new partner).
	Tier string
	// Methods limits the key to these methods; empty allows every method.
	Methods []string
	// Signature is the key's signature policy; empty is SignatureV2.
	Signature string
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
	Methods        []string // the only methods the key may call; all when empty
	PartnerTier    string   // filled by reads
	// Signature is the signature policy: SignatureV2, or SignatureNetXD for
	// a key that also accepts NetXD's payload-only form.
	Signature string
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
	store   Store
	clock   services.Clock
	methods func(string) bool // which method names exist, to check key limits
	// defaultTier is the tier of a partner created without one.
	defaultTier string
}

// WithDefaultTier makes partners created without a tier get tier.
func (p *Partners) WithDefaultTier(tier string) *Partners {
	p.defaultTier = tier
	return p
}

// WithMethodCheck makes p refuse key limits that name unknown methods.
func (p *Partners) WithMethodCheck(known func(method string) bool) *Partners {
	p.methods = known
	return p
}

// NewPartners returns the partner and key manager on store.
func NewPartners(store Store, clock services.Clock) *Partners {
	if clock == nil {
		clock = services.SystemClock{}
	}
	return &Partners{store: store, clock: clock}
}

// CreateKey generates an ECDSA P-256 key pair and a credential for partner
// name, creating the partner if it is new. It fails with a *ValidationError
// for a bad name.
func (p *Partners) CreateKey(ctx context.Context, name string, opts ...KeyOptions) (NewKey, error) {
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
	k, err := p.register(ctx, name, pubDER, keyOptions(opts))
	if err != nil {
		return NewKey{}, fmt.Errorf("create key: %w", err)
	}
	k.PrivateKeyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	return k, nil
}

// AddKey registers a partner's own ECDSA P-256 public key (PEM
// SubjectPublicKeyInfo) and returns its key id and a new credential. It fails
// with a *ValidationError for a bad name or key.
func (p *Partners) AddKey(ctx context.Context, name string, publicKeyPEM []byte, opts ...KeyOptions) (NewKey, error) {
	pub, err := ParsePublicKey(publicKeyPEM)
	if err != nil {
		return NewKey{}, fmt.Errorf("add key: %w", &services.ValidationError{Fields: []services.FieldError{{Field: "public-key", Reason: services.ReasonInvalidValue, Message: err.Error()}}})
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return NewKey{}, fmt.Errorf("add key: %w", err)
	}
	k, err := p.register(ctx, name, der, keyOptions(opts))
	if err != nil {
		return NewKey{}, fmt.Errorf("add key: %w", err)
	}
	return k, nil
}

// register stores a public key under partner name with a new key id and
// credential, in one transaction.
func (p *Partners) register(ctx context.Context, name string, pubDER []byte, opts KeyOptions) (NewKey, error) {
	var fields []services.FieldError
	if !rePartnerName.MatchString(name) {
		fields = append(fields, services.FieldError{Field: "partner", Reason: services.ReasonInvalidFormat, Message: "2 to 64 letters, digits, dots, dashes or underscores"})
	}
	if opts.Tier != "" && !slices.Contains(Tiers, opts.Tier) {
		fields = append(fields, unknownTier)
	}
	if opts.Signature == "" {
		opts.Signature = SignatureV2
	}
	if !slices.Contains(SignaturePolicies, opts.Signature) {
		fields = append(fields, unknownSignature)
	}
	for _, m := range opts.Methods {
		if p.methods != nil && !p.methods(m) {
			fields = append(fields, services.FieldError{Field: "methods", Reason: services.ReasonNotAllowed, Message: "no method named " + m})
		}
	}
	if len(fields) > 0 {
		return NewKey{}, &services.ValidationError{Fields: fields}
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
		CredentialHash: HashCredential(credential),
		Status:         KeyActive,
		CreatedAt:      now,
		Methods:        opts.Methods,
		Signature:      opts.Signature,
	}
	err = services.Update(ctx, p.store, func(tx Tx) error {
		partner, err := tx.FindPartnerByName(ctx, name)
		switch {
		case errors.Is(err, ErrPartnerNotFound):
			partner = Partner{Name: name, Tier: cmp.Or(opts.Tier, p.defaultTier, TierBronze), CreatedAt: now}
			partner.ID, err = services.RandomNumber(rand.Reader, 9)
			if err == nil {
				err = tx.InsertPartner(ctx, partner)
			}
		case err == nil && opts.Tier != "" && opts.Tier != partner.Tier:
			err = tx.SetPartnerTier(ctx, partner.ID, opts.Tier)
		}
		if err != nil {
			return err
		}
		key.PartnerID = partner.ID
		if err := tx.InsertAPIKey(ctx, key); err != nil {
			return err
		}
		return services.AppendAdminAudit(ctx, tx, now, partner.ID, "keys.create", keyAuditEntities(keyID, opts))
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
	now := p.clock.Now()
	err := p.changeKey(ctx, keyID, "keys.revoke", map[string]string{"keyId": keyID}, func(tx Tx) error {
		return tx.RevokeAPIKey(ctx, keyID, now)
	})
	if err != nil {
		return fmt.Errorf("revoke key %s: %w", keyID, err)
	}
	return nil
}

// changeKey runs change on an active key in one transaction, with its row
// in the audit trail. It fails with ErrKeyNotFound or ErrKeyRevoked.
func (p *Partners) changeKey(ctx context.Context, keyID, action string, entities map[string]string, change func(tx Tx) error) error {
	return services.Update(ctx, p.store, func(tx Tx) error {
		k, err := tx.FindAPIKey(ctx, keyID)
		if err != nil {
			return err
		}
		if k.Status == KeyRevoked {
			return ErrKeyRevoked
		}
		if err := change(tx); err != nil {
			return err
		}
		return services.AppendAdminAudit(ctx, tx, p.clock.Now(), k.PartnerID, action, entities)
	})
}

// SetSignature changes which signature forms a key accepts. Running
// servers apply it within their key cache time. It fails with
// ErrKeyNotFound, ErrKeyRevoked or a *ValidationError for an unknown policy.
func (p *Partners) SetSignature(ctx context.Context, keyID, policy string) error {
	if !slices.Contains(SignaturePolicies, policy) {
		return fmt.Errorf("set signature policy: %w", &services.ValidationError{Fields: []services.FieldError{unknownSignature}})
	}
	err := p.changeKey(ctx, keyID, "keys.signature", map[string]string{"keyId": keyID, "signature": policy}, func(tx Tx) error {
		return tx.SetAPIKeySignature(ctx, keyID, policy)
	})
	if err != nil {
		return fmt.Errorf("set signature policy of %s: %w", keyID, err)
	}
	return nil
}

// SetTier changes a partner's package tier. Running servers apply it within
// their key cache time. It fails with ErrPartnerNotFound or a
// *ValidationError for an unknown tier.
func (p *Partners) SetTier(ctx context.Context, name, tier string) error {
	if !slices.Contains(Tiers, tier) {
		return fmt.Errorf("set tier: %w", &services.ValidationError{Fields: []services.FieldError{unknownTier}})
	}
	err := services.Update(ctx, p.store, func(tx Tx) error {
		partner, err := tx.FindPartnerByName(ctx, name)
		if err != nil {
			return err
		}
		if err := tx.SetPartnerTier(ctx, partner.ID, tier); err != nil {
			return err
		}
		return services.AppendAdminAudit(ctx, tx, p.clock.Now(), partner.ID, "partners.setTier", map[string]string{"tier": tier})
	})
	if err != nil {
		return fmt.Errorf("set tier of %s: %w", name, err)
	}
	return nil
}

// keyAuditEntities names a new key in the audit trail, with the tier it set
// and the methods it is limited to, if any.
func keyAuditEntities(keyID string, opts KeyOptions) map[string]string {
	ids := map[string]string{"keyId": keyID, "signature": opts.Signature}
	if opts.Tier != "" {
		ids["tier"] = opts.Tier
	}
	if len(opts.Methods) > 0 {
		ids["methods"] = strings.Join(opts.Methods, " ")
	}
	return ids
}

// keyOptions returns the options given, if any.
func keyOptions(opts []KeyOptions) KeyOptions {
	if len(opts) == 0 {
		return KeyOptions{}
	}
	return opts[0]
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

// HashCredential is how credentials are kept: they are long random tokens,
// so a plain SHA-256 resists guessing as well as a slow hash would.
func HashCredential(credential string) string {
	sum := sha256.Sum256([]byte(credential))
	return hex.EncodeToString(sum[:])
}

// credentialMatches compares a credential with a stored hash in constant time.
func credentialMatches(credential, storedHash string) bool {
	got := HashCredential(credential)
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
