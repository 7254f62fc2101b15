package server_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"sinba/sync/seal"
	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

// One batch holding 60 records new to the server and, after them, a new
// record's first revision, two edits of it from that revision (siblings),
// and the first revision again: the server stores the 63 revisions in the
// batch's order (the new ones many to a statement, the edits one at a
// time after them), 61 records, flags both siblings and only them, and
// answers the repeated revision as a duplicate, not in conflict; the
// receipt says what each revision was when it came.
func TestBatchWithEditsOfItsOwnNewRecord(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{DisableLimits: true})
	wd := p.EnrolDevice(t, p.TeamA)
	d, err := p.Store.Principal(ctx, wd.ID)
	if err != nil {
		t.Fatal(err)
	}
	team, _ := seal.NewKey()
	revs, err := synctest.Revisions(61, synctest.MunicipalityA, wd.Project, team.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	first := revs[60]
	edit := func() wire.Revision {
		r := first
		r.Revision, r.BaseRevision = uuid.NewString(), first.Revision
		return r
	}
	b1, b2 := edit(), edit()
	revs = append(revs, b1, b2, first)
	batch := &wire.Batch{Version: wire.FormatV1, ID: uuid.NewString(), Revisions: revs}
	rc, err := p.Store.Ingest(ctx, d, batch, wire.DefaultLimits, server.Quota{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rc.Refused) != 0 || len(rc.Accepted) != len(revs) {
		t.Fatalf("receipt: %d accepted, %d refused (%+v), want %d and 0", len(rc.Accepted), len(rc.Refused), rc.Refused, len(revs))
	}
	for i, a := range rc.Accepted {
		wantConflict, wantDuplicate := i == 62, i == 63 // the second sibling finds the first; the repeat is the record's first revision
		if a.Revision != revs[i].Revision || a.Conflict != wantConflict || a.Duplicate != wantDuplicate {
			t.Errorf("receipt %d: %+v, want revision %s conflict %v duplicate %v", i, a, revs[i].Revision, wantConflict, wantDuplicate)
		}
	}
	held, err := p.Store.Revisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(held) != 63 {
		t.Fatalf("the server holds %d revisions, want 63", len(held))
	}
	for i, r := range held {
		wantConflict := r.Revision == b1.Revision || r.Revision == b2.Revision
		if r.Revision != revs[i].Revision || r.Conflict != wantConflict || string(r.Content) != string(revs[i].Content) {
			t.Errorf("held %d: %s conflict %v, want %s conflict %v (in the batch's order)", i, r.Revision, r.Conflict, revs[i].Revision, wantConflict)
		}
	}
	sm, err := p.Store.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sm.Records != 61 || sm.Revisions != 63 {
		t.Fatalf("summary: %d records, %d revisions; want 61 and 63", sm.Records, sm.Revisions)
	}
	// The same batch again is the same receipt, and stores nothing more.
	again, err := p.Store.Ingest(ctx, d, batch, wire.DefaultLimits, server.Quota{})
	if err != nil || len(again.Accepted) != len(rc.Accepted) || again.Accepted[62] != rc.Accepted[62] {
		t.Fatalf("the batch again: %+v %v", again, err)
	}
	if sm, err := p.Store.Summary(ctx); err != nil || sm.Revisions != 63 {
		t.Fatalf("after the batch again: %+v %v", sm, err)
	}
}
