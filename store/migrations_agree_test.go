package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/accountd/accountd/store"
	"github.com/accountd/accountd/store/storetest"
)

// column is what both dialects can say of a column.
type column struct {
	family  string // integer, text, blob, real, boolean or timestamp
	notNull bool
	def     string // the default, normalised; "" for none
}

// index is what both dialects can say of an index. Indexes made by CREATE
// INDEX are known by their name; those behind a PRIMARY KEY or UNIQUE
// constraint by what they cover, since SQLite names them itself.
type index struct {
	table, columns string
	unique         bool
	where          string // the partial index's predicate, normalised
}

// schema is a migrated database, described the same way for both dialects.
type schema struct {
	columns map[string]column // "table.column"
	primary map[string]string // table -> its primary key's columns
	indexes map[string]index  // name, or "UNIQUE table (columns)"
	foreign map[string]bool   // "table (columns) REFERENCES table (columns)"
}

func newSchema() schema {
	return schema{columns: map[string]column{}, primary: map[string]string{}, indexes: map[string]index{}, foreign: map[string]bool{}}
}

// TestMigrationsAgree migrates a new SQLite database and a new PostgreSQL
// schema and proves that both have the same tables, columns (type family,
// nullability, default), primary keys, indexes and foreign keys. The
// differences that are meant are listed, with their reasons, in
// dialectAllowances.
func TestMigrationsAgree(t *testing.T) {
	t.Parallel()
	if os.Getenv(storetest.PostgresDSNEnv) == "" {
		t.Skipf("%s is not set: the SQLite and PostgreSQL migrations are not compared (bash .ci/run sets it)", storetest.PostgresDSNEnv)
	}
	pgDSN := storetest.PostgresDSN(t)
	ctx := context.Background()
	sqlitePath := filepath.Join(t.TempDir(), "accountd.db")
	for _, db := range []struct{ driver, dsn string }{{"sqlite", sqlitePath}, {"postgres", pgDSN}} {
		st, err := store.Open(ctx, db.driver, db.dsn)
		if err != nil {
			t.Fatalf("open %s: %v", db.driver, err)
		}
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatalf("migrate %s: %v", db.driver, err)
		}
		st.Close()
	}
	lite := readSQLiteSchema(t, openRaw(t, "sqlite3", "file:"+sqlitePath))
	pg := readPostgresSchema(t, openRaw(t, "pgx", pgDSN))
	if len(lite.columns) == 0 || len(pg.columns) == 0 || len(lite.indexes) == 0 || len(pg.indexes) == 0 {
		t.Fatalf("read %d SQLite and %d PostgreSQL columns, %d and %d indexes: want some of each",
			len(lite.columns), len(pg.columns), len(lite.indexes), len(pg.indexes))
	}
	seen := map[string]bool{}
	for _, d := range compareSchemas(lite, pg) {
		if seen[d] = true; dialectAllowances[d] == "" {
			t.Errorf("the dialects differ: %s (add a migration pair that fixes it, or an allowance with its reason)", d)
		}
	}
	for d := range dialectAllowances {
		if !seen[d] {
			t.Errorf("allowance %q: the dialects no longer differ so; remove it", d)
		}
	}
}

// dialectAllowances are the differences between the migrated SQLite and
// PostgreSQL schemas that are meant, each with its reason. A difference
// not listed here fails TestMigrationsAgree: fix it with a new migration
// pair, or list it here with a reason.
var dialectAllowances = map[string]string{
	// accounts.seq was added by ALTER TABLE in version 2. SQLite cannot
	// make an added column NOT NULL without a default, nor give it a
	// sequence, short of building accounts again (six tables refer to it,
	// and a migration runs inside a transaction, where SQLite ignores
	// foreign_keys=OFF). SQLite's one writer gives each new account
	// MAX(seq) + 1 in InsertAccount (dialect.nextAccountSeq) and every
	// insert goes through it; the unique index accounts_seq holds on both.
	"column accounts.seq: SQLite {family:integer notNull:false def:}, PostgreSQL {family:integer notNull:true def:(auto number)}": "SQLite cannot add a NOT NULL sequence column; the store fills it",
}

