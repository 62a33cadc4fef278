package load

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/rpc/client"
	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/partner"
)

// Ceiling is the signed no-op server: for every request it decodes the
// envelope, looks the key up and checks the credential's hash, verifies the
// ACCOUNTD-V2 signature (timestamp window included) with the server's own
// partner.Authenticator, and answers an empty result. What a server can do
// with a signed call is bounded by it; accountd's rates are reported as
// shares of its rate measured in the same run, on the same machine.
type Ceiling struct {
	// URL is the server's JSON-RPC endpoint on the loopback interface.
	URL string
	srv *http.Server
	ln  net.Listener
}

// ceilingMaxBody bounds a request the ceiling reads, as server.max_body_bytes
// does accountd's.
const ceilingMaxBody = 1 << 20

// StartCeiling starts the ceiling on a free loopback port; it knows one key,
// key's, as accountd stores it (the public key and the credential's hash).
func StartCeiling(key *client.KeyFile) (*Ceiling, error) {
	pub, err := key.PublicKey()
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("ceiling: %w", err)
	}
	keys := oneKey{partner.APIKey{
		KeyID: key.KeyID, PartnerID: 1, PartnerName: key.Partner, Status: partner.KeyActive, Signature: partner.SignatureV2,
		PublicKeyPEM:   string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})),
		CredentialHash: partner.HashCredential(key.Credential),
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("ceiling: %w", err)
	}
	// The key cache's lifetime is accountd's default (auth.key_cache_ttl).
	h := &ceilingHandler{auth: partner.NewAuthenticator(keys, nil, 2*time.Second)}
	c := &Ceiling{URL: "http://" + ln.Addr().String() + "/jsonrpc", ln: ln,
		srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}}
	go c.srv.Serve(ln) //nolint:errcheck // ends with Close
	return c, nil
}

// Close stops the ceiling.
func (c *Ceiling) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.srv.Shutdown(ctx)
}

// oneKey is a key store that holds one key.
type oneKey struct{ key partner.APIKey }

func (o oneKey) FindAPIKey(_ context.Context, keyID string) (partner.APIKey, error) {
	if keyID != o.key.KeyID {
		return partner.APIKey{}, partner.ErrKeyNotFound
	}
	return o.key, nil
}

// ceilingRequest is the envelope as the ceiling reads it.
type ceilingRequest struct {
	Method string          `json:"method"`
	ID     json.RawMessage `json:"id"`
	Params struct {
		API struct {
			KeyID      string  `json:"keyId"`
			Credential string  `json:"credential"`
			Signature  string  `json:"signature"`
			Timestamp  *string `json:"timestamp"`
		} `json:"api"`
		Payload json.RawMessage `json:"payload"`
	} `json:"params"`
}

type ceilingHandler struct{ auth *partner.Authenticator }

func (h *ceilingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, ceilingMaxBody))
	var req ceilingRequest
	if err != nil || json.Unmarshal(body, &req) != nil {
		writeCeiling(w, nil, rpc.CodeParseError, "not a JSON-RPC request")
		return
	}
	api := req.Params.API
	id, err := h.auth.Authenticate(r.Context(), api.KeyID, api.Credential)
	if err == nil {
		err = h.auth.Verify(id, partner.SignedRequest{Method: req.Method, ID: req.ID, Timestamp: api.Timestamp,
			Payload: req.Params.Payload, Signature: api.Signature})
	}
	switch {
	case errors.Is(err, services.ErrUnauthenticated):
		writeCeiling(w, req.ID, rpc.CodeUnauthenticated, "unauthenticated")
	case errors.Is(err, services.ErrInvalidSignature):
		writeCeiling(w, req.ID, rpc.CodeInvalidSignature, "invalid signature")
	case errors.Is(err, services.ErrTimestampOutOfWindow):
		writeCeiling(w, req.ID, rpc.CodeTimestampRejected, "timestamp out of window")
	case err != nil:
		writeCeiling(w, req.ID, rpc.CodeInvalidParams, err.Error())
	default:
		writeCeiling(w, req.ID, 0, "")
	}
}

// writeCeiling answers id with an empty result, or with an error when code
// is not 0.
func writeCeiling(w http.ResponseWriter, id json.RawMessage, code int, message string) {
	if id == nil {
		id = json.RawMessage("null")
	}
	var b []byte
	if code == 0 {
		b = fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%s,"result":{}}`, id)
	} else {
		msg, _ := json.Marshal(message)
		b = fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%s,"error":{"code":%d,"message":%s}}`, id, code, msg)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b) //nolint:errcheck // the client is gone if this fails
}
