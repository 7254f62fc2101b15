package client_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sinba/localdb"
	"sinba/sync/client"
	"sinba/sync/coord"
	"sinba/sync/seal"
	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

// coordinatorCode enrols a coordinator's app in the project and has it
// create a researcher in team and mint a laptop code for them, as
// `sinba coord researcher` and `sinba coord code` do.
func coordinatorCode(t *testing.T, p *synctest.Project, team, researcher string) string {
	t.Helper()
	ctx := context.Background()
	cc, _, err := p.Store.CreateCoordinatorCode(ctx, p.ProjectID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	st, _, err := localdb.CreateWith(t.TempDir(), []byte("passphrase del coordinamento"), synctest.TestKDF)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	co := coord.New(st, coord.Options{})
	if _, err := co.Enrol(ctx, p.URL, cc); err != nil {
		t.Fatal(err)
	}
	if _, err := co.CreateResearcher(ctx, team, researcher); err != nil {
		t.Fatal(err)
	}
	code, err := co.Code(ctx, researcher, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return code.Code
}

// A coordinator makes a researcher and a laptop code in a team and enrols a
// laptop with it: the team's honest laptop lists it, marked as made by a
// coordinator, and hands it nothing at its routine syncs; it gets the team
// key (and so the children's identities) only when a researcher of the team
// confirms it.
func TestCoordinatorMintedLaptopGetsTheTeamKeyOnlyWhenATeammateConfirms(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	honest, c1 := enrolled(t, p, p.TeamA)
	info, err := honest.Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, "segreto"), localdb.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(t, c1) // makes the team key, sends the record

	rogueStore := synctest.Laptop(t, t.TempDir())
	rogue := client.New(rogueStore, fast)
	en, err := rogue.Enrol(ctx, p.URL, coordinatorCode(t, p, p.TeamA, "Nuovo rilevatore"))
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(t, rogue)
	var rep *client.Report
	for range 3 { // routine syncs of the honest laptop
		rep = syncOnce(t, c1)
	}
	if len(rep.PendingDevices) != 1 {
		t.Fatalf("honest laptop lists %d waiting devices, want 1", len(rep.PendingDevices))
	}
	pd := rep.PendingDevices[0]
	if pd.ID != en.DeviceID || pd.Researcher != "Nuovo rilevatore" || !pd.MintedBy.ByCoordinator() ||
		!strings.HasPrefix(pd.MintedBy.CoordinatorLabel, "coordinamento ") || pd.Fingerprint != en.Fingerprint || pd.EnrolledAt.IsZero() {
		t.Fatalf("waiting device shown as %+v; want the new laptop, its researcher, its code made by a coordinator, its fingerprint %s", pd, en.Fingerprint)
	}
	if r := syncOnce(t, rogue); !r.WaitingTeamKey || r.Received != 0 {
		t.Fatalf("coordinator-made laptop after the team's routine syncs: waiting %v, received %d; want no key and nothing", r.WaitingTeamKey, r.Received)
	}
	if _, _, err := rogueStore.Get(ctx, info.ID); !errors.Is(err, localdb.ErrNotFound) {
		t.Fatalf("coordinator-made laptop holds the record before any confirmation: %v", err)
	}
	ds, err := p.Store.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.ID == en.DeviceID && (d.HasTeamKey || !d.MintedBy.ByCoordinator()) {
			t.Fatalf("server lists the new laptop as %+v; want no team key, code by a coordinator", d)
		}
	}

	// A researcher of the team checks the code with the new laptop's and confirms.
	synctest.Confirm(t, c1, rogue)
	if r := syncOnce(t, rogue); r.WaitingTeamKey || r.Received != 1 {
		t.Fatalf("after the confirmation: waiting %v, received %d; want the key and the record", r.WaitingTeamKey, r.Received)
	}
	rec, _, err := rogueStore.Get(ctx, info.ID)
	if err != nil || rec.Identity == nil || rec.Identity.FiscalCode != "CFsegreto" {
		t.Fatalf("after the confirmation the laptop opens %+v (%v); want the identity", rec.Identity, err)
	}
	if rep := syncOnce(t, c1); len(rep.PendingDevices) != 0 {
		t.Fatalf("still %d waiting after the confirmation", len(rep.PendingDevices))
	}
	if err := c1.GrantTeamKey(ctx, pd); !errors.Is(err, client.ErrNotPending) {
		t.Fatalf("confirming it again: %v, want ErrNotPending", err)
	}

	// The server's audit shows the path: the coordinator's app made the
	// code, the laptop enrolled with it, and the honest laptop handed it the
	// team key.
	honestID := mustEnrolment(t, c1).DeviceID
	evs, err := p.Store.Audit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range evs {
		switch {
		case e.Kind == server.AuditLaptopCode && e.Subject == "Nuovo rilevatore" && strings.HasPrefix(e.Actor, "coordinamento "):
			seen["code"] = true
		case e.Kind == server.AuditDeviceEnrolled && strings.Contains(e.Subject, en.DeviceID) && strings.HasPrefix(e.Actor, "coordinamento "):
			seen["enrolled"] = true
		case e.Kind == server.AuditTeamKeyGranted && strings.Contains(e.Subject, en.DeviceID) && strings.Contains(e.Actor, honestID):
			seen["granted"] = true
		case e.Kind == server.AuditCoordinatorEnrolled:
			seen["coordinator"] = true
		}
	}
	if len(seen) != 4 {
		t.Fatalf("audit %+v lacks some of code, enrolment, grant, coordinator: saw %v", evs, seen)
	}
}

