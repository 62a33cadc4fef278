package sqldb

import (
	"database/sql"
	"strings"
)

// Dialect holds what differs between the databases.
type Dialect struct {
	Name string // "sqlite" or "postgres": also the migrations folder
	// TxOptions are the options of a write transaction. PostgreSQL's are
	// READ COMMITTED whatever the server's default: the calls that share a
	// group commit each read what committed before they run, as they would
	// in transactions of their own.
	TxOptions *sql.TxOptions
	// NextAccountSeq is the SQL expression for a new account's seq.
	NextAccountSeq string
	// PendingAudit says that audit rows are appended to audit_pending and
	// chained later by one sealer (PostgreSQL: no lock spans the
	// transactions); where false, the writer holds the whole database and
	// chains each row as it is appended (SQLite).
	PendingAudit bool
	// ForUpdate ends a SELECT that holds its rows until the transaction
	// ends; empty on SQLite, whose writer already holds the whole database.
	ForUpdate string
	// SkipLocked is forUpdate that also passes over rows another
	// transaction holds, so that sweepers and dispatchers share the work.
	SkipLocked string
	// ForShare ends a SELECT that keeps its rows from being changed until
	// the transaction ends, without blocking other readers that share them.
	ForShare string
	// SetLockTimeout bounds, until ResetLockTimeout, how long a statement
	// of the transaction waits for a row or index entry that another
	// transaction holds (its one argument: "250ms"); empty where the writer
	// already holds the whole database.
	SetLockTimeout, ResetLockTimeout string
	// SetStatementTimeout bounds every statement of a write transaction
	// until it ends (its one argument: "30s"); empty on SQLite.
	SetStatementTimeout string
}

// LockOf narrows a locking clause (forUpdate or skipLocked) to the table
// named alias: PostgreSQL cannot lock the nullable side of an outer join.
func LockOf(clause, alias string) string {
	if clause == "" {
		return ""
	}
	clause = strings.Replace(clause, "FOR UPDATE", "FOR UPDATE OF "+alias, 1)
	return strings.Replace(clause, "FOR SHARE", "FOR SHARE OF "+alias, 1)
}

// The dialects.
var (
	SQLite = Dialect{
		Name:           "sqlite",
		NextAccountSeq: `(SELECT COALESCE(MAX(seq), 0) + 1 FROM accounts)`,
	}
	Postgres = Dialect{
		Name:           "postgres",
		TxOptions:      &sql.TxOptions{Isolation: sql.LevelReadCommitted},
		NextAccountSeq: `nextval('accounts_seq_seq')`,
		PendingAudit:   true,
		ForUpdate:      ` FOR UPDATE`,
		SkipLocked:     ` FOR UPDATE SKIP LOCKED`,
		ForShare:       ` FOR SHARE`,
		// set_config(..., true) and SET LOCAL last until the transaction
		// ends; DEFAULT is the session's own setting.
		SetLockTimeout:      `SELECT set_config('lock_timeout', ?, true)`,
		ResetLockTimeout:    `SET LOCAL lock_timeout TO DEFAULT`,
		SetStatementTimeout: `SELECT set_config('statement_timeout', $1, true)`,
	}
)
