package bank_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store/storetest"
)

func countCustomers(t *testing.T, e *env, call services.Call) int {
	t.Helper()
	return storetest.Count(t, e.path, `SELECT COUNT(*) FROM customers WHERE partner_id = ?`, call.PartnerID)
}

func TestIdempotentReplay(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	call := with(e.alpha, "CustomerService.AddCustomer", `"req-1"`)
	first, err := e.svc.Customers.AddCustomer(ctx, call, dave())
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.svc.Customers.AddCustomer(ctx, call, dave())
	if err != nil || again != first {
		t.Fatalf("replay: got %+v, %v; want the first result %+v", again, err, first)
	}
	if n := countCustomers(t, e, e.alpha); n != 1 {
		t.Fatalf("%d customers after a replay, want 1", n)
	}

	changed := dave()
	changed.FirstName = "David"
	if _, err := e.svc.Customers.AddCustomer(ctx, call, changed); !errors.Is(err, services.ErrIdempotencyConflict) {
		t.Fatalf("same id, other payload: got %v, want ErrIdempotencyConflict", err)
	}
	other := with(e.alpha, "CustomerService.AddAccount", `"req-1"`)
	if _, err := e.svc.Accounts.AddAccount(ctx, other, account.AddAccountInput{CustomerID: first.ID, Name: "D", AccountType: "WALLET", Currency: "USD"}); !errors.Is(err, services.ErrIdempotencyConflict) {
		t.Fatalf("same id, other method: got %v, want ErrIdempotencyConflict", err)
	}
	// Ids are per partner.
	if _, err := e.svc.Customers.AddCustomer(ctx, with(e.beta, "CustomerService.AddCustomer", `"req-1"`), dave()); err != nil {
		t.Fatalf("same id at another partner: %v", err)
	}
	// After the window the id may be used again.
	e.clock.Add(24*time.Hour + time.Second)
	changed.Identification[0].Value, changed.Contact = "234-56-7890", customer.Contact{Email: "david@example.com"}
	if res, err := e.svc.Customers.AddCustomer(ctx, call, changed); err != nil || res.ID == first.ID {
		t.Fatalf("reuse after the window: %+v, %v", res, err)
	}
}

func TestFailedRequestsAreNotRecorded(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	call := with(e.alpha, "CustomerService.AddCustomer", `n:7`)
	bad := dave()
	bad.DOB = "19851332"
	if _, err := e.svc.Customers.AddCustomer(ctx, call, bad); !errors.Is(err, services.ErrInvalidInput) {
		t.Fatalf("bad DOB: %v", err)
	}
	if _, err := e.svc.Customers.AddCustomer(ctx, with(e.alpha, "CustomerService.AddCustomer", ""), dave()); err != nil {
		t.Fatal(err)
	}
	// A business refusal is not recorded either: the corrected retry with
	// the same id goes through.
	if _, err := e.svc.Customers.AddCustomer(ctx, call, dave()); !errors.Is(err, customer.ErrIdentificationExists) {
		t.Fatalf("duplicate: %v", err)
	}
	fixed := dave()
	fixed.Identification[0].Value, fixed.Contact = "234-56-7890", customer.Contact{Email: "other@example.com"}
	if _, err := e.svc.Customers.AddCustomer(ctx, call, fixed); err != nil {
		t.Fatalf("corrected retry with the same id: %v", err)
	}
}

// TestConcurrentDuplicates fires the same request id 20 times at once:
// exactly one customer is created, and every call waits for the first and
// answers the same customer (none is "in progress").
func TestConcurrentDuplicates(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	call := with(e.alpha, "CustomerService.AddCustomer", `"same"`)
	const n = 20
	var wg sync.WaitGroup
	results := make([]customer.AddCustomerResult, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i], errs[i] = e.svc.Customers.AddCustomer(ctx, call, dave())
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("call %d: %v", i, errs[i])
		}
		if results[i] != results[0] {
			t.Fatalf("call %d answered %+v, call 0 %+v", i, results[i], results[0])
		}
	}
	if c := countCustomers(t, e, e.alpha); c != 1 {
		t.Fatalf("%d customers, want 1", c)
	}
}

func TestAuthenticate(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	key, err := e.partners.CreateKey(ctx, "gamma")
	if err != nil {
		t.Fatal(err)
	}
	auth := partner.NewAuthenticator(e.st, e.clock, 2*time.Second)
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

	if err := e.partners.RevokeKey(ctx, key.KeyID); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.Authenticate(ctx, key.KeyID, key.Credential); err != nil {
		t.Fatalf("within the cache time the cached key still answers: %v", err)
	}
	e.clock.Add(2 * time.Second)
	if _, err := auth.Authenticate(ctx, key.KeyID, key.Credential); !errors.Is(err, services.ErrUnauthenticated) {
		t.Fatalf("after the cache time a revoked key: got %v, want ErrUnauthenticated", err)
	}
	if err := e.partners.RevokeKey(ctx, key.KeyID); !errors.Is(err, partner.ErrKeyRevoked) {
		t.Fatalf("revoke twice: %v", err)
	}
	if err := e.partners.RevokeKey(ctx, "k_nope"); !errors.Is(err, partner.ErrKeyNotFound) {
		t.Fatalf("revoke unknown: %v", err)
	}
}

func TestPartnerNames(t *testing.T) {
	e := newEnv(t)
	for _, name := range []string{"", "a", "has space", "slash/name", string(make([]byte, 70))} {
		if _, err := e.partners.CreateKey(context.Background(), name); !errors.Is(err, services.ErrInvalidInput) {
			t.Errorf("CreateKey(%q): got %v, want ErrInvalidInput", name, err)
		}
	}
	if _, err := e.partners.AddKey(context.Background(), "delta", []byte("not a key")); !errors.Is(err, services.ErrInvalidInput) {
		t.Errorf("AddKey with junk: got %v, want ErrInvalidInput", err)
	}
}
