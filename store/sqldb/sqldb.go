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

// Detached is a write transaction whose statements keep their context's
// values but not its cancellation. Cancelling a statement can end the whole
// transaction (SQLite rolls an interrupted write's transaction back), and a
// transaction that group commit shares between calls must not end because
// one caller has gone.
type Detached struct{ *sqlx.Tx }

// ExecContext runs a statement to its end.
func (d Detached) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.Tx.ExecContext(context.WithoutCancel(ctx), query, args...)
}

// QueryContext runs a query to its end.
func (d Detached) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.Tx.QueryContext(context.WithoutCancel(ctx), query, args...)
}

// QueryxContext runs a query to its end.
func (d Detached) QueryxContext(ctx context.Context, query string, args ...any) (*sqlx.Rows, error) {
	return d.Tx.QueryxContext(context.WithoutCancel(ctx), query, args...)
}

// QueryRowxContext runs a query to its end.
func (d Detached) QueryRowxContext(ctx context.Context, query string, args ...any) *sqlx.Row {
	return d.Tx.QueryRowxContext(context.WithoutCancel(ctx), query, args...)
}
