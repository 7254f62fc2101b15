package main

import (
	"strings"
	"testing"

	"sinba/sync/synctest"
)

// The command copies a pilot's server into PostgreSQL and says what it
// copied; run again on the same database it refuses, saying why, and
// copies nothing. (That every row arrives is server.TestMigrateFromSQLiteCopiesEveryRow.)
func TestMigrateCommand(t *testing.T) {
	dir := t.TempDir()
	p := synctest.NewProjectIn(t, dir, dir)
	p.Code(t, p.TeamA)
	p.Store.Close()
	url := synctest.PostgresDatabase(t)
	code, out, errs := runCmd(t, "migrate", "--from", dir, "--to", url)
	if code != 0 || !strings.Contains(out, "projects") || !strings.Contains(out, "enrol_codes") || !strings.Contains(out, "--database") {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, errs)
	}
	code, _, errs = runCmd(t, "migrate", "--from", dir+"/sinba-server.db", "--to", url)
	if code != 1 || !strings.Contains(errs, "non è vuota") || !strings.Contains(errs, "not empty") || !strings.Contains(errs, "nothing was copied") {
		t.Fatalf("migrate into a database that holds data: exit %d, %s; want 1 and the refusal", code, errs)
	}
}

func TestMigrateRefusesBadArguments(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"migrate", "--to", "postgres://x@/y"}, 2, "--from"},
		{[]string{"migrate", "--from", t.TempDir()}, 2, "--to"},
		{[]string{"migrate", "--from", t.TempDir(), "--to", "/tmp/altro"}, 2, "PostgreSQL"},
		{[]string{"migrate", "--from", t.TempDir(), "--to", "postgres://x@/y"}, 1, "sinba-server init"},
	} {
		code, _, errs := runCmd(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.says) {
			t.Errorf("%v: exit %d, %q; want %d and %q", c.args, code, errs, c.code, c.says)
		}
	}
}
