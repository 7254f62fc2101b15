package coordinator

import (
	"time"

	"sinba/survey"
)

// sessionGap is the longest pause between two saves of one laptop that
// still counts as one working session.
const sessionGap = 30 * time.Minute

// historyKind is what one line of a record's history says.
type historyKind int

const (
	histWork     historyKind = iota // a working session: saves of one laptop
	histSent                        // the laptop sent the record for review
	histDecision                    // a coordinators' decision, with its comments
)

// historyLine is one line of a record's history as the coordinators read it.
type historyLine struct {
	Kind     historyKind
	From, To time.Time
	Saves    int              // histWork: how many saves
	Origin   string           // histWork, histSent: the laptop
	Status   survey.Status    // the state the line left the record in
	Again    bool             // histSent: sent again after the record was returned
	Comments []survey.Comment // histDecision
}

// collapse turns a record's versions (oldest first) into its history: the
// autosaves of one laptop with no pause longer than gap become one working
// session; the sending for review and every decision are lines of their own.
func collapse(hist []Version, gap time.Duration) []historyLine {
	var out []historyLine
	var cur *historyLine // the open working session
	flush := func() {
		if cur != nil {
			out = append(out, *cur)
			cur = nil
		}
	}
	returned := false
	var laptopStatus survey.Status
	for _, v := range hist {
		if v.ByCoord {
			flush()
			out = append(out, historyLine{Kind: histDecision, From: v.At, To: v.At, Status: v.Status, Comments: v.Comments})
			returned = v.Status == survey.StatusReturned
			laptopStatus = ""
			continue
		}
		if cur != nil && cur.Origin == v.Origin && v.At.Sub(cur.To) <= gap {
			cur.Saves++
			cur.To = v.At
			cur.Status = v.Status
		} else {
			flush()
			cur = &historyLine{Kind: histWork, From: v.At, To: v.At, Saves: 1, Origin: v.Origin, Status: v.Status}
		}
		if v.Status == survey.StatusFinal && laptopStatus != survey.StatusFinal {
			flush()
			out = append(out, historyLine{Kind: histSent, From: v.At, To: v.At, Origin: v.Origin, Status: v.Status, Again: returned})
			returned = false
		}
		laptopStatus = v.Status
	}
	flush()
	return out
}
