package server_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"sinba/sync/seal"
	"sinba/sync/server"
	"sinba/sync/synctest"
)

// What batches commit reaches the database file while the server runs, by
// the checkpointer's passive checkpoints: the writing connection no longer
// checkpoints (and fsyncs) after its commits until the log is large, so
// without the checkpointer the file would not grow here.
func TestCheckpointerCopiesTheLogIntoTheDatabase(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "server")
	p := synctest.NewProject(t, dir)
	if server.IsPostgres(p.Database) {
		t.Skip("SQLite's write-ahead log: PostgreSQL checkpoints by itself")
	}
	p.Serve(t, server.Config{})
	dev := p.EnrolDevice(t, p.TeamA)
	file := filepath.Join(dir, server.DBFile)
	size := func() int64 {
		fi, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	// What the set-up committed is copied first, so that what follows is
	// new to the file.
	deadline := time.Now().Add(30 * time.Second)
	for prev := int64(-1); size() != prev; {
		prev = size()
		time.Sleep(time.Second)
	}
	before := size()
	team, err := seal.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		revs, err := synctest.Revisions(50, synctest.MunicipalityA, p.ProjectKey.Recipient(), team.Recipient())
		if err != nil {
			t.Fatal(err)
		}
		rc, err := dev.SendBatch(context.Background(), revs)
		if err != nil {
			t.Fatal(err)
		}
		if len(rc.Accepted) != 50 {
			t.Fatalf("batch %d: %d accepted, refused %+v", i, len(rc.Accepted), rc.Refused)
		}
	}
	for size() <= before {
		if time.Now().After(deadline) {
			t.Fatalf("the database file stayed at %d bytes after 200 revisions: nothing copied the log into it", before)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
