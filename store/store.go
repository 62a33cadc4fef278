// Package store keeps accountd's data in SQLite through sqlx: one writer
// connection for the write transactions, a pool of read-only connections for
// the rest, embedded versioned migrations, and translation of driver errors
// into the services' sentinel errors.
package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"

	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver

	"github.com/accountd/accountd/services"
)

// Store is the SQLite implementation of services.Store.
type Store struct {
	queries
	writer *sqlx.DB
	reader *sqlx.DB
}

var _ services.Store = (*Store)(nil)

// sqliteDefaults are the connection settings every connection gets unless
// the DSN sets them: WAL so readers never wait for the writer, synchronous
// FULL so that a committed change is on disk, a busy timeout for other
// processes (the CLI) holding the lock, immediate transactions so a
// read-then-write transaction takes the write lock at once, foreign keys on.
var sqliteDefaults = [][2]string{
	{"_journal_mode", "WAL"},
	{"_synchronous", "FULL"},
	{"_busy_timeout", "5000"},
	{"_txlock", "immediate"},
	{"_foreign_keys", "on"},
}

// Open opens the database named by driver and dsn. Only "sqlite" is
// supported: dsn is a file path or a file: URI.
func Open(ctx context.Context, driver, dsn string) (*Store, error) {
	if driver != "sqlite" {
		return nil, fmt.Errorf("open database: driver %q is not supported (use sqlite)", driver)
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
	return &Store{queries: queries{db: reader}, writer: writer, reader: reader}, nil
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
	if readOnly {
		q.Set("_query_only", "1")
		q.Set("_txlock", "deferred")
	}
	return "file:" + path + "?" + q.Encode()
}

// RedactDSN hides a password in a DSN, for messages and logs.
func RedactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Close closes both connection pools.
func (s *Store) Close() error {
	return errors.Join(s.reader.Close(), s.writer.Close())
}

// Update runs fn in one write transaction on the writer connection.
func (s *Store) Update(ctx context.Context, fn func(tx services.Tx) error) error {
	tx, err := s.writer.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", translate(err))
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(&txStore{queries: queries{db: tx}, tx: tx}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", translate(err))
	}
	return nil
}

// txStore is one write transaction.
type txStore struct {
	queries
	tx *sqlx.Tx
}

// queries holds the reads shared by the pool and by transactions.
type queries struct {
	db sqlx.ExtContext
}
