package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/accountd/accountd/store/sqldb"
	"github.com/jmoiron/sqlx"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// ErrSchemaTooNew means the database was migrated by a newer accountd than
// this one: running on it could corrupt data, so this binary refuses.
var ErrSchemaTooNew = errors.New("database schema is newer than this accountd knows")

type migration struct {
	version int
	name    string
	sql     string
}

// migrationLock is the PostgreSQL advisory lock key that serialises
// migrations run by several replicas starting at once.
const migrationLock = 7_240_519_001

func loadMigrations(d sqldb.Dialect) ([]migration, error) {
	dir := path.Join("migrations", d.Name)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		prefix, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(prefix)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a version number", e.Name())
		}
		b, err := migrationFiles.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// Migrate applies the embedded migrations that the database lacks, each in
// its own transaction, and returns the versions it applied. It fails with
// ErrSchemaTooNew when the database is ahead of this binary.
func (s *Store) Migrate(ctx context.Context) ([]int, error) {
	migrations, err := loadMigrations(s.dialect)
	if err != nil {
		return nil, err
	}
	if err := s.createMigrationsTable(ctx); err != nil {
		return nil, err
	}
	current, err := s.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	latest := migrations[len(migrations)-1].version
	if current > latest {
		return nil, fmt.Errorf("migrate: database is at version %d, this binary knows up to %d: %w", current, latest, ErrSchemaTooNew)
	}
	var applied []int
	for _, m := range migrations {
		if m.version <= current {
			continue
		}
		done, err := s.apply(ctx, m)
		if err != nil {
			return applied, err
		}
		if done {
			applied = append(applied, m.version)
		}
	}
	return applied, nil
}

// apply runs one migration in a transaction, unless another process applied
// it meanwhile (the transaction holds the write lock while it checks).
func (s *Store) apply(ctx context.Context, m migration) (bool, error) {
	tx, err := s.writer.BeginTxx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate %s: %w", m.name, sqldb.Translate(err))
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := s.lockMigrations(ctx, tx); err != nil {
		return false, fmt.Errorf("migrate %s: %w", m.name, err)
	}
	var current int
	if err := tx.GetContext(ctx, &current, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`); err != nil {
		return false, fmt.Errorf("migrate %s: %w", m.name, sqldb.Translate(err))
	}
	if current >= m.version {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("migrate %s: %w", m.name, err)
	}
	if _, err := sqldb.Exec(ctx, tx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, time.Now().UnixMilli()); err != nil {
		return false, fmt.Errorf("migrate %s: %w", m.name, sqldb.Translate(err))
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migrate %s: %w", m.name, sqldb.Translate(err))
	}
	return true, nil
}

// SchemaVersion returns the highest migration applied, 0 for a new database.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.writer.GetContext(ctx, &v, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`)
	if err != nil {
		return 0, fmt.Errorf("schema version: %w", sqldb.Translate(err))
	}
	return v, nil
}

// createMigrationsTable creates the table of applied migrations unless it
// exists, under the migration lock.
func (s *Store) createMigrationsTable(ctx context.Context) error {
	tx, err := s.writer.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", sqldb.Translate(err))
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := s.lockMigrations(ctx, tx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", sqldb.Translate(err))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: %w", sqldb.Translate(err))
	}
	return nil
}

// lockMigrations makes a migration transaction exclusive. SQLite's
// immediate transactions already are; PostgreSQL takes an advisory lock
// held until the transaction ends.
func (s *Store) lockMigrations(ctx context.Context, tx *sqlx.Tx) error {
	if s.dialect.Name != "postgres" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
		return sqldb.Translate(err)
	}
	return nil
}

// LatestVersion is the newest migration this binary knows.
func (s *Store) LatestVersion() (int, error) {
	migrations, err := loadMigrations(s.dialect)
	if err != nil {
		return 0, err
	}
	return migrations[len(migrations)-1].version, nil
}

// ErrNotReady means the database answers but is not at this binary's schema.
var ErrNotReady = errors.New("database not ready")

// Ready reports whether the database answers and carries exactly the schema
// this binary knows, for a readiness probe.
func (s *Store) Ready(ctx context.Context) error {
	// Asked of a reader, so that a probe does not queue behind SQLite's
	// single writer.
	var current int
	if err := s.reader.GetContext(ctx, &current, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`); err != nil {
		return &notReady{public: "database unreachable or never migrated", err: fmt.Errorf("%w: %w", ErrNotReady, sqldb.Translate(err))}
	}
	latest, err := s.LatestVersion()
	if err != nil {
		return err
	}
	switch {
	case current < latest:
		msg := fmt.Sprintf("schema at version %d, this binary needs %d (run accountd migrate)", current, latest)
		return &notReady{public: msg, err: fmt.Errorf("%w: %s", ErrNotReady, msg)}
	case current > latest:
		msg := fmt.Sprintf("schema at version %d, this binary knows up to %d", current, latest)
		return &notReady{public: msg, err: fmt.Errorf("%w: %s: %w", ErrNotReady, msg, ErrSchemaTooNew)}
	}
	return nil
}

// notReady is a readiness failure with a reason safe to show to anyone who
// can reach the probe: the driver's own error, which may name the database
// host and user, stays in err for the log.
type notReady struct {
	public string
	err    error
}

func (e *notReady) Error() string  { return e.err.Error() }
func (e *notReady) Unwrap() error  { return e.err }
func (e *notReady) Public() string { return e.public }
