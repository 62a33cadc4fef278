package partner

import (
	"context"
	"time"

	"github.com/accountd/accountd/services"
)

// KeyReader finds API keys; FindAPIKey returns ErrKeyNotFound.
type KeyReader interface {
	FindAPIKey(ctx context.Context, keyID string) (APIKey, error)
}

// Store is what partner needs from storage: FindAPIKey returns ErrKeyNotFound, FindPartnerByName ErrPartnerNotFound.
type Store interface {
	services.Store
	KeyReader
	ListAPIKeys(ctx context.Context) ([]APIKey, error)
	FindPartnerByName(ctx context.Context, name string) (Partner, error)
}

// Tx is what partner needs from a write transaction.
type Tx interface {
	services.Tx
	FindPartnerByName(ctx context.Context, name string) (Partner, error)
	InsertPartner(ctx context.Context, p Partner) error
	SetPartnerTier(ctx context.Context, partnerID int64, tier string) error
	InsertAPIKey(ctx context.Context, k APIKey) error
	RevokeAPIKey(ctx context.Context, keyID string, at time.Time) error
	FindAPIKey(ctx context.Context, keyID string) (APIKey, error)
	// SetAPIKeySignature sets a key's signature policy; ErrKeyNotFound.
	SetAPIKeySignature(ctx context.Context, keyID, policy string) error
}
