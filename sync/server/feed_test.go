package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"sinba/survey"
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
	feed := &coordFeed{seen: map[string]int64{}}
	read := func() { t.Helper(); feed.read(t, p.Store, p.ProjectID) }
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
	if len(feed.seen) != writers*batches*perBatch {
		t.Fatalf("the reader saw %d revisions, want the %d sent", len(feed.seen), writers*batches*perBatch)
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
		_, _, err := p.Store.Once(ctx, "test", p.ProjectID, "first", nil, func(ctx context.Context) (int, []byte, error) {
			err := p.Store.Publish(ctx, p.ProjectID, "first", 1, []byte(`{}`))
			signal.Do(func() { close(inserted) })
			if err != nil {
				t.Error(err)
				return 500, nil, nil
			}
			<-release
			return 200, nil, nil
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

// Every writer of a project's feed, and those beside it, at once with the
// ingest of its batches: laptops send batches and their keys, coordinators
// review revisions, publish versions of an instrument and grant the
// pseudonym secret over HTTP (each in the transaction of its idempotency
// key), the administrator reviews and publishes from the command line. On
// PostgreSQL each takes the project's lock before its transaction's
// snapshot, as the ingest does, instead of the feed's lock after it: none
// fails (no 500, nothing refused), and a laptop paging its feed meanwhile
// sees every review and every version once, a coordinator every revision.
func TestFeedWritersOfEveryKindNeverFail(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{DisableLimits: true})
	const laptops, batches, perBatch, versions = 4, 6, 4, 6
	type lap struct {
		d     *synctest.Device
		first []wire.Revision // sent before the others start: what is reviewed
		revs  [][]wire.Revision
	}
	laps := make([]lap, laptops)
	for i := range laps {
		laps[i].d = p.EnrolDevice(t, p.TeamA)
		for b := range batches + 1 {
			revs, err := synctest.Revisions(perBatch, synctest.MunicipalityA, laps[i].d.Project, laps[i].d.Ident.Recipient())
			if err != nil {
				t.Fatal(err)
			}
			if b == 0 {
				laps[i].first = revs
				if _, err := laps[i].d.SendBatch(ctx, revs); err != nil {
					t.Fatal(err)
				}
				continue
			}
			laps[i].revs = append(laps[i].revs, revs)
		}
	}
	reader, err := p.Store.Principal(ctx, laps[0].d.ID)
	if err != nil {
		t.Fatal(err)
	}
	coords := []*synctest.Device{enrolCoordinator(t, p), enrolCoordinator(t, p)}
	def, err := os.ReadFile("../../assets/instruments/scheda-comune.v1.json")
	if err != nil {
		t.Fatal(err)
	}
	version := func(v int) []byte {
		return bytes.Replace(def, []byte(`"version": 1`), []byte(fmt.Sprintf(`"version": %d`, v)), 1)
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	var reviews []string
	fail := func(format string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, fmt.Sprintf(format, a...))
	}
	post := func(c *synctest.Device, what, path string, v any) []byte {
		body, _ := json.Marshal(v)
		status, data, err := c.Do(ctx, http.MethodPost, path, body)
		if err != nil || status != http.StatusOK {
			fail("%s: HTTP %d %s %v", what, status, data, err)
		}
		return data
	}
	for _, l := range laps {
		wg.Go(func() { // ingest
			for _, revs := range l.revs {
				if r, err := l.d.SendBatch(ctx, revs); err != nil {
					fail("batch: %v", err)
				} else if len(r.Refused) > 0 {
					fail("batch: %v", &r.Refused[0].Error)
				}
			}
		})
		wg.Go(func() { // a laptop's keys, beside the ingest of its team
			for range batches {
				post(l.d, "keys", wire.PathKeys, wire.KeysRequest{Grants: []wire.Grant{{DeviceID: l.d.ID, Wrapped: []byte("wrapped")}}})
			}
		})
	}
	for i, c := range coords {
		wg.Go(func() { // reviews
			for j, l := range laps {
				if j%len(coords) != i {
					continue
				}
				for _, r := range l.first {
					id := uuid.NewString()
					post(c, "review", wire.PathCoordReviews, wire.ReviewRequest{ID: id, Revision: r.Revision, Decision: string(survey.StatusApproved)})
					mu.Lock()
					reviews = append(reviews, id)
					mu.Unlock()
				}
			}
		})
		wg.Go(func() { // grants of the pseudonym secret
			for range batches {
				var gs []wire.Grant
				for _, l := range laps {
					gs = append(gs, wire.Grant{DeviceID: l.d.ID, Wrapped: []byte("secret")})
				}
				post(c, "grants", wire.PathCoordGrants, wire.Grants{Grants: gs})
			}
		})
	}
	wg.Go(func() { // versions of an instrument: the coordinators' and the administrator's
		for v := 2; v < 2+versions; v++ {
			if v%2 == 0 {
				post(coords[0], "publish", wire.PathCoordInstruments, wire.PublishRequest{Body: version(v)})
			} else if err := p.Store.Publish(ctx, p.ProjectID, "scheda-comune", v, version(v)); err != nil {
				fail("admin publish: %v", err)
			}
		}
	})
	wg.Go(func() { // the administrator's reviews
		for _, r := range laps[len(laps)-1].first[:2] {
			id, err := p.Store.AddReview(ctx, r.Revision, survey.StatusReturned, nil)
			if err != nil {
				fail("admin review: %v", err)
			}
			mu.Lock()
			reviews = append(reviews, id)
			mu.Unlock()
		}
	})

	coord := &coordFeed{seen: map[string]int64{}}
	seenReviews, seenVersions := map[string]int{}, map[int]int{}
	var cursor int64
	read := func() {
		t.Helper()
		coord.read(t, p.Store, p.ProjectID)
		for {
			ch, err := p.Store.Changes(ctx, reader, cursor, 5, wire.FormatV2)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range ch.Reviews {
				seenReviews[r.ID]++
			}
			for _, in := range ch.Instruments {
				if in.ID == "scheda-comune" {
					seenVersions[in.Version]++
				}
			}
			cursor = ch.Cursor
			if !ch.More {
				return
			}
		}
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
	for _, f := range failures {
		t.Error(f)
	}
	if want := laptops * (batches + 1) * perBatch; len(coord.seen) != want {
		t.Errorf("the coordinator saw %d revisions, want the %d sent", len(coord.seen), want)
	}
	for _, id := range reviews {
		if seenReviews[id] != 1 {
			t.Errorf("review %s seen %d times by a laptop paging its feed, want once", id, seenReviews[id])
		}
	}
	for v := 2; v < 2+versions; v++ {
		if seenVersions[v] != 1 {
			t.Errorf("version %d seen %d times by a laptop paging its feed, want once", v, seenVersions[v])
		}
	}
}

// As many keyed writes of one project at once as the server has places (16
// requests, 4 publications), more than a process's connections to
// PostgreSQL: each waits for the project's lock holding a connection, and
// the holder's own reads (a publication reads the versions already there)
// go through its transaction, never wait for a connection of their own.
// Every write is answered, none fails.
func TestLockHolderNeedsNoConnectionOfItsOwn(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{DisableLimits: true})
	d := p.EnrolDevice(t, p.TeamA)
	revs, err := synctest.Revisions(16, synctest.MunicipalityA, d.Project, d.Ident.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.SendBatch(ctx, revs); err != nil {
		t.Fatal(err)
	}
	c := enrolCoordinator(t, p)
	c.HTTP = &http.Client{Timeout: 20 * time.Second} // a holder that waits for a connection waits for good
	def, err := os.ReadFile("../../assets/instruments/scheda-comune.v1.json")
	if err != nil {
		t.Fatal(err)
	}
	post := func(path string, v any) error {
		body, _ := json.Marshal(v)
		status, data, err := c.Do(ctx, http.MethodPost, path, body)
		if err == nil && status != http.StatusOK {
			err = fmt.Errorf("HTTP %d %s", status, data)
		}
		return err
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 20*3)
	for i := range 20 {
		wg.Go(func() {
			<-start
			for round := range 3 {
				var err error
				if i < 4 {
					v := 2 + i*3 + round
					err = post(wire.PathCoordInstruments, wire.PublishRequest{Body: bytes.Replace(def, []byte(`"version": 1`), []byte(fmt.Sprintf(`"version": %d`, v)), 1)})
				} else {
					err = post(wire.PathCoordReviews, wire.ReviewRequest{ID: uuid.NewString(), Revision: revs[i-4].Revision, Decision: string(survey.StatusApproved)})
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// coordFeed pages a project's coordinators' feed from its cursor, 7
// revisions a page, and fails the test if a revision comes twice or at or
// before the cursor it was asked after.
type coordFeed struct {
	seen   map[string]int64 // revision id: its seq
	cursor int64
}

func (f *coordFeed) read(t *testing.T, st *server.Store, project string) {
	t.Helper()
	for {
		page, err := st.CoordRevisions(context.Background(), project, f.cursor, 7, wire.FormatV2)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Revisions {
			if at, ok := f.seen[r.Revision.Revision]; ok {
				t.Fatalf("revision %s read twice (at %d and %d)", r.Revision.Revision, at, r.Seq)
			}
			if r.Seq <= f.cursor {
				t.Fatalf("revision at %d after the cursor %d", r.Seq, f.cursor)
			}
			f.seen[r.Revision.Revision] = r.Seq
		}
		f.cursor = page.Cursor
		if !page.More {
			return
		}
	}
}
