package services_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank/banktest"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store/storetest"
)

func countCustomers(t *testing.T, e *banktest.Env, call services.Call) int {
	t.Helper()
	return storetest.Count(t, e.Path, `SELECT COUNT(*) FROM customers WHERE partner_id = ?`, call.PartnerID)
}

func TestIdempotentReplay(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	call := banktest.With(e.Alpha, "CustomerService.AddCustomer", `"req-1"`)
	first, err := e.Bank.Customers.AddCustomer(ctx, call, banktest.Dave())
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.Bank.Customers.AddCustomer(ctx, call, banktest.Dave())
	if err != nil || again != first {
		t.Fatalf("replay: got %+v, %v; want the first result %+v", again, err, first)
	}
	if n := countCustomers(t, e, e.Alpha); n != 1 {
		t.Fatalf("%d customers after a replay, want 1", n)
	}

	changed := banktest.Dave()
	changed.FirstName = "David"
	if _, err := e.Bank.Customers.AddCustomer(ctx, call, changed); !errors.Is(err, services.ErrIdempotencyConflict) {
		t.Fatalf("same id, other payload: got %v, want ErrIdempotencyConflict", err)
	}
	other := banktest.With(e.Alpha, "CustomerService.AddAccount", `"req-1"`)
	if _, err := e.Bank.Accounts.AddAccount(ctx, other, account.AddAccountInput{CustomerID: first.ID, Name: "D", AccountType: "WALLET", Currency: "USD"}); !errors.Is(err, services.ErrIdempotencyConflict) {
		t.Fatalf("same id, other method: got %v, want ErrIdempotencyConflict", err)
	}
	// Ids are per partner.
	if _, err := e.Bank.Customers.AddCustomer(ctx, banktest.With(e.Beta, "CustomerService.AddCustomer", `"req-1"`), banktest.Dave()); err != nil {
		t.Fatalf("same id at another partner: %v", err)
	}
	// After the window the id may be used again.
	e.Clock.Add(24*time.Hour + time.Second)
	changed.Identification[0].Value, changed.Contact = "234-56-7890", customer.Contact{Email: "david@example.com"}
	if res, err := e.Bank.Customers.AddCustomer(ctx, call, changed); err != nil || res.ID == first.ID {
		t.Fatalf("reuse after the window: %+v, %v", res, err)
	}
}

func TestFailedRequestsAreNotRecorded(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	call := banktest.With(e.Alpha, "CustomerService.AddCustomer", `n:7`)
	bad := banktest.Dave()
	bad.DOB = "19851332"
	if _, err := e.Bank.Customers.AddCustomer(ctx, call, bad); !errors.Is(err, services.ErrInvalidInput) {
		t.Fatalf("bad DOB: %v", err)
	}
	if _, err := e.Bank.Customers.AddCustomer(ctx, banktest.With(e.Alpha, "CustomerService.AddCustomer", ""), banktest.Dave()); err != nil {
		t.Fatal(err)
	}
	// A business refusal is not recorded either: the corrected retry with
	// the same id goes through.
	if _, err := e.Bank.Customers.AddCustomer(ctx, call, banktest.Dave()); !errors.Is(err, customer.ErrIdentificationExists) {
		t.Fatalf("duplicate: %v", err)
	}
	fixed := banktest.Dave()
	fixed.Identification[0].Value, fixed.Contact = "234-56-7890", customer.Contact{Email: "other@example.com"}
	if _, err := e.Bank.Customers.AddCustomer(ctx, call, fixed); err != nil {
		t.Fatalf("corrected retry with the same id: %v", err)
	}
}

// TestConcurrentDuplicates fires the same request id 20 times at once:
// exactly one customer is created, and every call waits for the first and
// answers the same customer (none is "in progress").
func TestConcurrentDuplicates(t *testing.T) {
	ctx := context.Background()
	e := banktest.New(t)
	call := banktest.With(e.Alpha, "CustomerService.AddCustomer", `"same"`)
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
			results[i], errs[i] = e.Bank.Customers.AddCustomer(ctx, call, banktest.Dave())
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
	if c := countCustomers(t, e, e.Alpha); c != 1 {
		t.Fatalf("%d customers, want 1", c)
	}
}

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
