package server_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"sinba/sync/seal"
	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

// oldEnrol posts an enrolment request as an app not yet updated builds it
// (the JSON of its own version, with no role) and returns the status, the
// refusal's code and the answer's fields.
func oldEnrol(t *testing.T, url, body string) (int, string, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var fields map[string]any
	if err := json.Unmarshal(data, &fields); err != nil {
		t.Fatalf("%s: %v: %s", url, err, data)
	}
	code, _ := fields["code"].(string)
	return resp.StatusCode, code, fields
}

// keysJSON is the public keys of a new app as the old requests carry them.
func keysJSON(t *testing.T) (ed25519.PrivateKey, string) {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(nil)
	k, _ := seal.NewKey()
	return priv, fmt.Sprintf(`"sign_key":%q,"recipient":%q,"label":"vecchio"`, base64.StdEncoding.EncodeToString(pub), k.Recipient().String())
}

// The apps not yet updated enrol as they did: a laptop on /v1/enrol with
// no role, a coordinator's app on /v1/coord/enrol with the old request
// (a project code's key and secret included), and each finds its id where
// it reads it (device_id, coordinator_id), then works on its role's paths
// only. Both old paths are the one path (Store.Enrol).
func TestAppsNotYetUpdatedStillEnrol(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{EnrolRate: 100, EnrolBurst: 100})
	ctx := context.Background()
	now := time.Now()

	priv, keys := keysJSON(t)
	status, code, got := oldEnrol(t, p.URL+wire.PathEnrol, `{"version":1,"code":"`+p.Code(t, p.TeamA)+`",`+keys+`}`)
	if status != 200 || got["device_id"] == nil || got["team_id"] != p.TeamA || got["project_recipient"] != p.ProjectKey.Recipient().String() {
		t.Fatalf("old laptop: HTTP %d %s %v", status, code, got)
	}
	laptop := &synctest.Device{URL: p.URL, ID: got["device_id"].(string), Key: priv, HTTP: http.DefaultClient}
	if a := send(t, signedReq(laptop, "GET", wire.PathChanges, nil, now)()); a.status != 200 {
		t.Fatalf("old laptop's feed: HTTP %d %s", a.status, a.code)
	}

	cc, _, err := p.Store.CreateCoordinatorCode(ctx, p.ProjectID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	priv, keys = keysJSON(t)
	status, code, got = oldEnrol(t, p.URL+wire.PathCoordEnrol, `{"version":1,"code":"`+cc+`",`+keys+`}`)
	if status != 200 || got["coordinator_id"] == nil || got["project_id"] != p.ProjectID || got["device_id"] != nil {
		t.Fatalf("old coordinator's app: HTTP %d %s %v", status, code, got)
	}
	coordinator := &synctest.Device{URL: p.URL, ID: got["coordinator_id"].(string), Key: priv, HTTP: http.DefaultClient}
	if a := send(t, signedReq(coordinator, "GET", wire.PathCoordTeams, nil, now)()); a.status != 200 {
		t.Fatalf("old coordinator's teams: HTTP %d %s", a.status, a.code)
	}
	if a := send(t, signedReq(coordinator, "GET", wire.PathChanges, nil, now)()); a.code != wire.CodeLaptopOnly {
		t.Fatalf("old coordinator's app on the laptops' feed: HTTP %d %s", a.status, a.code)
	}
	if a := send(t, signedReq(laptop, "GET", wire.PathCoordTeams, nil, now)()); a.code != wire.CodeCoordinatorOnly {
		t.Fatalf("old laptop on the coordinators' path: HTTP %d %s", a.status, a.code)
	}

	pc, _, err := p.Store.CreateProjectCode(ctx, "Nuovo progetto", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := seal.NewKey()
	_, keys = keysJSON(t)
	body := `{"version":1,"code":"` + pc + `",` + keys + `,"project_recipient":"` + key.Recipient().String() + `","project_secret":"c2VhbGVk"}`
	status, code, got = oldEnrol(t, p.URL+wire.PathCoordEnrol, body)
	if status != 200 || got["created"] != true || got["project_name"] != "Nuovo progetto" || got["project_recipient"] != key.Recipient().String() {
		t.Fatalf("old coordinator's app with a project code: HTTP %d %s %v", status, code, got)
	}
	project, err := p.Store.Project(ctx, got["project_id"].(string))
	if err != nil || string(project.Secret) != "sealed" {
		t.Fatalf("the created project: %+v %v", project, err)
	}
}

// A code of one role sent by an app of the other is refused with a message
// that says where it goes, and stays unspent for the right app: on the one
// path with a role, and on the old paths without one.
func TestACodeEnrolsOnlyItsRole(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{EnrolRate: 100, EnrolBurst: 100})
	ctx := context.Background()
	laptopCode := p.Code(t, p.TeamA)
	coordCode, _, err := p.Store.CreateCoordinatorCode(ctx, p.ProjectID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	req := func(code string, role wire.Role) string {
		_, keys := keysJSON(t)
		return `{"version":1,"code":"` + code + `","role":"` + string(role) + `",` + keys + `}`
	}
	for _, c := range []struct {
		name, url, body string
	}{
		{"coordinator code, laptop role", p.URL + wire.PathEnrol, req(coordCode, wire.RoleDevice)},
		{"coordinator code, old laptop", p.URL + wire.PathEnrol, req(coordCode, "")},
		{"laptop code, coordinator role", p.URL + wire.PathEnrol, req(laptopCode, wire.RoleCoordinator)},
		{"laptop code, old coordinator's app", p.URL + wire.PathCoordEnrol, req(laptopCode, "")},
	} {
		status, code, got := oldEnrol(t, c.url, c.body)
		if status != http.StatusForbidden || code != wire.CodeCodeInvalid || !strings.Contains(fmt.Sprint(got["message_it"]), "profilo") {
			t.Errorf("%s: HTTP %d %s %v, want 403 %s saying where the code goes", c.name, status, code, got, wire.CodeCodeInvalid)
		}
	}
	if _, code, got := oldEnrol(t, p.URL+wire.PathEnrol, req(laptopCode, wire.RoleDevice)); got["role"] != string(wire.RoleDevice) || got["device_id"] == nil {
		t.Fatalf("the laptop code after the refusals: %s %v", code, got)
	}
	if _, code, got := oldEnrol(t, p.URL+wire.PathEnrol, req(coordCode, wire.RoleCoordinator)); got["role"] != string(wire.RoleCoordinator) || got["coordinator_id"] == nil {
		t.Fatalf("the coordinator code after the refusals: %s %v", code, got)
	}
	for _, code := range []string{laptopCode, coordCode} {
		for _, role := range []wire.Role{wire.RoleDevice, wire.RoleCoordinator} {
			if status, got, _ := oldEnrol(t, p.URL+wire.PathEnrol, req(code, role)); got != wire.CodeCodeUsed {
				t.Errorf("a spent code again as %s: HTTP %d %s, want %s", role, status, got, wire.CodeCodeUsed)
			}
		}
	}
}

// Both enrolment paths, and both roles, draw on one set of limits: an
// address that used its attempts on one is refused on the other, before
// its body is read.
func TestEnrolmentPathsShareTheirLimits(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{EnrolRate: 0.001, EnrolBurst: 4})
	paths := []string{wire.PathEnrol, wire.PathCoordEnrol}
	for i := range 4 {
		r := raw("POST", p.URL+paths[i%2], `{"version":1,"code":"AAAAA-AAAAA","role":"coordinator"}`)
		if a := send(t, r); a.status == http.StatusTooManyRequests {
			t.Fatalf("attempt %d limited within the burst", i)
		}
	}
	for _, path := range paths {
		a := send(t, raw("POST", p.URL+path, `{"version":1}`))
		if a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" {
			t.Errorf("%s past the shared burst: HTTP %d %s", path, a.status, a.code)
		}
	}
}

