package server_test

import (
	"context"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/sync/internal/faultproxy"
	"sinba/sync/server"
	"sinba/sync/session"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

// serverProcess is one of the server processes on the shared database, as
// the test drives it: start starts it (again), on a new port; kill stops it
// at once, requests in flight included; address is where it listens now.
type serverProcess interface {
	start()
	kill()
	address() string
}

// process is a server process in the test's own: a server over its own
// store (its own connections); kill stops it as SIGKILL would.
type process struct {
	t    *testing.T
	open func() (*server.Store, error)
	mu   sync.Mutex
	addr string
	st   *server.Store
	hs   *http.Server
	up   bool
}

func (p *process) start() {
	p.t.Helper()
	st, err := p.open()
	if err != nil {
		p.t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		p.t.Fatal(err)
	}
	hs := server.New(st, server.Config{DisableLimits: true}, nil).HTTPServer()
	go hs.Serve(ln)
	p.mu.Lock()
	p.addr, p.st, p.hs, p.up = ln.Addr().String(), st, hs, true
	p.mu.Unlock()
}

func (p *process) address() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addr
}

func (p *process) kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.up {
		p.hs.Close()
		p.st.Close()
		p.up = false
	}
}

// balancer is the reverse proxy's choice of a process: round robin over
// those it believes up. A process just killed stays in the rotation until
// the balancer notices (markDown), as a proxy's health check takes a while.
type balancer struct {
	mu    sync.Mutex
	procs []serverProcess
	down  map[serverProcess]bool
	next  int
}

func (b *balancer) backend() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	for range b.procs {
		p := b.procs[b.next%len(b.procs)]
		b.next++
		if !b.down[p] {
			return p.address()
		}
	}
	return "127.0.0.1:1"
}

func (b *balancer) markDown(p serverProcess, down bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.down[p] = down
}

// TestTwoProcessesThroughTheFaultProxy: two server processes on one
// database serve three laptops of two teams through a proxy that spreads
// connections over both, cuts them, delays them and delivers them twice;
// one process is killed in the middle of a round and the proxy learns it a
// few rounds later. At the end the database holds every revision each
// laptop made, once, and nothing else, every laptop holds its team's
// records, and a request one process served is refused as a replay by the
// other.
func TestTwoProcessesThroughTheFaultProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("fault injection takes a few seconds")
	}
	dir := t.TempDir()
	p := synctest.NewProject(t, dir)
	t.Cleanup(func() { p.Store.Close() })
	open := func() (*server.Store, error) { return server.Open(p.Database) }
	twoProcesses(t, p, &process{t: t, open: open}, &process{t: t, open: open}, 150)
}

