package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"sinba/localdb"
	"sinba/sync/client"
	"sinba/sync/server"
	"sinba/sync/synctest"
)

// A busy server's Retry-After is honoured even when it asks for longer
// than the client's own backoff would wait.
func TestRetryAfterIsHonoured(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	target, _ := url.Parse(p.URL)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var busy atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/v1/batches" && busy.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"code":"overloaded","message_it":"occupato","message_en":"busy"}`))
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()
	laptop := synctest.Laptop(t, t.TempDir())
	c := client.New(laptop, fast)
	if _, err := c.Enrol(ctx, front.URL, p.Code(t, p.TeamA)); err != nil {
		t.Fatal(err)
	}
	if _, err := laptop.Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, "r"), localdb.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rep, err := c.SyncOnce(ctx, nil)
	if err != nil || rep.Accepted != 1 {
		t.Fatalf("sync: %+v %v", rep, err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Fatalf("retried after %v, the server asked for 1s", waited)
	}
}

// Run syncs by itself, and at once when kicked.
func TestRunSyncsInTheBackground(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	laptop, c := enrolled(t, p, p.TeamA)
	reports := make(chan *client.Report, 10)
	go c.Run(ctx, time.Hour, func(r *client.Report, err error) {
		if err == nil {
			reports <- r
		}
	})
	<-reports // the first round starts at once
	if _, err := laptop.Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, "k"), localdb.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	c.Kick()
	select {
	case r := <-reports:
		if r.Accepted != 1 {
			t.Fatalf("kicked round accepted %d, want 1", r.Accepted)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a kick did not start a round")
	}
}

// A laptop whose clock is an hour off still syncs: the first request is
// refused for clock skew, and the client signs the retry with the server's time.
func TestWrongClockIsCorrected(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{Now: func() time.Time { return time.Now().Add(time.Hour) }})
	laptop := synctest.Laptop(t, t.TempDir())
	c := client.New(laptop, fast)
	if _, err := c.Enrol(ctx, p.URL, p.Code(t, p.TeamA)); err != nil {
		t.Fatal(err)
	}
	if _, err := laptop.Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, "t"), localdb.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	if rep, err := c.SyncOnce(ctx, nil); err != nil || rep.Accepted != 1 {
		t.Fatalf("sync with a wrong clock: %+v %v", rep, err)
	}
}
