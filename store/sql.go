package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/jmoiron/sqlx"
)

// The helpers below rebind "?" placeholders for the connection's driver, so
// that the queries in this package are written once.

func sqlxGet(ctx context.Context, db sqlx.ExtContext, dest any, query string, args ...any) error {
	return sqlx.GetContext(ctx, db, dest, db.Rebind(query), args...)
}

func sqlxSelect(ctx context.Context, db sqlx.ExtContext, dest any, query string, args ...any) error {
	return sqlx.SelectContext(ctx, db, dest, db.Rebind(query), args...)
}

func exec(ctx context.Context, db sqlx.ExtContext, query string, args ...any) (sql.Result, error) {
	return db.ExecContext(ctx, db.Rebind(query), args...)
}

// nullTime stores a zero time as NULL and any other as Unix milliseconds.
func nullTime(t time.Time) sql.NullInt64 {
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: !t.IsZero()}
}

// timeOf reads a nullable Unix-milliseconds column: NULL is the zero time.
func timeOf(ms sql.NullInt64) time.Time {
	if !ms.Valid {
		return time.Time{}
	}
	return time.UnixMilli(ms.Int64).UTC()
}
