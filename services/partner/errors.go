package partner

import (
	"errors"
)

// The partner refusals (see services.Refuse); the transport maps each to a
// JSON-RPC code in its one error table (rpc/errors.go).
var (
	// ErrPartnerNotFound means no partner has that name.
	ErrPartnerNotFound = errors.New("partner not found")
	// ErrKeyNotFound means no API key has that id.
	ErrKeyNotFound = errors.New("api key not found")
	// ErrKeyRevoked means the API key was already revoked.
	ErrKeyRevoked = errors.New("api key already revoked")
)
