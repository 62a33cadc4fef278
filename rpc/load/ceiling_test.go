package load

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/accountd/accountd/rpc"
	"github.com/accountd/accountd/rpc/client"
)

// testKey is a new partner key file, as `accountd keys create` writes one.
func testKey(t *testing.T) *client.KeyFile {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return &client.KeyFile{Partner: "loadtest", KeyID: "k_load", Credential: "c_secret",
		PrivateKey: string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))}
}

// TestCeilingVerifies: the ceiling answers a correctly signed call, and
// refuses what accountd refuses: another credential, a payload changed
// after signing, another id, a stale timestamp, an unknown key.
func TestCeilingVerifies(t *testing.T) {
	key := testKey(t)
	c, err := StartCeiling(key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	signed := func(t *testing.T, k *client.KeyFile) string {
		t.Helper()
		body, err := k.Envelope("AccountService.GetDetails", json.RawMessage(`"id-1"`), []byte(`{"accountId":"100000000000000"}`))
		if err != nil {
			t.Fatal(err)
		}
		return string(body)
	}
	other := *key
	other.Credential = "c_other"
	stale := *key
	stale.Now = func() time.Time { return time.Now().Add(-time.Hour) }
	unknown := *key
	unknown.KeyID = "k_unknown"
	tests := []struct {
		name string
		body string
		want int // 0: a result
	}{
		{"signed", signed(t, key), 0},
		{"other credential", signed(t, &other), rpc.CodeUnauthenticated},
		{"unknown key", signed(t, &unknown), rpc.CodeUnauthenticated},
		{"payload changed", strings.Replace(signed(t, key), "100000000000000", "100000000000001", 1), rpc.CodeInvalidSignature},
		{"id changed", strings.Replace(signed(t, key), `"id-1"`, `"id-2"`, 1), rpc.CodeInvalidSignature},
		{"stale timestamp", signed(t, &stale), rpc.CodeTimestampRejected},
		{"not JSON", "{", rpc.CodeParseError},
	}
	cl := &client.Client{URL: c.URL}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, raw, err := cl.Post(context.Background(), []byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			var resp client.Response
			if err := json.Unmarshal(raw, &resp); err != nil {
				t.Fatalf("answer %s: %v", raw, err)
			}
			got := 0
			if resp.Error != nil {
				got = resp.Error.Code
			}
			if got != tt.want || (tt.want == 0 && string(resp.Result) != "{}") {
				t.Errorf("got %s; want code %d", raw, tt.want)
			}
		})
	}
}
