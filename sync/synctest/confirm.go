package synctest

import (
	"context"
	"testing"

	"sinba/sync/client"
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
