package partner_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/partner"
)

func TestAuthenticate(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	key, err := e.Partners.CreateKey(ctx, "gamma")
	if err != nil {
		t.Fatal(err)
	}
	auth := partner.NewAuthenticator(e.Store, e.Clock, 2*time.Second)
	tests := []struct {
		name, keyID, credential string
		want                    error
	}{
		{"valid", key.KeyID, key.Credential, nil},
		{"wrong credential", key.KeyID, key.Credential + "x", services.ErrUnauthenticated},
		{"unknown key", "k_unknown", key.Credential, services.ErrUnauthenticated},
		{"empty key", "", key.Credential, services.ErrUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := auth.Authenticate(ctx, tt.keyID, tt.credential)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if err == nil && (id.PartnerName != "gamma" || id.KeyID != key.KeyID) {
				t.Fatalf("identity %+v", id)
			}
			if err != nil && err.Error() != "authenticate: "+services.ErrUnauthenticated.Error() {
				t.Fatalf("message %q tells more than the others", err)
			}
		})
	}

	if err := e.Partners.RevokeKey(ctx, key.KeyID); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.Authenticate(ctx, key.KeyID, key.Credential); err != nil {
		t.Fatalf("within the cache time the cached key still answers: %v", err)
	}
	e.Clock.Add(2 * time.Second)
	if _, err := auth.Authenticate(ctx, key.KeyID, key.Credential); !errors.Is(err, services.ErrUnauthenticated) {
		t.Fatalf("after the cache time a revoked key: got %v, want ErrUnauthenticated", err)
	}
	if err := e.Partners.RevokeKey(ctx, key.KeyID); !errors.Is(err, partner.ErrKeyRevoked) {
		t.Fatalf("revoke twice: %v", err)
	}
	if err := e.Partners.RevokeKey(ctx, "k_nope"); !errors.Is(err, partner.ErrKeyNotFound) {
		t.Fatalf("revoke unknown: %v", err)
	}
}

func TestPartnerNames(t *testing.T) {
	e := banktest.New(t)
	for _, name := range []string{"", "a", "has space", "slash/name", string(make([]byte, 70))} {
		if _, err := e.Partners.CreateKey(context.Background(), name); !errors.Is(err, services.ErrInvalidInput) {
			t.Errorf("CreateKey(%q): got %v, want ErrInvalidInput", name, err)
		}
	}
	if _, err := e.Partners.AddKey(context.Background(), "delta", []byte("not a key")); !errors.Is(err, services.ErrInvalidInput) {
		t.Errorf("AddKey with junk: got %v, want ErrInvalidInput", err)
	}
}
