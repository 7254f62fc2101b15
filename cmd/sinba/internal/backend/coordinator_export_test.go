package backend_test

import (
	"context"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sinba/cmd/sinba/internal/backend"
	"sinba/sync/coord"
	"sinba/ui/coordinator"
)

// TestExportRunsInTheBackground exports the records of a real coordinator
// store with the export held back: the tap on the button returns at once,
// the button is disabled and an activity line shows while the export runs,
// the tabs switch meanwhile; once it ends the result shows, the files are in
// the folder chosen and the button can be pressed again. A reload during the
// export leaves the tab as it is.
func TestExportRunsInTheBackground(t *testing.T) {
	st := coordStore(t, t.TempDir(), 8)
	t.Cleanup(func() { st.Close() })
	test.NewTempApp(t)
	deps, err := backend.NewCoordinatorDeps(context.Background(), coord.New(st, coord.Options{}), "it")
	if err != nil {
		t.Fatal(err)
	}
	be := &heldExport{Backend: deps.Backend, release: make(chan struct{})}
	deps.Backend = be
	dir := t.TempDir()
	deps.ChooseFolder = func(pick func(string)) { pick(dir) }
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1100, 760))
	ws := coordinator.New(w, deps)
	shown := false
	ws.ReloadThen(func() { shown = true })
	w.SetContent(ws.Content())
	waitFor(t, func() bool { return shown })
	ws.Tabs().SelectIndex(4)

	all := find(t, w.Canvas().Content(), func(c *widget.Check) bool { return strings.HasPrefix(c.Text, "Includi le schede") })
	test.Tap(all)
	choose := buttonNamed(t, w, "Scegli la cartella ed esporta…")
	test.Tap(choose) // returns while the export is held: the UI goroutine is free
	waitFor(t, func() bool { return be.started.Load() == 1 })
	running := func(s string) bool { return s == "Esportazione in corso…" }
	if !choose.Disabled() || !hasLabel(w, running) {
		t.Error("while the export runs, the button is not disabled or no activity line shows")
	}
	test.Tap(choose)
	ws.Tabs().SelectIndex(0)
	if ws.Tabs().SelectedIndex() != 0 {
		t.Error("the tabs do not switch while the export runs")
	}
	ws.Tabs().SelectIndex(4)
	// A reload meanwhile keeps the tab, and the export under way, as they are.
	reloaded := false
	ws.ReloadThen(func() { reloaded = true })
	waitFor(t, func() bool { return reloaded })
	if got := buttonNamed(t, w, "Scegli la cartella ed esporta…"); got != choose || !got.Disabled() || !hasLabel(w, running) {
		t.Error("a reload during the export rebuilt the exports tab or enabled its button")
	}
	be.release <- struct{}{}
	done := func(s string) bool { return strings.HasPrefix(s, "Schede esportate: 8 ·") }
	waitFor(t, func() bool { return hasLabel(w, done) })
	settle(t)
	if choose.Disabled() || hasLabel(w, running) {
		t.Error("after the export, the button stays disabled or the activity line stays")
	}
	if n := be.started.Load(); n != 1 {
		t.Errorf("%d exports for two taps during one: want 1", n)
	}
	files, err := os.ReadDir(dir)
	if err != nil || len(files) == 0 {
		t.Fatalf("nothing written in the folder chosen (%v)", err)
	}
}

// heldExport is the real adapter, with each export held until the test
// releases it, and counted.
type heldExport struct {
	coordinator.Backend
	release chan struct{}
	started atomic.Int32
}

func (h *heldExport) Export(ctx context.Context, req coordinator.ExportRequest) (coordinator.ExportResult, error) {
	h.started.Add(1)
	<-h.release
	return h.Backend.Export(ctx, req)
}
