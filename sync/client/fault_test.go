package client_test

import (
	"context"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/sync/internal/faultproxy"
	"sinba/sync/server"
	"sinba/sync/session"
	"sinba/sync/synctest"
)

// restartable is a real server on a fixed loopback port that a test can
// stop abruptly, mid-request, and start again over the same database.
type restartable struct {
	t    *testing.T
	db   string // what server.Open takes: a folder, or a PostgreSQL URL
	mu   sync.Mutex
	addr string
	st   *server.Store
	hs   *http.Server
}

func (r *restartable) start() {
	r.t.Helper()
	st, err := server.Open(r.db)
	if err != nil {
		r.t.Fatal(err)
	}
	addr := r.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		r.t.Fatal(err)
	}
	hs := server.New(st, server.Config{DisableLimits: true}, nil).HTTPServer()
	go hs.Serve(ln)
	r.mu.Lock()
	r.addr, r.st, r.hs = ln.Addr().String(), st, hs
	r.mu.Unlock()
}

// stop cuts every connection at once, requests in flight included.
func (r *restartable) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hs.Close()
	r.st.Close()
}

func (r *restartable) backend() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.addr
}

// TestSyncSurvivesAFaultyNetwork runs 500 sync rounds through a proxy that
// cuts connections at random byte offsets both ways, delays them and
// duplicates them, while the server is restarted mid-batch now and then and
// the researcher keeps saving. At the end the server must hold exactly the
// laptop's revisions, each once.
func TestSyncSurvivesAFaultyNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("fault injection takes a few seconds")
	}
	t.Run("SQLite", func(t *testing.T) { dir := t.TempDir(); syncSurvivesAFaultyNetwork(t, dir, dir) })
	t.Run("PostgreSQL", func(t *testing.T) { syncSurvivesAFaultyNetwork(t, t.TempDir(), synctest.PostgresDatabase(t)) })
}

func syncSurvivesAFaultyNetwork(t *testing.T, dir, database string) {
	ctx := context.Background()
	p := synctest.NewProjectIn(t, dir, database)
	code := p.Code(t, p.TeamA)
	p.Store.Close()
	srv := &restartable{t: t, db: database}
	srv.start()
	defer func() { srv.stop() }()
	proxy, err := faultproxy.New(srv.backend)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()

	laptop := synctest.Laptop(t, t.TempDir())
	opts := client.Options{
		HTTPClient:     &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}, // a fault per request, not per connection,
		Backoff:        session.Backoff{Base: time.Millisecond, Max: 5 * time.Millisecond, Attempts: 2},
		BatchRevisions: 4, // small batches: more of them cut, less lost per cut
	}
	c := client.New(laptop, opts)
	if _, err := c.Enrol(ctx, "http://"+proxy.Addr(), code); err != nil {
		t.Fatal(err)
	}
	proxy.SetFaults(faultproxy.Faults{CutUp: 0.15, CutDown: 0.15, Duplicate: 0.1, Delay: 0.1, MaxDelay: 3 * time.Millisecond, MaxCut: 3000})

	var ids []string
	failures, restarts, duplicates := 0, 0, 0
	const attempts = 500
	for i := range attempts {
		// The researcher keeps working: new records and edits.
		if i%3 == 0 {
			if len(ids) > 0 && rand.IntN(2) == 0 {
				id := ids[rand.IntN(len(ids))]
				rec, _, err := laptop.Get(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				rec.Answers["AnnoNascita"] = []string{"2010", "2011", "2012"}[rand.IntN(3)]
				if _, err := laptop.Save(ctx, rec, localdb.SaveOptions{Status: survey.StatusDraft}); err != nil {
					t.Fatal(err)
				}
			} else {
				info, err := laptop.Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, "f"), localdb.SaveOptions{})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, info.ID)
			}
		}
		var wg sync.WaitGroup
		if i%60 == 30 {
			// Restart the server while the round is in flight.
			wg.Add(1)
			go func() {
				defer wg.Done()
				time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
				srv.stop()
				srv.start()
			}()
			restarts++
		}
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		rep, err := c.SyncOnce(rctx, nil)
		if err != nil {
			failures++
		}
		duplicates += rep.Duplicates
		cancel()
		wg.Wait()
	}
	t.Logf("%d rounds, %d failed, %d revisions resent after a lost receipt; proxy: %d connections, %d cut upstream, %d cut downstream, %d duplicated, %d delayed; %d server restarts",
		attempts, failures, duplicates, proxy.Stats.Conns.Load(), proxy.Stats.CutsUp.Load(), proxy.Stats.CutsDown.Load(), proxy.Stats.Dups.Load(), proxy.Stats.Delays.Load(), restarts)
	if proxy.Stats.CutsUp.Load() == 0 || proxy.Stats.CutsDown.Load() == 0 || proxy.Stats.Dups.Load() == 0 || failures == 0 {
		t.Fatal("the proxy injected too few faults for the test to mean anything")
	}

	// The network heals: everything left goes through.
	proxy.SetFaults(faultproxy.Faults{})
	for range 5 {
		if out, _ := laptop.Outbox(ctx, 0); len(out) == 0 {
			break
		}
		if _, err := c.SyncOnce(ctx, nil); err != nil {
			t.Logf("healing round: %v", err)
		}
	}
	if out, _ := laptop.Outbox(ctx, 0); len(out) != 0 {
		t.Fatalf("outbox still holds %d revisions after the network healed", len(out))
	}

	srv.mu.Lock()
	n := synctest.HeldOnce(t, srv.st, map[*localdb.Store][]string{laptop: ids})
	srv.mu.Unlock()
	t.Logf("%d records, %d revisions, each held once", len(ids), n)
}
