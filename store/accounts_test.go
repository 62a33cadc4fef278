package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store"
	"github.com/accountd/accountd/store/storetest"
)

func execRaw(st *store.Store, query string) error {
	return store.Update(context.Background(), st, func(tx store.AnyTx) error { return store.ExecForTest(tx, query) })
}

func TestAccounts(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	seedPartner(t, st, 1, "alpha")
	seedPartner(t, st, 2, "beta")
	if err := store.Update(ctx, st, func(tx store.AnyTx) error { return tx.InsertCustomer(ctx, newCustomer(100, 1, "N100", "", "")) }); err != nil {
		t.Fatal(err)
	}
	types := []string{"CHECKING", "SAVINGS", "WALLET", "CHECKING", "SAVINGS"}
	err := store.Update(ctx, st, func(tx store.AnyTx) error {
		for i, typ := range types {
			a := account.Account{ID: int64(500 + i), PartnerID: 1, CustomerID: 100, Number: fmt.Sprintf("1000000000000%02d", i),
				Name: "DAVE", Type: typ, Currency: "USD", Status: account.StatusActive,
				CreatedAt: epoch.Add(time.Duration(i) * time.Minute), UpdatedAt: epoch}
			if i == 2 {
				a.ActivityAccountID = 500
			}
			if err := tx.InsertAccount(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("pool number is joined", func(t *testing.T) {
		a, err := st.FindAccount(ctx, 1, account.AccountLookup{ID: 502})
		if err != nil || a.ActivityAccountNumber != "100000000000000" {
			t.Fatalf("got %q, %v; want pool 100000000000000", a.ActivityAccountNumber, err)
		}
	})
	t.Run("duplicate number", func(t *testing.T) {
		err := store.Update(ctx, st, func(tx store.AnyTx) error {
			return tx.InsertAccount(ctx, account.Account{ID: 600, PartnerID: 1, CustomerID: 100, Number: "100000000000000", Name: "X", Type: "GL", Currency: "USD", Status: "ACTIVE", CreatedAt: epoch, UpdatedAt: epoch})
		})
		if !errors.Is(err, services.ErrNumberTaken) {
			t.Fatalf("got %v, want ErrNumberTaken", err)
		}
	})
	t.Run("another partner cannot find it", func(t *testing.T) {
		_, err := st.FindAccount(ctx, 2, account.AccountLookup{Number: "100000000000000"})
		if !errors.Is(err, account.ErrAccountNotFound) {
			t.Fatalf("got %v, want ErrAccountNotFound", err)
		}
	})

	pages := []struct {
		name      string
		f         account.AccountFilter
		wantIDs   []int64
		wantTotal int
	}{
		{"first page", account.AccountFilter{PartnerID: 1, CustomerID: 100, Limit: 2}, []int64{500, 501}, 5},
		{"last page", account.AccountFilter{PartnerID: 1, CustomerID: 100, Limit: 2, Offset: 4}, []int64{504}, 5},
		{"past the end", account.AccountFilter{PartnerID: 1, CustomerID: 100, Limit: 2, Offset: 10}, nil, 5},
		{"by type", account.AccountFilter{PartnerID: 1, CustomerID: 100, Type: "SAVINGS", Limit: 20}, []int64{501, 504}, 2},
		{"by status", account.AccountFilter{PartnerID: 1, CustomerID: 100, Status: "CLOSED", Limit: 20}, nil, 0},
		{"another partner", account.AccountFilter{PartnerID: 2, CustomerID: 100, Limit: 20}, nil, 0},
	}
	for _, tt := range pages {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := st.ListAccounts(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, a := range got {
				ids = append(ids, a.ID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(tt.wantIDs) || total != tt.wantTotal {
				t.Fatalf("got %v (total %d), want %v (total %d)", ids, total, tt.wantIDs, tt.wantTotal)
			}
		})
	}
}

func TestIdempotencyRecords(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	rec := services.IdempotencyRecord{PartnerID: 1, RequestID: `"r1"`, Method: "M", PayloadHash: "h1", CreatedAt: epoch}
	claim := func(r services.IdempotencyRecord, expiredBefore time.Time) (bool, services.IdempotencyRecord) {
		var claimed bool
		var existing services.IdempotencyRecord
		err := store.Update(ctx, st, func(tx store.AnyTx) error {
			var err error
			claimed, existing, err = tx.ClaimIdempotencyKey(ctx, r, expiredBefore, time.Second)
			if claimed && err == nil {
				err = tx.SaveIdempotencyResponse(ctx, r.PartnerID, r.RequestID, []byte(`{"ok":"`+r.PayloadHash+`"}`))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return claimed, existing
	}
	if claimed, _ := claim(rec, epoch.Add(-time.Hour)); !claimed {
		t.Fatal("first claim not granted")
	}
	again := rec
	again.PayloadHash = "h2"
	claimed, existing := claim(again, epoch.Add(-time.Hour))
	if claimed || existing.PayloadHash != "h1" || string(existing.Response) != `{"ok":"h1"}` {
		t.Fatalf("second claim: claimed %v, existing %+v; want the first record", claimed, existing)
	}
	other := rec
	other.PartnerID = 2
	if claimed, _ := claim(other, epoch.Add(-time.Hour)); !claimed {
		t.Fatal("the same id of another partner was not granted")
	}
	later := again
	later.CreatedAt = epoch.Add(25 * time.Hour)
	if claimed, _ := claim(later, epoch.Add(time.Hour)); !claimed {
		t.Fatal("an expired record was not taken over")
	}
	var purged int64
	err := store.Update(ctx, st, func(tx store.AnyTx) error {
		var err error
		purged, err = tx.PurgeIdempotencyKeys(ctx, epoch.Add(time.Hour))
		return err
	})
	if err != nil || purged != 1 {
		t.Fatalf("purge: %d, %v; want 1 (partner 2's old record)", purged, err)
	}
}

func TestKeys(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	seedPartner(t, st, 1, "alpha")
	err := store.Update(ctx, st, func(tx store.AnyTx) error {
		return tx.InsertAPIKey(ctx, partner.APIKey{KeyID: "k1", PartnerID: 1, PublicKeyPEM: "pem", CredentialHash: "h", Status: partner.KeyActive, CreatedAt: epoch, Signature: partner.SignatureV2})
	})
	if err != nil {
		t.Fatal(err)
	}
	k, err := st.FindAPIKey(ctx, "k1")
	if err != nil || k.PartnerName != "alpha" || k.Status != partner.KeyActive {
		t.Fatalf("find key: %+v, %v", k, err)
	}
	if err := store.Update(ctx, st, func(tx store.AnyTx) error { return tx.RevokeAPIKey(ctx, "k1", epoch) }); err != nil {
		t.Fatal(err)
	}
	if k, _ := st.FindAPIKey(ctx, "k1"); k.Status != partner.KeyRevoked || !k.RevokedAt.Equal(epoch) {
		t.Fatalf("after revoke: %+v", k)
	}
	if err := store.Update(ctx, st, func(tx store.AnyTx) error { return tx.RevokeAPIKey(ctx, "nope", epoch) }); !errors.Is(err, partner.ErrKeyNotFound) {
		t.Fatalf("revoke unknown: %v, want ErrKeyNotFound", err)
	}
	if _, err := st.FindAPIKey(ctx, "nope"); !errors.Is(err, partner.ErrKeyNotFound) {
		t.Fatalf("find unknown: %v, want ErrKeyNotFound", err)
	}
	if _, err := st.FindPartnerByName(ctx, "gamma"); !errors.Is(err, partner.ErrPartnerNotFound) {
		t.Fatalf("find unknown partner: %v, want ErrPartnerNotFound", err)
	}
}

// TestMigrateSignaturePolicy migrates a version-7 database holding a key:
// the key keeps working as it did (NETXD), while a key inserted afterwards
// without naming the policy requires ACCOUNTD-V2.
func TestMigrateSignaturePolicy(t *testing.T) {
	ctx := context.Background()
	st, dsn := openAtVersion(t, 7)
	insertKey := func(keyID string) {
		storetest.Exec(t, dsn, `INSERT INTO api_keys (key_id, partner_id, public_key, credential_hash, status, created_at)
			VALUES (?, 1, 'pem', 'h', 'ACTIVE', 0)`, keyID)
	}
	storetest.Exec(t, dsn, `INSERT INTO partners (id, name, created_at) VALUES (1, 'alpha', 0)`)
	insertKey("k_old")
	if applied, err := st.Migrate(ctx); err != nil || len(applied) == 0 || applied[0] != 8 {
		t.Fatalf("migrate: applied %v, %v; want 8 and on after 7", applied, err)
	}
	insertKey("k_new")
	for keyID, want := range map[string]string{"k_old": partner.SignatureNetXD, "k_new": partner.SignatureV2} {
		if k, err := st.FindAPIKey(ctx, keyID); err != nil || k.Signature != want {
			t.Errorf("%s: got %q, %v; want %s", keyID, k.Signature, err, want)
		}
	}
	if err := execRaw(st, `UPDATE api_keys SET signature = 'V1' WHERE key_id = 'k_new'`); err == nil {
		t.Error("a signature policy other than V2 or NETXD was stored")
	}
}
