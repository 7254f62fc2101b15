package localdb

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"sinba/survey"
)

// A returned record stays returned, with its threads, while the researcher
// edits it; finalising it again resubmits it; the coordinators' approval
// closes the threads. The store is reopened in between: nothing lives only in
// memory.
func TestReturnedRecordKeepsItsThreadsThroughEdits(t *testing.T) {
	ctx := context.Background()
	st, dir, _ := newStore(t)
	rec := caseRecord(1)
	sent, err := st.Save(ctx, rec, SaveOptions{Status: survey.StatusFinal})
	if err != nil {
		t.Fatal(err)
	}
	rec.ID = sent.ID
	if _, err := st.ApplyRemote(ctx, RemoteRevision{RecordID: rec.ID, Revision: "d1", BaseRevision: sent.Revision,
		Status: survey.StatusReturned, Record: rec, Origin: OriginCoordinators,
		Comments: []survey.Comment{{Field: "AnnoNascita", Text: "L'anno non torna"}, {Field: "NumeroComponentiISEE", Text: "Quanti sono?"}}}); err != nil {
		t.Fatal(err)
	}
	if err := st.MarkSeen(ctx, rec.ID); err != nil {
		t.Fatal(err)
	}
	rec.Answers["AnnoNascita"] = "2011"
	edit, err := st.Save(ctx, rec, SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if edit.Status != survey.StatusReturned {
		t.Fatalf("an edited returned record is %s, want returned", edit.Status)
	}
	st = reopen(t, st, dir)
	if rows, _ := st.List(ctx, Filter{Status: survey.StatusReturned}); len(rows) != 1 {
		t.Fatalf("returned records after an edit and a reopen: %d, want 1", len(rows))
	}
	rs, err := st.ReviewState(ctx, rec.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	year, _ := rs.Thread("AnnoNascita")
	isee, _ := rs.Thread("NumeroComponentiISEE")
	if rs.Status != survey.StatusReturned || year.State != survey.ThreadCorrected || isee.State != survey.ThreadSeen {
		t.Fatalf("after an edit: status %s, threads %+v", rs.Status, rs.Threads)
	}
	// What the laptop sends is a draft: the decision stays the coordinators'.
	out, _ := st.Outbox(ctx, 0)
	if len(out) != 2 || out[1].Status != survey.StatusDraft {
		t.Fatalf("outbox after the edit: %+v", out)
	}

	fin, err := st.Save(ctx, rec, SaveOptions{Status: survey.StatusFinal})
	if err != nil || fin.Status != survey.StatusFinal {
		t.Fatalf("resubmission: %v %v", fin.Status, err)
	}
	if rs, _ = st.ReviewState(ctx, rec.ID, nil); !rs.Resubmitted || rs.Reviewed != sent.Revision || rs.Latest != fin.Revision || len(rs.Changed) != 1 {
		t.Fatalf("after the resubmission: %+v", rs)
	}
	if _, err := st.ApplyRemote(ctx, RemoteRevision{RecordID: rec.ID, Revision: "d2", BaseRevision: fin.Revision,
		Status: survey.StatusApproved, Record: rec, Origin: OriginCoordinators}); err != nil {
		t.Fatal(err)
	}
	if rs, _ = st.ReviewState(ctx, rec.ID, nil); rs.Status != survey.StatusApproved || rs.OpenThreads() != 0 || rs.Threads[0].State != survey.ThreadApproved {
		t.Fatalf("after the approval: %+v", rs)
	}
}

// Approving and returning belong to the coordinators: a laptop cannot save
// a decision, and a laptop's version that claims one is kept as final.
func TestDecisionsBelongToTheCoordinators(t *testing.T) {
	ctx := context.Background()
	st, _, _ := newStore(t)
	for _, s := range []survey.Status{survey.StatusApproved, survey.StatusReturned} {
		if _, err := st.Save(ctx, caseRecord(1), SaveOptions{Status: s}); !errors.Is(err, ErrDecision) {
			t.Fatalf("Save %s: %v, want ErrDecision", s, err)
		}
	}
	rec := caseRecord(2)
	rec.ID = "r-claim"
	if _, err := st.ApplyRemote(ctx, RemoteRevision{RecordID: rec.ID, Revision: "v1", Status: survey.StatusApproved, Record: rec, Origin: "device-7"}); err != nil {
		t.Fatal(err)
	}
	if _, info, _ := st.Get(ctx, rec.ID); info.Status != survey.StatusFinal {
		t.Fatalf("a laptop's claim of approval is stored as %s, want final", info.Status)
	}
}

// A store of schema 2 (before review threads) opens and gets the new table.
func TestSchemaTwoGetsReviewSeen(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "old")
	old := testOpts
	old.schema = 2
	st, _, err := CreateWith(dir, pass, old)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Save(ctx, caseRecord(3), SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if st, err = OpenWith(dir, pass, testOpts); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.MarkSeen(ctx, info.ID); err != nil {
		t.Fatalf("MarkSeen on a migrated store: %v", err)
	}
}
