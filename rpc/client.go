package rpc

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
)

// KeyFile is what `accountd keys create` writes: everything a partner needs
// to call the API.
type KeyFile struct {
	Partner    string `json:"partner"`
	KeyID      string `json:"keyId"`
	Credential string `json:"credential"`
	PrivateKey string `json:"privateKey"`

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

// Sign returns the Base64 of the ASN.1 DER ECDSA P-256/SHA-256 signature of
// payload, the exact bytes that go into params.payload.
func (k *KeyFile) Sign(payload []byte) (string, error) {
	if k.signer == nil {
		if err := k.parse(); err != nil {
			return "", err
		}
	}
	digest := sha256.Sum256(payload)
	sig, err := ecdsa.SignASN1(rand.Reader, k.signer, digest[:])
	if err != nil {
		return "", fmt.Errorf("sign payload: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// Envelope builds the signed request body for method with the given id (nil
// for a notification). The payload is compacted and then signed exactly as
// it is embedded.
func (k *KeyFile) Envelope(method string, id json.RawMessage, payload []byte) ([]byte, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, payload); err != nil {
		return nil, fmt.Errorf("payload is not JSON: %w", err)
	}
	sig, err := k.Sign(compact.Bytes())
	if err != nil {
		return nil, err
	}
	return EnvelopeWith(method, id, k.KeyID, k.Credential, sig, compact.Bytes())
}

// EnvelopeWith assembles a request body from its parts without signing, for
// callers that supply their own signature.
func EnvelopeWith(method string, id json.RawMessage, keyID, credential, signature string, payload []byte) ([]byte, error) {
	api, err := json.Marshal(map[string]string{"keyId": keyID, "credential": credential, "signature": signature})
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
	b.Write(api)
	b.WriteString(`,"payload":`)
	b.Write(payload)
	b.WriteString("}}")
	return b.Bytes(), nil
}

// Response is a JSON-RPC response as a client reads it.
type Response struct {
	JSONRPC string          `json:"jsonrpc"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *Error          `json:"error,omitempty"`
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
