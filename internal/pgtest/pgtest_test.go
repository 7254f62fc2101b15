package pgtest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// A cluster starts, makes databases that are apart, and leaves nothing
// behind once stopped.
func TestClusterStartsAndStops(t *testing.T) {
	c, err := Start()
	if errors.Is(err, ErrNotInstalled) && !Required() {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := c.NewDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.NewDatabase(ctx)
	if err != nil || a == b {
		t.Fatalf("second database %q (%v), first %q", b, err, a)
	}
	conn, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE x (v TEXT)`); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	conn, err = pgx.Connect(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE tablename = 'x'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the other database sees %d tables x (%v)", n, err)
	}
	conn.Close(ctx)
	dir := c.Dir()
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the cluster's folder is still there: %v", err)
	}
}

// The folders a dead test binary left are swept, a live or starting
// cluster's are not: one whose postmaster.pid names a process that is gone
// goes, as does one whose postgres stopped (postmaster.opts, no
// postmaster.pid); one whose process lives stays, and one with neither
// file stays while it is young (initdb may be running) and goes once old.
func TestSweepRemovesWhatDeadClustersLeft(t *testing.T) {
	tmp := t.TempDir()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	mk := func(name, pid string) string {
		dir := filepath.Join(tmp, dirPrefix+name)
		if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
			t.Fatal(err)
		}
		if pid != "" {
			if err := os.WriteFile(filepath.Join(dir, "data", "postmaster.pid"), []byte(pid+"\n"+dir+"/data\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	dead := mk("dead", strconv.Itoa(gone.Process.Pid))
	live := mk("live", strconv.Itoa(os.Getpid()))
	starting := mk("starting", "")
	stopped := mk("stopped", "")
	if err := os.WriteFile(filepath.Join(stopped, "data", "postmaster.opts"), []byte("postgres\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(tmp, "other-folder")
	if err := os.Mkdir(other, 0o700); err != nil {
		t.Fatal(err)
	}
	sweep(tmp, time.Now())
	for dir, want := range map[string]bool{dead: false, stopped: false, live: true, starting: true, other: true} {
		if _, err := os.Stat(dir); (err == nil) != want {
			t.Errorf("%s: there %v after the sweep, want %v", filepath.Base(dir), err == nil, want)
		}
	}
	sweep(tmp, time.Now().Add(2*time.Hour))
	if _, err := os.Stat(starting); err == nil {
		t.Error("a folder without postmaster.pid, two hours old, is still there")
	}
	if _, err := os.Stat(live); err != nil {
		t.Error("a live cluster's folder was swept")
	}
}
