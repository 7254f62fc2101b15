package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"

	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

// logBuffer is a log destination safe for the server's goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// lines returns the JSON log lines whose msg is msg.
func (l *logBuffer) lines(msg string) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(l.b.Bytes()))
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

// serveLogged serves p with a JSON log into the returned buffer.
func serveLogged(t *testing.T, p *synctest.Project, cfg server.Config) *logBuffer {
	t.Helper()
	logs := &logBuffer{}
	p.HTTP = httptest.NewServer(server.New(p.Store, cfg, slog.New(slog.NewJSONHandler(logs, nil))))
	p.URL = p.HTTP.URL
	t.Cleanup(func() {
		p.HTTP.Close()
		p.Store.Close()
	})
	return logs
}

// Finding 8: every request wrote a 200-byte line, so a flood of forged
// requests wrote 403 MB of log in an afternoon. Now refusals are sampled:
// a few lines a minute per code, and one line that counts the rest.
func TestAFloodOfForgedRequestsWritesAFewLines(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	logs := serveLogged(t, p, server.Config{UnauthRate: 1000, UnauthBurst: 1000})
	d := p.EnrolDevice(t, p.TeamA)
	for range 300 {
		r, _ := http.NewRequest("GET", p.URL+wire.PathChanges, nil)
		r.Header = forgedHeaders(d.ID)
		if got := send(t, r); got.status != http.StatusUnauthorized {
			t.Fatalf("forged request: HTTP %d", got.status)
		}
	}
	if n := len(logs.lines("refused")); n == 0 || n > 20 {
		t.Fatalf("300 forged requests wrote %d log lines, want a few", n)
	}
	// Served requests are logged at Info with the verified signer.
	if status, _, err := d.Do(context.Background(), "GET", wire.PathChanges, nil); err != nil || status != 200 {
		t.Fatalf("changes: HTTP %d %v", status, err)
	}
	served := logs.lines("request")
	if len(served) == 0 || served[len(served)-1]["signer"] != d.ID || served[len(served)-1]["level"] != "INFO" {
		t.Fatalf("the served request's line: %v", served)
	}
}

// Finding 11: a successful feed page was logged with status 0, because
// writePage never called WriteHeader.
func TestFeedPagesAreLoggedWithTheirStatus(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	logs := serveLogged(t, p, server.Config{})
	d := p.EnrolDevice(t, p.TeamA)
	if status, _, err := d.Do(context.Background(), "GET", wire.PathChanges+"?cursor=0", nil); err != nil || status != 200 {
		t.Fatalf("changes: HTTP %d %v", status, err)
	}
	for _, l := range logs.lines("request") {
		if l["path"] == wire.PathChanges {
			if l["status"] != float64(200) {
				t.Fatalf("feed page logged with status %v, want 200", l["status"])
			}
			return
		}
	}
	t.Fatal("no log line for the feed page")
}

// Finding 8: enrolment was limited per address only, so behind a reverse
// proxy one bad actor locked out every laptop. With the proxy trusted, the
// limit is per client; and one client cannot use up the limit all clients
// share.
func TestOneAddressCannotLockOutEnrolment(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{EnrolRate: 0.01, EnrolBurst: 5, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	attempt := func(from string) int {
		r := raw("POST", p.URL+wire.PathEnrol, `{"version":1,"code":"AAAAA-AAAAA"}`)
		r.Header.Set("X-Forwarded-For", from)
		return send(t, r).status
	}
	limited := 0
	for range 200 {
		if attempt("203.0.113.66") == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited < 190 {
		t.Fatalf("only %d of 200 attempts from one client were limited", limited)
	}
	if got := attempt("198.51.100.20"); got == http.StatusTooManyRequests {
		t.Fatal("another client behind the same proxy was locked out of enrolment")
	}
}

// The per-address tables stay bounded whatever the number of addresses.
func TestAddressSprayIsBounded(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{MaxAddresses: 50, UnauthRate: 0.001, UnauthBurst: 1, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	d := p.EnrolDevice(t, p.TeamA)
	limited := 0
	for i := range 300 {
		r, _ := http.NewRequest("GET", p.URL+wire.PathChanges, nil)
		r.Header = forgedHeaders(d.ID)
		r.Header.Set("X-Forwarded-For", netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}).String())
		if send(t, r).status == http.StatusTooManyRequests {
			limited++
		}
	}
	// Past 50 addresses the rest share one bucket of burst 1.
	if limited < 240 {
		t.Fatalf("%d of 300 forged requests from sprayed addresses were limited, want the shared bucket to take most", limited)
	}
}
