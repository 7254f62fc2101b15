package survey

import (
	"slices"
	"sort"
	"strings"
	"time"
)

// Comment is one entry of a review thread: a coordinator's comment on a field
// ("" = the record as a whole), made with a decision, or a researcher's reply
// to it (Reply), saved with the record. It is the one type every layer uses:
// the store keeps it sealed, sync carries it sealed for the team and the
// project key, the screens show it.
type Comment struct {
	Field  string    `json:"field,omitempty"`
	Text   string    `json:"text"`
	Author string    `json:"author,omitempty"`
	At     time.Time `json:"at"`
	Reply  bool      `json:"reply,omitempty"` // written by a researcher, for the coordinators
}

// ThreadState is where a review thread stands. A thread opens when a
// coordinator returns a record with a comment on a field and is closed only
// by a coordinator's approval.
type ThreadState string

// The states of a thread, in the order the loop goes through them.
const (
	ThreadReturned    ThreadState = "returned"    // a coordinator commented; nothing since
	ThreadSeen        ThreadState = "seen"        // the researcher opened the record on the laptop
	ThreadCorrected   ThreadState = "corrected"   // the researcher edited that field, or replied
	ThreadResubmitted ThreadState = "resubmitted" // the record was finalised again after the return
	ThreadApproved    ThreadState = "approved"    // a coordinator approved the record: closed
)

// Open reports whether the thread still waits for something from the
// researcher (returned or seen).
func (s ThreadState) Open() bool { return s == ThreadReturned || s == ThreadSeen }

// Thread is the conversation about one field of a record: the coordinators'
// comments and the researcher's replies, oldest first.
type Thread struct {
	Field    string // "" = the record as a whole
	Comments []Comment
	State    ThreadState
	Returned time.Time // when the latest return commented on it
}

// Decision reports whether s is a review decision: a state only coordinators
// give a record (approved, returned). A laptop never sends one.
func (s Status) Decision() bool { return s == StatusApproved || s == StatusReturned }

// ReviewStep is one version of a record as the review loop reads it, in
// order. A coordinators' decision is a step whose Status is a Decision; its
// Base is the version it was about.
type ReviewStep struct {
	Revision string
	Base     string
	Status   Status
	SavedAt  time.Time
	Record   Record
	Comments []Comment // a decision's comments
}

// ReviewState is what the loop between the field and the coordinators says
// of one record: what the last decision was about, what came after it from
// the laptops, and the state of every thread.
type ReviewState struct {
	// Status is the record's state in the loop: a returned record stays
	// returned while the researcher edits it, until it is finalised again.
	Status Status
	// Decision is the last decision (approved or returned; "" = none yet),
	// DecisionRevision the revision that holds it, Reviewed the version
	// from a laptop it was about, DecidedAt when it was made.
	Decision         Status
	DecisionRevision string
	Reviewed         string
	DecidedAt        time.Time
	// Latest is the newest version from a laptop ("" = none).
	Latest string
	// Resubmitted: the record was finalised again after being returned and
	// waits for a new decision ("corretta dopo la restituzione").
	Resubmitted bool
	// Changed lists what differs between Reviewed and Latest, in page
	// order (see Changes); empty when there is no decision yet.
	Changed []Change
	// Threads are the review threads, the record-wide one first, then by
	// field.
	Threads []Thread
}

// Thread returns the thread on field, if there is one.
func (r *ReviewState) Thread(field string) (*Thread, bool) {
	for i := range r.Threads {
		if r.Threads[i].Field == field {
			return &r.Threads[i], true
		}
	}
	return nil, false
}

// OpenThreads counts the threads still waiting for the researcher.
func (r *ReviewState) OpenThreads() int {
	n := 0
	for _, t := range r.Threads {
		if t.State.Open() {
			n++
		}
	}
	return n
}

