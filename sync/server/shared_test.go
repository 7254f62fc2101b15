package server_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

// Two server processes on one database: a second store opened on the same
// database (its own connection pool) serves beside the first. What must be
// shared is in the store: a request one process accepted is a replay to the
// other, and a signer's rate bucket is one bucket whichever process it
// reaches.
func secondServer(t *testing.T, p *synctest.Project, cfg server.Config) string {
	t.Helper()
	st, err := server.Open(p.Database)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(server.New(st, cfg, slog.New(slog.DiscardHandler)))
	t.Cleanup(func() {
		hs.Close()
		st.Close()
	})
	return hs.URL
}

// to sends r to the server at base instead.
func to(r *http.Request, base string) *http.Request {
	u, _ := url.Parse(base)
	r.URL.Scheme, r.URL.Host, r.Host = u.Scheme, u.Host, u.Host
	return r
}

func TestReplayToAnotherProcessIsRefused(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	other := secondServer(t, p, server.Config{})
	d := p.EnrolDevice(t, p.TeamA)
	for _, path := range []string{wire.PathChanges, wire.PathBatches} {
		method, body := http.MethodGet, []byte(nil)
		if path == wire.PathBatches {
			revs, err := synctest.Revisions(2, synctest.MunicipalityA, d.Project, d.Ident.Recipient())
			if err != nil {
				t.Fatal(err)
			}
			if body, err = wire.EncodeBatch(&wire.Batch{Version: wire.Version, ID: "6f1c0a52-3b8e-4c1e-9a7d-2f4b5c6d7e80", Revisions: revs}); err != nil {
				t.Fatal(err)
			}
			method = http.MethodPost
		}
		req := signedReq(d, method, path, body, time.Now())
		if got := send(t, req()); got.status != http.StatusOK {
			t.Fatalf("%s %s to the first process: HTTP %d %q", method, path, got.status, got.code)
		}
		if got := send(t, to(req(), other)); got.status != http.StatusUnauthorized || got.code != wire.CodeReplay {
			t.Fatalf("%s %s replayed to the second process: HTTP %d %q, want 401 %q", method, path, got.status, got.code, wire.CodeReplay)
		}
	}
}

func TestProcessesShareASignersRateBucket(t *testing.T) {
	var clock atomic.Int64 // nanoseconds past start
	start := time.Now()
	cfg := server.Config{DeviceRate: 0.1, DeviceBurst: 4, Now: func() time.Time { return start.Add(time.Duration(clock.Load())) }}
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, cfg)
	other := secondServer(t, p, cfg)
	d := p.EnrolDevice(t, p.TeamA)
	// Four tokens in all, taken alternately from either process.
	for i := range 4 {
		r := signedReq(d, http.MethodGet, wire.PathChanges, nil, time.Now())()
		if i%2 == 1 {
			r = to(r, other)
		}
		if got := send(t, r); got.status != http.StatusOK {
			t.Fatalf("request %d of a burst of 4: HTTP %d %q", i+1, got.status, got.code)
		}
	}
	fifth := signedReq(d, http.MethodGet, wire.PathChanges, nil, time.Now())
	for _, base := range []string{p.URL, other} {
		got := send(t, to(fifth(), base))
		if got.status != http.StatusTooManyRequests || got.code != wire.CodeRateLimited || got.header.Get("Retry-After") == "" {
			t.Fatalf("fifth request, to %s: HTTP %d %q Retry-After %q; want 429 with Retry-After", base, got.status, got.code, got.header.Get("Retry-After"))
		}
	}
	// A refused request used no nonce: sent again once the bucket holds a
	// token (ten seconds later at 0.1 a second), it is served, once.
	clock.Store(int64(10 * time.Second))
	if got := send(t, to(fifth(), other)); got.status != http.StatusOK {
		t.Fatalf("the fifth request ten seconds later: HTTP %d %q, want 200", got.status, got.code)
	}
	if got := send(t, fifth()); got.status != http.StatusTooManyRequests {
		t.Fatalf("the fifth request again at once: HTTP %d %q, want 429 (the bucket is empty again)", got.status, got.code)
	}
}