func openRaw(t *testing.T, driver, dsn string) *sqlx.DB {
	t.Helper()
	db, err := sqlx.Open(driver, dsn)
	if err != nil {
		t.Fatalf("open %s: %v", driver, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// compareSchemas lists every difference between a (SQLite) and b
// (PostgreSQL), sorted.
func compareSchemas(a, b schema) []string {
	var diffs []string
	diffs = append(diffs, compareMaps("column", a.columns, b.columns)...)
	diffs = append(diffs, compareMaps("primary key of", a.primary, b.primary)...)
	diffs = append(diffs, compareMaps("index", a.indexes, b.indexes)...)
	diffs = append(diffs, compareMaps("foreign key", a.foreign, b.foreign)...)
	sort.Strings(diffs)
	return diffs
}

func compareMaps[V comparable](what string, a, b map[string]V) []string {
	var diffs []string
	for k, va := range a {
		vb, ok := b[k]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s %s: in SQLite only", what, k))
		case va != vb:
			diffs = append(diffs, fmt.Sprintf("%s %s: SQLite %+v, PostgreSQL %+v", what, k, va, vb))
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s %s: in PostgreSQL only", what, k))
		}
	}
	return diffs
}

// typeFamily maps a declared (SQLite) or catalogued (PostgreSQL) column
// type to the family the store reads it as.
func typeFamily(declared string) string {
	t := strings.ToLower(declared)
	switch {
	case strings.Contains(t, "int"):
		return "integer"
	case strings.Contains(t, "char"), strings.Contains(t, "text"), strings.Contains(t, "clob"):
		return "text"
	case strings.Contains(t, "blob"), strings.Contains(t, "bytea"):
		return "blob"
	case strings.Contains(t, "real"), strings.Contains(t, "floa"), strings.Contains(t, "doub"), strings.Contains(t, "numeric"):
		return "real"
	case strings.Contains(t, "bool"):
		return "boolean"
	case strings.Contains(t, "time"), strings.Contains(t, "date"):
		return "timestamp"
	}
	return "unknown " + t
}

// autoNumber is the default of a column numbered by the database.
const autoNumber = "(auto number)"

var (
	reAutoIncrement = regexp.MustCompile(`(?i)\bAUTOINCREMENT\b`)
	reCast          = regexp.MustCompile(`::[a-z ]+`)
	reSpaces        = regexp.MustCompile(`\s+`)
)

// normaliseSQL makes a default or a predicate comparable across the
// dialects: lower case, without PostgreSQL's casts, brackets and repeated
// spaces.
func normaliseSQL(s string) string {
	s = reCast.ReplaceAllString(strings.ToLower(s), "")
	s = strings.NewReplacer("(", "", ")", "").Replace(s)
	return strings.TrimSpace(reSpaces.ReplaceAllString(s, " "))
}

// readSQLiteSchema describes a migrated SQLite database.
func readSQLiteSchema(t *testing.T, db *sqlx.DB) schema {
	t.Helper()
	s := newSchema()
	var tables []string
	if err := db.Select(&tables, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`); err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		var ddl string
		if err := db.Get(&ddl, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`, table); err != nil {
			t.Fatal(err)
		}
		var cols []struct {
			Name    string  `db:"name"`
			Type    string  `db:"type"`
			NotNull bool    `db:"notnull"`
			Default *string `db:"dflt_value"`
			PK      int     `db:"pk"`
		}
		if err := db.Select(&cols, `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)`, table); err != nil {
			t.Fatal(err)
		}
		pk := map[int]string{}
		for _, c := range cols {
			col := column{family: typeFamily(c.Type), notNull: c.NotNull || c.PK > 0}
			if c.Default != nil {
				col.def = normaliseSQL(*c.Default)
			}
			if c.PK > 0 && reAutoIncrement.MatchString(ddl) {
				// INTEGER PRIMARY KEY AUTOINCREMENT is PostgreSQL's
				// BIGSERIAL. (A plain INTEGER PRIMARY KEY would number
				// rows too, but the store always gives their ids, as
				// PostgreSQL's BIGINT keys need.)
				col.def = autoNumber
			}
			s.columns[table+"."+c.Name] = col
			if c.PK > 0 {
				pk[c.PK] = c.Name
			}
		}
		s.primary[table] = joinInOrder(pk)
		readSQLiteIndexes(t, db, table, s.indexes)
		readSQLiteForeignKeys(t, db, table, s)
	}
	return s
}

// readSQLiteForeignKeys adds table's foreign keys; one that names no
// column refers to the other table's primary key.
func readSQLiteForeignKeys(t *testing.T, db *sqlx.DB, table string, s schema) {
	t.Helper()
	var fks []struct {
		ID    int     `db:"id"`
		Table string  `db:"table"`
		From  string  `db:"from"`
		To    *string `db:"to"`
	}
	if err := db.Select(&fks, `SELECT id, "table", "from", "to" FROM pragma_foreign_key_list(?) ORDER BY id, seq`, table); err != nil {
		t.Fatal(err)
	}
	from, to, ref := map[int][]string{}, map[int][]string{}, map[int]string{}
	for _, fk := range fks {
		ref[fk.ID] = fk.Table
		from[fk.ID] = append(from[fk.ID], fk.From)
		if fk.To != nil {
			to[fk.ID] = append(to[fk.ID], *fk.To)
		}
	}
	for id, refTable := range ref {
		cols := strings.Join(to[id], ", ")
		if cols == "" {
			cols = "(primary key)"
		}
		s.foreign[fmt.Sprintf("%s (%s) REFERENCES %s (%s)", table, strings.Join(from[id], ", "), refTable, cols)] = true
	}
}

// readSQLiteIndexes adds table's indexes, apart from its primary key's.
func readSQLiteIndexes(t *testing.T, db *sqlx.DB, table string, out map[string]index) {
	t.Helper()
	var list []struct {
		Name   string `db:"name"`
		Unique bool   `db:"unique"`
		Origin string `db:"origin"`
	}
	if err := db.Select(&list, `SELECT name, "unique", origin FROM pragma_index_list(?)`, table); err != nil {
		t.Fatal(err)
	}
	for _, ix := range list {
		if ix.Origin == "pk" {
			continue
		}
		var cols []*string
		if err := db.Select(&cols, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, ix.Name); err != nil {
			t.Fatal(err)
		}
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = "(expression)"
			if c != nil {
				names[i] = *c
			}
		}
		var ddl *string
		if err := db.Get(&ddl, `SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`, ix.Name); err != nil {
			t.Fatal(err)
		}
		where := ""
		if ddl != nil {
			if i := strings.Index(strings.ToUpper(*ddl), " WHERE "); i >= 0 {
				where = normaliseSQL((*ddl)[i+len(" WHERE "):])
			}
		}
		addIndex(out, ix.Name, ix.Origin == "c", index{table: table, columns: strings.Join(names, ", "), unique: ix.Unique, where: where})
	}
}