// BuildReview reads a record's versions, oldest first, into its review
// state; reg gives the instrument versions the changes are read with (nil,
// or a version it does not hold: the answers are compared as they are).
// seen is the decision (its revision) the researcher last saw on this
// laptop: the threads it and earlier decisions opened are seen ("": none, or
// not known here, as on a coordinator's computer). Replies are taken from
// the newest version, which carries all of them.
func BuildReview(reg *Registry, steps []ReviewStep, seen string) ReviewState {
	var st ReviewState
	threads := map[string]*Thread{}
	opened := map[string]int{} // by field: the step of the latest return that commented on it
	seenAt := -1
	var reviewed *Record // the version the last decision was about
	var latest *Record
	for i := range steps {
		s := &steps[i]
		if s.Status.Decision() {
			if seen != "" && s.Revision == seen {
				seenAt = i
			}
			st.Decision, st.DecisionRevision, st.Reviewed, st.DecidedAt = s.Status, s.Revision, s.Base, s.SavedAt
			st.Resubmitted = false
			reviewed = &s.Record
			if s.Status == StatusApproved {
				for _, t := range threads {
					t.State = ThreadApproved
				}
				continue
			}
			for _, c := range s.Comments {
				if c.Reply {
					continue
				}
				t := threads[c.Field]
				if t == nil {
					t = &Thread{Field: c.Field}
					threads[c.Field] = t
				}
				t.Comments = append(t.Comments, c)
				t.State, t.Returned = ThreadReturned, s.SavedAt
				opened[c.Field] = i
			}
			continue
		}
		st.Latest = s.Revision
		latest = &s.Record
		if st.Decision != StatusReturned {
			continue
		}
		if reviewed != nil {
			changed := Changes(reviewInstrument(reg, &s.Record), *reviewed, s.Record)
			for _, t := range threads {
				if t.State.Open() && fieldIn(t.Field, changed) {
					t.State = ThreadCorrected
				}
			}
		}
		// Finalised again: resubmitted until the next decision (a reopened
		// draft after it is the researcher's, as the store keeps it).
		if s.Status == StatusFinal {
			st.Resubmitted = true
			for _, t := range threads {
				if t.State != ThreadApproved {
					t.State = ThreadResubmitted
				}
			}
		}
	}
	if latest != nil {
		for _, c := range latest.Replies {
			t := threads[c.Field]
			if t == nil {
				continue // a reply to no comment: nothing to answer
			}
			t.Comments = append(t.Comments, c)
			// A reply the returned version did not carry answers the return.
			if t.State.Open() && reviewed != nil && !slices.ContainsFunc(reviewed.Replies, func(o Comment) bool {
				return o.Field == c.Field && o.Text == c.Text && o.At.Equal(c.At)
			}) {
				t.State = ThreadCorrected
			}
		}
	}
	for _, t := range threads {
		if t.State == ThreadReturned && opened[t.Field] <= seenAt {
			t.State = ThreadSeen
		}
		sort.SliceStable(t.Comments, func(i, j int) bool { return t.Comments[i].At.Before(t.Comments[j].At) })
		st.Threads = append(st.Threads, *t)
	}
	sort.Slice(st.Threads, func(i, j int) bool { return st.Threads[i].Field < st.Threads[j].Field })
	if reviewed != nil && latest != nil {
		st.Changed = Changes(reviewInstrument(reg, latest), *reviewed, *latest)
	}
	if len(steps) > 0 {
		st.Status = steps[len(steps)-1].Status
	}
	if st.Decision == StatusReturned && !st.Resubmitted && st.Status == StatusDraft {
		st.Status = StatusReturned
	}
	return st
}

// reviewInstrument is the instrument version a record was made with, or an
// empty one (answers compared as they are) where reg does not hold it.
func reviewInstrument(reg *Registry, rec *Record) *Instrument {
	if reg != nil {
		if in, err := reg.ForRecord(rec); err == nil {
			return in
		}
	}
	return &Instrument{}
}

// fieldIn reports whether a thread's field (a question id, or an item path
// such as "Interventi[2].Tipo") is touched by a change: the same field, an
// item of it, or the group it belongs to.
func fieldIn(field string, changed []Change) bool {
	if field == "" {
		return false
	}
	for _, c := range changed {
		if topField(c.Field) == topField(field) {
			return true
		}
	}
	return false
}

func topField(path string) string {
	if i := strings.IndexAny(path, "[."); i >= 0 {
		return path[:i]
	}
	return path
}
