package coord_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"sinba/sync/client"
	"sinba/sync/coord"
	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

// loseFirstAnswer delivers requests to the real server but loses the answer
// to the first write to each of its paths, as a connection cut after the
// server did the work.
type loseFirstAnswer struct {
	lost map[string]*atomic.Bool
}

func (l *loseFirstAnswer) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if b := l.lost[r.URL.Path]; err == nil && r.Method == http.MethodPost && b != nil && b.CompareAndSwap(false, true) {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, errors.New("connection reset by peer")
	}
	return resp, err
}

// A coordinator's write whose answer is lost on the way is sent again with
// the same idempotency key: the server makes one researcher and one code,
// and the app gets them.
func TestCutCodeRequestIsRetriedAndMintsOneCode(t *testing.T) {
	ctx := context.Background()
	p := startPilot(t)
	code, _, err := p.srv.CreateProjectCode(ctx, "Pilota", time.Hour)
	p.must(err)
	lose := &loseFirstAnswer{lost: map[string]*atomic.Bool{wire.PathCoordResearchers: {}, wire.PathCoordCodes: {}}}
	c := coord.New(newCoordinatorStore(t), coord.Options{HTTPClient: &http.Client{Transport: lose}})
	_, err = c.Enrol(ctx, p.url, code)
	p.must(err)
	team, err := c.CreateTeam(ctx, "Squadra")
	p.must(err)
	rid, err := c.CreateResearcher(ctx, team, "Rilevatrice")
	p.must(err)
	p.must(c.Assign(ctx, team, synctest.MunicipalityA, false))
	got, err := c.Code(ctx, rid, time.Hour)
	if err != nil || !lose.lost[wire.PathCoordCodes].Load() || !lose.lost[wire.PathCoordResearchers].Load() {
		t.Fatalf("code request with its first answer lost: %v", err)
	}
	// The code the app got is the one the server made, and the only one.
	laptop := client.New(synctest.Laptop(t, t.TempDir()), client.Options{})
	if _, err := laptop.Enrol(ctx, p.url, got.Code); err != nil {
		t.Fatalf("enrolling with the code the app got: %v", err)
	}
	devices, err := p.srv.Devices(ctx)
	p.must(err)
	if len(devices) != 1 {
		t.Fatalf("%d devices", len(devices))
	}
	teams, err := c.RefreshTeams(ctx)
	p.must(err)
	if len(teams) != 1 || len(teams[0].Researchers) != 1 || teams[0].Researchers[0].ID != rid {
		t.Fatalf("teams after a lost answer: %+v; want one researcher, %s", teams, rid)
	}
}

// A coordinator's computer whose clock is an hour off still works, as a
// laptop's does (one session for both): the session learns the server's
// clock from its answers, and an app started afresh, which knows nothing
// of it yet, has its first request refused for clock skew and the retry
// signed with the server's time.
func TestCoordinatorWithAWrongClockIsCorrected(t *testing.T) {
	ctx := context.Background()
	st, err := server.OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(server.New(st, server.Config{DisableLimits: true, Now: func() time.Time { return time.Now().Add(time.Hour) }}, nil))
	t.Cleanup(func() {
		hs.Close()
		st.Close()
	})
	code, _, err := st.CreateProjectCode(ctx, "Pilota", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c := coord.New(newCoordinatorStore(t), coord.Options{})
	if _, err := c.Enrol(ctx, hs.URL, code); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateTeam(ctx, "Squadra"); err != nil {
		t.Fatalf("a write with the clock an hour off: %v", err)
	}
	if rep, err := c.Sync(ctx); err != nil || rep.Teams != 1 {
		t.Fatalf("a download with the clock an hour off: %+v %v", rep, err)
	}
	again := coord.New(c.Store(), coord.Options{})
	if rep, err := again.Sync(ctx); err != nil || rep.Teams != 1 {
		t.Fatalf("the app started again, the clock an hour off: %+v %v", rep, err)
	}
}
