package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/contact"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/onboarding"
	"github.com/accountd/accountd/services/otp"
	"github.com/accountd/accountd/store"
	"github.com/accountd/accountd/store/storetest"
)

func operation(requestID string, partner int64) otp.Operation {
	return otp.Operation{
		RequestID: requestID, PartnerID: partner, KeyID: "k1", Kind: contact.OpVerifyMobile, CustomerID: partner * 100,
		Status: otp.OpPending, CodeHash: "h1", ExpiresAt: epoch.Add(5 * time.Minute), CreatedAt: epoch, UpdatedAt: epoch,
	}
}

func TestOperations(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	seedBank(t, st, newAccount(500, 1, account.StatusDormant))
	op := operation("op-1", 1)
	op.Kind, op.AccountID, op.Params, op.SecondCodeHash = account.OpActivateAccount, 500, `{"x":1}`, "h2"
	update(t, st, func(ctx context.Context, tx store.AnyTx) error { return tx.InsertOperation(ctx, op) })

	inserts := []struct {
		name string
		op   otp.Operation
		want error
	}{
		{"same request id", operation("op-1", 1), services.ErrNumberTaken},
		{"same request id at another partner", operation("op-1", 2), services.ErrNumberTaken},
		{"new request id", operation("op-2", 1), nil},
	}
	for _, tt := range inserts {
		t.Run(tt.name, func(t *testing.T) {
			err := store.Update(ctx, st, func(tx store.AnyTx) error { return tx.InsertOperation(ctx, tt.op) })
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}

	finds := []struct {
		name    string
		partner int64
		id      string
		want    error
	}{
		{"own operation", 1, "op-1", nil},
		{"another partner's operation", 2, "op-1", otp.ErrOperationNotFound},
		{"unknown operation", 1, "op-9", otp.ErrOperationNotFound},
	}
	for _, tt := range finds {
		t.Run("find "+tt.name, func(t *testing.T) {
			got, err := st.FindOperation(ctx, tt.partner, tt.id)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if tt.want == nil && (got.AccountID != 500 || got.Params != op.Params || got.SecondCodeHash != "h2" || !got.ExpiresAt.Equal(op.ExpiresAt)) {
				t.Fatalf("got %+v, want %+v", got, op)
			}
		})
		t.Run("lock "+tt.name, func(t *testing.T) {
			err := store.Update(ctx, st, func(tx store.AnyTx) error {
				_, err := tx.LockOperation(ctx, tt.partner, tt.id)
				return err
			})
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}

	update(t, st, func(ctx context.Context, tx store.AnyTx) error {
		got, err := tx.LockOperation(ctx, 1, "op-1")
		if err != nil {
			return err
		}
		got.Status, got.Attempts, got.UpdatedAt = otp.OpFailed, 3, epoch.Add(time.Minute)
		return tx.UpdateOperation(ctx, got)
	})
	got, err := st.FindOperation(ctx, 1, "op-1")
	if err != nil || got.Status != otp.OpFailed || got.Attempts != 3 || !got.UpdatedAt.Equal(epoch.Add(time.Minute)) {
		t.Errorf("after update: %+v, %v", got, err)
	}
	if got, err := st.FindOperation(ctx, 1, "op-2"); err != nil || got.AccountID != 0 || got.Params != "{}" {
		t.Errorf("operation without account: %+v, %v", got, err)
	}
}

func TestCustomerContacts(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	seedBank(t, st)
	update(t, st, func(ctx context.Context, tx store.AnyTx) error {
		return tx.InsertCustomer(ctx, newCustomer(101, 1, "N101", "", "+12025550143"))
	})
	tests := []struct {
		name string
		set  func(ctx context.Context, tx store.AnyTx) error
		want error
	}{
		{"phone of another customer", func(ctx context.Context, tx store.AnyTx) error {
			return tx.SetCustomerPhone(ctx, 101, "+12025550142", true, epoch)
		}, customer.ErrPhoneExists},
		{"e-mail of another customer, other case", func(ctx context.Context, tx store.AnyTx) error {
			return tx.SetCustomerEmail(ctx, 101, "DAVE@example.com", false, epoch)
		}, customer.ErrEmailExists},
		{"phone of another partner's customer", func(ctx context.Context, tx store.AnyTx) error {
			return tx.SetCustomerPhone(ctx, 200, "+12025550142", false, epoch)
		}, nil},
		{"unknown customer", func(ctx context.Context, tx store.AnyTx) error {
			return tx.SetCustomerPhone(ctx, 999, "+12025550199", false, epoch)
		}, customer.ErrCustomerNotFound},
		{"clash, then another phone in the same transaction", func(ctx context.Context, tx store.AnyTx) error {
			if err := tx.SetCustomerPhone(ctx, 101, "+12025550142", true, epoch); !errors.Is(err, customer.ErrPhoneExists) {
				return errors.Join(errors.New("clash not reported as ErrPhoneExists"), err)
			}
			if err := tx.SetCustomerPhone(ctx, 101, "+12025550144", true, epoch); err != nil {
				return err
			}
			return tx.SetCustomerEmail(ctx, 101, "Eve@Example.com", false, epoch.Add(time.Hour))
		}, nil},
		{"verify e-mail", func(ctx context.Context, tx store.AnyTx) error {
			return tx.SetContactVerified(ctx, 101, "email", epoch.Add(2*time.Hour))
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := store.Update(ctx, st, func(tx store.AnyTx) error { return tt.set(ctx, tx) })
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	c, err := st.FindCustomer(ctx, 1, customer.CustomerLookup{EmailKey: "eve@example.com"})
	if err != nil || c.ID != 101 || c.Phone != "+12025550144" || !c.PhoneVerified || !c.EmailVerified || !c.UpdatedAt.Equal(epoch.Add(2*time.Hour)) {
		t.Fatalf("customer 101: %+v, %v", c, err)
	}
	update(t, st, func(ctx context.Context, tx store.AnyTx) error {
		return tx.SetCustomerEmail(ctx, 101, "", false, epoch)
	})
	if c, err := st.AccountHolder(ctx, 101); err != nil || c.Email != "" || c.EmailVerified {
		t.Errorf("after removing the e-mail: %+v, %v", c, err)
	}
	update(t, st, func(ctx context.Context, tx store.AnyTx) error {
		c, err := tx.LockCustomer(ctx, 1, 101)
		if err == nil && (c.ID != 101 || !c.PhoneVerified || c.Identifications != nil) {
			err = errors.New("locked customer is not customer 101 as stored")
		}
		return err
	})
	err = store.Update(ctx, st, func(tx store.AnyTx) error {
		_, err := tx.LockCustomer(ctx, 2, 101)
		return err
	})
	if !errors.Is(err, customer.ErrCustomerNotFound) {
		t.Errorf("lock another partner's customer: %v, want ErrCustomerNotFound", err)
	}
	if c, err := st.AccountHolder(ctx, 200); err != nil || c.PartnerID != 2 || c.Identifications != nil {
		t.Errorf("holder at another partner: %+v, %v", c, err)
	}
	if _, err := st.AccountHolder(ctx, 999); !errors.Is(err, customer.ErrCustomerNotFound) {
		t.Errorf("unknown holder: %v, want ErrCustomerNotFound", err)
	}
}

func TestMobileChangesAndPools(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	subs := []account.Account{newAccount(501, 1, account.StatusActive), newAccount(502, 1, account.StatusClosed), newAccount(503, 1, account.StatusDormant)}
	for i := range subs {
		subs[i].ActivityAccountID = 500
	}
	seedBank(t, st, append([]account.Account{newAccount(500, 1, account.StatusActive)}, subs...)...)
	update(t, st, func(ctx context.Context, tx store.AnyTx) error {
		for _, day := range []string{"2026-11-21", "2026-11-21", "2026-11-22"} {
			r := contact.MobileChangeRequest{CustomerID: 100, PartnerID: 1, Day: day, Outcome: "OK", At: epoch}
			if err := tx.RecordMobileChange(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if n, err := st.MobileChangesOn(ctx, 100, "2026-11-21"); err != nil || n != 2 {
		t.Errorf("mobile changes: %d, %v; want 2", n, err)
	}
	if n, err := st.OpenSubAccounts(ctx, 500); err != nil || n != 2 {
		t.Errorf("open sub-accounts: %d, %v; want 2", n, err)
	}
	if a, err := st.FindAccountAnyPartner(ctx, "900000000000501"); err != nil || a.ID != 501 || a.ActivityAccountNumber != "900000000000500" {
		t.Errorf("find by number: %+v, %v", a, err)
	}
	if _, err := st.FindAccountAnyPartner(ctx, "900000000000999"); !errors.Is(err, account.ErrAccountNotFound) {
		t.Errorf("unknown number: %v, want ErrAccountNotFound", err)
	}
}

// TestIdempotencyRefusal keeps a refused request id with its refusal: the
// same request finds it, a corrected one (another method or payload) takes
// the id over, and an answered id is never taken over.
func TestIdempotencyRefusal(t *testing.T) {
	st, _ := openStore(t)
	rec := services.IdempotencyRecord{PartnerID: 1, RequestID: `"7"`, Method: "m", PayloadHash: "p", CreatedAt: epoch}
	claim := func(r services.IdempotencyRecord) (claimed bool, existing services.IdempotencyRecord) {
		update(t, st, func(ctx context.Context, tx store.AnyTx) (err error) {
			claimed, existing, err = tx.ClaimIdempotencyKey(ctx, r, epoch.Add(-time.Hour), time.Second)
			return err
		})
		return claimed, existing
	}
	if ok, _ := claim(rec); !ok {
		t.Fatal("first claim: not claimed")
	}
	update(t, st, func(ctx context.Context, tx store.AnyTx) error {
		return tx.SaveIdempotencyRefusal(ctx, 1, `"7"`, []byte(`{"err":"account is not frozen"}`))
	})
	ok, existing := claim(rec)
	if ok || string(existing.Refusal) != `{"err":"account is not frozen"}` || existing.Response != nil {
		t.Fatalf("the same request: claimed %v, record %+v; want the stored refusal", ok, existing)
	}
	otherMethod, otherPayload := rec, rec
	otherMethod.Method, otherPayload.PayloadHash = "m2", "p2"
	if ok, _ := claim(otherPayload); !ok {
		t.Fatal("a corrected payload did not take the refused id over")
	}
	update(t, st, func(ctx context.Context, tx store.AnyTx) error {
		return tx.SaveIdempotencyResponse(ctx, 1, `"7"`, []byte(`{"ok":true}`))
	})
	for name, r := range map[string]services.IdempotencyRecord{"first payload": rec, "other method": otherMethod, "same": otherPayload} {
		if ok, existing := claim(r); ok || string(existing.Response) != `{"ok":true}` || existing.Refusal != nil {
			t.Errorf("%s after an answer: claimed %v, record %+v; want the answer kept", name, ok, existing)
		}
	}
}

// TestOperationWithoutCustomer: an onboarding's operation has no customer
// yet; its customer_id is NULL and reads back as 0.
func TestOperationWithoutCustomer(t *testing.T) {
	ctx := context.Background()
	st, dsn := openStore(t)
	seedBank(t, st)
	op := operation("op-onb", 1)
	op.Kind, op.CustomerID, op.Params = onboarding.OpOnboarding, 0, `{"onboardingId":"onb-1"}`
	update(t, st, func(ctx context.Context, tx store.AnyTx) error { return tx.InsertOperation(ctx, op) })
	got, err := st.FindOperation(ctx, 1, "op-onb")
	if err != nil || !reflect.DeepEqual(got, op) {
		t.Fatalf("got %+v, %v; want %+v", got, err, op)
	}
	if n := storetest.Count(t, dsn, `SELECT COUNT(*) FROM otp_operations WHERE request_id = ? AND customer_id IS NULL`, "op-onb"); n != 1 {
		t.Errorf("operations with a NULL customer: %d, want 1", n)
	}
	update(t, st, func(ctx context.Context, tx store.AnyTx) error {
		got, err := tx.LockOperation(ctx, 1, "op-onb")
		if err != nil {
			return err
		}
		got.Status, got.UpdatedAt = otp.OpCompleted, epoch.Add(time.Minute)
		return tx.UpdateOperation(ctx, got)
	})
	if got, err := st.FindOperation(ctx, 1, "op-onb"); err != nil || got.Status != otp.OpCompleted || got.CustomerID != 0 {
		t.Errorf("after update: %+v, %v", got, err)
	}
}

// TestMigrateOperationsToOnboarding migrates a version-6 database holding an
// operation: the operation is kept as it was, and the rebuilt table keeps
// its key, checks, references and index while taking operations without a
// customer.
func TestMigrateOperationsToOnboarding(t *testing.T) {
	ctx := context.Background()
	st, dsn := openAtVersion(t, 6)
	seedBank(t, st, newAccount(500, 1, account.StatusDormant))
	op := operation("op-1", 1)
	op.Kind, op.AccountID, op.Params, op.SecondCodeHash, op.Attempts = account.OpActivateAccount, 500, `{"x":1}`, "h2", 2
	update(t, st, func(ctx context.Context, tx store.AnyTx) error { return tx.InsertOperation(ctx, op) })
	if applied, err := st.Migrate(ctx); err != nil || len(applied) == 0 || applied[0] != 7 {
		t.Fatalf("migrate: applied %v, %v; want 7 and on after 6", applied, err)
	}
	if got, err := st.FindOperation(ctx, 1, "op-1"); err != nil || !reflect.DeepEqual(got, op) {
		t.Fatalf("after migrating: got %+v, %v; want %+v", got, err, op)
	}
	insert := func(requestID, cust, acct, status string) string {
		return `INSERT INTO otp_operations (request_id, partner_id, key_id, kind, customer_id, account_id, status,
			code_hash, expires_at, created_at, updated_at) VALUES ('` + requestID + `', 1, 'k1', 'VERIFY_MOBILE', ` +
			cust + `, ` + acct + `, '` + status + `', 'h', 0, 0, 0)`
	}
	tests := []struct {
		name    string
		stmt    string
		wantErr bool
	}{
		{"no customer", insert("op-2", "NULL", "NULL", "PENDING"), false},
		{"same request id", insert("op-1", "100", "NULL", "PENDING"), true},
		{"unknown status", insert("op-3", "100", "NULL", "WAITING"), true},
		{"unknown customer", insert("op-4", "999", "NULL", "PENDING"), true},
		{"unknown account", insert("op-5", "100", "999", "PENDING"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := execRaw(st, tt.stmt); (err != nil) != tt.wantErr {
				t.Fatalf("got %v, want an error: %t", err, tt.wantErr)
			}
		})
	}
	if err := store.Update(ctx, st, func(tx store.AnyTx) error { return tx.InsertOperation(ctx, op) }); !errors.Is(err, services.ErrNumberTaken) {
		t.Errorf("insert the same request id: %v, want ErrNumberTaken", err)
	}
	indexes := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'otp_operations_customer' AND tbl_name = 'otp_operations'`
	if storetest.IsPostgres() {
		indexes = `SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'otp_operations_customer' AND tablename = 'otp_operations' AND schemaname = current_schema()`
	}
	if n := storetest.Count(t, dsn, indexes); n != 1 {
		t.Errorf("index otp_operations_customer: %d, want 1", n)
	}
}
