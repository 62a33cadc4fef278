// Package store keeps accountd's data in SQLite or PostgreSQL through sqlx:
// embedded versioned migrations for each dialect, one write transaction per
// operation, and translation of driver errors into the services' sentinel
// errors. The queries are written once, with "?" placeholders rebound for
// the driver.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"sync"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/services/account"
	"github.com/accountd/accountd/services/bank"
	"github.com/accountd/accountd/services/contact"
	"github.com/accountd/accountd/services/customer"
	"github.com/accountd/accountd/services/ebank"
	"github.com/accountd/accountd/services/nice"
	"github.com/accountd/accountd/services/onboarding"
	"github.com/accountd/accountd/services/otp"
	"github.com/accountd/accountd/services/partner"
	"github.com/accountd/accountd/store/onboardingstore"
	"github.com/accountd/accountd/store/sqldb"
)

// Drivers are the database.driver values Open accepts.
var Drivers = []string{"sqlite", "postgres"}

// Store is the SQL implementation of every domain's storage interface.
type Store struct {
	queries
	onboardingstore.Queries
	dialect sqldb.Dialect
	writer  *sqlx.DB
	reader  *sqlx.DB
	path    string // the SQLite database file; "" otherwise

	groupCommit GroupCommit
	commitOnce  sync.Once
	commit      *committer
}

// Store implements every domain's Store, and the transaction it hands to
// Update implements every domain's Tx: services.As relies on it.
var (
	_ bank.Store             = (*Store)(nil)
	_ partner.Store          = (*Store)(nil)
	_ customer.Tx            = (*txStore)(nil)
	_ account.Tx             = (*txStore)(nil)
	_ account.SweepTx        = (*txStore)(nil)
	_ nice.Tx                = (*txStore)(nil)
	_ contact.Tx             = (*txStore)(nil)
	_ ebank.Tx               = (*txStore)(nil)
	_ otp.Tx                 = (*txStore)(nil)
	_ onboarding.Tx          = (*txStore)(nil)
	_ onboarding.RetentionTx = (*txStore)(nil)
	_ partner.Tx             = (*txStore)(nil)
)

// Options tune the connection pools.
type Options struct {
	// MaxOpenConns bounds PostgreSQL connections (SQLite's writer is always
	// one connection and its readers are 2 per CPU). Zero means 10.
	MaxOpenConns int
	// GroupCommit tunes how concurrent writes share transactions.
	GroupCommit GroupCommit
}

// sqliteDefaults are the connection settings every connection gets unless
// the DSN sets them: WAL so readers never wait for the writer, synchronous
// FULL so that a committed change is on disk, a busy timeout for other
// processes (the CLI) holding the lock, immediate transactions so a
// read-then-write transaction takes the write lock at once, foreign keys
// on, and secure delete so that removed personal data (pictures past
// their retention, sent messages) is overwritten in the file, not left in
// free pages.
var sqliteDefaults = [][2]string{
	{"_journal_mode", "WAL"},
	{"_synchronous", "FULL"},
	{"_busy_timeout", "5000"},
	{"_txlock", "immediate"},
	{"_foreign_keys", "on"},
	{"_secure_delete", "on"},
}

// Open opens the database named by driver and dsn: for "sqlite" a file path
// or file: URI, for "postgres" a postgres:// URL or key=value string.
func Open(ctx context.Context, driver, dsn string, opts ...Options) (*Store, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	switch driver {
	case "sqlite":
		s, err := openSQLite(ctx, dsn)
		if err == nil {
			s.groupCommit = o.GroupCommit
		}
		return s, err
	case "postgres":
		s, err := openPostgres(ctx, dsn, o)
		if err == nil {
			s.groupCommit = o.GroupCommit
		}
		return s, err
	}
	return nil, fmt.Errorf("open database: driver %q is not supported (use %s)", driver, strings.Join(Drivers, " or "))
}

func openSQLite(ctx context.Context, dsn string) (*Store, error) {
	path := sqliteFilePath(dsn)
	if path != "" {
		if err := createPrivate(path); err != nil {
			return nil, fmt.Errorf("open database %s: %w", dsn, err)
		}
	}
	writer, err := sqlx.Open("sqlite3", sqliteDSN(dsn, false))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	if err := writer.PingContext(ctx); err != nil {
		writer.Close()
		return nil, fmt.Errorf("open database %s: %w", RedactDSN(dsn), err)
	}
	reader, err := sqlx.Open("sqlite3", sqliteDSN(dsn, true))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	n := 2 * runtime.GOMAXPROCS(0)
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	return &Store{queries: queries{db: reader}, Queries: onboardingstore.Queries{DB: reader}, dialect: sqldb.SQLite, writer: writer, reader: reader, path: path}, nil
}

