package store

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
)

// sqliteFilePath returns the file a SQLite DSN names, or "" for an
// in-memory database.
func sqliteFilePath(dsn string) string {
	path, rawQuery, _ := strings.Cut(strings.TrimPrefix(dsn, "file:"), "?")
	if q, err := url.ParseQuery(rawQuery); err == nil && q.Get("mode") == "memory" {
		return ""
	}
	if path == "" || path == ":memory:" {
		return ""
	}
	if unescaped, err := url.PathUnescape(path); err == nil {
		return unescaped // SQLite reads the file: URI sqliteDSN makes
	}
	return path
}

// createPrivate creates the database file with mode 0600 unless it exists,
// before SQLite opens it: SQLite creates a new database 0644, and gives
// the -wal and -shm files the database file's mode.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, fs.ErrExist):
		return nil
	case err != nil:
		return fmt.Errorf("create database file: %w", err)
	}
	return f.Close()
}

// LooseFile is a database file that others than its owner may read or
// write.
type LooseFile struct {
	Path string
	Mode fs.FileMode
}

// LooseFiles lists the SQLite database, WAL and shared-memory files whose
// mode lets the group or others in (PostgreSQL: none). Files this store
// created are 0600; older databases may not be.
func (s *Store) LooseFiles() []LooseFile {
	if s.path == "" {
		return nil
	}
	var out []LooseFile
	for _, p := range []string{s.path, s.path + "-wal", s.path + "-shm"} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o077 != 0 {
			out = append(out, LooseFile{Path: p, Mode: fi.Mode().Perm()})
		}
	}
	return out
}
