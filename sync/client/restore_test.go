package client_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"sinba/localdb"
	"sinba/sync/client"
	"sinba/sync/server"
	"sinba/sync/synctest"
)

// A laptop restored from a backup is a new device: it keeps its records, its
// unsent outbox and the team key, enrols again with a new code, and then
// sends what the first laptop had not sent, each revision once.
func TestRestoredLaptopEnrolsAsANewDevice(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	laptop, c := enrolled(t, p, p.TeamA)
	if _, err := laptop.Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, "sent"), localdb.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, c)
	if _, err := laptop.Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, "unsent"), localdb.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "laptop.sinba-backup")
	if err := laptop.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(t.TempDir(), "restored")
	pass := localdb.Credentials{Passphrase: []byte("passphrase di prova")}
	if err := localdb.RestoreWith(ctx, backup, dir, pass, false, synctest.TestKDF); err != nil {
		t.Fatal(err)
	}
	restored, err := localdb.OpenWith(dir, pass.Passphrase, synctest.TestKDF)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { restored.Close() })
	rc := client.New(restored, fast)
	if _, err := rc.Enrolled(ctx); err != nil {
		t.Fatalf("before ForgetDevice the restored store should carry the old enrolment: %v", err)
	}
	if err := client.ForgetDevice(ctx, restored); err != nil {
		t.Fatal(err)
	}
	if _, err := rc.Enrolled(ctx); !errors.Is(err, client.ErrNotEnrolled) {
		t.Fatalf("after ForgetDevice: %v, want ErrNotEnrolled", err)
	}
	if _, err := rc.Enrol(ctx, p.URL, p.Code(t, p.TeamA)); err != nil {
		t.Fatalf("enrol again: %v", err)
	}
	rep, err := rc.SyncOnce(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Accepted != 1 || rep.Duplicates != 0 || rep.WaitingTeamKey {
		t.Fatalf("first sync of the restored laptop: %+v; want the one unsent revision accepted, with the team key it kept", rep)
	}
	sum, err := p.Store.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Devices != 2 || sum.Revisions != 2 {
		t.Fatalf("server: %d devices, %d revisions; want 2 and 2", sum.Devices, sum.Revisions)
	}
}
