package client_test

import (
	"context"
	"slices"
	"testing"

	"sinba/assets"
	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/sync/server"
	"sinba/sync/synctest"
)

// TestRoundsAndHoldings: each round that did something is remembered with
// its counts and the coordinators' decisions it brought; idle rounds are
// not; failures in a row fold into one; at most RoundsKept are kept. What
// the server holds of the laptop's work comes from the receipts kept here.
func TestRoundsAndHoldings(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	laptop, c := enrolled(t, p, p.TeamA)
	save := func(rec survey.Record) localdb.RecordInfo {
		t.Helper()
		info, err := laptop.Save(ctx, rec, localdb.SaveOptions{Status: survey.StatusFinal})
		if err != nil {
			t.Fatal(err)
		}
		return info
	}
	holdings := func() client.Holdings {
		t.Helper()
		h, err := c.Holdings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	var infos []localdb.RecordInfo
	for range 3 {
		infos = append(infos, save(synctest.CaseRecord(synctest.MunicipalityA, "x")))
	}
	if h := holdings(); h != (client.Holdings{Waiting: 3}) {
		t.Errorf("before sync: %+v, want 3 waiting", h)
	}
	syncOnce(t, c)
	rs, err := c.Rounds(ctx)
	if err != nil || len(rs) != 1 || rs[0].Sent != 3 || rs[0].Accepted != 3 || rs[0].Failure != "" || rs[0].At.IsZero() {
		t.Fatalf("after the first round: %+v (%v), want one round of 3 sent and accepted", rs, err)
	}
	if h := holdings(); h != (client.Holdings{Held: 3, HeldLatest: 3}) {
		t.Errorf("after sync: %+v, want 3 held at their latest version", h)
	}
	syncOnce(t, c) // nothing to do
	if rs, _ := c.Rounds(ctx); len(rs) != 1 {
		t.Errorf("after an idle round: %d rounds, want it not kept", len(rs))
	}

	// The coordinators approve one record and send another back.
	if _, err := p.Store.AddReview(ctx, infos[0].Revision, survey.StatusApproved, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Store.AddReview(ctx, infos[1].Revision, survey.StatusReturned,
		[]survey.Comment{{Field: "AnnoNascita", Text: "controllare l'anno"}}); err != nil {
		t.Fatal(err)
	}
	rec, _, err := laptop.Get(ctx, infos[2].ID)
	if err != nil {
		t.Fatal(err)
	}
	rec.Answers["Note"] = "corretta"
	save(rec)
	if h := holdings(); h != (client.Holdings{Held: 3, HeldLatest: 2, Waiting: 1}) {
		t.Errorf("one edited after sending: %+v, want 3 held, 2 at the latest, 1 waiting", h)
	}
	rep := syncOnce(t, c)
	if rep.Approved != 1 || rep.Returned != 1 || rep.Reviews != 2 {
		t.Errorf("report: approved %d returned %d reviews %d, want 1 1 2", rep.Approved, rep.Returned, rep.Reviews)
	}
	rs, _ = c.Rounds(ctx)
	if len(rs) != 2 || rs[0].Sent != 1 || rs[0].Approved != 1 || rs[0].Returned != 1 || rs[1].Sent != 3 {
		t.Fatalf("after the decisions: %+v, want the new round first with 1 sent, 1 approved, 1 returned", rs)
	}
	if h := holdings(); h != (client.Holdings{Held: 3, HeldLatest: 3}) {
		t.Errorf("after the second round: %+v", h)
	}

	// The server goes away: two failed rounds are one line, counted twice.
	p.HTTP.Close()
	for range 2 {
		if _, err := c.SyncOnce(ctx, nil); err == nil {
			t.Fatal("sync with the server closed succeeded")
		}
	}
	rs, _ = c.Rounds(ctx)
	if len(rs) != 3 || rs[0].Failure != client.FailOffline || rs[0].Repeats != 1 {
		t.Fatalf("offline rounds: %+v, want one offline round repeated once", rs[0])
	}
	save(synctest.CaseRecord(synctest.MunicipalityA, "y"))
	if h := holdings(); h != (client.Holdings{Held: 3, HeldLatest: 3, Waiting: 1}) {
		t.Errorf("offline with a new record: %+v", h)
	}
}

// TestRoundsKeptAreTheLast: the history keeps the newest RoundsKept rounds.
func TestRoundsKeptAreTheLast(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	laptop, c := enrolled(t, p, p.TeamA)
	for i := range client.RoundsKept + 2 {
		for range i + 1 {
			if _, err := laptop.Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, "x"), localdb.SaveOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		syncOnce(t, c)
	}
	rs, err := c.Rounds(ctx)
	if err != nil || len(rs) != client.RoundsKept {
		t.Fatalf("%d rounds kept (%v), want %d", len(rs), err, client.RoundsKept)
	}
	if rs[0].Sent != client.RoundsKept+2 || rs[len(rs)-1].Sent != 3 {
		t.Errorf("kept rounds sent %d … %d, want %d … 3 (newest first)", rs[0].Sent, rs[len(rs)-1].Sent, client.RoundsKept+2)
	}
}

// A round names the instrument versions it received, and the history keeps
// their names: the receipt can say which, not only how many.
func TestRoundNamesInstrumentVersions(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir()) // publishes version 1 of each instrument
	p.Serve(t, server.Config{})
	_, c := enrolled(t, p, p.TeamA)
	rep := syncOnce(t, c)
	got := map[client.InstrumentVersion]bool{}
	for _, v := range rep.InstrumentVersions {
		got[v] = true
	}
	if rep.Instruments != 2 || len(rep.InstrumentVersions) != 2 || !got[client.InstrumentVersion{ID: survey.InstrumentCase, Version: 1}] ||
		!got[client.InstrumentVersion{ID: survey.InstrumentMunicipality, Version: 1}] || rep.FeedUnread {
		t.Fatalf("first round: %d instruments %+v (feed unread %v), want version 1 of both", rep.Instruments, rep.InstrumentVersions, rep.FeedUnread)
	}
	v2, err := assets.Instruments.ReadFile("instruments/scheda-minore.v2.json")
	if err != nil {
		t.Fatal(err)
	}
	p.PublishCase(t, 2, v2)
	rep = syncOnce(t, c)
	want := []client.InstrumentVersion{{ID: survey.InstrumentCase, Version: 2}}
	if !slices.Equal(rep.InstrumentVersions, want) || rep.Instruments != 1 {
		t.Fatalf("after publishing version 2: %+v, want %+v", rep.InstrumentVersions, want)
	}
	rs, err := c.Rounds(ctx)
	if err != nil || len(rs) != 2 || !slices.Equal(rs[0].InstrumentVersions, want) || rs[0].Instruments != 1 || len(rs[1].InstrumentVersions) != 2 {
		t.Fatalf("history %+v (%v), want the newest round naming %+v", rs, err, want)
	}
	if rep := syncOnce(t, c); len(rep.InstrumentVersions) != 0 {
		t.Errorf("a round after: %+v received again", rep.InstrumentVersions)
	}
}
