package client_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/sync/seal"
	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

// A team with a laptop not yet updated (format 1) and an updated one
// (format 2): the server takes both, keeps the format-2 batch's header once,
// says which format each laptop sent; the old laptop is not handed records
// it could not open, and reads them all once it is updated; the
// coordinators open everything.
func TestMixedFormatsLoseNothing(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	old := fast
	old.Format = wire.FormatV1
	laptop1, c1 := enrolledWith(t, p, p.TeamA, old)
	a, err := laptop1.Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, "uno"), localdb.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(t, c1)
	laptop2, c2 := enrolled(t, p, p.TeamA)
	syncOnce(t, c2)
	synctest.Confirm(t, c1, c2)
	var saved []string
	for i := range 3 {
		info, err := laptop2.Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, "due"+string(rune('a'+i))), localdb.SaveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		saved = append(saved, info.ID)
	}
	rep := syncOnce(t, c2)
	if rep.Received != 1 || rep.Accepted != 3 || len(rep.Receipts) != 1 || len(rep.Receipts[0].Accepted) != 3 {
		t.Fatalf("updated laptop: received %d, accepted %d, receipts %+v; want the old laptop's record and 3 accepted, listed", rep.Received, rep.Accepted, rep.Receipts)
	}
	if got, _, err := laptop2.Get(ctx, a.ID); err != nil || got.Identity == nil || got.Answers["Note"] != "nota uno" {
		t.Fatalf("updated laptop opens the format-1 record as %+v (%v)", got, err)
	}
	hs, err := p.Store.Headers(ctx)
	if err != nil || len(hs) != 1 {
		t.Fatalf("server keeps %d headers (%v), want one for the batch of three", len(hs), err)
	}

	// The old laptop is not given what it cannot open.
	if rep := syncOnce(t, c1); rep.Received != 0 || rep.Unreadable != 0 {
		t.Fatalf("old laptop: received %d, unreadable %d; want neither", rep.Received, rep.Unreadable)
	}
	ds, err := p.Store.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	en1, _ := c1.Enrolled(ctx)
	for _, d := range ds {
		if want := map[bool]int{true: wire.FormatV1, false: wire.FormatV2}[d.ID == en1.DeviceID]; d.Format != want {
			t.Errorf("device %s listed with format %d, want %d", d.Label, d.Format, want)
		}
	}

	// Updated, it reads its feed again from the start and gets them.
	c1 = client.New(laptop1, fast)
	if rep := syncOnce(t, c1); rep.Received != 3 || rep.Unreadable != 0 {
		t.Fatalf("old laptop once updated: received %d, unreadable %d; want 3", rep.Received, rep.Unreadable)
	}
	for _, id := range saved {
		if got, _, err := laptop1.Get(ctx, id); err != nil || got.Identity == nil {
			t.Fatalf("record %s on the updated laptop: %+v %v", id, got, err)
		}
	}

	revs, err := p.Store.Revisions(ctx)
	if err != nil || len(revs) != 4 {
		t.Fatalf("server holds %d revisions (%v)", len(revs), err)
	}
	open, headers, err := p.Store.Opener(ctx, p.ProjectKey)
	if err != nil {
		t.Fatal(err)
	}
	for i := range revs {
		if got, err := open.Open(&revs[i], headers[revs[i].Header]); err != nil || got.Identity != nil || got.Answers["Note"] == nil {
			t.Errorf("coordinators open revision %d (header %q) as %+v (%v)", i, revs[i].Header, got.Answers, err)
		}
	}
}

// A dictionary published with an instrument version reaches the laptops;
// their records of that version are compressed with it and open at a
// colleague's and at the coordinators'.
func TestPublishedDictionaryIsUsed(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	var samples []survey.Record
	for range 30 {
		samples = append(samples, synctest.CaseRecord(synctest.MunicipalityA, uuid.NewString()[:6]))
	}
	dict, err := seal.TrainDictionary(wire.Instrument{ID: survey.InstrumentCase, Version: 1}, samples)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"id":"` + survey.InstrumentCase + `","version":1}`)
	if err := p.Store.PublishInstrument(ctx, p.ProjectID, wire.Instrument{ID: survey.InstrumentCase, Version: 1, Body: body, Dictionary: dict}); err != nil {
		t.Fatal(err)
	}
	laptop1, c1 := enrolled(t, p, p.TeamA)
	syncOnce(t, c1)
	info, err := laptop1.Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, "dz"), localdb.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	syncOnce(t, c1)
	revs, _ := p.Store.Revisions(ctx)
	hs, _ := p.Store.Headers(ctx)
	if len(revs) != 1 || len(hs) != 1 {
		t.Fatalf("%d revisions, %d headers", len(revs), len(hs))
	}
	if _, err := seal.NewOpener(p.ProjectKey, nil).Open(&revs[0], &hs[0]); err == nil {
		t.Fatal("the record opens without the dictionary: it was not compressed with it")
	}
	open, headers, _ := p.Store.Opener(ctx, p.ProjectKey)
	if got, err := open.Open(&revs[0], headers[revs[0].Header]); err != nil || got.Answers["Note"] != "nota dz" {
		t.Fatalf("coordinators: %+v %v", got.Answers, err)
	}
	laptop2, c2 := enrolled(t, p, p.TeamA)
	syncOnce(t, c2)
	synctest.Confirm(t, c1, c2)
	if rep := syncOnce(t, c2); rep.Received != 1 || rep.Unreadable != 0 {
		t.Fatalf("colleague: received %d, unreadable %d", rep.Received, rep.Unreadable)
	}
	if got, _, err := laptop2.Get(ctx, info.ID); err != nil || got.Answers["Note"] != "nota dz" {
		t.Fatalf("colleague opens %+v %v", got, err)
	}
}
