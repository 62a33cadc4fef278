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
)

//go:embed migrations/sqlite/*.sql
var migrationFiles embed.FS

// ErrSchemaTooNew means the database was migrated by a newer accountd than
// this one: running on it could corrupt data, so this binary refuses.
var ErrSchemaTooNew = errors.New("database schema is newer than this accountd knows")

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations/sqlite")
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
		b, err := migrationFiles.ReadFile(path.Join("migrations/sqlite", e.Name()))
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
	migrations, err := loadMigrations()
	if err != nil {
		return nil, err
	}
	if _, err := s.writer.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("migrate: %w", translate(err))
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
		return false, fmt.Errorf("migrate %s: %w", m.name, translate(err))
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var current int
	if err := tx.GetContext(ctx, &current, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`); err != nil {
		return false, fmt.Errorf("migrate %s: %w", m.name, translate(err))
	}
	if current >= m.version {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("migrate %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, time.Now().UnixMilli()); err != nil {
		return false, fmt.Errorf("migrate %s: %w", m.name, translate(err))
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migrate %s: %w", m.name, translate(err))
	}
	return true, nil
}

// SchemaVersion returns the highest migration applied, 0 for a new database.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.writer.GetContext(ctx, &v, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`)
	if err != nil {
		return 0, fmt.Errorf("schema version: %w", translate(err))
	}
	return v, nil
}
