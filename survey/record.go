// Package survey is the domain of the S.In.Ba pilot: instruments, questions,
// code lists, rules, validation, the codice fiscale and the SINBA mapping.
// It is pure Go: no user interface, no SQL, no network.
package survey

// Instrument identifiers of the two pilot instruments shipped with sinba.
const (
	// InstrumentMunicipality is the municipality questionnaire (Scheda Comune).
	InstrumentMunicipality = "scheda-comune"
	// InstrumentCase is the case record (Scheda minore): the SINBA data set.
	InstrumentCase = "scheda-minore"
)

// Status is where a record stands in the pilot's review loop.
type Status string

// The states of a record. A record starts as a draft on a laptop; finalising
// it checks every error rule; a coordinator approves it or returns it with
// comments (the decisions, see Status.Decision: only coordinators give them).
// A returned record stays returned while the researcher edits it, until it
// is finalised again (see BuildReview).
const (
	StatusDraft    Status = "draft"
	StatusFinal    Status = "final"
	StatusReturned Status = "returned"
	StatusApproved Status = "approved"
)

var statusText = map[Status]Text{
	StatusDraft:    {IT: "Bozza", EN: "Draft"},
	StatusFinal:    {IT: "Finalizzata", EN: "Final"},
	StatusReturned: {IT: "Restituita con commenti", EN: "Returned with comments"},
	StatusApproved: {IT: "Approvata", EN: "Approved"},
}

// Label is the state as a person reads it; an unknown state is its code.
func (s Status) Label() Text {
	if t, ok := statusText[s]; ok {
		return t
	}
	return Text{IT: string(s), EN: string(s)}
}

// Valid reports whether s is one of the known states.
func (s Status) Valid() bool {
	switch s {
	case StatusDraft, StatusFinal, StatusReturned, StatusApproved:
		return true
	}
	return false
}

// Answers holds a record's answers keyed by field id. Values are JSON
// values: string (codes are strings, exactly as in the SINBA schema), float64
// or json.Number for numbers, bool, []any for repeatable items and repeat
// groups (each group item a map[string]any).
type Answers map[string]any

// FieldMeta is what the pilot adds to every question: the answer "the office
// does not hold this datum", distinct from a missing answer, with its coded
// reason, and a free note. Together they make the critical points of the data
// set. Reason means something only with NotHeld; a record written before
// reasons existed has none, and reads as ReasonNotGiven.
type FieldMeta struct {
	NotHeld bool          `json:"not_held,omitempty"`
	Reason  NotHeldReason `json:"reason,omitempty"`
	Note    string        `json:"note,omitempty"`
}

// NotHeldBecause reports whether the datum is marked not held, and why.
func (m FieldMeta) NotHeldBecause() (NotHeldReason, bool) {
	if !m.NotHeld {
		return ReasonNotGiven, false
	}
	return m.Reason, true
}

// Identity is the identification of a child, kept for the team's own
// follow-up. It never leaves the laptop in clear: what is synced carries the
// pseudonymous IDBeneficiario instead.
type Identity struct {
	Surname    string `json:"surname,omitempty"`
	Name       string `json:"name,omitempty"`
	Sex        string `json:"sex,omitempty"`        // "M" or "F"
	BirthDate  string `json:"birth_date,omitempty"` // YYYY-MM-DD
	BirthPlace string `json:"birth_place,omitempty"`
	FiscalCode string `json:"fiscal_code,omitempty"`
}

// Empty reports whether no identification field is filled in.
func (id *Identity) Empty() bool {
	return id == nil || *id == Identity{}
}

// Record is one filled-in instrument: a municipality questionnaire or a case
// record. It remembers the instrument version it was made with.
type Record struct {
	ID           string               `json:"id"`           // UUID made where the record was created
	Instrument   string               `json:"instrument"`   // InstrumentCase or InstrumentMunicipality
	Version      int                  `json:"version"`      // version of the instrument definition
	Municipality string               `json:"municipality"` // ISTAT code of the pilot municipality
	Answers      Answers              `json:"answers"`
	Meta         map[string]FieldMeta `json:"meta,omitempty"`
	Identity     *Identity            `json:"identity,omitempty"` // case records only; local to the team
	// Replies are the researcher's answers to the coordinators' review
	// comments (each with Reply set and the field of the thread it
	// answers). They travel with the content, sealed for the team and the
	// project key, and are never exported.
	Replies []Comment `json:"replies,omitempty"`
}
