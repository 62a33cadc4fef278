package store

import (
	"context"
	"database/sql"

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
