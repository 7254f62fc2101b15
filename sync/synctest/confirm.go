package synctest

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/google/uuid"

	"sinba/sync/client"
	"sinba/sync/seal"
	"sinba/sync/wire"
)

// Confirm does what a researcher does to let a new laptop of the team open
// the team's records: on holder, a laptop that has the team key, they find
// the newcomer among the laptops waiting, check that the code shown matches
// the one the newcomer shows, and confirm it. It fails the test when the
// newcomer is not listed or the codes differ.
func Confirm(t testing.TB, holder, newcomer *client.Client) {
	t.Helper()
	ctx := context.Background()
	en, err := newcomer.Enrolled(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pending, err := holder.PendingDevices(ctx)
	if err != nil {
		t.Fatalf("pending devices: %v", err)
	}
	for _, p := range pending {
		if p.ID != en.DeviceID {
			continue
		}
		if p.Fingerprint != en.Fingerprint {
			t.Fatalf("device %s: the holder is shown code %s, the newcomer shows %s", p.ID, p.Fingerprint, en.Fingerprint)
		}
		if err := holder.GrantTeamKey(ctx, p); err != nil {
			t.Fatalf("grant the team key: %v", err)
		}
		return
	}
	t.Fatalf("device %s is not among the laptops waiting for the team key (%d listed)", en.DeviceID, len(pending))
}

// CoordinatorCode enrols a coordinator's app in the project (on the store,
// as POST /v1/coord/enrol does) named label, has it add a researcher to team
// and make a laptop code for them; it returns the code and the app's id.
func (p *Project) CoordinatorCode(t testing.TB, team, label string) (code, coordinator string) {
	t.Helper()
	ctx := context.Background()
	cc, _, err := p.Store.CreateCoordinatorCode(ctx, p.ProjectID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	k, err := seal.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	co, refusal, err := p.Store.Enrol(ctx, &wire.EnrolRequest{Version: wire.Version, Code: cc, Role: wire.RoleCoordinator, SignKey: pub, Recipient: k.Recipient().String(), Label: label})
	if err != nil || refusal != nil {
		t.Fatalf("coordinator enrolment: %v %v", refusal, err)
	}
	rid, err := p.Store.CreateResearcher(ctx, team, "Rilevatore "+uuid.NewString()[:8])
	if err != nil {
		t.Fatal(err)
	}
	code, _, err = p.Store.CreateCodeByCoordinator(ctx, co.CoordinatorID, rid, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return code, co.CoordinatorID
}
