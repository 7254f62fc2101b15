package backend_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"sinba/cmd/sinba/internal/backend"
	"sinba/localdb"
	"sinba/sync/client"
	"sinba/sync/coord"
	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/ui/coordinator"
)

// TestCoordinatorAdministersTheProject drives the coordinators' Project tab
// calls through the real adapter, a real coordinator store and a real server
// on loopback: create a team, add a researcher, make their code, assign a
// municipality and take it away.
func TestCoordinatorAdministersTheProject(t *testing.T) {
	ctx := context.Background()
	srv, url := loopbackServer(t)
	st, _, err := localdb.CreateWith(t.TempDir(), []byte("passphrase del coordinamento"), synctest.TestKDF)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	code, _, err := srv.CreateProjectCode(ctx, "Pilota S.In.Ba", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c := coord.New(st, coord.Options{})
	if _, err := c.Enrol(ctx, url, code); err != nil {
		t.Fatal(err)
	}
	var b coordinator.Backend = &backend.Coordinator{C: c, Author: "coordinamento"}

	if err := b.CreateTeam(ctx, "Squadra Campania"); err != nil {
		t.Fatal(err)
	}
	teams, err := b.Teams(ctx)
	if err != nil || len(teams) != 1 || teams[0].Name != "Squadra Campania" || teams[0].ID == "" {
		t.Fatalf("teams after creating one: %+v, %v", teams, err)
	}
	team := teams[0]

	if err := b.CreateResearcher(ctx, team.ID, "Anna Esposito"); err != nil {
		t.Fatal(err)
	}
	teams, err = b.Teams(ctx)
	if err != nil || len(teams[0].Researchers) != 1 || teams[0].Researchers[0].Name != "Anna Esposito" {
		t.Fatalf("teams after adding a researcher: %+v, %v", teams, err)
	}

	k, err := b.EnrolmentCode(ctx, teams[0].Researchers[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if k.Code == "" || !k.Expires.After(time.Now()) {
		t.Errorf("enrolment code %+v: want a code valid in the future", k)
	}
	// The laptop enrolled with it is listed as made by this coordinator's app.
	if _, err := client.New(synctest.Laptop(t, t.TempDir()), client.Options{}).Enrol(ctx, url, k.Code); err != nil {
		t.Fatal(err)
	}
	teams, err = b.Teams(ctx)
	if err != nil || len(teams[0].Devices) != 1 || !teams[0].Devices[0].ByCoordinator || !strings.HasPrefix(teams[0].Devices[0].Coordinator, "coordinamento ") ||
		teams[0].Devices[0].HasTeamKey || teams[0].Devices[0].Researcher != "Anna Esposito" {
		t.Fatalf("devices after enrolling with the coordinator's code: %+v, %v", teams[0].Devices, err)
	}

	if err := b.Assign(ctx, team.ID, synctest.MunicipalityA, false); err != nil {
		t.Fatal(err)
	}
	teams, err = b.Teams(ctx)
	if err != nil || !slices.Equal(teams[0].Municipalities, []string{synctest.MunicipalityA}) {
		t.Fatalf("municipalities after assigning: %+v, %v", teams, err)
	}
	if err := b.Assign(ctx, team.ID, synctest.MunicipalityA, true); err != nil {
		t.Fatal(err)
	}
	teams, err = b.Teams(ctx)
	if err != nil || len(teams[0].Municipalities) != 0 {
		t.Fatalf("municipalities after removing: %+v, %v", teams, err)
	}

	// The server refuses a definition the app could not read, and says so in
	// the screens' "Italiano / English" form.
	if _, err := b.Publish(ctx, []byte(`{"id": "scheda-minore"`)); err == nil || !strings.HasPrefix(err.Error(), "definizione dello strumento non valida") ||
		!strings.Contains(err.Error(), " / ") {
		t.Errorf("publishing a broken definition: %v, want a refusal in Italian and English", err)
	}
	key, err := b.ExportKey(ctx, []byte("una frase lunga"))
	if err != nil || !strings.Contains(string(key), "BEGIN AGE ENCRYPTED FILE") {
		t.Errorf("key export: %.40q, %v", key, err)
	}
}

// loopbackServer is a real server store in a temporary folder behind a real
// HTTP server on loopback; both stop when the test ends.
func loopbackServer(t *testing.T) (*server.Store, string) {
	t.Helper()
	srv, err := server.OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(server.New(srv, server.Config{DisableLimits: true}, slog.New(slog.DiscardHandler)))
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return srv, hs.URL
}
