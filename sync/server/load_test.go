package server_test

import (
	"context"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sinba/sync/seal"
	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

// TestHundredDevicesAtOnce has 100 devices upload batches and pull changes
// at the same time. The server must take every revision once, and the
// heap must stay bounded: batches wait for one of MaxInFlight slots before
// their body is read.
func TestHundredDevicesAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	const devices, batches, perBatch = 100, 3, 10
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{EnrolRate: 1000, EnrolBurst: 1000, DeviceRate: 1000, DeviceBurst: 1000})
	team, _ := seal.NewKey()
	ds := make([]*synctest.Device, devices)
	work := make([][][]wire.Revision, devices)
	tr := &http.Transport{MaxIdleConnsPerHost: devices}
	for i := range ds {
		ds[i] = p.EnrolDevice(t, p.TeamA)
		ds[i].HTTP = &http.Client{Transport: tr, Timeout: time.Minute}
		for range batches {
			revs, err := synctest.Revisions(perBatch, synctest.MunicipalityA, ds[i].Project, team.Recipient())
			if err != nil {
				t.Fatal(err)
			}
			work[i] = append(work[i], revs)
		}
	}

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
		}
	}()
	start := time.Now()
	var wg sync.WaitGroup
	var failed atomic.Int64
	for i, d := range ds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, revs := range work[i] {
				r, err := d.SendBatch(ctx, revs)
				if err != nil || len(r.Accepted) != perBatch {
					failed.Add(1)
					t.Errorf("device %d: %v", i, err)
					return
				}
				if status, _, err := d.Do(ctx, http.MethodGet, wire.PathChanges+"?cursor=0", nil); err != nil || status != 200 {
					failed.Add(1)
					t.Errorf("device %d changes: HTTP %d %v", i, status, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-sampled
	elapsed := time.Since(start)
	all, err := p.Store.Revisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := devices * batches * perBatch; len(all) != want {
		t.Fatalf("server holds %d revisions, want %d", len(all), want)
	}
	grew := int64(peak.Load()) - int64(base.HeapInuse)
	t.Logf("%d devices, %d revisions in %v (%.0f/s); heap in use %d MiB at rest, peak %d MiB",
		devices, len(all), elapsed.Round(time.Millisecond), float64(len(all))/elapsed.Seconds(), base.HeapInuse>>20, peak.Load()>>20)
	if grew > 128<<20 {
		t.Fatalf("heap grew by %d MiB under load, want under 128 MiB", grew>>20)
	}
}
