package store

import (
	"context"

	"github.com/accountd/accountd/services"
	"github.com/accountd/accountd/store/onboardingstore"
)

// ExecForTest runs a statement in a write transaction, for tests that need
// to set up states the services cannot produce.
func ExecForTest(tx services.Tx, query string) error {
	_, err := tx.(*txStore).tx.ExecContext(context.Background(), query)
	return err
}

// WriterPragma reads a PRAGMA on the writer connection.
func WriterPragma(s *Store, name string) (string, error) {
	var v string
	err := s.writer.GetContext(context.Background(), &v, "PRAGMA "+name)
	return v, err
}

// ReaderPragma reads a PRAGMA on a reader connection.
func ReaderPragma(s *Store, name string) (string, error) {
	var v string
	err := s.reader.GetContext(context.Background(), &v, "PRAGMA "+name)
	return v, err
}

// MigrateToForTest applies the migrations up to version only, to build a
// database as an older accountd left it.
func MigrateToForTest(ctx context.Context, s *Store, version int) error {
	migrations, err := loadMigrations(s.dialect)
	if err != nil {
		return err
	}
	if err := s.createMigrationsTable(ctx); err != nil {
		return err
	}
	for _, m := range migrations {
		if m.version > version {
			break
		}
		if _, err := s.apply(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

// ImageHashesQueryForTest is the query of ImageHashes, for a test of its
// plan.
const ImageHashesQueryForTest = onboardingstore.ImageHashesQuery

// MigrationVersionsForTest lists the versions of the embedded migrations.
func MigrationVersionsForTest(s *Store) ([]int, error) {
	migrations, err := loadMigrations(s.dialect)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(migrations))
	for i, m := range migrations {
		out[i] = m.version
	}
	return out, nil
}

// PicturesToResealQueryForTest is the query of PicturesToReseal, for a test
// of its plan.
const PicturesToResealQueryForTest = onboardingstore.PicturesToResealQuery

// AnyTx is the write transaction store hands to Update, which implements
// every domain's Tx, for store tests that call any of its methods.
type AnyTx = *txStore

// Update runs fn in a write transaction of s with every domain's view.
func Update(ctx context.Context, s *Store, fn func(tx AnyTx) error) error {
	return s.Update(ctx, func(tx services.Tx) error { return fn(tx.(*txStore)) })
}
