package coord_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"sinba/sync/client"
	"sinba/sync/coord"
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
	c := coord.New(newCoordinatorStore(t), coord.Options{ScryptWorkFactor: 10, HTTPClient: &http.Client{Transport: lose}})
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
