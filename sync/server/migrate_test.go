package server

import (
	"bytes"
	"context"
	"database/sql"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/google/uuid"

	"sinba/internal/storetest"
	"sinba/sync/wire"
)

// previousSchema makes database's schema as the migrations up to last (in
// their order) made it, without the later ones, and returns a handle on it
// that speaks the store's SQL.
func previousSchema(t *testing.T, database, last string) *db {
	t.Helper()
	ctx := context.Background()
	driver, dsn, d := "sqlite", "file:"+filepath.Join(database, DBFile), dialect(sqliteDialect{})
	if IsPostgres(database) {
		driver, dsn, d = "pgx", database, &postgresDialect{}
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	files, err := d.migrations()
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	x := &db{sql: raw, d: d}
	if _, err := x.ExecContext(ctx, `CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, name := range names { // fs.Glob sorts them
		if name > last {
			break
		}
		body, err := fs.ReadFile(files, name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.ExecContext(ctx, string(body)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := x.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, 0)`, migrationName(name)); err != nil {
			t.Fatal(err)
		}
	}
	return x
}

// A store holding a format-1 and a format-2 revision under the schema
// before the disk migration (SQLite's 007, PostgreSQL's 002) keeps both
// when it is opened: each still names its header (the format-2 one its
// batch's, the format-1 one none), the coordinators' feed reads them with
// the header's keys (and gives a format-1 reader only the format-1 one),
// and the feed's second index is gone.
func TestDiskMigrationKeepsRevisions(t *testing.T) {
	ctx := context.Background()
	database := storetest.Database(t, t.TempDir())
	last := "006_instrument_ref.sql"
	if IsPostgres(database) {
		last = "001_init.sql"
	}
	old := previousSchema(t, database, last)
	pid, team, researcher, device := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	batch1, batch2 := uuid.NewString(), uuid.NewString()
	rec1, rec2, rev1, rev2 := uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()
	headerKeys := []byte("the batch's sealed keys")
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO projects (id, name, recipient, created_at) VALUES (?, 'p', 'age1p', 1)`, []any{pid}},
		{`INSERT INTO teams (id, project_id, name, created_at) VALUES (?, ?, 't', 1)`, []any{team, pid}},
		{`INSERT INTO researchers (id, team_id, name, created_at) VALUES (?, ?, 'r', 1)`, []any{researcher, team}},
		{`INSERT INTO devices (id, researcher_id, team_id, project_id, sign_key, recipient, label, enrolled_at) VALUES (?, ?, ?, ?, ?, 'age1d', 'l', 1)`,
			[]any{device, researcher, team, pid, []byte("key")}},
		{`INSERT INTO records (id, project_id, team_id, created_at) VALUES (?, ?, ?, 1), (?, ?, ?, 1)`, []any{rec1, pid, team, rec2, pid, team}},
		{`INSERT INTO batch_headers (batch_id, device_id, team_id, content, identity, created_at) VALUES (?, ?, ?, ?, NULL, 1)`, []any{batch2, device, team, headerKeys}},
		{`INSERT INTO revisions (revision, record_id, base_revision, device_id, team_id, instrument, instrument_version, municipality, status,
			saved_at, received_at, batch_id, content, content_sha256, size, conflict, header) VALUES
			(?, ?, '', ?, ?, 'sinba', 1, 'A001', 'final', 1000, 1, ?, ?, ?, 4, FALSE, ''),
			(?, ?, '', ?, ?, 'sinba', 1, 'A001', 'final', 2000, 2, ?, ?, ?, 4, FALSE, ?)`,
			[]any{rev1, rec1, device, team, batch1, []byte("one!"), []byte("sum1"), rev2, rec2, device, team, batch2, []byte("two!"), []byte("sum2"), batch2}},
		{`INSERT INTO feed (project_id, team_id, kind, ref) VALUES (?, ?, 'revision', ?), (?, ?, 'revision', ?)`, []any{pid, team, rev1, pid, team, rev2}},
	} {
		if _, err := old.ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	old.sql.Close()

	s, err := Open(database)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := map[string]struct {
		header, content string
	}{rev1: {"", "one!"}, rev2: {batch2, "two!"}}
	revs, err := s.Revisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 2 {
		t.Fatalf("%d revisions after the migration, want 2", len(revs))
	}
	for _, r := range revs {
		w := want[r.Revision]
		if r.Header != w.header || string(r.Content) != w.content {
			t.Errorf("revision %s: header %q content %q, want %q %q", r.Revision, r.Header, r.Content, w.header, w.content)
		}
	}
	page, err := s.CoordRevisions(ctx, pid, 0, 10, wire.FormatV2)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Revisions) != 2 || page.Revisions[0].Header != "" || page.Revisions[1].Header != batch2 {
		t.Fatalf("coordinators' page after the migration: %+v", page.Revisions)
	}
	if len(page.Headers) != 1 || page.Headers[0].Batch != batch2 || !bytes.Equal(page.Headers[0].Content, headerKeys) {
		t.Fatalf("coordinators' page headers: %+v", page.Headers)
	}
	// A format-1 reader is not given the format-2 revision.
	if page, err = s.CoordRevisions(ctx, pid, 0, 10, wire.FormatV1); err != nil || len(page.Revisions) != 1 || page.Revisions[0].Revision.Revision != rev1 {
		t.Fatalf("format-1 page after the migration: %+v %v", page, err)
	}
	var formats []int
	rows, err := s.r.QueryContext(ctx, `SELECT format FROM revisions ORDER BY saved_at`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var f int
		if err := rows.Scan(&f); err != nil {
			t.Fatal(err)
		}
		formats = append(formats, f)
	}
	if rows.Close(); len(formats) != 2 || formats[0] != wire.FormatV1 || formats[1] != wire.FormatV2 {
		t.Fatalf("formats %v, want [1 2]", formats)
	}
	indexes := `SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?`
	if IsPostgres(database) {
		indexes = `SELECT count(*) FROM pg_indexes WHERE indexname = ?`
	}
	for name, n := range map[string]int{"feed_by_kind": 0, "feed_by_project": 1} {
		var got int
		if err := s.r.QueryRowContext(ctx, indexes, name).Scan(&got); err != nil || got != n {
			t.Errorf("index %s: %d (%v), want %d", name, got, err, n)
		}
	}
}
