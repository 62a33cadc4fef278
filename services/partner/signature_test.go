package partner_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/partner"
)

func TestV2Message(t *testing.T) {
	tests := []struct {
		name, method, id, timestamp, payload string
		want                                 string
	}{
		{"string id", "CustomerService.AddAccount", `"abc"`, "2026-12-07T10:15:30.123Z", `{"a":1}`,
			"ACCOUNTD-V2\nCustomerService.AddAccount\n\"abc\"\n2026-12-07T10:15:30.123Z\n{\"a\":1}"},
		{"number id", "AccountService.GetDetails", `42`, "2026-12-07T10:15:30Z", `{ "a" : 1 }`,
			"ACCOUNTD-V2\nAccountService.GetDetails\n42\n2026-12-07T10:15:30Z\n{ \"a\" : 1 }"},
		{"no id", "AccountService.GetDetails", ``, "2026-12-07T10:15:30Z", `{}`,
			"ACCOUNTD-V2\nAccountService.GetDetails\n\n2026-12-07T10:15:30Z\n{}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var id []byte
			if tt.id != "" {
				id = []byte(tt.id)
			}
			if got := string(partner.V2Message(tt.method, id, tt.timestamp, []byte(tt.payload))); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// signer signs with a fresh P-256 key registered for a partner.
type signer struct {
	priv  *ecdsa.PrivateKey
	key   partner.NewKey
	ident partner.Identity
}

func newSigner(t *testing.T, e *banktest.Env, auth *partner.Authenticator, policy string) *signer {
	t.Helper()
	ctx := context.Background()
	k, err := e.Partners.CreateKey(ctx, "gamma", partner.KeyOptions{Signature: policy})
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode([]byte(k.PrivateKeyPEM))
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	id, err := auth.Authenticate(ctx, k.KeyID, k.Credential)
	if err != nil {
		t.Fatal(err)
	}
	return &signer{priv: priv.(*ecdsa.PrivateKey), key: k, ident: id}
}

func (s *signer) der(t *testing.T, msg []byte) string {
	t.Helper()
	d := sha256.Sum256(msg)
	sig, err := ecdsa.SignASN1(rand.Reader, s.priv, d[:])
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

func (s *signer) raw(t *testing.T, msg []byte) string {
	t.Helper()
	d := sha256.Sum256(msg)
	r, sv, err := ecdsa.Sign(rand.Reader, s.priv, d[:])
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 64)
	r.FillBytes(out[:32])
	sv.FillBytes(out[32:])
	return base64.RawURLEncoding.EncodeToString(out)
}

func TestVerifyRequest(t *testing.T) {
	e := banktest.New(t)
	auth := partner.NewAuthenticator(e.Store, e.Clock, time.Minute).WithMaxClockSkew(5 * time.Minute)
	v2 := newSigner(t, e, auth, partner.SignatureV2)
	netxd := newSigner(t, e, auth, partner.SignatureNetXD)
	now := e.Clock.Now()
	at := func(d time.Duration) string { return now.Add(d).UTC().Format(partner.TimestampLayout) }
	const method = "AccountService.UnfreezeAccount"
	id, payload := []byte(`"r-1"`), []byte(`{"accountNumber":"200982345048071"}`)
	msg := func(method string, id []byte, ts string, payload []byte) []byte {
		return partner.V2Message(method, id, ts, payload)
	}
	ts := at(0)
	str := func(s string) *string { return &s }
	tests := []struct {
		name string
		who  *signer
		req  partner.SignedRequest
		want error // nil, or the error it wraps
	}{
		{"V2, DER", v2, signedRequest(method, id, str(ts), payload, v2.der(t, msg(method, id, ts, payload))), nil},
		{"V2, raw r||s in URL-safe Base64", v2, signedRequest(method, id, str(ts), payload, v2.raw(t, msg(method, id, ts, payload))), nil},
		{"V2 without an id", v2, signedRequest(method, nil, str(ts), payload, v2.der(t, msg(method, nil, ts, payload))), nil},
		{"V2 from a NETXD key", netxd, signedRequest(method, id, str(ts), payload, netxd.der(t, msg(method, id, ts, payload))), nil},
		{"signed for another method", v2, signedRequest(method, id, str(ts), payload, v2.der(t, msg("AccountService.FreezeAccount", id, ts, payload))), services.ErrInvalidSignature},
		{"signed for another id", v2, signedRequest(method, []byte(`"r-2"`), str(ts), payload, v2.der(t, msg(method, id, ts, payload))), services.ErrInvalidSignature},
		{"the same id written as another JSON text", v2, signedRequest(method, []byte(`"\u0072-1"`), str(ts), payload, v2.der(t, msg(method, id, ts, payload))), services.ErrInvalidSignature},
		{"signed for another timestamp", v2, signedRequest(method, id, str(at(time.Second)), payload, v2.der(t, msg(method, id, ts, payload))), services.ErrInvalidSignature},
		{"signed for another payload", v2, signedRequest(method, id, str(ts), []byte(`{"accountNumber":"900309799403557"}`), v2.der(t, msg(method, id, ts, payload))), services.ErrInvalidSignature},
		{"signed by another key", v2, signedRequest(method, id, str(ts), payload, netxd.der(t, msg(method, id, ts, payload))), services.ErrInvalidSignature},
		{"V2 without fraction digits", v2, signedRequest(method, id, str(now.Format("2006-01-02T15:04:05Z")), payload, v2.der(t, msg(method, id, now.Format("2006-01-02T15:04:05Z"), payload))), nil},
		{"V2 with nanoseconds", v2, signedRequest(method, id, str(now.Format("2006-01-02T15:04:05.000000000Z")), payload, v2.der(t, msg(method, id, now.Format("2006-01-02T15:04:05.000000000Z"), payload))), nil},
		{"at the edge of the window, past", v2, signedRequest(method, id, str(at(-5*time.Minute)), payload, v2.der(t, msg(method, id, at(-5*time.Minute), payload))), nil},
		{"at the edge of the window, future", v2, signedRequest(method, id, str(at(5*time.Minute)), payload, v2.der(t, msg(method, id, at(5*time.Minute), payload))), nil},
		{"stale", v2, signedRequest(method, id, str(at(-5*time.Minute-time.Millisecond)), payload, v2.der(t, msg(method, id, at(-5*time.Minute-time.Millisecond), payload))), services.ErrTimestampOutOfWindow},
		{"from the future", v2, signedRequest(method, id, str(at(6*time.Minute)), payload, v2.der(t, msg(method, id, at(6*time.Minute), payload))), services.ErrTimestampOutOfWindow},
		{"a day old", v2, signedRequest(method, id, str(at(-24*time.Hour)), payload, v2.der(t, msg(method, id, at(-24*time.Hour), payload))), services.ErrTimestampOutOfWindow},
		{"timestamp with an offset", v2, signedRequest(method, id, str("2026-11-21T17:00:00+07:00"), payload, "x"), services.ErrInvalidInput},
		{"timestamp without a zone", v2, signedRequest(method, id, str("2026-11-21T10:00:00"), payload, "x"), services.ErrInvalidInput},
		{"timestamp with lower-case z", v2, signedRequest(method, id, str("2026-11-21T10:00:00.000z"), payload, "x"), services.ErrInvalidInput},
		{"timestamp with a comma", v2, signedRequest(method, id, str("2026-11-21T10:00:00,123Z"), payload, "x"), services.ErrInvalidInput},
		{"timestamp with a one-digit hour", v2, signedRequest(method, id, str("2026-11-21T1:00:00Z"), payload, "x"), services.ErrInvalidInput},
		{"timestamp with ten fraction digits", v2, signedRequest(method, id, str("2026-11-21T10:00:00.1234567890Z"), payload, "x"), services.ErrInvalidInput},
		{"a leap second", v2, signedRequest(method, id, str("2026-12-31T23:59:60Z"), payload, "x"), services.ErrInvalidInput},
		{"timestamp in seconds", v2, signedRequest(method, id, str("1795255200"), payload, "x"), services.ErrInvalidInput},
		{"empty timestamp", v2, signedRequest(method, id, str(""), payload, "x"), services.ErrInvalidInput},
		{"payload-only from a V2 key", v2, signedRequest(method, id, nil, payload, v2.der(t, payload)), services.ErrInvalidSignature},
		{"payload-only from a NETXD key", netxd, signedRequest(method, id, nil, payload, netxd.der(t, payload)), nil},
		{"payload-only of other bytes from a NETXD key", netxd, signedRequest(method, id, nil, payload, netxd.der(t, []byte(`{}`))), services.ErrInvalidSignature},
		{"no signature", v2, signedRequest(method, id, str(ts), payload, ""), services.ErrInvalidSignature},
		{"not Base64", v2, signedRequest(method, id, str(ts), payload, "%%%"), services.ErrInvalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := auth.Verify(tt.who.ident, tt.req)
			switch {
			case tt.want == nil && err != nil:
				t.Fatalf("got %v, want success", err)
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			var r *services.Refusal
			if errors.Is(err, services.ErrTimestampOutOfWindow) && (!errors.As(err, &r) || r.Detail == "") {
				t.Fatalf("a refused timestamp does not say the server's time: %v", err)
			}
		})
	}
}

// TestSignaturePolicyChange moves a key between policies; the authenticator
// applies the change once its cached copy of the key is stale.
func TestSignaturePolicyChange(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	auth := partner.NewAuthenticator(e.Store, e.Clock, time.Minute)
	s := newSigner(t, e, auth, partner.SignatureNetXD)
	payload := []byte(`{"accountId":"200982345048071"}`)
	payloadOnly := partner.SignedRequest{Method: "AccountService.GetDetails", Payload: payload, Signature: s.der(t, payload)}
	identity := func() partner.Identity {
		t.Helper()
		id, err := auth.Authenticate(ctx, s.key.KeyID, s.key.Credential)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	if err := auth.Verify(identity(), payloadOnly); err != nil {
		t.Fatalf("NETXD key, payload-only: %v", err)
	}
	if err := e.Partners.SetSignature(ctx, s.key.KeyID, partner.SignatureV2); err != nil {
		t.Fatal(err)
	}
	e.Clock.Add(time.Minute)
	if err := auth.Verify(identity(), payloadOnly); !errors.Is(err, services.ErrInvalidSignature) {
		t.Fatalf("after the move to V2, payload-only: %v, want ErrInvalidSignature", err)
	}
	tests := []struct {
		name, keyID, policy string
		want                error
	}{
		{"unknown policy", s.key.KeyID, "V1", services.ErrInvalidInput},
		{"unknown key", "k_nobody", partner.SignatureNetXD, partner.ErrKeyNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := e.Partners.SetSignature(ctx, tt.keyID, tt.policy); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	if err := e.Partners.RevokeKey(ctx, s.key.KeyID); err != nil {
		t.Fatal(err)
	}
	if err := e.Partners.SetSignature(ctx, s.key.KeyID, partner.SignatureNetXD); !errors.Is(err, partner.ErrKeyRevoked) {
		t.Fatalf("a revoked key: %v, want ErrKeyRevoked", err)
	}
}

// signedRequest is a partner.SignedRequest in field order.
func signedRequest(method string, id []byte, timestamp *string, payload []byte, signature string) partner.SignedRequest {
	return partner.SignedRequest{Method: method, ID: id, Timestamp: timestamp, Payload: payload, Signature: signature}
}
