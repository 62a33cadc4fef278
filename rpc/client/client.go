// Package client is what a partner needs to call accountd: its key file,
// the ACCOUNTD-V2 signature, the envelope and an HTTP client. The CLI's
// call, sign and replay commands and the tests use it.
package client

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/accountd/accountd/rpc/jsonrpc"
	"github.com/accountd/accountd/services/partner"
)

// KeyFile is what `accountd keys create` writes: everything a partner needs
// to call the API.
type KeyFile struct {
	Partner    string `json:"partner"`
	KeyID      string `json:"keyId"`
	Credential string `json:"credential"`
	PrivateKey string `json:"privateKey"`

	// Now, when set, is the clock of the timestamps signed (a test's
	// moved clock); the system clock otherwise.
	Now func() time.Time `json:"-"`
	// PayloadOnly makes Envelope sign NetXD's payload-only form, for keys
	// with the NETXD signature policy.
	PayloadOnly bool `json:"-"`

	signer *ecdsa.PrivateKey
}

// LoadKeyFile reads and checks a key file.
func LoadKeyFile(path string) (*KeyFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	var k KeyFile
	if err := json.Unmarshal(b, &k); err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	if err := k.parse(); err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return &k, nil
}

func (k *KeyFile) parse() error {
	if k.KeyID == "" || k.Credential == "" {
		return errors.New("keyId and credential are required")
	}
	block, _ := pem.Decode([]byte(k.PrivateKey))
	if block == nil {
		return errors.New("privateKey is not PEM")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return fmt.Errorf("privateKey: %w", err)
	}
	ec, ok := key.(*ecdsa.PrivateKey)
	if !ok {
		return errors.New("privateKey is not an ECDSA key")
	}
	k.signer = ec
	return nil
}

// PublicKey is the public half of the key file's private key, as the
// server stores it.
func (k *KeyFile) PublicKey() (*ecdsa.PublicKey, error) {
	if k.signer == nil {
		if err := k.parse(); err != nil {
			return nil, err
		}
	}
	return &k.signer.PublicKey, nil
}

// sign returns the Base64 of the ASN.1 DER ECDSA P-256/SHA-256 signature
// of msg.
func (k *KeyFile) sign(msg []byte) (string, error) {
	if k.signer == nil {
		if err := k.parse(); err != nil {
			return "", err
		}
	}
	digest := sha256.Sum256(msg)
	sig, err := ecdsa.SignASN1(rand.Reader, k.signer, digest[:])
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// SignV2 returns the ACCOUNTD-V2 signature of a request: over ACCOUNTD-V2
// LF method LF id LF timestamp LF payload, where id is the id member's JSON
// text as it stands in the body (nil for none) and payload the exact bytes
// of params.payload.
func (k *KeyFile) SignV2(method string, id json.RawMessage, timestamp string, payload []byte) (string, error) {
	return k.sign(partner.V2Message(method, id, timestamp, payload))
}

// SignPayload returns NetXD's payload-only signature of payload, which only
// keys with the NETXD signature policy accept.
func (k *KeyFile) SignPayload(payload []byte) (string, error) {
	return k.sign(payload)
}

// Timestamp is the params.api.timestamp the key file signs now.
func (k *KeyFile) Timestamp() string {
	return k.NowTime().UTC().Format(partner.TimestampLayout)
}

// NowTime is the time of Now, or of the system clock.
func (k *KeyFile) NowTime() time.Time {
	if k.Now != nil {
		return k.Now()
	}
	return time.Now()
}

// Envelope builds the signed request body for method with the given id (nil
// for a notification): the payload is compacted, then signed with
// ACCOUNTD-V2 and the current timestamp (or payload-only when PayloadOnly
// is set) exactly as it is embedded.
func (k *KeyFile) Envelope(method string, id json.RawMessage, payload []byte) ([]byte, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, payload); err != nil {
		return nil, fmt.Errorf("payload is not JSON: %w", err)
	}
	api := API{KeyID: k.KeyID, Credential: k.Credential}
	var err error
	if k.PayloadOnly {
		api.Signature, err = k.SignPayload(compact.Bytes())
	} else {
		api.Timestamp = k.Timestamp()
		api.Signature, err = k.SignV2(method, id, api.Timestamp, compact.Bytes())
	}
	if err != nil {
		return nil, err
	}
	return EnvelopeWith(method, id, api, compact.Bytes())
}

// API is the api block of a request's params. Timestamp is left out when
// empty (NetXD's payload-only form).
type API struct {
	KeyID      string `json:"keyId"`
	Credential string `json:"credential"`
	Signature  string `json:"signature"`
	Timestamp  string `json:"timestamp,omitempty"`
}

// EnvelopeWith assembles a request body from its parts without signing, for
// callers that supply their own signature. The members come in the order
// method, id, params.api, params.payload, so that a server can
// authenticate a large upload before reading its payload.
func EnvelopeWith(method string, id json.RawMessage, api API, payload []byte) ([]byte, error) {
	apiJSON, err := json.Marshal(api)
	if err != nil {
		return nil, err
	}
	m, _ := json.Marshal(method)
	var b bytes.Buffer
	b.WriteString(`{"jsonrpc":"2.0","method":`)
	b.Write(m)
	if id != nil {
		b.WriteString(`,"id":`)
		b.Write(id)
	}
	b.WriteString(`,"params":{"api":`)
	b.Write(apiJSON)
	b.WriteString(`,"payload":`)
	b.Write(payload)
	b.WriteString("}}")
	return b.Bytes(), nil
}

// Response is a JSON-RPC response as a client reads it.
type Response struct {
	JSONRPC string          `json:"jsonrpc"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *jsonrpc.Error  `json:"error,omitempty"`
	ID      json.RawMessage `json:"id"`
}

// Client posts requests to an accountd server.
type Client struct {
	URL  string
	HTTP *http.Client
}

// Post sends a JSON body and returns the HTTP status and the response body.
func (c *Client) Post(ctx context.Context, body []byte) (int, []byte, error) {
	return c.Send(ctx, http.MethodPost, "application/json", body)
}

// Send is Post with another HTTP method or content type, for tests of the
// HTTP envelope.
func (c *Client) Send(ctx context.Context, method, contentType string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.URL, bytes.NewReader(body))
	if err != nil {
		return 0, nil, fmt.Errorf("build request: %w", err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("post %s: %w", c.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("read response: %w", err)
	}
	return resp.StatusCode, b, nil
}
