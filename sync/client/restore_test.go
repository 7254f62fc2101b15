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
	restored := restoreBackup(t, laptop)
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

// restoreBackup backs laptop up and restores the backup into a new folder.
func restoreBackup(t *testing.T, laptop *localdb.Store) *localdb.Store {
	t.Helper()
	ctx := context.Background()
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
	return restored
}

// restoreAndEnrol restores a backup of laptop into a new folder, forgets
// its device identity and enrols it again with a new code of team.
func restoreAndEnrol(t *testing.T, p *synctest.Project, laptop *localdb.Store, team string) (*localdb.Store, *client.Client) {
	t.Helper()
	ctx := context.Background()
	restored := restoreBackup(t, laptop)
	if err := client.ForgetDevice(ctx, restored); err != nil {
		t.Fatal(err)
	}
	rc := client.New(restored, fast)
	if _, err := rc.Enrol(ctx, p.URL, p.Code(t, team)); err != nil {
		t.Fatalf("enrol again: %v", err)
	}
	return restored, rc
}

// A restored laptop that kept the team key hands a copy to its new device
// itself: its teammates are not asked to confirm a laptop that already has
// the key, and it can confirm theirs.
func TestRestoredLaptopWithTheKeyNeedsNoConfirmation(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	laptop, c1 := enrolled(t, p, p.TeamA)
	syncOnce(t, c1)
	_, c2 := enrolled(t, p, p.TeamA)
	syncOnce(t, c2)
	synctest.Confirm(t, c1, c2)
	syncOnce(t, c2)

	_, rc := restoreAndEnrol(t, p, laptop, p.TeamA)
	if rep := syncOnce(t, rc); rep.WaitingTeamKey {
		t.Fatal("the restored laptop waits for a key it kept")
	}
	if rep := syncOnce(t, c2); len(rep.PendingDevices) != 0 {
		t.Fatalf("the teammate is asked about %d devices, want none: the restored laptop holds the key", len(rep.PendingDevices))
	}
	_, c3 := enrolled(t, p, p.TeamA)
	syncOnce(t, c3)
	synctest.Confirm(t, rc, c3) // the restored laptop confirms a newcomer
	if rep := syncOnce(t, c3); rep.WaitingTeamKey {
		t.Fatal("the newcomer confirmed on the restored laptop still waits")
	}
}

// A laptop restored from a backup made before it had the team key enrols
// again as a new device and waits; a teammate confirms it like any other.
func TestRestoredLaptopWithoutTheKeyIsConfirmedByATeammate(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	_, c1 := enrolled(t, p, p.TeamA)
	syncOnce(t, c1)
	laptop2, c2 := enrolled(t, p, p.TeamA)
	if _, err := laptop2.Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, "prima"), localdb.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	if rep := syncOnce(t, c2); !rep.WaitingTeamKey {
		t.Fatal("laptop 2 should wait for the key")
	}
	restored, rc := restoreAndEnrol(t, p, laptop2, p.TeamA)
	if rep := syncOnce(t, rc); !rep.WaitingTeamKey {
		t.Fatal("the restored laptop has no key to hold")
	}
	synctest.Confirm(t, c1, rc)
	if rep := syncOnce(t, rc); rep.WaitingTeamKey {
		t.Fatal("restored laptop still waits after the confirmation")
	}
	if got, err := restored.List(ctx, localdb.Filter{}); err != nil || len(got) != 1 {
		t.Fatalf("restored laptop holds %d records (%v), want 1", len(got), err)
	}
}
