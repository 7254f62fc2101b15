package server

import (
	"context"
	"crypto/ed25519"
	"errors"
	"testing"
	"time"

	"sinba/internal/storetest"
	"sinba/sync/seal"
	"sinba/sync/wire"
)

// A code made while the project was ready, presented once the project has
// no pseudonym secret (a database restored from before the set-up): the
// enrolment is refused with project_not_ready and the code stays unused.
func TestEnrolWaitsForTheProjectSecret(t *testing.T) {
	ctx := context.Background()
	st, err := Open(storetest.Database(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	key, _ := seal.NewKey()
	pid, err := st.CreateProject(ctx, "Pilota", key.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	_, sealed, _ := seal.NewProjectSecret(key.Recipient())
	if ref, err := st.SetProjectSecret(ctx, pid, sealed); err != nil || ref != nil {
		t.Fatal(ref, err)
	}
	team, _ := st.CreateTeam(ctx, pid, "Squadra")
	rid, _ := st.CreateResearcher(ctx, team, "Anna")
	code, _, err := st.CreateCode(ctx, rid, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.w.ExecContext(ctx, `UPDATE projects SET secret = NULL WHERE id = ?`, pid); err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	dev, _ := seal.NewKey()
	req := &wire.EnrolRequest{Version: wire.Version, Code: code, SignKey: pub, Recipient: dev.Recipient().String()}
	if _, ref, err := st.Enrol(ctx, req); err != nil || ref == nil || ref.Code != wire.CodeProjectNotReady {
		t.Fatalf("enrolment in a project without its secret: %v, %v; want %s", ref, err, wire.CodeProjectNotReady)
	}
	if _, _, err := st.CreateCode(ctx, rid, time.Hour); !errors.Is(err, ErrProjectNotReady) {
		t.Fatalf("a new code: %v, want ErrProjectNotReady", err)
	}
	if ref, err := st.SetProjectSecret(ctx, pid, sealed); err != nil || ref != nil {
		t.Fatal(ref, err)
	}
	if resp, ref, err := st.Enrol(ctx, req); err != nil || ref != nil || resp.DeviceID == "" {
		t.Fatalf("the same code once the project is set up: %+v, %v, %v", resp, ref, err)
	}
}
