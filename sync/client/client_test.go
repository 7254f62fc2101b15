package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/sync/server"
	"sinba/sync/session"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

var fast = client.Options{Backoff: session.Backoff{Base: time.Millisecond, Max: 20 * time.Millisecond, Attempts: 4}}

func enrolled(t *testing.T, p *synctest.Project, team string) (*localdb.Store, *client.Client) {
	t.Helper()
	return enrolledWith(t, p, team, fast)
}

// enrolledWith is enrolled with a client's options.
func enrolledWith(t *testing.T, p *synctest.Project, team string, opt client.Options) (*localdb.Store, *client.Client) {
	t.Helper()
	st := synctest.Laptop(t, t.TempDir())
	c := client.New(st, opt)
	if _, err := c.Enrol(context.Background(), p.URL, p.Code(t, team)); err != nil {
		t.Fatalf("enrol: %v", err)
	}
	return st, c
}

func syncOnce(t *testing.T, c *client.Client) *client.Report {
	t.Helper()
	rep, err := c.SyncOnce(context.Background(), nil)
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	return rep
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	laptop1, c1 := enrolled(t, p, p.TeamA)

	var ids []string
	for i := range 3 {
		info, err := laptop1.Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, "x"), localdb.SaveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, info.ID)
		_ = i
	}
	rec, _, err := laptop1.Get(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	rec.Answers["AnnoNascita"] = "2013"
	if _, err := laptop1.Save(ctx, rec, localdb.SaveOptions{Status: survey.StatusFinal}); err != nil {
		t.Fatal(err)
	}

	var calls []int
	rep, err := c1.SyncOnce(ctx, func(done, total int) { calls = append(calls, done) })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sent != 4 || rep.Accepted != 4 || rep.Refused != 0 || len(rep.Receipts) != 1 {
		t.Fatalf("first round: sent %d accepted %d refused %d receipts %d, want 4 4 0 1", rep.Sent, rep.Accepted, rep.Refused, len(rep.Receipts))
	}
	if len(calls) < 2 || calls[len(calls)-1] != 4 {
		t.Errorf("progress calls %v, want to end at 4", calls)
	}
	if len(rep.Assignments) != 1 || rep.Assignments[0] != synctest.MunicipalityA {
		t.Errorf("assignments %v, want [%s]", rep.Assignments, synctest.MunicipalityA)
	}
	if rep.Instruments != 2 {
		t.Errorf("instruments received %d, want 2", rep.Instruments)
	}
	receipts, err := c1.Receipts(ctx, 10)
	if err != nil || len(receipts) != 1 || receipts[0].BatchID != rep.Receipts[0].BatchID {
		t.Fatalf("kept receipts %v (%v), want the round's one", receipts, err)
	}
	if out, _ := laptop1.Outbox(ctx, 0); len(out) != 0 {
		t.Fatalf("outbox holds %d after sync, want 0", len(out))
	}
	if rep := syncOnce(t, c1); rep.Sent != 0 || len(rep.Receipts) != 0 {
		t.Fatalf("second round sent %d, want nothing", rep.Sent)
	}

	// The coordinators open the answers, never the identity.
	revs, err := p.Store.Revisions(ctx)
	if err != nil || len(revs) != 4 {
		t.Fatalf("server holds %d revisions (%v), want 4", len(revs), err)
	}
	open, headers, err := p.Store.Opener(ctx, p.ProjectKey)
	if err != nil {
		t.Fatal(err)
	}
	got, err := open.Open(&revs[0], headers[revs[0].Header])
	if err != nil {
		t.Fatalf("coordinators cannot open: %v", err)
	}
	if got.Answers["Note"] != "nota x" || got.Identity != nil {
		t.Fatalf("coordinators see answers %v identity %v; want the note and no identity", got.Answers, got.Identity)
	}

	// A colleague's laptop gets the team key from laptop 1, then the records.
	laptop2, c2 := enrolled(t, p, p.TeamA)
	if rep := syncOnce(t, c2); !rep.WaitingTeamKey || rep.Received != 0 {
		t.Fatalf("colleague before the grant: waiting %v received %d, want true 0", rep.WaitingTeamKey, rep.Received)
	}
	// Laptop 1 lists it at its next sync, and hands nothing over by itself.
	if rep := syncOnce(t, c1); len(rep.PendingDevices) != 1 {
		t.Fatalf("laptop 1 lists %d pending devices, want the colleague's", len(rep.PendingDevices))
	}
	if rep := syncOnce(t, c2); !rep.WaitingTeamKey || rep.Received != 0 {
		t.Fatalf("colleague before anyone confirmed: waiting %v received %d, want true 0", rep.WaitingTeamKey, rep.Received)
	}
	synctest.Confirm(t, c1, c2) // a researcher of the team confirms it on laptop 1
	if rep := syncOnce(t, c2); rep.WaitingTeamKey || rep.Received != 4 {
		t.Fatalf("colleague after the grant: waiting %v received %d, want false 4", rep.WaitingTeamKey, rep.Received)
	}
	r2, info2, err := laptop2.Get(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if r2.Identity == nil || r2.Identity.FiscalCode != "CFx" || r2.Answers["AnnoNascita"] != "2013" || info2.Status != survey.StatusFinal {
		t.Fatalf("colleague sees %+v status %s; want the edited record with its identity", r2, info2.Status)
	}

	// A coordinator returns the record with a comment; it reaches both laptops.
	head := info2.Revision
	if _, err := p.Store.AddReview(ctx, head, survey.StatusReturned, []survey.Comment{{Field: "AnnoNascita", Text: "controllare l'anno", At: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	if rep := syncOnce(t, c1); rep.Reviews != 1 {
		t.Fatalf("reviews applied %d, want 1", rep.Reviews)
	}
	_, info1, _ := laptop1.Get(ctx, ids[0])
	rs, err := laptop1.ReviewState(ctx, ids[0], nil)
	if info1.Status != survey.StatusReturned || err != nil || len(rs.Threads) != 1 || rs.Threads[0].Comments[0].Text != "controllare l'anno" {
		t.Fatalf("after review: status %s threads %+v (%v); want returned with the comment", info1.Status, rs.Threads, err)
	}
}

func TestConcurrentEditsAreKeptAndFlagged(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	laptop1, c1 := enrolled(t, p, p.TeamA)
	info, err := laptop1.Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, "c"), localdb.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(t, c1)
	laptop2, c2 := enrolled(t, p, p.TeamA)
	syncOnce(t, c2)
	synctest.Confirm(t, c1, c2)
	if rep := syncOnce(t, c2); rep.Received != 1 {
		t.Fatalf("colleague received %d, want 1", rep.Received)
	}
	for i, st := range []*localdb.Store{laptop1, laptop2} {
		rec, _, err := st.Get(ctx, info.ID)
		if err != nil {
			t.Fatal(err)
		}
		rec.Answers["AnnoNascita"] = []string{"2010", "2011"}[i]
		if _, err := st.Save(ctx, rec, localdb.SaveOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if rep := syncOnce(t, c1); rep.Conflicts != 0 {
		t.Fatalf("first edit flagged %d conflicts, want 0", rep.Conflicts)
	}
	rep := syncOnce(t, c2)
	if rep.Conflicts != 1 || rep.LocalConflicts != 1 {
		t.Fatalf("second edit: server conflicts %d, local %d; want 1 and 1", rep.Conflicts, rep.LocalConflicts)
	}
	revs, _ := p.Store.Revisions(ctx)
	var flagged int
	for _, r := range revs {
		if r.Conflict {
			flagged++
		}
	}
	if len(revs) != 3 || flagged != 2 {
		t.Fatalf("server holds %d revisions, %d flagged; want 3 and 2 (both edits kept)", len(revs), flagged)
	}
	syncOnce(t, c1)
	if _, i1, _ := laptop1.Get(ctx, info.ID); !i1.Conflict {
		t.Fatal("laptop 1 does not show the conflict")
	}
}

func TestTeamsAreIsolated(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	laptopA, cA := enrolled(t, p, p.TeamA)
	infoA, err := laptopA.Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, "a"), localdb.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(t, cA)

	laptopB, cB := enrolled(t, p, p.TeamB)
	// B writes into A's municipality, and over A's record.
	if _, err := laptopB.Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, "b"), localdb.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	stolen := synctest.CaseRecord(synctest.MunicipalityB, "b")
	stolen.ID = infoA.ID
	if _, err := laptopB.Save(ctx, stolen, localdb.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	rep := syncOnce(t, cB)
	if rep.Refused != 2 || rep.Accepted != 0 || rep.Received != 0 {
		t.Fatalf("team B: refused %d accepted %d received %d; want 2 0 0", rep.Refused, rep.Accepted, rep.Received)
	}
	codes := map[string]bool{}
	for _, r := range rep.Receipts[0].Refused {
		codes[r.Code] = true
	}
	if !codes[wire.CodeNotAssigned] || !codes[wire.CodeOtherTeam] {
		t.Fatalf("refusal codes %v, want %s and %s", codes, wire.CodeNotAssigned, wire.CodeOtherTeam)
	}
	if _, _, err := laptopB.Get(ctx, infoA.ID); err != nil {
		t.Fatalf("B's own version of the id must stay on B: %v", err)
	}
	// B's team key cannot open A's ciphertext even if it got hold of it.
	revs, _ := p.Store.Revisions(ctx)
	if len(revs) != 1 {
		t.Fatalf("server holds %d revisions, want only A's", len(revs))
	}
	rec, _, _ := laptopB.Get(ctx, infoA.ID)
	if rec.Identity != nil && rec.Identity.FiscalCode == "CFa" {
		t.Fatal("team B holds team A's identity")
	}
	// The refused revisions stay on B, unsent, and are not sent again.
	if out, _ := laptopB.Outbox(ctx, 0); len(out) != 2 {
		t.Fatalf("B's outbox holds %d, want the 2 refused", len(out))
	}
	if rep := syncOnce(t, cB); rep.Sent != 1 {
		// not_assigned may be lifted by a coordinator, so it is retried; other_team is not.
		t.Fatalf("B's second round sent %d, want 1 (the retryable refusal)", rep.Sent)
	}
}

func TestRevokedDeviceIsRefused(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	_, c := enrolled(t, p, p.TeamA)
	syncOnce(t, c)
	en, _ := c.Enrolled(ctx)
	if err := p.Store.Revoke(ctx, en.DeviceID); err != nil {
		t.Fatal(err)
	}
	_, err := c.SyncOnce(ctx, nil)
	var se *session.ServerError
	if !errors.As(err, &se) || se.Refusal.Code != wire.CodeRevoked {
		t.Fatalf("revoked device got %v, want %s", err, wire.CodeRevoked)
	}
}

func TestEnrolmentCodeIsSingleUse(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	code := p.Code(t, p.TeamA)
	c1 := client.New(synctest.Laptop(t, t.TempDir()), fast)
	if _, err := c1.Enrol(ctx, p.URL, code); err != nil {
		t.Fatal(err)
	}
	c2 := client.New(synctest.Laptop(t, t.TempDir()), fast)
	_, err := c2.Enrol(ctx, p.URL, code)
	var se *session.ServerError
	if !errors.As(err, &se) || se.Refusal.Code != wire.CodeCodeUsed {
		t.Fatalf("second use of a code: %v, want %s", err, wire.CodeCodeUsed)
	}
	if _, err := c2.SyncOnce(ctx, nil); !errors.Is(err, client.ErrNotEnrolled) {
		t.Fatalf("sync before enrolment: %v, want ErrNotEnrolled", err)
	}
}
