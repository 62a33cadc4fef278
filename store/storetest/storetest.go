// Package storetest gives tests a fresh, empty database of the driver under
// test, so that one test suite runs against SQLite and PostgreSQL.
//
// The driver comes from ACCOUNTD_TEST_DRIVER ("sqlite" when unset). For
// "postgres", ACCOUNTD_TEST_POSTGRES_DSN names a server and database; every
// test gets its own schema there, dropped when the test ends, so tests run in
// parallel and leave nothing behind.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/jmoiron/sqlx"

	"github.com/accountd/accountd/store"
)

// Environment variables read by this package.
const (
	DriverEnv      = "ACCOUNTD_TEST_DRIVER"
	PostgresDSNEnv = "ACCOUNTD_TEST_POSTGRES_DSN"
)

// Driver returns the database driver under test.
func Driver() string {
	if d := os.Getenv(DriverEnv); d != "" {
		return d
	}
	return "sqlite"
}

// IsPostgres reports whether the suite runs on PostgreSQL.
func IsPostgres() bool { return Driver() == "postgres" }

// postgresDSN returns the server's DSN, or skips the test with a message
// saying how to run it.
func postgresDSN(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(PostgresDSNEnv)
	if dsn == "" {
		tb.Skipf("%s is not set: PostgreSQL tests skipped (bash .ci/run sets it)", PostgresDSNEnv)
	}
	return dsn
}

// DSN returns the DSN of a new empty database for the driver under test:
// a file in a temporary folder for SQLite, a new schema for PostgreSQL.
func DSN(tb testing.TB) string {
	tb.Helper()
	switch d := Driver(); d {
	case "sqlite":
		return filepath.Join(tb.TempDir(), "accountd.db")
	case "postgres":
		return newPostgresSchema(tb, postgresDSN(tb))
	default:
		tb.Fatalf("%s=%q: want sqlite or postgres", DriverEnv, d)
		return ""
	}
}

// PostgresDSN returns the DSN of a new empty schema on the PostgreSQL
// server ACCOUNTD_TEST_POSTGRES_DSN names, whichever driver is under test,
// for tests that compare the two databases; it skips the test when the
// variable is unset.
func PostgresDSN(tb testing.TB) string {
	tb.Helper()
	return newPostgresSchema(tb, postgresDSN(tb))
}

// newPostgresSchema creates a schema with a random name on the server that
// dsn names, drops it when the test ends, and returns a DSN whose
// connections use it.
func newPostgresSchema(tb testing.TB, dsn string) string {
	tb.Helper()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "accountd_test_" + hex.EncodeToString(b)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatalf("open %s: %v", store.RedactDSN(dsn), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		db.Close()
		tb.Fatalf("create schema on %s: %v", store.RedactDSN(dsn), err)
	}
	tb.Cleanup(func() {
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return withSearchPath(dsn, schema)
}

// withSearchPath returns dsn with its connections' search_path set.
func withSearchPath(dsn, schema string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return strings.TrimSpace(dsn) + " search_path=" + schema
}

// Open opens and migrates a new empty database of the driver under test.
func Open(tb testing.TB) *store.Store {
	tb.Helper()
	st, _ := OpenDSN(tb)
	return st
}

// OpenDSN is Open that also returns the DSN, for tests that open the
// database again or hand it to the program.
func OpenDSN(tb testing.TB) (*store.Store, string) {
	tb.Helper()
	dsn := DSN(tb)
	ctx := context.Background()
	st, err := store.Open(ctx, Driver(), dsn)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return st, dsn
}

// Conn opens a connection pool of its own to the database dsn names, closed
// when the test ends, for checks and for states the services cannot produce.
// Queries need db.Rebind for their "?" placeholders.
func Conn(tb testing.TB, dsn string) *sqlx.DB {
	tb.Helper()
	driver, source := "pgx", dsn
	if Driver() == "sqlite" {
		driver, source = "sqlite3", "file:"+dsn+"?_busy_timeout=5000"
	}
	db, err := sqlx.Open(driver, source)
	if err != nil {
		tb.Fatalf("open %s: %v", store.RedactDSN(dsn), err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Exec runs one statement with "?" placeholders on the database dsn names.
func Exec(tb testing.TB, dsn, query string, args ...any) {
	tb.Helper()
	db := Conn(tb, dsn)
	if _, err := db.Exec(db.Rebind(query), args...); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}

// Count runs a SELECT COUNT(*) with "?" placeholders on the database dsn names.
//
// A count that reads audit_log first waits for the rows still pending to
// be sealed into the chain (PostgreSQL), so that it sees every committed row.
func Count(tb testing.TB, dsn, query string, args ...any) int {
	tb.Helper()
	if strings.Contains(query, "audit_log") {
		SealedDSN(tb, dsn)
	}
	db := Conn(tb, dsn)
	var n int
	if err := db.Get(&n, db.Rebind(query), args...); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

// SealedDSN is Sealed on the database dsn names (the driver under test);
// it does nothing on SQLite, where every row is chained as it is appended.
func SealedDSN(tb testing.TB, dsn string) {
	tb.Helper()
	if !IsPostgres() {
		return
	}
	st, err := store.Open(context.Background(), "postgres", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	Sealed(tb, st)
}

// Sealed waits until every committed audit row is sealed into the chain:
// on PostgreSQL a row is sealed once every older writing transaction of
// the server has ended, and tests of other packages may be writing.
func Sealed(tb testing.TB, st *store.Store) {
	tb.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := st.SealAudit(ctx); err != nil {
			tb.Fatal(err)
		}
		n, err := st.PendingAudit(ctx)
		switch {
		case err != nil:
			tb.Fatal(err)
		case n == 0:
			return
		case time.Now().After(deadline):
			tb.Fatalf("%d audit rows still pending after a minute", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// FillTakenNumbers puts a million rows in a nice-number search's way, for
// benchmarks: 600,000 accounts (10000000, 10000005, ... 12999995) and
// 400,000 unexpired holds (10000001, 10000006, ... 11999996) of partnerID's
// customerID. Every 8-digit number from 1 that ends in 0 or 5 is taken up
// to 12999995; two in five are taken below 12000000. On PostgreSQL the
// tables are analysed afterwards.
func FillTakenNumbers(tb testing.TB, dsn string, partnerID, customerID int64) {
	tb.Helper()
	Exec(tb, dsn, `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 599999)
		INSERT INTO accounts (id, partner_id, customer_id, account_number, name, account_type, currency, status,
			created_at, updated_at, seq, last_activity_at)
		SELECT 800000000 + i, ?, ?, CAST(10000000 + i * 5 AS TEXT), 'X', 'CHECKING', 'VND', 'ACTIVE', 0, 0, 5000000 + i, 0 FROM n`, partnerID, customerID)
	Exec(tb, dsn, `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 399999)
		INSERT INTO nice_holds (number, partner_id, customer_id, category, fee_minor, currency, key_id, created_at, expires_at)
		SELECT CAST(10000001 + i * 5 AS TEXT), ?, ?, 'ORDINARY', 200000, 'VND', 'k', 0, 9000000000000 FROM n`, partnerID, customerID)
	if n := Count(tb, dsn, `SELECT (SELECT COUNT(*) FROM accounts) + (SELECT COUNT(*) FROM nice_holds)`); n < 1_000_000 {
		tb.Fatalf("%d rows after filling, want a million", n)
	}
	if IsPostgres() {
		Exec(tb, dsn, `ANALYZE accounts`)
		Exec(tb, dsn, `ANALYZE nice_holds`)
	}
}
