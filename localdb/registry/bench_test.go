package registry_test

import (
	"encoding/json"
	"log/slog"
	"net"
	"net/http/httptest"
	"testing"
	"time"

	"sinba/localdb"
	"sinba/localdb/registry"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/sync/server"
	"sinba/sync/synctest"
)

// BenchmarkPublishToLaptops publishes a version of the case record on one
// real server and delivers it to 100 laptops, each a real store with its
// sync client: one round each, then the laptop's registry read again (what
// the app does after a round that received instruments). Reported per
// laptop: the bytes on the wire of that round (both directions, headers
// included) and the time of round plus refresh.
func BenchmarkPublishToLaptops(b *testing.B) {
	const laptops = 100
	p := synctest.NewProject(b, b.TempDir())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	cl := &synctest.CountingListener{Listener: ln}
	hs := httptest.NewUnstartedServer(server.New(p.Store, server.Config{DisableLimits: true}, slog.New(slog.DiscardHandler)))
	hs.Listener = cl
	hs.Start()
	b.Cleanup(func() { hs.Close(); p.Store.Close() })
	p.URL = hs.URL

	type lap struct {
		c  *client.Client
		st *localdb.Store
	}
	// One loader for all: the reference lists are parsed once per app run,
	// not per round. Each laptop parses a new definition once; the shared
	// loader would parse it only for the first, so the parse is counted
	// for every laptop below.
	loader, err := registry.NewLoader()
	if err != nil {
		b.Fatal(err)
	}
	ls := make([]lap, laptops)
	for i := range ls {
		st := synctest.Laptop(b, b.TempDir())
		c := client.New(st, fast)
		if _, err := c.Enrol(b.Context(), p.URL, p.Code(b, p.TeamA)); err != nil {
			b.Fatal(err)
		}
		if _, err := c.SyncOnce(b.Context(), nil); err != nil {
			b.Fatal(err)
		}
		ls[i] = lap{c: c, st: st}
	}
	var def map[string]any
	if err := json.Unmarshal(synctest.CaseV3(b), &def); err != nil {
		b.Fatal(err)
	}
	version := 2
	var bytes, rounds int64
	var spent time.Duration
	var bodyLen int
	for b.Loop() {
		version++
		def["version"] = version
		body, err := json.Marshal(def)
		if err != nil {
			b.Fatal(err)
		}
		bodyLen = len(body)
		p.PublishCase(b, version, body)
		cl.Reset()
		start := time.Now()
		for i := range ls {
			rep, err := ls[i].c.SyncOnce(b.Context(), nil)
			if err != nil {
				b.Fatal(err)
			}
			if rep.Instruments != 1 {
				b.Fatalf("laptop %d received %d versions, want 1", i, rep.Instruments)
			}
			if _, err := survey.ParseInstrument(body, loader.Reference()); err != nil {
				b.Fatal(err)
			}
			set, err := loader.Load(b.Context(), ls[i].st)
			if err != nil {
				b.Fatal(err)
			}
			if in, _, _ := set.ForNew(survey.InstrumentCase); in.Version != version {
				b.Fatalf("laptop %d: new records take %d, want %d", i, in.Version, version)
			}
		}
		spent += time.Since(start)
		bytes += cl.Total()
		rounds += laptops
	}
	b.ReportMetric(float64(bytes)/float64(rounds), "wire-bytes/laptop")
	b.ReportMetric(float64(spent.Microseconds())/1000/float64(rounds), "ms/laptop")
	b.ReportMetric(float64(bodyLen), "definition-bytes")
}