func mustEnrolment(t *testing.T, c *client.Client) client.Enrolment {
	t.Helper()
	en, err := c.Enrolled(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return en
}

// A laptop can hand over the team key only if it holds it.
func TestLaptopWithoutTheTeamKeyCannotGrantIt(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	_, c1 := enrolled(t, p, p.TeamA)
	syncOnce(t, c1)
	_, c2 := enrolled(t, p, p.TeamA)
	syncOnce(t, c2)
	if rep := syncOnce(t, c2); len(rep.PendingDevices) != 0 {
		t.Fatalf("a laptop waiting for the key lists %d devices", len(rep.PendingDevices))
	}
	if _, err := c2.PendingDevices(context.Background()); !errors.Is(err, client.ErrNoTeamKey) {
		t.Fatalf("pending devices on a laptop without the key: %v, want ErrNoTeamKey", err)
	}
}

// A hostile server can list a device of its own among the team's, with any
// name, researcher and minter it likes; what it cannot fake is the
// fingerprint of the key the grant is wrapped for. A swap of the key between
// what a researcher was shown and the grant is refused.
func TestGrantIsWrappedForTheKeyShown(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p := synctest.NewProject(t, dir)
	p.Serve(t, server.Config{})
	_, c1 := enrolled(t, p, p.TeamA)
	syncOnce(t, c1)
	_, c2 := enrolled(t, p, p.TeamA)
	en, _ := c2.Enrolled(ctx)
	pending, err := c1.PendingDevices(ctx)
	if err != nil || len(pending) != 1 || pending[0].Fingerprint != en.Fingerprint {
		t.Fatalf("pending %+v (%v); want the colleague with fingerprint %s", pending, err, en.Fingerprint)
	}

	// The server swaps in a key of its own for that device.
	evil, err := seal.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, server.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE devices SET recipient = ? WHERE id = ?`, evil.Recipient().String(), en.DeviceID); err != nil {
		t.Fatal(err)
	}
	if err := c1.GrantTeamKey(ctx, pending[0]); !errors.Is(err, client.ErrDeviceKeyChanged) {
		t.Fatalf("grant after the swap: %v, want ErrDeviceKeyChanged", err)
	}
	// Listed again, the device shows a fingerprint the real laptop does not.
	again, err := c1.PendingDevices(ctx)
	if err != nil || len(again) != 1 || again[0].Fingerprint == en.Fingerprint {
		t.Fatalf("after the swap the device is shown as %+v (%v); its fingerprint must differ from %s", again, err, en.Fingerprint)
	}
	ds, _ := p.Store.Devices(ctx)
	for _, d := range ds {
		if d.ID == en.DeviceID && d.HasTeamKey {
			t.Fatal("the swapped device got a copy of the team key")
		}
	}
}

// A laptop holding the team key knows, as the server says, which laptop
// made the key and which handed its copy over; a key made by a laptop a
// coordinator enrolled first in a team of their own making is marked so.
func TestTeamKeyOriginIsKnown(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	_, c1 := enrolled(t, p, p.TeamA)
	syncOnce(t, c1)
	_, c2 := enrolled(t, p, p.TeamA)
	syncOnce(t, c2)
	if o, err := c2.TeamKeyOrigin(ctx); err != nil || o != nil {
		t.Fatalf("origin before the key: %+v %v; want none", o, err)
	}
	synctest.Confirm(t, c1, c2)
	syncOnce(t, c2)
	first := mustEnrolment(t, c1)
	// Both laptops show the same team key code, and the project key code of
	// the coordinators' key.
	second := mustEnrolment(t, c2)
	if first.TeamKeyCode == "" || first.TeamKeyCode != second.TeamKeyCode || first.ProjectKeyCode != wire.KeyFingerprint(p.ProjectKey.Recipient().String()) ||
		second.ProjectKeyCode != first.ProjectKeyCode {
		t.Fatalf("key codes %q/%q and %q/%q; want one team key code and the project key's", first.TeamKeyCode, first.ProjectKeyCode, second.TeamKeyCode, second.ProjectKeyCode)
	}
	o, err := c2.TeamKeyOrigin(ctx)
	if err != nil || o == nil || o.MadeBy.ID != first.DeviceID || o.GrantedBy.ID != first.DeviceID || o.MadeBy.MintedBy.ByCoordinator() || o.MadeBy.Researcher != first.Person {
		t.Fatalf("origin %+v (%v); want made and handed over by the first laptop, its code by the administrator", o, err)
	}

	// A coordinator's laptop is the first of team B.
	code, _ := p.CoordinatorCode(t, p.TeamB, "coordinamento regionale")
	rogue := client.New(synctest.Laptop(t, t.TempDir()), fast)
	if _, err := rogue.Enrol(ctx, p.URL, code); err != nil {
		t.Fatal(err)
	}
	syncOnce(t, rogue)
	_, honest := enrolled(t, p, p.TeamB)
	syncOnce(t, honest)
	synctest.Confirm(t, rogue, honest)
	syncOnce(t, honest)
	if o, err := honest.TeamKeyOrigin(ctx); err != nil || o == nil || !o.MadeBy.MintedBy.ByCoordinator() || o.MadeBy.MintedBy.CoordinatorLabel != "coordinamento regionale" {
		t.Fatalf("origin on team B's researcher: %+v (%v); want the key marked as made by a coordinator's laptop", o, err)
	}
}