// twoProcesses runs the test over project p's database with processes a
// and b, for rounds rounds of the laptops' syncs.
func twoProcesses(t *testing.T, p *synctest.Project, a, b serverProcess, rounds int) {
	ctx := context.Background()
	a.start()
	b.start()
	defer a.kill()
	defer b.kill()
	lb := &balancer{procs: []serverProcess{a, b}, down: map[serverProcess]bool{}}
	proxy, err := faultproxy.New(lb.backend)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()

	opts := client.Options{
		HTTPClient:     &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}, // a fault and a choice of process per request
		Backoff:        session.Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond, Attempts: 2},
		BatchRevisions: 4,
	}
	type lap struct {
		store *localdb.Store
		c     *client.Client
		team  string
		muni  string
		ids   []string
	}
	var laps []*lap
	for i, team := range []string{p.TeamA, p.TeamA, p.TeamB} {
		l := &lap{store: synctest.Laptop(t, t.TempDir()), team: team, muni: synctest.MunicipalityA}
		if team == p.TeamB {
			l.muni = synctest.MunicipalityB
		}
		l.c = client.New(l.store, opts)
		if _, err := l.c.Enrol(ctx, "http://"+proxy.Addr(), p.Code(t, team)); err != nil {
			t.Fatalf("laptop %d: %v", i, err)
		}
		laps = append(laps, l)
	}
	// The team's key: the second laptop of team A is confirmed by the first.
	for range 3 {
		for _, l := range laps {
			if _, err := l.c.SyncOnce(ctx, nil); err != nil {
				t.Logf("first sync: %v", err)
			}
		}
	}
	synctest.Confirm(t, laps[0].c, laps[1].c)

	proxy.SetFaults(faultproxy.Faults{CutUp: 0.1, CutDown: 0.1, Duplicate: 0.15, Delay: 0.1, MaxDelay: 3 * time.Millisecond, MaxCut: 3000})
	var failures atomic.Int64
	for i := range rounds {
		for _, l := range laps {
			if i%2 == 0 {
				if len(l.ids) > 0 && rand.IntN(3) == 0 {
					id := l.ids[rand.IntN(len(l.ids))]
					rec, _, err := l.store.Get(ctx, id)
					if err != nil {
						t.Fatal(err)
					}
					rec.Answers["AnnoNascita"] = []string{"2010", "2011", "2012"}[rand.IntN(3)]
					if _, err := l.store.Save(ctx, rec, localdb.SaveOptions{Status: survey.StatusDraft}); err != nil {
						t.Fatal(err)
					}
				} else {
					info, err := l.store.Save(ctx, synctest.CaseRecord(l.muni, "p"), localdb.SaveOptions{})
					if err != nil {
						t.Fatal(err)
					}
					l.ids = append(l.ids, info.ID)
				}
			}
		}
		var wg sync.WaitGroup
		switch i {
		case rounds / 2:
			// Kill process b while the laptops sync.
			wg.Add(1)
			go func() {
				defer wg.Done()
				time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
				b.kill()
			}()
		case rounds/2 + 5:
			lb.markDown(b, true)
		}
		for _, l := range laps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				defer cancel()
				if _, err := l.c.SyncOnce(rctx, nil); err != nil {
					failures.Add(1)
				}
			}()
		}
		wg.Wait()
	}
	t.Logf("%d rounds of 3 laptops, %d failed; proxy: %d connections, %d cut upstream, %d cut downstream, %d duplicated, %d delayed",
		rounds, failures.Load(), proxy.Stats.Conns.Load(), proxy.Stats.CutsUp.Load(), proxy.Stats.CutsDown.Load(), proxy.Stats.Dups.Load(), proxy.Stats.Delays.Load())
	if proxy.Stats.CutsUp.Load() == 0 || proxy.Stats.Dups.Load() == 0 || failures.Load() == 0 {
		t.Fatal("the proxy injected too few faults for the test to mean anything")
	}

	// The network heals and b comes back: everything left goes through,
	// and each laptop gets its colleagues' records.
	proxy.SetFaults(faultproxy.Faults{})
	b.start()
	lb.markDown(b, false)
	for range 8 {
		pending := 0
		for _, l := range laps {
			if _, err := l.c.SyncOnce(ctx, nil); err != nil {
				t.Logf("healing round: %v", err)
			}
			out, err := l.store.Outbox(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			pending += len(out)
		}
		if pending == 0 {
			break
		}
	}

	perTeam := map[string]int{}
	held := map[*localdb.Store][]string{}
	for _, l := range laps {
		if out, _ := l.store.Outbox(ctx, 0); len(out) != 0 {
			t.Fatalf("a laptop's outbox still holds %d revisions after the network healed", len(out))
		}
		perTeam[l.team] += len(l.ids)
		held[l.store] = l.ids
	}
	n := synctest.HeldOnce(t, p.Store, held)
	for i, l := range laps {
		infos, err := l.store.List(ctx, localdb.Filter{Instrument: survey.InstrumentCase})
		if err != nil {
			t.Fatal(err)
		}
		if len(infos) != perTeam[l.team] {
			t.Errorf("laptop %d holds %d case records, its team made %d", i, len(infos), perTeam[l.team])
		}
	}
	t.Logf("%d revisions of %d records, each held once", n, perTeam[p.TeamA]+perTeam[p.TeamB])

	// A request process a served, sent again to process b, is a replay.
	d := synctest.EnrolWithCode(t, "http://"+a.address(), p.Code(t, p.TeamA))
	req := signedReq(d, http.MethodGet, wire.PathChanges, nil, time.Now())
	if got := send(t, req()); got.status != http.StatusOK {
		t.Fatalf("a signed request to process a: HTTP %d %q", got.status, got.code)
	}
	if got := send(t, to(req(), "http://"+b.address())); got.status != http.StatusUnauthorized || got.code != wire.CodeReplay {
		t.Fatalf("the same request to process b: HTTP %d %q, want 401 %q", got.status, got.code, wire.CodeReplay)
	}
}
