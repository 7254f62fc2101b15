package backend_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sinba/cmd/sinba/internal/backend"
	"sinba/localdb"
	"sinba/survey"
	"sinba/survey/quality"
	"sinba/sync/coord"
	"sinba/ui/coordinator"
	"sinba/ui/loop"
)

// coordStore fills a real store with n case records, drafts and records to
// review in turn, for a coordinator's profile to read.
func coordStore(tb testing.TB, dir string, n int) *localdb.Store {
	tb.Helper()
	st, _, err := localdb.CreateWith(dir, []byte(pass), storeOpts)
	if err != nil {
		tb.Fatal(err)
	}
	munis := []string{"063049", "065116", "015146", "058091"}
	statuses := []survey.Status{survey.StatusDraft, survey.StatusFinal}
	for i := range n {
		rec := survey.Record{Instrument: survey.InstrumentCase, Version: 1, Municipality: munis[i%len(munis)],
			Identity: &survey.Identity{Surname: "Rossi", Name: fmt.Sprintf("Nome%05d", i)},
			Answers:  survey.Answers{"IDBeneficiario": fmt.Sprintf("P%07d", i), "AnnoNascita": 2005 + i%18}}
		if _, err := st.Save(context.Background(), rec, localdb.SaveOptions{Status: statuses[i%len(statuses)]}); err != nil {
			tb.Fatal(err)
		}
	}
	return st
}

// TestWorkspaceLoadsInTheBackground opens the coordinators' workspace over
// a real coordinator store with the reading and the analysis held back: the
// activity line shows and the tabs switch meanwhile; two reloads asked for
// during the load make one more load, not two; the records show after it;
// a load that ends after the profile was locked changes nothing.
func TestWorkspaceLoadsInTheBackground(t *testing.T) {
	st := coordStore(t, t.TempDir(), 12)
	t.Cleanup(func() { st.Close() })
	c := coord.New(st, coord.Options{})
	test.NewTempApp(t)
	deps, err := backend.NewCoordinatorDeps(context.Background(), c, "it")
	if err != nil {
		t.Fatal(err)
	}
	be := &heldEntries{Backend: deps.Backend, release: make(chan struct{})}
	deps.Backend = be
	release := be.release
	loadsStarted := func(n int32) { waitFor(t, func() bool { return be.loads.Load() >= n }) }
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1100, 760))
	ws := coordinator.New(w, deps)
	ws.Start()

	reading := func(s string) bool { return s == "Lettura e decifratura delle schede…" }
	total := func(s string) bool { return strings.HasPrefix(s, "Schede: 12 ") }
	if !hasLabel(w, reading) || hasLabel(w, total) {
		t.Fatal("while the records are read, the workspace does not say so, or shows records already")
	}
	ws.Tabs().SelectIndex(3)
	if ws.Tabs().SelectedIndex() != 3 {
		t.Error("the tabs do not switch while the records are read")
	}
	ws.Tabs().SelectIndex(0)
	ws.Reload()
	shown := false
	ws.ReloadThen(func() { shown = true })
	loadsStarted(1)
	release <- struct{}{}
	waitFor(t, func() bool { return be.loads.Load() == 2 })
	if hasLabel(w, total) {
		t.Error("a load overtaken by a newer reload was shown")
	}
	release <- struct{}{}
	waitFor(t, func() bool { return shown })
	if n := be.loads.Load(); n != 2 {
		t.Errorf("%d loads for three reloads during one: want 2", n)
	}
	if !hasLabel(w, total) || hasLabel(w, reading) {
		t.Error("after the load, the records do not show, or the activity line stays")
	}

	// Locked while a load runs: what it read is dropped.
	content := ws.Tabs().Items[0].Content
	ws.ReloadThen(func() { t.Error("a load that ended after the lock was shown") })
	ws.Lock()
	if err := st.Lock(); err != nil {
		t.Fatal(err)
	}
	loadsStarted(3)
	release <- struct{}{}
	settle(t)
	if ws.Tabs().Items[0].Content != content || hasLabel(w, reading) {
		t.Error("after the lock, the workspace changed or still says it is reading")
	}
	ws.Reload()
	if n := be.loads.Load(); n != 3 {
		t.Errorf("a reload after the lock started a load")
	}
}

// heldEntries is the real adapter, with each reading of the records held
// until the test releases it, and counted.
type heldEntries struct {
	coordinator.Backend
	release chan struct{}
	loads   atomic.Int32
}

func (h *heldEntries) Entries(ctx context.Context) ([]quality.Entry, error) {
	h.loads.Add(1)
	<-h.release
	return h.Backend.Entries(ctx)
}

var bigCoordStore string

// BenchmarkCoordinatorWorkspaceOpen20k opens the coordinators' workspace
// over a real coordinator store of 20,000 case records: every record read
// and decrypted, analysed (progress, critical points, review queue, result
// tables) and shown. The UI goroutine is the benchmark's own, running what
// the workspace hands to package loop; max-ui-block-ms is the longest it was
// blocked, by Reload itself or by one run of what was queued for it (at
// least one callback, sometimes a few: an upper bound). The target is under
// 50. On a loaded machine the wall clock also counts the time the system
// gave the processor to others; max-ui-cpu-ms is the most CPU time one such
// block used (Linux only), the workspace's own share.
func BenchmarkCoordinatorWorkspaceOpen20k(b *testing.B) {
	if bigCoordStore == "" {
		dir, err := os.MkdirTemp("", "sinba-bench-coord-")
		if err != nil {
			b.Fatal(err)
		}
		dir = filepath.Join(dir, "store")
		coordStore(b, dir, 20000).Lock()
		bigCoordStore = dir
	}
	st, err := localdb.OpenWith(bigCoordStore, []byte(pass), storeOpts)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	test.NewTempApp(b)
	deps, err := backend.NewCoordinatorDeps(context.Background(), coord.New(st, coord.Options{}), "it")
	if err != nil {
		b.Fatal(err)
	}
	w := test.NewTempWindow(b, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1100, 760))
	ws := coordinator.New(w, deps)
	w.SetContent(ws.Content())
	// The benchmark's goroutine keeps its OS thread, so that the thread's
	// CPU time is the UI goroutine's.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var longest, longestCPU time.Duration
	timed := func(f func()) {
		t0, c0 := time.Now(), threadCPU()
		f()
		longest = max(longest, time.Since(t0))
		longestCPU = max(longestCPU, threadCPU()-c0)
	}
	for b.Loop() {
		shown := false
		timed(func() { ws.ReloadThen(func() { shown = true }) })
		for !shown {
			timed(func() { loop.RunQueued() })
			time.Sleep(time.Millisecond)
		}
	}
	if !loop.Settle(time.Minute) {
		b.Fatal("the workspace is still busy after its loads")
	}
	b.ReportMetric(float64(longest.Microseconds())/1000, "max-ui-block-ms")
	b.ReportMetric(float64(longestCPU.Microseconds())/1000, "max-ui-cpu-ms")
}
