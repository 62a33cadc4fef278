// Package sqldb is the SQL plumbing the store packages share: the two
// dialects, placeholders written once for both, and driver errors
// translated into the services' sentinel errors.
package sqldb

import (
	"context"
	"database/sql"
	"time"

	"github.com/jmoiron/sqlx"
)

// The helpers below rebind "?" placeholders for the connection's driver, so
// that the queries in this package are written once.

// Get reads one row into dest.
func Get(ctx context.Context, db sqlx.ExtContext, dest any, query string, args ...any) error {
	return sqlx.GetContext(ctx, db, dest, db.Rebind(query), args...)
}

// Select reads rows into dest.
func Select(ctx context.Context, db sqlx.ExtContext, dest any, query string, args ...any) error {
	return sqlx.SelectContext(ctx, db, dest, db.Rebind(query), args...)
}

// Exec runs a statement.
func Exec(ctx context.Context, db sqlx.ExtContext, query string, args ...any) (sql.Result, error) {
	return db.ExecContext(ctx, db.Rebind(query), args...)
}

// NullTime stores a zero time as NULL and any other as Unix milliseconds.
func NullTime(t time.Time) sql.NullInt64 {
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: !t.IsZero()}
}

// TimeOf reads a nullable Unix-milliseconds column: NULL is the zero time.
func TimeOf(ms sql.NullInt64) time.Time {
	if !ms.Valid {
		return time.Time{}
	}
	return time.UnixMilli(ms.Int64).UTC()
}

// NullID stores a zero ID as NULL.
func NullID(id int64) sql.NullInt64 {
	return sql.NullInt64{Int64: id, Valid: id != 0}
}