// openPostgres opens one pool for reads and writes. The pgx driver is opened
// under the name "pgx", which sqlx knows to bind as $1, $2...
func openPostgres(ctx context.Context, dsn string, o Options) (*Store, error) {
	db, err := sqlx.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", RedactDSN(dsn), err)
	}
	n := o.MaxOpenConns
	if n <= 0 {
		n = 10
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", RedactDSN(dsn), err)
	}
	return &Store{queries: queries{db: db}, Queries: onboardingstore.Queries{DB: db}, dialect: sqldb.Postgres, writer: db, reader: db}, nil
}

// sqliteDSN adds the default settings to a path or file: URI; a read-only
// pool also gets _query_only and deferred transactions.
func sqliteDSN(dsn string, readOnly bool) string {
	path, rawQuery, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		q = url.Values{}
	}
	for _, kv := range sqliteDefaults {
		if q.Get(kv[0]) == "" {
			q.Set(kv[0], kv[1])
		}
	}
	// Connections keep their prepared statements: preparing a query again
	// on every call was a seventh of a signed read's time, and a tenth of
	// the group committer's.
	if q.Get("_stmt_cache_size") == "" {
		q.Set("_stmt_cache_size", "128")
	}
	if readOnly {
		q.Set("_query_only", "1")
		q.Set("_txlock", "deferred")
	}
	return "file:" + path + "?" + q.Encode()
}

// RedactDSN hides a password in a DSN, for messages and logs.
func RedactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		return u.String()
	}
	if err == nil && u.Scheme != "" {
		return dsn
	}
	// key=value form: hide password=...
	fields := strings.Fields(dsn)
	for i, f := range fields {
		if k, _, ok := strings.Cut(f, "="); ok && strings.EqualFold(k, "password") {
			fields[i] = k + "=xxxxx"
		}
	}
	return strings.Join(fields, " ")
}

// Close answers the writes already queued, then closes the connection
// pools.
func (s *Store) Close() error {
	s.commitOnce.Do(func() {}) // no committer starts after this
	if s.commit != nil {
		s.commit.close()
	}
	if s.reader == s.writer {
		return s.writer.Close()
	}
	return errors.Join(s.reader.Close(), s.writer.Close())
}

// Pools returns the connection pools by name, for metrics.
func (s *Store) Pools() map[string]*sql.DB {
	if s.reader == s.writer {
		return map[string]*sql.DB{"primary": s.writer.DB}
	}
	return map[string]*sql.DB{"writer": s.writer.DB, "reader": s.reader.DB}
}

// Update runs fn in one write transaction, shared with the other calls
// waiting (group commit, see commit.go): fn's work is in a savepoint of its
// own, and Update returns once the transaction holding it has committed
// and is on disk (nil), or fn's work was rolled back (fn's error). On
// PostgreSQL work that loses a serialization conflict or a deadlock is run
// again, a few times.
func (s *Store) Update(ctx context.Context, fn func(tx services.Tx) error) error {
	c := s.committer()
	if c == nil {
		return errStoreClosed
	}
	return c.submit(ctx, fn)
}

// committer starts the group committer at the first write, so that a
// command that only reads starts none.
func (s *Store) committer() *committer {
	s.commitOnce.Do(func() { s.commit = newCommitter(s, s.groupCommit) })
	return s.commit
}

// Observe has batch told the size of every committed batch (for
// metrics) and sealErr every failure of the audit sealer (for the log; the
// sealer tries again soon after). Either may be nil.
func (s *Store) Observe(batch func(size int), sealErr func(error)) {
	c := s.committer()
	if c == nil {
		return
	}
	c.observe.mu.Lock()
	c.observe.batch, c.observe.sealErr = batch, sealErr
	c.observe.mu.Unlock()
}

// txStore is one write transaction.
type txStore struct {
	queries
	onboardingstore.Tx
	tx      sqldb.Detached
	dialect sqldb.Dialect
}

// queries holds the reads shared by the pool and by transactions.
type queries struct {
	db sqlx.ExtContext
}
