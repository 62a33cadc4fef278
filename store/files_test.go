package store_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/accountd/accountd/store"
	"github.com/accountd/accountd/store/storetest"
)

// TestDatabaseFilesPrivate: a new SQLite database, its WAL and its
// shared-memory file are mode 0600 after writes; an older database that
// others can read is reported, and left as it is.
func TestDatabaseFilesPrivate(t *testing.T) {
	if storetest.IsPostgres() {
		t.Skip("SQLite files")
	}
	ctx := context.Background()
	dir := t.TempDir()
	loose := filepath.Join(dir, "loose.db")
	if err := os.WriteFile(loose, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(loose, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	tests := []struct {
		name, dsn string
		path      string
		want      fs.FileMode
	}{
		{"new file", filepath.Join(dir, "new.db"), filepath.Join(dir, "new.db"), 0o600},
		{"new file: URI with settings", "file:" + filepath.Join(dir, "uri%20db.db") + "?_busy_timeout=1000", filepath.Join(dir, "uri db.db"), 0o600},
		{"existing 0644 file", loose, loose, 0o644},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := store.Open(ctx, "sqlite", tt.dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if _, err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			seedPartner(t, st, 1, "files")
			for _, suffix := range []string{"", "-wal", "-shm"} {
				fi, err := os.Stat(tt.path + suffix)
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode().Perm(); got != tt.want {
					t.Errorf("%s: mode %v, want %v", suffix, got, tt.want)
				}
			}
			files := st.LooseFiles()
			if tt.want == 0o600 && len(files) != 0 {
				t.Errorf("loose files %v, want none", files)
			}
			if tt.want != 0o600 && (len(files) != 3 || files[0].Path != tt.path || files[0].Mode != tt.want) {
				t.Errorf("loose files %v, want the database, WAL and shared memory at %v", files, tt.want)
			}
		})
	}
}
