package survey

import (
	"testing"
	"time"
)

// The loop as it is lived: a return with comments on two fields and one on
// the record, edits, a reply, a resubmission and an approval.
func TestBuildReviewFollowsTheLoop(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	sent := Record{Answers: Answers{"AnnoNascita": "2010", "FonteSegnalazione": ""}}
	steps := []ReviewStep{
		{Revision: "v1", Status: StatusFinal, SavedAt: at(0), Record: sent},
		{Revision: "d1", Base: "v1", Status: StatusReturned, SavedAt: at(10), Record: sent, Comments: []Comment{
			{Field: "AnnoNascita", Text: "L'anno non torna", At: at(10)},
			{Field: "FonteSegnalazione", Text: "Manca la fonte", At: at(10)},
			{Text: "Controllare la data", At: at(10)},
		}},
	}
	st := BuildReview(nil, steps, "")
	if st.Status != StatusReturned || st.Decision != StatusReturned || st.Reviewed != "v1" || st.DecisionRevision != "d1" || st.Resubmitted {
		t.Fatalf("after the return: %+v", st)
	}
	if len(st.Threads) != 3 || st.Threads[0].Field != "" || st.OpenThreads() != 3 {
		t.Fatalf("threads after the return: %+v", st.Threads)
	}
	if st := BuildReview(nil, steps, "d1"); st.OpenThreads() != 3 || st.Threads[1].State != ThreadSeen {
		t.Fatalf("opened by the researcher: %+v", st.Threads)
	}

	// The researcher edits the birth year: the record stays returned, the
	// thread on that field is corrected, the others wait.
	edited := Record{Answers: Answers{"AnnoNascita": "2011", "FonteSegnalazione": ""}}
	steps = append(steps, ReviewStep{Revision: "v2", Base: "d1", Status: StatusDraft, SavedAt: at(30), Record: edited})
	st = BuildReview(nil, steps, "d1")
	if st.Status != StatusReturned || st.Latest != "v2" || len(st.Changed) != 1 || st.Changed[0].Field != "AnnoNascita" {
		t.Fatalf("after an edit: %+v", st)
	}
	if th, _ := st.Thread("AnnoNascita"); th.State != ThreadCorrected {
		t.Fatalf("edited field's thread: %s", th.State)
	}
	if th, _ := st.Thread("FonteSegnalazione"); th.State != ThreadSeen {
		t.Fatalf("untouched field's thread: %s", th.State)
	}

	// A reply answers the thread on the source instead of an edit.
	replied := edited
	replied.Replies = []Comment{{Field: "FonteSegnalazione", Text: "Il fascicolo non la riporta", At: at(40), Reply: true}}
	steps = append(steps, ReviewStep{Revision: "v3", Base: "v2", Status: StatusFinal, SavedAt: at(40), Record: replied})
	st = BuildReview(nil, steps, "d1")
	if st.Status != StatusFinal || !st.Resubmitted || st.Latest != "v3" {
		t.Fatalf("after the resubmission: %+v", st)
	}
	th, _ := st.Thread("FonteSegnalazione")
	if len(th.Comments) != 2 || !th.Comments[1].Reply || th.State != ThreadResubmitted {
		t.Fatalf("replied thread: %+v", th)
	}
	for _, th := range st.Threads {
		if th.State != ThreadResubmitted {
			t.Fatalf("thread %q after the resubmission: %s", th.Field, th.State)
		}
	}

	// The coordinators approve: every thread is closed.
	steps = append(steps, ReviewStep{Revision: "d2", Base: "v3", Status: StatusApproved, SavedAt: at(50), Record: replied})
	st = BuildReview(nil, steps, "d1")
	if st.Status != StatusApproved || st.Decision != StatusApproved || st.Reviewed != "v3" || st.Resubmitted || st.OpenThreads() != 0 {
		t.Fatalf("after the approval: %+v", st)
	}
	for _, th := range st.Threads {
		if th.State != ThreadApproved {
			t.Fatalf("thread %q after the approval: %s", th.Field, th.State)
		}
	}
}

func TestBuildReviewWithoutDecision(t *testing.T) {
	st := BuildReview(nil, []ReviewStep{{Revision: "v1", Status: StatusDraft}, {Revision: "v2", Base: "v1", Status: StatusFinal}}, "")
	if st.Status != StatusFinal || st.Decision != "" || st.Latest != "v2" || st.Resubmitted || len(st.Threads) != 0 || len(st.Changed) != 0 {
		t.Fatalf("a record never reviewed: %+v", st)
	}
}
