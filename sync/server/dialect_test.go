package server

import (
	"context"
	"slices"
	"testing"

	"sinba/internal/storetest"
)

func TestNumberPlaceholders(t *testing.T) {
	for in, want := range map[string]string{
		`SELECT a FROM t WHERE b = ? AND c = ?`:           `SELECT a FROM t WHERE b = $1 AND c = $2`,
		`SELECT '?', "?" FROM t WHERE x = ? -- what?`:     `SELECT '?', "?" FROM t WHERE x = $1 -- what?`,
		"SELECT 'it''s ?' /* ? */, ? FROM t\n-- ?\n, ?":   "SELECT 'it''s ?' /* ? */, $1 FROM t\n-- ?\n, $2",
		`INSERT INTO t VALUES (?1, ?2, ?1)`:               `INSERT INTO t VALUES ($1, $2, $1)`,
		`SELECT 'unterminated ?`:                          `SELECT 'unterminated ?`,
		`SELECT ? /* unterminated ?`:                      `SELECT $1 /* unterminated ?`,
		`SELECT instrument || ':' || version WHERE p = ?`: `SELECT instrument || ':' || version WHERE p = $1`,
	} {
		if got := numberPlaceholders(in); got != want {
			t.Errorf("numberPlaceholders(%q) = %q, want %q", in, got, want)
		}
	}
}

// The PostgreSQL schema (its migrations) has the tables and columns the
// SQLite migrations make, no more and no fewer (PostgreSQL's own rowid
// columns aside), so the one SQL of the store runs on both.
func TestSchemasMatch(t *testing.T) {
	c := storetest.Cluster()
	if c == nil {
		t.Skip("compares with PostgreSQL: runs in the tests on PostgreSQL")
	}
	ctx := context.Background()
	lite, err := OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	url, err := c.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := Open(url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	columns := func(s *Store, q string) []string {
		t.Helper()
		rows, err := s.r.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var table, column string
			if err := rows.Scan(&table, &column); err != nil {
				t.Fatal(err)
			}
			if column != "rowid" && table != "sqlite_sequence" {
				out = append(out, table+"."+column)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		slices.Sort(out)
		return out
	}
	a := columns(lite, `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'`)
	b := columns(pg, `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'`)
	for _, x := range a {
		if !slices.Contains(b, x) {
			t.Errorf("%s: in the SQLite schema, not in PostgreSQL's", x)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			t.Errorf("%s: in the PostgreSQL schema, not in SQLite's", x)
		}
	}
	if len(a) < 100 {
		t.Fatalf("%d columns in the SQLite schema: the query reads too little", len(a))
	}
}
