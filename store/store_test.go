package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store"
	"github.com/accountd/accountd/store/storetest"
)

// openStore opens a new migrated database of the driver under test and
// returns its DSN.
func openStore(t *testing.T) (*store.Store, string) {
	t.Helper()
	return storetest.OpenDSN(t)
}

// openAtVersion opens a new database of the driver under test migrated up
// to version only, to test a later migration on the rows it holds; it
// returns the store and its DSN.
func openAtVersion(t *testing.T, version int) (*store.Store, string) {
	t.Helper()
	dsn := storetest.DSN(t)
	st, err := store.Open(context.Background(), storetest.Driver(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := store.MigrateToForTest(context.Background(), st, version); err != nil {
		t.Fatalf("migrate to %d: %v", version, err)
	}
	return st, dsn
}

var epoch = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

// seedPartner inserts a partner with the given ID.
func seedPartner(t *testing.T, st *store.Store, id int64, name string) {
	t.Helper()
	err := store.Update(context.Background(), st, func(tx store.AnyTx) error {
		return tx.InsertPartner(context.Background(), partner.Partner{ID: id, Name: name, CreatedAt: epoch})
	})
	if err != nil {
		t.Fatalf("insert partner: %v", err)
	}
}

func newCustomer(id, partnerName int64, number, email, phone string, ids ...customer.Identification) customer.Customer {
	return customer.Customer{
		ID: id, PartnerID: partnerName, Number: number, Type: customer.CustomerIndividual, Status: customer.CustomerActive,
		FirstName: "Dave", LastName: "Miller", DOB: "1985-04-12", Email: email, Phone: phone,
		Identifications: ids, CreatedAt: epoch, UpdatedAt: epoch,
	}
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	st, path := openStore(t)
	applied, err := st.Migrate(ctx)
	if err != nil || len(applied) != 0 {
		t.Fatalf("second migrate: applied %v, err %v; want nothing applied", applied, err)
	}
	v, err := st.SchemaVersion(ctx)
	if err != nil || v < 1 {
		t.Fatalf("schema version = %d, %v; want at least 1", v, err)
	}
	st.Close()

	// A database migrated by a newer binary is refused.
	st2, err := store.Open(ctx, storetest.Driver(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if err := st2.Update(ctx, func(services.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := execRaw(st2, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	if _, err := st2.Migrate(ctx); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("migrate on a newer schema: got %v, want ErrSchemaTooNew", err)
	}
}

func TestOpenRefusesOtherDrivers(t *testing.T) {
	if _, err := store.Open(context.Background(), "mysql", "x"); err == nil {
		t.Fatal("Open(mysql) succeeded; want an error")
	}
}

func TestInsertCustomerUniqueness(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	seedPartner(t, st, 1, "alpha")
	seedPartner(t, st, 2, "beta")
	ssn := customer.Identification{Type: "SSN", Value: "123456789"}
	first := newCustomer(100, 1, "N100", "Dave@Example.com", "+12025550142", ssn)
	if err := store.Update(ctx, st, func(tx store.AnyTx) error { return tx.InsertCustomer(ctx, first) }); err != nil {
		t.Fatalf("first insert: %v", err)
	}
	tests := []struct {
		name string
		c    customer.Customer
		want error
	}{
		{"same identification", newCustomer(101, 1, "N101", "", "", ssn), customer.ErrIdentificationExists},
		{"same e-mail in other case", newCustomer(102, 1, "N102", "dave@example.COM", "", customer.Identification{Type: "PASSPORT", Value: "B1234567"}), customer.ErrEmailExists},
		{"same phone", newCustomer(103, 1, "N103", "", "+12025550142"), customer.ErrPhoneExists},
		{"same ID", newCustomer(100, 1, "N104", "", ""), services.ErrNumberTaken},
		{"same customer number", newCustomer(105, 1, "N100", "", ""), services.ErrNumberTaken},
		{"same identification, e-mail and phone at another partner", newCustomer(106, 2, "N106", "dave@example.com", "+12025550142", ssn), nil},
		{"no e-mail and no phone twice", newCustomer(107, 1, "N107", "", ""), nil},
		{"no e-mail and no phone again", newCustomer(108, 1, "N108", "", ""), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := store.Update(ctx, st, func(tx store.AnyTx) error { return tx.InsertCustomer(ctx, tt.c) })
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("insert: got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCollisionLeavesTransactionUsable(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	seedPartner(t, st, 1, "alpha")
	a := newCustomer(100, 1, "N100", "", "")
	if err := store.Update(ctx, st, func(tx store.AnyTx) error { return tx.InsertCustomer(ctx, a) }); err != nil {
		t.Fatal(err)
	}
	err := store.Update(ctx, st, func(tx store.AnyTx) error {
		clash := newCustomer(100, 1, "N200", "", "", customer.Identification{Type: "PASSPORT", Value: "C0000001"})
		if err := tx.InsertCustomer(ctx, clash); !errors.Is(err, services.ErrNumberTaken) {
			t.Fatalf("clash: got %v, want ErrNumberTaken", err)
		}
		clash.ID = 200
		return tx.InsertCustomer(ctx, clash)
	})
	if err != nil {
		t.Fatalf("retry in the same transaction: %v", err)
	}
	c, err := st.FindCustomer(ctx, 1, customer.CustomerLookup{IDType: "PASSPORT", IDValue: "C0000001"})
	if err != nil || c.ID != 200 {
		t.Fatalf("find retried customer: got %d, %v; want 200", c.ID, err)
	}
}

func TestFindCustomer(t *testing.T) {
	ctx := context.Background()
	st, _ := openStore(t)
	seedPartner(t, st, 1, "alpha")
	seedPartner(t, st, 2, "beta")
	c := newCustomer(100, 1, "N100", "Dave@Example.com", "+12025550142", customer.Identification{Type: "SSN", Value: "123456789"})
	c.Address = customer.Address{Line1: "1 Main St", City: "Austin", Country: "US"}
	if err := store.Update(ctx, st, func(tx store.AnyTx) error { return tx.InsertCustomer(ctx, c) }); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		partner int64
		by      customer.CustomerLookup
		wantErr error
	}{
		{"by ID", 1, customer.CustomerLookup{ID: 100}, nil},
		{"by number", 1, customer.CustomerLookup{Number: "N100"}, nil},
		{"by e-mail key", 1, customer.CustomerLookup{EmailKey: "dave@example.com"}, nil},
		{"by phone", 1, customer.CustomerLookup{Phone: "+12025550142"}, nil},
		{"by identification", 1, customer.CustomerLookup{IDType: "SSN", IDValue: "123456789"}, nil},
		{"unknown ID", 1, customer.CustomerLookup{ID: 999}, customer.ErrCustomerNotFound},
		{"another partner's ID", 2, customer.CustomerLookup{ID: 100}, customer.ErrCustomerNotFound},
		{"another partner's identification", 2, customer.CustomerLookup{IDType: "SSN", IDValue: "123456789"}, customer.ErrCustomerNotFound},
		{"empty lookup", 1, customer.CustomerLookup{}, customer.ErrCustomerNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.FindCustomer(ctx, tt.partner, tt.by)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			if got.ID != 100 || got.Email != "Dave@Example.com" || got.Address != c.Address || len(got.Identifications) != 1 || !got.CreatedAt.Equal(epoch) {
				t.Fatalf("got %+v, want the stored customer", got)
			}
		})
	}
	if status, err := st.CustomerStatus(ctx, 1, 100); err != nil || status != customer.CustomerActive {
		t.Errorf("status: %q, %v", status, err)
	}
	if _, err := st.CustomerStatus(ctx, 2, 100); !errors.Is(err, customer.ErrCustomerNotFound) {
		t.Errorf("another partner's customer's status: %v, want ErrCustomerNotFound", err)
	}
}

// TestConnectionSettings checks what makes an acknowledged change durable and
// the pools safe: WAL, synchronous FULL (2), foreign keys, read-only readers.
func TestConnectionSettings(t *testing.T) {
	if storetest.IsPostgres() {
		t.Skip("SQLite connection settings")
	}
	st, path := openStore(t)
	checks := []struct {
		name, pragma, want string
		read               func(*store.Store, string) (string, error)
	}{
		{"writer journal", "journal_mode", "wal", store.WriterPragma},
		{"writer synchronous", "synchronous", "2", store.WriterPragma},
		{"writer foreign keys", "foreign_keys", "1", store.WriterPragma},
		{"writer busy timeout", "busy_timeout", "5000", store.WriterPragma},
		{"reader query only", "query_only", "1", store.ReaderPragma},
		{"reader foreign keys", "foreign_keys", "1", store.ReaderPragma},
	}
	for _, c := range checks {
		got, err := c.read(st, c.pragma)
		if err != nil || got != c.want {
			t.Errorf("%s: PRAGMA %s = %q, %v; want %q", c.name, c.pragma, got, err, c.want)
		}
	}
	// A committed change is there for the next process.
	ctx := context.Background()
	seedPartner(t, st, 7, "durable")
	st.Close()
	again, err := store.Open(ctx, "sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if p, err := again.FindPartnerByName(ctx, "durable"); err != nil || p.ID != 7 {
		t.Fatalf("after reopen: %+v, %v", p, err)
	}
}

// TestConcurrentMigrate starts several stores on one empty database at once,
// as replicas starting together do: each migration is applied once and
// every store ends ready.
func TestConcurrentMigrate(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t)
	const replicas = 4
	errs := make(chan error, replicas)
	stores := make([]*store.Store, replicas)
	for i := range stores {
		st, err := store.Open(ctx, storetest.Driver(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		stores[i] = st
	}
	applied := make(chan int, replicas*10)
	for _, st := range stores {
		go func() {
			versions, err := st.Migrate(ctx)
			for _, v := range versions {
				applied <- v
			}
			errs <- err
		}()
	}
	for range stores {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent migrate: %v", err)
		}
	}
	close(applied)
	seen := map[int]int{}
	for v := range applied {
		seen[v]++
	}
	versions, err := store.MigrationVersionsForTest(stores[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range versions {
		if seen[v] != 1 {
			t.Errorf("migration %d applied %d times, want once", v, seen[v])
		}
	}
	for i, st := range stores {
		if err := st.Ready(ctx); err != nil {
			t.Errorf("store %d not ready: %v", i, err)
		}
	}
}

// TestReady tells a current schema from a missing or newer one.
func TestReady(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t)
	st, err := store.Open(ctx, storetest.Driver(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Ready(ctx); !errors.Is(err, store.ErrNotReady) {
		t.Errorf("before migrating: %v, want ErrNotReady", err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.Ready(ctx); err != nil {
		t.Errorf("migrated: %v", err)
	}
	storetest.Exec(t, dsn, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future.sql', 0)`)
	if err := st.Ready(ctx); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Errorf("newer schema: %v, want ErrSchemaTooNew", err)
	}
}

// TestAuditChainUnderStricterDefaultIsolation: a PostgreSQL server whose
// default isolation is REPEATABLE READ must not break the audit chain under
// concurrent appends (write transactions run READ COMMITTED explicitly).
func TestAuditChainUnderStricterDefaultIsolation(t *testing.T) {
	if !storetest.IsPostgres() {
		t.Skip("PostgreSQL isolation levels")
	}
	ctx := context.Background()
	dsn := storetest.DSN(t) + "&default_transaction_isolation=repeatable%20read"
	st, err := store.Open(ctx, "postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 10
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		go func() {
			for i := 0; i < each; i++ {
				err := store.Update(ctx, st, func(tx store.AnyTx) error {
					// A first statement fixes a REPEATABLE READ snapshot
					// before the append reads the chain's last row.
					if _, err := tx.FindPartnerByName(ctx, "nobody"); !errors.Is(err, partner.ErrPartnerNotFound) {
						return err
					}
					return tx.AppendAudit(ctx, &services.AuditEntry{At: epoch, PartnerID: 1, KeyID: "k", Method: "m", Entities: "{}", Outcome: services.AuditOK})
				})
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for w := 0; w < writers; w++ {
		if err := <-errs; err != nil {
			t.Fatalf("append: %v", err)
		}
	}
	storetest.Sealed(t, st)
	rep, err := services.VerifyAudit(ctx, st)
	if err != nil || !rep.OK() || rep.Rows != writers*each {
		t.Fatalf("chain: %+v, %v; want %d intact rows", rep, err, writers*each)
	}
}

// TestSQLiteOverwritesDeletedData: removed personal data (a picture past
// its retention, a sent message) must not stay readable in the file's free
// pages: every SQLite connection runs with secure_delete on.
func TestSQLiteOverwritesDeletedData(t *testing.T) {
	if storetest.IsPostgres() {
		t.Skip("SQLite's secure_delete; PostgreSQL keeps dead rows until VACUUM (see docs/operating.md)")
	}
	st, _ := openStore(t)
	for name, db := range st.Pools() {
		var on int
		if err := db.QueryRowContext(context.Background(), `PRAGMA secure_delete`).Scan(&on); err != nil || on != 1 {
			t.Errorf("%s pool: secure_delete = %d, %v; want 1", name, on, err)
		}
	}
}
