package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sinba/internal/storetest"
	"sinba/sync/server"
)

// The commands' tests run once on each backend (storetest.Backends).
func TestMain(m *testing.M) { os.Exit(storetest.Main(m)) }

// --database names a PostgreSQL database for init and the admin commands,
// without --data; a --database that is not a postgres:// address is
// refused, and the password of one never reaches the output.
func TestDatabaseFlag(t *testing.T) {
	c := storetest.Cluster()
	if c == nil {
		t.Skip("needs PostgreSQL: runs in the tests on PostgreSQL")
	}
	if code, _, errs := runCmd(t, "init", "--database", "/srv/sinba"); code != 2 || !strings.Contains(errs, "postgres://") {
		t.Fatalf("init --database with a folder: %d %s", code, errs)
	}
	database, err := c.NewDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// A password in the address (the cluster trusts its socket, so any will do).
	database = strings.Replace(database, "postgres://"+"sinba@", "postgres://sinba:segreta@", 1)
	code, out, errs := runCmd(t, "init", "--database", database)
	if code != 0 || strings.Contains(out+errs, "segreta") || !strings.Contains(errs, "database ready") {
		t.Fatalf("init --database: %d %q %q", code, out, errs)
	}
	if code, _, errs := runCmd(t, "project", "--database", database, "--name", "Regione", "--key-out", filepath.Join(t.TempDir(), "k")); code != 0 {
		t.Fatalf("project: %s", errs)
	}
	if code, out, errs := runCmd(t, "status", "--database", database); code != 0 || !strings.Contains(out, "progetti/projects 1") {
		t.Fatalf("status: %d %q %s", code, out, errs)
	}
	// The same database through the environment.
	t.Setenv(EnvDatabase, database)
	if code, out, errs := runCmd(t, "status"); code != 0 || !strings.Contains(out, "progetti/projects 1") {
		t.Fatalf("status with %s: %d %q %s", EnvDatabase, code, out, errs)
	}
	st, err := server.Open(database)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if st.Backend() != "postgres" {
		t.Fatalf("backend %q", st.Backend())
	}
}
