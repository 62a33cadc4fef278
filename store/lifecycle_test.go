package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/store"
	"github.com/accountd/accountd/store/storetest"
)

// seedBank inserts partners 1 and 2 with customers 100 (partner 1) and 200
// (partner 2), and the given accounts.
func seedBank(t *testing.T, st *store.Store, accounts ...account.Account) {
	t.Helper()
	ctx := context.Background()
	seedPartner(t, st, 1, "alpha")
	seedPartner(t, st, 2, "beta")
	err := store.Update(ctx, st, func(tx store.AnyTx) error {
		if err := tx.InsertCustomer(ctx, newCustomer(100, 1, "N100", "dave@example.com", "+12025550142")); err != nil {
			return err
		}
		if err := tx.InsertCustomer(ctx, newCustomer(200, 2, "N200", "", "")); err != nil {
			return err
		}
		for _, a := range accounts {
			if err := tx.InsertAccount(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
}

// newAccount is an account of customer 100 (partner 1) or 200 (partner 2),
// opened at epoch.
func newAccount(id, partner int64, status string) account.Account {
	return account.Account{
		ID: id, PartnerID: partner, CustomerID: partner * 100, Number: fmt.Sprintf("9%014d", id),
		Name: "DAVE", Type: "CHECKING", Currency: "USD", Status: status, CreatedAt: epoch, UpdatedAt: epoch,
	}
}

func update(t *testing.T, st *store.Store, fn func(ctx context.Context, tx store.AnyTx) error) {
	t.Helper()
	ctx := context.Background()
	if err := store.Update(ctx, st, func(tx store.AnyTx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("update: %v", err)
	}
}

func ids(accounts []account.Account) []int64 {
	var out []int64
	for _, a := range accounts {
		out = append(out, a.ID)
	}
	return out
}

// TestMigrateToLifecycle migrates a version-2 database holding an account:
// its last activity is its last update, and it has no freeze.
func TestMigrateToLifecycle(t *testing.T) {
	ctx := context.Background()
	st, dsn := openAtVersion(t, 2)
	updated := epoch.Add(36 * time.Hour)
	storetest.Exec(t, dsn, `INSERT INTO partners (id, name, created_at) VALUES (1, 'alpha', 0)`)
	storetest.Exec(t, dsn, `INSERT INTO customers (id, partner_id, customer_number, type, status, phone, created_at, updated_at)
		VALUES (100, 1, 'N100', 'INDIVIDUAL', 'ACTIVE', '+12025550142', 0, 0)`)
	storetest.Exec(t, dsn, `INSERT INTO accounts (id, partner_id, customer_id, account_number, name, account_type,
		currency, status, created_at, updated_at, seq) VALUES (500, 1, 100, '900000000000500', 'DAVE', 'CHECKING', 'USD', 'ACTIVE', ?, ?, 1)`,
		epoch.UnixMilli(), updated.UnixMilli())

	if err := store.MigrateToForTest(ctx, st, 3); err != nil {
		t.Fatalf("migrate to 3: %v", err)
	}
	applied, err := st.Migrate(ctx)
	if err != nil || len(applied) == 0 || applied[0] != 4 {
		t.Fatalf("migrate: applied %v, %v; want 4 and on after 3", applied, err)
	}
	a, err := st.FindAccount(ctx, 1, account.AccountLookup{ID: 500})
	if err != nil {
		t.Fatal(err)
	}
	if !a.LastActivityAt.Equal(updated) || a.Freeze != nil {
		t.Errorf("got last activity %v, freeze %+v; want %v and no freeze", a.LastActivityAt, a.Freeze, updated)
	}
	c, err := st.AccountHolder(ctx, 100)
	if err != nil || c.PhoneVerified || c.EmailVerified || c.Phone != "+12025550142" {
		t.Errorf("holder: %+v, %v; want the customer, nothing verified", c, err)
	}
}

func TestFreezeAndAbnormalAccounts(t *testing.T) {
	ctx := context.Background()
	now := epoch.Add(48 * time.Hour)
	st, _ := openStore(t)
	var accs []account.Account
	for id := int64(500); id <= 505; id++ {
		accs = append(accs, newAccount(id, 1, account.StatusActive))
	}
	accs[4].Status = account.StatusSuspended
	seedBank(t, st, append(accs, newAccount(600, 2, account.StatusBlocked))...)

	freezes := map[int64]*account.Freeze{
		501: {ReasonCode: "LEGAL", Reason: "court order", At: epoch.Add(time.Hour)},
		502: {ReasonCode: "FRAUD", At: epoch.Add(time.Hour), ExpiresAt: now.Add(-time.Minute)},
		503: {ReasonCode: "FRAUD", At: epoch.Add(time.Hour), ExpiresAt: now.Add(time.Minute)},
		505: {ReasonCode: "KYC", At: epoch.Add(time.Hour), ExpiresAt: now.Add(-time.Hour)},
	}
	update(t, st, func(ctx context.Context, tx store.AnyTx) error {
		for id, f := range freezes {
			a, err := tx.LockAccount(ctx, 1, account.AccountLookup{ID: id})
			if err != nil {
				return err
			}
			a.Freeze, a.UpdatedAt = f, now
			if err := tx.SaveAccountState(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})

	for id, want := range freezes {
		a, err := st.FindAccount(ctx, 1, account.AccountLookup{ID: id})
		if err != nil || a.Freeze == nil {
			t.Fatalf("account %d: freeze %+v, %v; want %+v", id, a.Freeze, err, want)
		}
		got := a.Freeze
		if got.ReasonCode != want.ReasonCode || got.Reason != want.Reason || !got.At.Equal(want.At) || !got.ExpiresAt.Equal(want.ExpiresAt) {
			t.Errorf("account %d: freeze %+v, want %+v", id, *got, *want)
		}
	}

	pages := []struct {
		name          string
		partner       int64
		offset, limit int
		want          []int64
		wantTotal     int
	}{
		{"all: expired freezes do not count", 1, 0, 10, []int64{501, 503, 504}, 3},
		{"second page", 1, 1, 1, []int64{503}, 3},
		{"other partner", 2, 0, 10, []int64{600}, 1},
	}
	for _, tt := range pages {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := st.ListAbnormalAccounts(ctx, tt.partner, now, tt.offset, tt.limit)
			if err != nil || !reflect.DeepEqual(ids(got), tt.want) || total != tt.wantTotal {
				t.Fatalf("got %v of %d, %v; want %v of %d", ids(got), total, err, tt.want, tt.wantTotal)
			}
		})
	}

	t.Run("expired freezes, oldest expiry first", func(t *testing.T) {
		var got []account.Account
		update(t, st, func(ctx context.Context, tx store.AnyTx) (err error) {
			got, err = tx.ExpiredFreezes(ctx, now, 10)
			return err
		})
		if !reflect.DeepEqual(ids(got), []int64{505, 502}) {
			t.Fatalf("got %v, want [505 502]", ids(got))
		}
	})

	t.Run("unfreeze", func(t *testing.T) {
		update(t, st, func(ctx context.Context, tx store.AnyTx) error {
			a, err := tx.LockAccount(ctx, 1, account.AccountLookup{Number: "900000000000501"})
			if err != nil {
				return err
			}
			a.Freeze = nil
			return tx.SaveAccountState(ctx, a)
		})
		a, err := st.FindAccount(ctx, 1, account.AccountLookup{ID: 501})
		if err != nil || a.Freeze != nil {
			t.Fatalf("got freeze %+v, %v; want none", a.Freeze, err)
		}
	})
}

func TestStatusHistory(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	seedBank(t, st, newAccount(500, 1, account.StatusActive), newAccount(501, 1, account.StatusActive))
	update(t, st, func(ctx context.Context, tx store.AnyTx) error {
		for i := 0; i < 5; i++ {
			c := account.StatusChange{AccountID: 500, PartnerID: 1, Event: account.EventStatusChange,
				FromStatus: "ACTIVE", ToStatus: "SUSPENDED", ReasonCode: fmt.Sprint(i), KeyID: "k1", At: epoch.Add(time.Duration(i) * time.Hour)}
			if err := tx.AppendStatusChange(ctx, c); err != nil {
				return err
			}
		}
		return tx.AppendStatusChange(ctx, account.StatusChange{AccountID: 501, PartnerID: 1, Event: account.EventFreeze,
			FromStatus: "ACTIVE", ToStatus: "ACTIVE", KeyID: "system", At: epoch})
	})
	tests := []struct {
		name          string
		account       int64
		offset, limit int
		want          []string // reason codes
		wantTotal     int
	}{
		{"first page", 500, 0, 2, []string{"0", "1"}, 5},
		{"middle page", 500, 2, 2, []string{"2", "3"}, 5},
		{"last page", 500, 4, 2, []string{"4"}, 5},
		{"past the end", 500, 6, 2, nil, 5},
		{"no history", 502, 0, 2, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, total, err := st.StatusHistory(ctx, tt.account, tt.offset, tt.limit)
			var codes []string
			for _, c := range got {
				codes = append(codes, c.ReasonCode)
			}
			if err != nil || !reflect.DeepEqual(codes, tt.want) || total != tt.wantTotal {
				t.Fatalf("got %v of %d, %v; want %v of %d", codes, total, err, tt.want, tt.wantTotal)
			}
		})
	}
	got, _, _ := st.StatusHistory(ctx, 500, 3, 1)
	want := account.StatusChange{AccountID: 500, PartnerID: 1, Event: account.EventStatusChange,
		FromStatus: "ACTIVE", ToStatus: "SUSPENDED", ReasonCode: "3", KeyID: "k1", At: epoch.Add(3 * time.Hour)}
	if len(got) != 1 || got[0] != want {
		t.Errorf("entry: got %+v, want %+v", got, want)
	}
}

func TestDormancy(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	recent := newAccount(501, 1, account.StatusActive)
	recent.LastActivityAt = epoch.Add(72 * time.Hour)
	seedBank(t, st, newAccount(500, 1, account.StatusActive), recent, newAccount(502, 1, account.StatusSuspended),
		newAccount(600, 2, account.StatusActive))
	cutoff := epoch.Add(24 * time.Hour)

	var candidates []account.Account
	update(t, st, func(ctx context.Context, tx store.AnyTx) (err error) {
		candidates, err = tx.DormancyCandidates(ctx, cutoff, 10)
		return err
	})
	if !reflect.DeepEqual(ids(candidates), []int64{500, 600}) {
		t.Fatalf("candidates: got %v, want [500 600]", ids(candidates))
	}

	tests := []struct {
		name    string
		account int64
		want    bool
	}{
		{"inactive account", 500, true},
		{"same account again", 500, false},
		{"recently active", 501, false},
		{"not active", 502, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got bool
			update(t, st, func(ctx context.Context, tx store.AnyTx) (err error) {
				got, err = tx.MarkDormant(ctx, tt.account, cutoff, cutoff)
				return err
			})
			if got != tt.want {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
	a, err := st.FindAccount(ctx, 1, account.AccountLookup{ID: 500})
	if err != nil || a.Status != account.StatusDormant || !a.UpdatedAt.Equal(cutoff) {
		t.Errorf("got %s updated %v, %v; want DORMANT updated %v", a.Status, a.UpdatedAt, err, cutoff)
	}
	if h, n, err := st.StatusHistory(ctx, 500, 0, 10); err != nil || n != 0 {
		t.Errorf("history: %v (%d), %v; want none written by MarkDormant", h, n, err)
	}
}

func TestTouchOnlyMovesForward(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	closed := newAccount(501, 1, account.StatusClosed)
	seedBank(t, st, newAccount(500, 1, account.StatusActive), closed, newAccount(502, 1, account.StatusDormant))
	tests := []struct {
		name  string
		touch func(ctx context.Context, tx store.AnyTx) error
		want  map[int64]time.Time // last activity per account after the touch
	}{
		{"customer's accounts", func(ctx context.Context, tx store.AnyTx) error {
			return tx.TouchCustomerAccounts(ctx, 100, epoch.Add(2*time.Hour))
		}, map[int64]time.Time{500: epoch.Add(2 * time.Hour), 501: epoch, 502: epoch.Add(2 * time.Hour)}},
		{"customer's accounts, earlier", func(ctx context.Context, tx store.AnyTx) error {
			return tx.TouchCustomerAccounts(ctx, 100, epoch.Add(time.Hour))
		}, map[int64]time.Time{500: epoch.Add(2 * time.Hour), 501: epoch, 502: epoch.Add(2 * time.Hour)}},
		{"one account, earlier", func(ctx context.Context, tx store.AnyTx) error {
			return tx.TouchAccount(ctx, 500, epoch.Add(30*time.Minute))
		}, map[int64]time.Time{500: epoch.Add(2 * time.Hour), 501: epoch, 502: epoch.Add(2 * time.Hour)}},
		{"one account, later", func(ctx context.Context, tx store.AnyTx) error {
			return tx.TouchAccount(ctx, 500, epoch.Add(3*time.Hour))
		}, map[int64]time.Time{500: epoch.Add(3 * time.Hour), 501: epoch, 502: epoch.Add(2 * time.Hour)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			update(t, st, tt.touch)
			for id, want := range tt.want {
				a, err := st.FindAccount(ctx, 1, account.AccountLookup{ID: id})
				if err != nil || !a.LastActivityAt.Equal(want) {
					t.Errorf("account %d: last activity %v, %v; want %v", id, a.LastActivityAt, err, want)
				}
			}
		})
	}
}

func TestShortCodes(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	seedBank(t, st, newAccount(500, 1, account.StatusActive), newAccount(501, 1, account.StatusActive),
		newAccount(600, 2, account.StatusActive))
	tests := []struct {
		name    string
		partner int64
		account int64
		code    string
		want    error
	}{
		{"first code", 1, 500, "ALPHA1", nil},
		{"same code for another account", 1, 501, "ALPHA1", services.ErrNumberTaken},
		{"same code at another partner", 2, 600, "ALPHA1", services.ErrNumberTaken},
		{"second code for the account", 1, 500, "BETA22", account.ErrShortCodeExists},
		{"another partner's account", 1, 600, "GAMMA3", account.ErrAccountNotFound},
		{"unknown account", 1, 999, "GAMMA3", account.ErrAccountNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := store.Update(ctx, st, func(tx store.AnyTx) error {
				return tx.AssignShortCode(ctx, tt.partner, tt.account, tt.code, epoch)
			})
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("collision leaves the transaction usable", func(t *testing.T) {
		update(t, st, func(ctx context.Context, tx store.AnyTx) error {
			if err := tx.AssignShortCode(ctx, 1, 501, "ALPHA1", epoch); !errors.Is(err, services.ErrNumberTaken) {
				t.Errorf("collision: got %v, want ErrNumberTaken", err)
			}
			return tx.AssignShortCode(ctx, 1, 501, "DELTA4", epoch)
		})
	})
	lookups := []struct {
		partner int64
		code    string
		want    int64
		wantErr error
	}{
		{1, "ALPHA1", 500, nil},
		{1, "DELTA4", 501, nil},
		{2, "ALPHA1", 0, account.ErrAccountNotFound},
		{1, "BETA22", 0, account.ErrAccountNotFound},
	}
	for _, l := range lookups {
		a, err := st.FindAccountByShortCode(ctx, l.partner, l.code)
		if a.ID != l.want || !errors.Is(err, l.wantErr) {
			t.Errorf("partner %d code %s: got account %d, %v; want %d, %v", l.partner, l.code, a.ID, err, l.want, l.wantErr)
		}
	}
	refused := []string{`DELETE FROM short_codes`, `UPDATE short_codes SET account_id = 600 WHERE code = 'ALPHA1'`}
	if storetest.IsPostgres() {
		refused = append(refused, `TRUNCATE short_codes`)
	}
	for _, q := range refused {
		if err := execRaw(st, q); err == nil {
			t.Errorf("%s: succeeded, want the trigger to refuse it", q)
		}
	}
	if a, _ := st.FindAccountByShortCode(ctx, 1, "ALPHA1"); a.ID != 500 {
		t.Errorf("after refused changes: ALPHA1 is account %d, want 500", a.ID)
	}
}