// readPostgresSchema describes a migrated PostgreSQL schema (the DSN's
// search_path).
func readPostgresSchema(t *testing.T, db *sqlx.DB) schema {
	t.Helper()
	s := newSchema()
	var cols []struct {
		Table    string  `db:"table_name"`
		Name     string  `db:"column_name"`
		Type     string  `db:"data_type"`
		Nullable string  `db:"is_nullable"`
		Default  *string `db:"column_default"`
	}
	if err := db.Select(&cols, `SELECT c.table_name, c.column_name, c.data_type, c.is_nullable, c.column_default
		FROM information_schema.columns c JOIN information_schema.tables t
			ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'`); err != nil {
		t.Fatal(err)
	}
	for _, c := range cols {
		col := column{family: typeFamily(c.Type), notNull: c.Nullable == "NO"}
		switch {
		case c.Default != nil && strings.HasPrefix(*c.Default, "nextval("):
			col.def = autoNumber // BIGSERIAL, or a column's own sequence
		case c.Default != nil:
			col.def = normaliseSQL(*c.Default)
		}
		s.columns[c.Table+"."+c.Name] = col
		if _, ok := s.primary[c.Table]; !ok {
			s.primary[c.Table] = ""
		}
	}
	var indexes []struct {
		Table      string  `db:"table_name"`
		Name       string  `db:"index_name"`
		Columns    string  `db:"columns"`
		Unique     bool    `db:"indisunique"`
		Primary    bool    `db:"indisprimary"`
		FromConstr bool    `db:"from_constraint"`
		Predicate  *string `db:"predicate"`
	}
	if err := db.Select(&indexes, `SELECT tc.relname AS table_name, ic.relname AS index_name,
			(SELECT string_agg(COALESCE(a.attname, '(expression)'), ', ' ORDER BY k.n)
				FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
				LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum > 0) AS columns,
			i.indisunique, i.indisprimary,
			EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid) AS from_constraint,
			pg_get_expr(i.indpred, i.indrelid) AS predicate
		FROM pg_index i
		JOIN pg_class ic ON ic.oid = i.indexrelid
		JOIN pg_class tc ON tc.oid = i.indrelid
		WHERE tc.relnamespace = current_schema()::regnamespace`); err != nil {
		t.Fatal(err)
	}
	var fks []string
	if err := db.Select(&fks, `SELECT format('%s (%s) REFERENCES %s (%s)', tc.relname,
			(SELECT string_agg(a.attname, ', ' ORDER BY k.n) FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, n)
				JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum),
			rc.relname,
			(SELECT string_agg(a.attname, ', ' ORDER BY k.n) FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, n)
				JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum))
		FROM pg_constraint con
		JOIN pg_class tc ON tc.oid = con.conrelid
		JOIN pg_class rc ON rc.oid = con.confrelid
		WHERE con.contype = 'f' AND con.connamespace = current_schema()::regnamespace`); err != nil {
		t.Fatal(err)
	}
	for _, fk := range fks {
		s.foreign[fk] = true
	}
	for _, ix := range indexes {
		if ix.Primary {
			s.primary[ix.Table] = ix.Columns
			continue
		}
		where := ""
		if ix.Predicate != nil {
			where = normaliseSQL(*ix.Predicate)
		}
		addIndex(s.indexes, ix.Name, !ix.FromConstr, index{table: ix.Table, columns: ix.Columns, unique: ix.Unique, where: where})
	}
	return s
}

// addIndex files an index under its name when CREATE INDEX made it, or
// under what it covers when a UNIQUE constraint did.
func addIndex(out map[string]index, name string, created bool, ix index) {
	if !created {
		name = fmt.Sprintf("UNIQUE %s (%s)", ix.table, ix.columns)
	}
	out[name] = ix
}

// joinInOrder joins a primary key's columns by their position (1, 2, ...).
func joinInOrder(byPos map[int]string) string {
	names := make([]string, 0, len(byPos))
	for i := 1; i <= len(byPos); i++ {
		names = append(names, byPos[i])
	}
	return strings.Join(names, ", ")
}
