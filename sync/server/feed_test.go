package server_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

// A cursor never steps over a revision: laptops of both teams send batches
// at once (on PostgreSQL, transactions that commit in another order than
// they began) while a reader pages the project's feed as fast as it can, as
// a coordinators' app would; the reader sees every revision once, in
// increasing order of the feed, none skipped for good.
func TestFeedCursorMissesNothingWhileWritersCommit(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{EnrolRate: 100, EnrolBurst: 100, DeviceRate: 1000, DeviceBurst: 1000})
	const writers, batches, perBatch = 8, 8, 5
	// Four teams: the ingest of one team's batches is serial, of
	// different teams' is not.
	teams := []string{p.TeamA, p.TeamB}
	for _, name := range []string{"C", "D"} {
		id, err := p.Store.CreateTeam(ctx, p.ProjectID, name)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Store.Assign(ctx, id, synctest.MunicipalityA); err != nil {
			t.Fatal(err)
		}
		teams = append(teams, id)
	}
	type work struct {
		d    *synctest.Device
		revs [][]wire.Revision
	}
	ws := make([]work, writers)
	for i := range ws {
		team, m := teams[i%len(teams)], synctest.MunicipalityA
		if team == p.TeamB {
			m = synctest.MunicipalityB
		}
		ws[i].d = p.EnrolDevice(t, team)
		for range batches {
			revs, err := synctest.Revisions(perBatch, m, ws[i].d.Project, ws[i].d.Ident.Recipient())
			if err != nil {
				t.Fatal(err)
			}
			ws[i].revs = append(ws[i].revs, revs)
		}
	}
	seen := map[string]int64{}
	var cursor int64
	read := func() {
		t.Helper()
		for {
			page, err := p.Store.CoordRevisions(ctx, p.ProjectID, cursor, 7, wire.FormatV2)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Revisions {
				if at, ok := seen[r.Revision.Revision]; ok {
					t.Fatalf("revision %s read twice (at %d and %d)", r.Revision.Revision, at, r.Seq)
				}
				if r.Seq <= cursor {
					t.Fatalf("revision at %d after the cursor %d", r.Seq, cursor)
				}
				seen[r.Revision.Revision] = r.Seq
			}
			cursor = page.Cursor
			if !page.More {
				return
			}
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers*batches)
	for _, w := range ws {
		wg.Go(func() {
			for _, revs := range w.revs {
				if r, err := w.d.SendBatch(ctx, revs); err != nil {
					errs <- err
				} else if len(r.Refused) > 0 {
					errs <- &r.Refused[0].Error
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for reading := true; reading; {
		select {
		case <-done:
			reading = false
		default:
		}
		read()
	}
	read()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(seen) != writers*batches*perBatch {
		t.Fatalf("the reader saw %d revisions, want the %d sent", len(seen), writers*batches*perBatch)
	}
}

// The same, step by step: a transaction takes its place in the feed and
// has not committed when another writes the feed. The other waits for the
// first to commit (SQLite: the one writer; PostgreSQL: the project's feed
// lock), so a reader in between sees neither, and then both; it never sees
// only the later one and moves its cursor past the earlier.
func TestFeedRowCommittedLateIsNotSteppedOver(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	wd := p.EnrolDevice(t, p.TeamA)
	d, err := p.Store.Principal(ctx, wd.ID)
	if err != nil {
		t.Fatal(err)
	}
	start, err := p.Store.Changes(ctx, d, 0, 100, wire.FormatV2)
	if err != nil {
		t.Fatal(err)
	}
	inserted, release, first := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	var signal sync.Once // fn runs again if the engine makes the transaction start over
	go func() {
		_, _, err := p.Store.Once(ctx, "test", "first", nil, func(ctx context.Context) (int, []byte) {
			err := p.Store.Publish(ctx, p.ProjectID, "first", 1, []byte(`{}`))
			signal.Do(func() { close(inserted) })
			if err != nil {
				t.Error(err)
				return 500, nil
			}
			<-release
			return 200, nil
		})
		first <- err
	}()
	<-inserted
	second := make(chan error, 1)
	go func() { second <- p.Store.Publish(ctx, p.ProjectID, "second", 1, []byte(`{}`)) }()
	select {
	case err := <-second:
		t.Logf("the second writer did not wait for the first (%v)", err)
		second <- err
	case <-time.After(300 * time.Millisecond):
	}
	names := map[string]bool{}
	cursor := start.Cursor
	read := func() {
		t.Helper()
		ch, err := p.Store.Changes(ctx, d, cursor, 100, wire.FormatV2)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range ch.Instruments {
			names[in.ID] = true
		}
		cursor = ch.Cursor
	}
	read()
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	read()
	if !names["first"] || !names["second"] {
		t.Fatalf("a reader paging the feed saw %v, want both instruments", names)
	}
}
