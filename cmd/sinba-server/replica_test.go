package main

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"sinba/internal/storetest"
	"sinba/sync/server"
)

// The commands that only read (status, devices, audit, export) open the
// store without migrating it, on a connection whose transactions are read
// only: they work on a database they cannot write, as a read replica is
// (here a role that may only SELECT, whose every transaction is read only),
// where a command that writes is refused by the database.
func TestReadCommandsOnAReadOnlyDatabase(t *testing.T) {
	c := storetest.Cluster()
	if c == nil {
		t.Skip("needs PostgreSQL: runs in the tests on PostgreSQL")
	}
	ctx := context.Background()
	database, err := c.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"init"},
		{"project", "--name", "Pilota", "--key-out", filepath.Join(t.TempDir(), "project.key")},
		{"team", "--project", "Pilota", "--name", "A"},
		{"researcher", "--team", "A", "--name", "Rossi"},
		{"code", "--researcher", "Rossi"},
	} {
		if code, _, errs := runCmd(t, append(args, "--database", database)...); code != 0 {
			t.Fatalf("%s: %s", args[0], errs)
		}
	}
	admin, err := pgx.Connect(ctx, database)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	u, err := url.Parse(database)
	if err != nil {
		t.Fatal(err)
	}
	role := "reader_" + strings.TrimPrefix(u.Path, "/") // roles are the cluster's, databases' names unique in it
	for _, q := range []string{
		`CREATE ROLE ` + role + ` LOGIN`,
		`ALTER ROLE ` + role + ` SET default_transaction_read_only = on`,
		`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ` + role,
	} {
		if _, err := admin.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	reader := strings.Replace(database, "postgres://"+"sinba@", "postgres://"+role+"@", 1)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"status"}, "progetti/projects 1  squadre/teams 1  rilevatori/researchers 1"},
		{[]string{"devices"}, "DEVICE"},
		{[]string{"audit"}, "EVENT"},
	} {
		code, out, errs := runCmd(t, append(tc.args, "--database", reader)...)
		if code != 0 || !strings.Contains(out, tc.want) {
			t.Errorf("%s on a database it cannot write: status %d, %q %s; want %q", tc.args[0], code, out, errs, tc.want)
		}
	}
	// What writes is refused by the database, and says so.
	if code, _, errs := runCmd(t, "team", "--database", reader, "--project", "Pilota", "--name", "B"); code == 0 {
		t.Error("team made through a role that may only read")
	} else {
		t.Logf("team through the reader: %s", strings.TrimSpace(errs))
	}
	var teams int
	if err := admin.QueryRow(ctx, `SELECT count(*) FROM teams`).Scan(&teams); err != nil || teams != 1 {
		t.Fatalf("%d teams, %v", teams, err)
	}
}

// A schema behind this program: the commands that read say to migrate it
// first, and init (or serve) migrates it and says which migrations it
// applied. A schema ahead (migrated by a newer sinba-server): every command
// refuses it, saying to update the program, and leaves it as it is.
func TestSchemaBehindOrAhead(t *testing.T) {
	data := t.TempDir()
	pg := onBackend(t, data)
	if !pg {
		// A SQLite store exists once init made its file; an empty file is
		// a database with no schema at all.
		if err := os.WriteFile(filepath.Join(data, server.DBFile), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	code, _, errs := runCmd(t, "status", "--data", data)
	if code != 1 || !strings.Contains(errs, "schema is behind this program") || !strings.Contains(errs, "001_init") {
		t.Fatalf("status on a database with no schema: %d %s", code, errs)
	}
	code, _, errs = runCmd(t, "init", "--data", data)
	if code != 0 || !strings.Contains(errs, "migrations applied: migrations/001_init.sql") {
		t.Fatalf("init on a database with no schema: %d %s", code, errs)
	}
	if code, _, errs = runCmd(t, "init", "--data", data); code != 0 || !strings.Contains(errs, "schema already up to date") {
		t.Fatalf("init again: %d %s", code, errs)
	}
	if code, out, errs := runCmd(t, "status", "--data", data); code != 0 || !strings.Contains(out, "progetti/projects 0") {
		t.Fatalf("status once migrated: %d %q %s", code, out, errs)
	}

	// A newer program's migration.
	driver, dsn := "sqlite", "file:"+filepath.Join(data, server.DBFile)
	if pg {
		driver, dsn = "pgx", os.Getenv(EnvDatabase)
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO schema_migrations (name, applied_at) VALUES ('migrations/999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"status"}, {"init"}, {"serve", "--addr", "127.0.0.1:0"}, {"team", "--project", "x", "--name", "y"}} {
		code, _, errs := runCmd(t, append(args, "--data", data)...)
		if code != 1 || !strings.Contains(errs, "schema is newer than this program (unknown migrations: migrations/999_future.sql): update sinba-server") {
			t.Errorf("%s on a newer schema: %d %s", args[0], code, errs)
		}
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d migrations recorded, the newer one kept", n)
}