// One revocation for both roles: a laptop and a coordinator's app revoked
// by their ids are refused from their next request, the audit lists both,
// and an unknown id is an error.
func TestRevokeStopsEitherRole(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{EnrolRate: 100, EnrolBurst: 100})
	ctx := context.Background()
	d := p.EnrolDevice(t, p.TeamA)
	c := enrolCoordinator(t, p)
	for who, path := range map[*synctest.Device]string{d: wire.PathChanges, c: wire.PathCoordTeams} {
		if a := send(t, signedReq(who, "GET", path, nil, time.Now())()); a.status != http.StatusOK {
			t.Fatalf("%s before the revocation: HTTP %d %s", path, a.status, a.code)
		}
		if err := p.Store.Revoke(ctx, who.ID); err != nil {
			t.Fatal(err)
		}
		if err := p.Store.Revoke(ctx, who.ID); err != nil {
			t.Fatalf("revoked again: %v", err)
		}
		if a := send(t, signedReq(who, "GET", path, nil, time.Now())()); a.code != wire.CodeRevoked {
			t.Errorf("%s after the revocation: HTTP %d %s, want %s", path, a.status, a.code, wire.CodeRevoked)
		}
	}
	events, err := p.Store.Audit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	revoked := map[string]bool{}
	for _, e := range events {
		for _, id := range []string{d.ID, c.ID} {
			if strings.Contains(e.Subject, id) && (e.Kind == server.AuditDeviceRevoked || e.Kind == server.AuditCoordinatorRevoked) {
				revoked[id] = true
			}
		}
	}
	if !revoked[d.ID] || !revoked[c.ID] {
		t.Errorf("the audit lists the revocations of %v, want both", revoked)
	}
	if err := p.Store.Revoke(ctx, "nessuno"); !errors.Is(err, server.ErrNotFound) {
		t.Errorf("revoking an unknown id: %v", err)
	}
}
