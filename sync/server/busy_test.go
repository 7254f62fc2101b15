package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"sinba/survey"
	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

// When the engine gives a write's transaction up at every attempt (here a
// trigger the test adds makes every insert into the feed a serialization
// failure, as a database contended past reason would), the write is run
// again a bounded number of times, then answered 503 with Retry-After (the
// apps come back then), not 500, and logged once; nothing of it is kept,
// and once the database is itself again the same write goes through. Both
// paths: a laptop's batch (the project's serial transaction) and a
// coordinator's keyed review (Once's transaction, whose handler's failure
// runs it again).
func TestRetriesRunOutAnswer503WithRetryAfter(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	if !server.IsPostgres(p.Database) {
		t.Skip("SQLite's one writer never gives a transaction up: there are no retries to run out")
	}
	logs := serveLogged(t, p, server.Config{DisableLimits: true})
	d := p.EnrolDevice(t, p.TeamA)
	c := enrolCoordinator(t, p)
	revs, err := synctest.Revisions(2, synctest.MunicipalityA, d.Project, d.Ident.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.SendBatch(ctx, revs[:1]); err != nil {
		t.Fatal(err)
	}
	db := p.DB(t)
	for _, q := range []string{
		`CREATE SEQUENCE forced_attempts`,
		`CREATE FUNCTION forced_serialization_failure() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			PERFORM nextval('forced_attempts'); -- not rolled back: counts the attempts
			RAISE EXCEPTION 'forced by the test' USING ERRCODE = 'serialization_failure';
		END $$`,
		`CREATE TRIGGER forced_serialization_failure BEFORE INSERT ON feed FOR EACH ROW EXECUTE FUNCTION forced_serialization_failure()`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	attempts := func() int {
		t.Helper()
		var n int
		if err := db.QueryRowContext(ctx, `SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM forced_attempts`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		_, _ = db.ExecContext(ctx, `SELECT setval('forced_attempts', 1, false)`)
		return n
	}
	batch, err := wire.EncodeBatch(&wire.Batch{Version: wire.Version, ID: uuid.NewString(), Revisions: revs[1:]})
	if err != nil {
		t.Fatal(err)
	}
	review, _ := json.Marshal(wire.ReviewRequest{ID: uuid.NewString(), Revision: revs[0].Revision, Decision: string(survey.StatusApproved)})
	writes := []struct {
		name string
		req  func() *http.Request
	}{
		{"batch", signedReq(d, http.MethodPost, wire.PathBatches, batch, time.Now())},
		{"review", signedReq(c, http.MethodPost, wire.PathCoordReviews, review, time.Now())},
	}
	for _, w := range writes {
		got := send(t, w.req())
		if got.status != http.StatusServiceUnavailable || got.code != wire.CodeOverloaded || got.header.Get("Retry-After") == "" {
			t.Fatalf("%s with every attempt failed: HTTP %d %q, Retry-After %q; want 503 %q with Retry-After",
				w.name, got.status, got.code, got.header.Get("Retry-After"), wire.CodeOverloaded)
		}
		if n := attempts(); n < 2 || n > 100 {
			t.Errorf("%s: %d attempts, want a few and a bound", w.name, n)
		} else {
			t.Logf("%s: 503 after %d attempts", w.name, n)
		}
	}
	if busy := logs.lines("database busy: transaction retries ran out"); len(busy) != len(writes) {
		t.Errorf("%d warnings of retries run out, want one per write (%d)", len(busy), len(writes))
	}
	if internal := logs.lines("internal error"); len(internal) != 0 {
		t.Errorf("a busy database logged as an internal error: %v", internal)
	}
	for _, table := range []string{"reviews", "batches", "idempotency"} {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if want := map[string]int{"batches": 1}[table]; n != want {
			t.Errorf("%d rows in %s after the writes that ran out of retries, want %d", n, table, want)
		}
	}

	// The database is itself again: the same writes, signed anew, go through.
	if _, err := db.ExecContext(ctx, `DROP TRIGGER forced_serialization_failure ON feed`); err != nil {
		t.Fatal(err)
	}
	if r, err := d.Send(ctx, &wire.Batch{Version: wire.Version, ID: uuid.NewString(), Revisions: revs[1:]}); err != nil || len(r.Accepted) != 1 {
		t.Fatalf("the batch once the database is itself again: %+v, %v", r, err)
	}
	if status, data, err := c.Do(ctx, http.MethodPost, wire.PathCoordReviews, review); err != nil || status != http.StatusOK {
		t.Fatalf("the review once the database is itself again: HTTP %d %s %v", status, data, err)
	}
}
