package server_test

import (
	"context"
	"net/http"
	"net/netip"
	"testing"
	"time"

	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

// The authenticated paths of each role, as the server routes them.
var (
	laptopPaths = []struct{ method, path string }{
		{"POST", wire.PathBatches}, {"GET", wire.PathChanges}, {"POST", wire.PathKeys},
	}
	coordinatorPaths = []struct{ method, path string }{
		{"GET", wire.PathCoordProject}, {"POST", wire.PathCoordSecret}, {"GET", wire.PathCoordRevisions},
		{"POST", wire.PathCoordReviews}, {"GET", wire.PathCoordTeams}, {"POST", wire.PathCoordTeams},
		{"POST", wire.PathCoordResearchers}, {"POST", wire.PathCoordCodes}, {"POST", wire.PathCoordAssignments},
		{"GET", wire.PathCoordInstruments}, {"POST", wire.PathCoordInstruments}, {"GET", wire.PathCoordGrants},
		{"POST", wire.PathCoordGrants},
	}
)

// One authentication path serves both roles, and each reaches its own
// paths and no other's: a laptop's signed request on every coordinators'
// path is refused with CodeCoordinatorOnly, a coordinator's on every
// laptops' path with CodeLaptopOnly, and neither is refused for its role on
// its own paths. A request refused for its role spends nothing of its
// signer's: no nonce (the same request is refused the same way again, not
// as a replay) and no rate bucket.
func TestEachRoleReachesOnlyItsOwnPaths(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{EnrolRate: 100, EnrolBurst: 100, DeviceRate: 0.01, DeviceBurst: 20})
	d := p.EnrolDevice(t, p.TeamA)
	c := enrolCoordinator(t, p)
	now := time.Now()
	wrong := func(who *synctest.Device, method, path, code string) {
		t.Helper()
		req := signedReq(who, method, path, []byte(`{}`), now)
		for i := range 3 { // the same signed request again: no replay, no bucket spent
			if got := send(t, req()); got.status != http.StatusForbidden || got.code != code {
				t.Errorf("%s %s by the other role (attempt %d): HTTP %d %q, want 403 %q", method, path, i+1, got.status, got.code, code)
			}
		}
	}
	own := func(who *synctest.Device, method, path string) {
		t.Helper()
		got := send(t, signedReq(who, method, path, []byte(`{}`), now)())
		if got.code == wire.CodeCoordinatorOnly || got.code == wire.CodeLaptopOnly || got.status == http.StatusUnauthorized {
			t.Errorf("%s %s by its own role: HTTP %d %q", method, path, got.status, got.code)
		}
	}
	for _, rt := range coordinatorPaths {
		wrong(d, rt.method, rt.path, wire.CodeCoordinatorOnly)
		own(c, rt.method, rt.path)
	}
	for _, rt := range laptopPaths {
		wrong(c, rt.method, rt.path, wire.CodeLaptopOnly)
		own(d, rt.method, rt.path)
	}
	// 48 refusals for the role and 16 requests of their own: had the
	// refusals spent the signers' buckets (20 each), these would be 429.
	for who, path := range map[*synctest.Device]string{d: wire.PathChanges, c: wire.PathCoordTeams} {
		if status, data, err := who.Do(context.Background(), "GET", path, nil); err != nil || status != http.StatusOK {
			t.Errorf("%s after the refusals for the role: HTTP %d %s %v, want 200", path, status, data, err)
		}
	}
}

// Forged requests that claim a coordinator's id are answered from their
// headers like a laptop's (one authentication path): they count against
// their address, not the coordinator's bucket, and write a few sampled
// log lines, not one each.
func TestForgedCoordinatorRequestsHoldNothingOfTheCoordinators(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	logs := serveLogged(t, p, server.Config{EnrolRate: 100, EnrolBurst: 100, DeviceRate: 0.01, DeviceBurst: 5,
		UnauthRate: 0.01, UnauthBurst: 5, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	c := enrolCoordinator(t, p)
	if limited := forge(t, p.URL+wire.PathCoordTeams, c.ID, "203.0.113.9", 200); limited < 190 {
		t.Errorf("only %d of 200 forged requests from one address were rate-limited", limited)
	}
	if n := len(logs.lines("refused")); n == 0 || n > 25 {
		t.Errorf("200 forged coordinator requests wrote %d log lines, want a few", n)
	}
	for i := range 5 {
		r := signedReq(c, "GET", wire.PathCoordTeams, nil, time.Now())()
		r.Header.Set("X-Forwarded-For", "198.51.100.4")
		if got := send(t, r); got.status != http.StatusOK {
			t.Fatalf("the coordinator's own request %d after 200 forged ones: HTTP %d %q, want 200", i, got.status, got.code)
		}
	}
}
