package server_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"sinba/sync/seal"
	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

// enrolCoordinator enrols a wire-level coordinator's app with a code for the
// fixture's project.
func enrolCoordinator(t *testing.T, p *synctest.Project) *synctest.Device {
	t.Helper()
	return enrolCoordinatorIn(t, p, p.ProjectID)
}

// enrolCoordinatorIn enrols a wire-level coordinator's app in a project of
// the fixture's server.
func enrolCoordinatorIn(t *testing.T, p *synctest.Project, project string) *synctest.Device {
	t.Helper()
	code, _, err := p.Store.CreateCoordinatorCode(context.Background(), project, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, _ := ed25519.GenerateKey(nil)
	ident, _ := seal.NewKey()
	body, _ := json.Marshal(wire.EnrolRequest{Version: wire.Version, Code: code, Role: wire.RoleCoordinator, SignKey: pub, Recipient: ident.Recipient().String()})
	resp, err := http.Post(p.URL+wire.PathEnrol, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var er wire.EnrolResponse
	if err := json.NewDecoder(resp.Body).Decode(&er); err != nil || resp.StatusCode != 200 {
		t.Fatalf("coordinator enrol: HTTP %d, %v", resp.StatusCode, err)
	}
	if er.Created || er.ProjectID != project {
		t.Fatalf("coordinator enrol: %+v", er)
	}
	return &synctest.Device{URL: p.URL, ID: er.CoordinatorID, Key: priv, Ident: ident, HTTP: http.DefaultClient}
}

// TestCoordinatorAPIRefusesWithACode checks that the coordinators' endpoints
// refuse a laptop, bad input and other projects' names with a coded refusal,
// never a 500, and that a coordinator cannot use the laptops' endpoints.
func TestCoordinatorAPIRefusesWithACode(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{EnrolRate: 100, EnrolBurst: 100})
	ctx := context.Background()
	other, err := p.Store.CreateProject(ctx, "Altro", p.ProjectKey.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Store.CreateTeam(ctx, other, "Estranei"); err != nil {
		t.Fatal(err)
	}
	c := enrolCoordinator(t, p)
	d := p.EnrolDevice(t, p.TeamA)
	now := time.Now()
	body := func(v any) []byte { b, _ := json.Marshal(v); return b }
	cases := []struct {
		name   string
		req    *http.Request
		status int
		code   string
	}{
		{"enrol garbage", raw("POST", p.URL+wire.PathCoordEnrol, "{{"), 400, wire.CodeInvalid},
		{"enrol wrong code", raw("POST", p.URL+wire.PathEnrol, string(body(wire.EnrolRequest{Version: 1, Code: "AAAAA-AAAAA", Role: wire.RoleCoordinator,
			SignKey: make([]byte, 32), Recipient: p.ProjectKey.Recipient().String()}))), 403, wire.CodeCodeInvalid},
		{"enrol bad role", raw("POST", p.URL+wire.PathEnrol, string(body(wire.EnrolRequest{Version: 1, Code: "AAAAA-AAAAA", Role: "admin",
			SignKey: make([]byte, 32), Recipient: p.ProjectKey.Recipient().String()}))), 400, wire.CodeInvalid},
		{"laptop on coordinators' path", signedReq(d, "GET", wire.PathCoordTeams, nil, now)(), 403, wire.CodeCoordinatorOnly},
		{"laptop posts a review", signedReq(d, "POST", wire.PathCoordReviews, []byte(`{}`), now)(), 403, wire.CodeCoordinatorOnly},
		{"coordinator on laptops' path", signedReq(c, "GET", wire.PathChanges, nil, now)(), 403, wire.CodeLaptopOnly},
		{"review garbage", signedReq(c, "POST", wire.PathCoordReviews, []byte("[["), now)(), 400, wire.CodeInvalid},
		{"review bad decision", signedReq(c, "POST", wire.PathCoordReviews, body(wire.ReviewRequest{ID: uuid.NewString(), Revision: "x", Decision: "final"}), now)(), 400, wire.CodeInvalid},
		{"review unknown revision", signedReq(c, "POST", wire.PathCoordReviews, body(wire.ReviewRequest{ID: uuid.NewString(), Revision: "x", Decision: "approved"}), now)(), 404, wire.CodeNotFound},
		{"team without a name", signedReq(c, "POST", wire.PathCoordTeams, body(wire.NameRequest{Name: "  "}), now)(), 400, wire.CodeInvalid},
		{"team twice", signedReq(c, "POST", wire.PathCoordTeams, body(wire.NameRequest{Name: "A"}), now)(), 409, wire.CodeConflict},
		{"researcher in another project's team", signedReq(c, "POST", wire.PathCoordResearchers, body(wire.NameRequest{Parent: "Estranei", Name: "X"}), now)(), 404, wire.CodeNotFound},
		{"code for nobody", signedReq(c, "POST", wire.PathCoordCodes, body(wire.CodeRequest{Researcher: "nessuno"}), now)(), 404, wire.CodeNotFound},
		{"code for a year", signedReq(c, "POST", wire.PathCoordCodes, body(wire.CodeRequest{Coordinator: true, TTLSeconds: 365 * 86400}), now)(), 400, wire.CodeInvalid},
		{"assign bad ISTAT", signedReq(c, "POST", wire.PathCoordAssignments, body(wire.AssignRequest{Team: "A", Municipality: "12"}), now)(), 400, wire.CodeInvalid},
		{"assign other project's team", signedReq(c, "POST", wire.PathCoordAssignments, body(wire.AssignRequest{Team: "Estranei", Municipality: "063049"}), now)(), 404, wire.CodeNotFound},
		{"publish garbage", signedReq(c, "POST", wire.PathCoordInstruments, body(wire.PublishRequest{Body: []byte(`{"id":"x"}`)}), now)(), 400, wire.CodeInvalidDefinition},
		{"secret empty", signedReq(c, "POST", wire.PathCoordSecret, body(wire.SecretRequest{}), now)(), 400, wire.CodeInvalid},
		{"grant garbage", signedReq(c, "POST", wire.PathCoordGrants, body(wire.Grants{Grants: []wire.Grant{{DeviceID: d.ID}}}), now)(), 400, wire.CodeInvalid},
		{"revisions bad cursor", signedReq(c, "GET", wire.PathCoordRevisions+"?cursor=-4", nil, now)(), 200, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := send(t, tc.req)
			if got.status != tc.status || got.code != tc.code {
				t.Fatalf("HTTP %d %q, want %d %q", got.status, got.code, tc.status, tc.code)
			}
		})
	}
	// The coordinator sees only its project's teams.
	status, data, err := c.Do(ctx, "GET", wire.PathCoordTeams, nil)
	if err != nil || status != 200 {
		t.Fatalf("teams: HTTP %d, %v", status, err)
	}
	var teams wire.Teams
	if err := json.Unmarshal(data, &teams); err != nil {
		t.Fatal(err)
	}
	if len(teams.Teams) != 2 || teams.Teams[0].Name != "A" || len(teams.Teams[0].Devices) != 1 {
		t.Fatalf("teams: %+v", teams)
	}
	// The fixture published a placeholder as version 1: a different body
	// under the same version is refused; version 2 is published, and the
	// same body again is harmless.
	def, err := os.ReadFile("../../assets/instruments/scheda-comune.v1.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := send(t, signedReq(c, "POST", wire.PathCoordInstruments, body(wire.PublishRequest{Body: def}), now)()); got.code != wire.CodeConflict {
		t.Fatalf("republishing version 1: HTTP %d %q, want %q", got.status, got.code, wire.CodeConflict)
	}
	def = bytes.Replace(def, []byte(`"version": 1`), []byte(`"version": 2`), 1)
	for range 2 {
		if status, data, _ := c.Do(ctx, "POST", wire.PathCoordInstruments, body(wire.PublishRequest{Body: def})); status != 200 {
			t.Fatalf("publish: HTTP %d %s", status, data)
		}
	}
}

// TestCoordinatorCodeCreatesTheProject checks the preferred set-up: the
// server learns the project's public key and sealed secret from the
// coordinator's app, and a project code works once.
func TestCoordinatorCodeCreatesTheProject(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{EnrolRate: 100, EnrolBurst: 100})
	code, _, err := p.Store.CreateProjectCode(context.Background(), "Nuovo", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.Store.CreateProjectCode(context.Background(), "Pilota", time.Hour); err == nil {
		t.Fatal("a project code for an existing project's name was made")
	}
	key, _ := seal.NewKey()
	pub, _, _ := ed25519.GenerateKey(nil)
	req := wire.EnrolRequest{Version: 1, Code: code, Role: wire.RoleCoordinator, SignKey: pub, Recipient: key.Recipient().String(), ProjectRecipient: key.Recipient().String(), ProjectSecret: []byte("sealed")}
	for i, want := range []int{200, 403} {
		b, _ := json.Marshal(req)
		got := send(t, raw("POST", p.URL+wire.PathEnrol, string(b)))
		if got.status != want {
			t.Fatalf("attempt %d: HTTP %d %s, want %d", i, got.status, got.code, want)
		}
	}
}

// The pseudonym secret exists before any laptop enrols: a project whose
// coordinators have not made it yet gets no laptop code, from the admin or
// from a coordinator's app, with a coded refusal that says what to do; once
// a coordinator's app sets it, codes are made and laptops enrol.
func TestLaptopCodesWaitForTheProjectSecret(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{EnrolRate: 100, EnrolBurst: 100})
	ctx := context.Background()
	key, _ := seal.NewKey()
	pid, err := p.Store.CreateProject(ctx, "Nuovo", key.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	team, _ := p.Store.CreateTeam(ctx, pid, "Squadra nuova")
	rid, _ := p.Store.CreateResearcher(ctx, team, "Carla")
	if _, _, err := p.Store.CreateCode(ctx, rid, time.Hour); !errors.Is(err, server.ErrProjectNotReady) || !strings.Contains(err.Error(), "segreto") {
		t.Fatalf("admin code for a project without its secret: %v, want %s", err, wire.CodeProjectNotReady)
	}
	c := enrolCoordinatorIn(t, p, pid)
	now := time.Now()
	codeReq := func() answer {
		b, _ := json.Marshal(wire.CodeRequest{Researcher: rid})
		return send(t, signedReq(c, "POST", wire.PathCoordCodes, b, now)())
	}
	if got := codeReq(); got.status != http.StatusForbidden || got.code != wire.CodeProjectNotReady {
		t.Fatalf("coordinator's code before the secret: HTTP %d %q", got.status, got.code)
	}
	// The coordinator's app sets the secret (as its first sync does).
	_, sealed, err := seal.NewProjectSecret(key.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(wire.SecretRequest{Secret: sealed})
	if got := send(t, signedReq(c, "POST", wire.PathCoordSecret, b, now.Add(time.Second))()); got.status != 200 {
		t.Fatalf("setting the secret: HTTP %d %q", got.status, got.code)
	}
	now = now.Add(2 * time.Second)
	if got := codeReq(); got.status != 200 {
		t.Fatalf("coordinator's code after the secret: HTTP %d %q", got.status, got.code)
	}
	code, _, err := p.Store.CreateCode(ctx, rid, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	synctest.EnrolWithCode(t, p.URL, code)
}
