package backend_test

import (
	"context"
	"testing"
	"time"

	"sinba/cmd/sinba/internal/backend"
	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/ui"
)

// An enrolled laptop syncs by itself: a record finalised and kicked reaches
// a real server on loopback with no sync button pressed, and stopping the
// loop lets the store lock.
func TestBackgroundSyncSendsWithoutAButton(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	st := synctest.Laptop(t, t.TempDir())
	s := &backend.Syncer{C: client.New(st, client.Options{})}
	if err := s.Enrol(ctx, p.URL, p.Code(t, p.TeamA)); err != nil {
		t.Fatal(err)
	}
	var bs ui.BackgroundSyncer = s

	reports := make(chan ui.SyncReport, 16)
	// A long interval: only the kick can explain a round.
	bs.StartBackground(time.Hour, func(r ui.SyncReport, err error) {
		if err == nil {
			reports <- r
		}
	})
	defer bs.StopBackground()
	select { // the first round runs at once
	case <-reports:
	case <-time.After(20 * time.Second):
		t.Fatal("the background loop did not start")
	}

	if _, err := st.Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, "bg"), localdb.SaveOptions{Status: survey.StatusFinal}); err != nil {
		t.Fatal(err)
	}
	bs.Kick()
	select {
	case r := <-reports:
		if r.Accepted != 1 {
			t.Fatalf("background round after the kick accepted %d, want 1: %+v", r.Accepted, r)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no background round after the kick")
	}
	sum, err := p.Store.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Revisions != 1 {
		t.Fatalf("server holds %d revisions, want 1", sum.Revisions)
	}
	bs.StopBackground()
	if err := st.Lock(); err != nil {
		t.Fatal(err)
	}
}
