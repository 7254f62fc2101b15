package survey

import (
	"encoding/json"
	"fmt"
)

// NotHeldReason says why the office does not hold a datum: the coded answer
// behind "the office does not hold this datum", so that the critical points
// of the data set can be counted by reason. A record marked "not held"
// before reasons existed, or with none chosen, has ReasonNotGiven.
type NotHeldReason string

// The reasons. Their codes are stored in records: never change one.
const (
	ReasonNotGiven      NotHeldReason = ""               // not held, no reason given
	ReasonNotCollected  NotHeldReason = "not_collected"  // the office does not collect it
	ReasonPaperOnly     NotHeldReason = "paper_only"     // recorded on paper only
	ReasonOtherBody     NotHeldReason = "other_body"     // another body holds it
	ReasonNotApplicable NotHeldReason = "not_applicable" // it does not apply to the office
	ReasonOther         NotHeldReason = "other"          // another reason, said in the note
)

// NotHeldReasons lists every reason in the order shown and counted,
// ReasonNotGiven first.
var NotHeldReasons = [...]NotHeldReason{
	ReasonNotGiven, ReasonNotCollected, ReasonPaperOnly, ReasonOtherBody, ReasonNotApplicable, ReasonOther,
}

var reasonText = map[NotHeldReason][2]Text{
	ReasonNotGiven: {{IT: "Motivo non indicato", EN: "Reason not given"},
		{IT: "senza motivo", EN: "no reason"}},
	ReasonNotCollected: {{IT: "L'ufficio non lo raccoglie", EN: "The office does not collect it"},
		{IT: "non raccolto", EN: "not collected"}},
	ReasonPaperOnly: {{IT: "Registrato solo su carta", EN: "Recorded on paper only"},
		{IT: "solo su carta", EN: "paper only"}},
	ReasonOtherBody: {{IT: "Lo detiene un altro ente", EN: "Held by another body"},
		{IT: "altro ente", EN: "other body"}},
	ReasonNotApplicable: {{IT: "Non pertinente per l'ufficio", EN: "Not applicable to the office"},
		{IT: "non pertinente", EN: "not applicable"}},
	ReasonOther: {{IT: "Altro motivo (da indicare nella nota)", EN: "Other reason (say it in the note)"},
		{IT: "altro motivo", EN: "other reason"}},
}

// Valid reports whether r is one of NotHeldReasons.
func (r NotHeldReason) Valid() bool {
	_, ok := reasonText[r]
	return ok
}

// Label is the reason as a person reads it in a form or a report.
func (r NotHeldReason) Label() Text {
	if t, ok := reasonText[r]; ok {
		return t[0]
	}
	return Text{IT: "Motivo sconosciuto: " + string(r), EN: "Unknown reason: " + string(r)}
}

// Short is the reason as a column heading.
func (r NotHeldReason) Short() Text {
	if t, ok := reasonText[r]; ok {
		return t[1]
	}
	return Text{IT: string(r), EN: string(r)}
}

// Index is the position of r in NotHeldReasons, or -1 for an unknown reason.
func (r NotHeldReason) Index() int {
	for i, x := range NotHeldReasons {
		if x == r {
			return i
		}
	}
	return -1
}

// ReasonCounts counts "not held" answers by reason, indexed as
// NotHeldReasons.
type ReasonCounts [len(NotHeldReasons)]int

// Add counts one answer with reason r; an unknown reason counts as not given.
func (c *ReasonCounts) Add(r NotHeldReason) {
	i := r.Index()
	if i < 0 {
		i = 0
	}
	c[i]++
}

// Of returns the count of reason r.
func (c ReasonCounts) Of(r NotHeldReason) int {
	if i := r.Index(); i >= 0 {
		return c[i]
	}
	return 0
}

// Plus returns the sums of c and o.
func (c ReasonCounts) Plus(o ReasonCounts) ReasonCounts {
	for i := range c {
		c[i] += o[i]
	}
	return c
}

// reasonKey names a reason in JSON, where the empty code would be an odd key.
func reasonKey(r NotHeldReason) string {
	if r == ReasonNotGiven {
		return "not_given"
	}
	return string(r)
}

// MarshalJSON writes the counts as an object keyed by reason, zeros left out.
func (c ReasonCounts) MarshalJSON() ([]byte, error) {
	m := map[string]int{}
	for i, n := range c {
		if n != 0 {
			m[reasonKey(NotHeldReasons[i])] = n
		}
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *ReasonCounts) UnmarshalJSON(b []byte) error {
	var m map[string]int
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*c = ReasonCounts{}
outer:
	for k, n := range m {
		for i, r := range NotHeldReasons {
			if reasonKey(r) == k {
				c[i] = n
				continue outer
			}
		}
		return fmt.Errorf("not held reason %q unknown", k)
	}
	return nil
}
