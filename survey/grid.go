package survey

import "strings"

// The Scheda Comune grid asks, for each datum F of the data set, whether the
// office records it: question RilevaF in version 1 (answers of the list
// Frequenza: always, sometimes, never) and RegistraF from version 2 (answers
// of the list Registrazione, which also say whether on paper only, and "not
// applicable"). The two versions use different ids because their codes mean
// different things: a version 1 answer is never read with version 2's list.
const (
	gridPrefixV1 = "Rileva"
	gridPrefix   = "Registra"
)

// Recording is what a grid answer says about how often the office records
// a datum.
type Recording string

// The recordings.
const (
	RecordsAlways        Recording = "always"
	RecordsSometimes     Recording = "sometimes"
	RecordsNever         Recording = "never"
	RecordsNotApplicable Recording = "not_applicable" // the office does not deal with such cases
)

// GridAnswer is the meaning of one code of a grid question.
type GridAnswer struct {
	Code      string
	Recording Recording
	PaperOnly bool // recorded, but on paper only
}

// gridAnswers are the meanings of the codes of the grid's lists.
var gridAnswers = map[string][]GridAnswer{
	"Frequenza": {{"1", RecordsAlways, false}, {"2", RecordsSometimes, false}, {"3", RecordsNever, false}},
	"Registrazione": {{"1", RecordsAlways, false}, {"2", RecordsAlways, true}, {"3", RecordsSometimes, false},
		{"4", RecordsSometimes, true}, {"5", RecordsNever, false}, {"6", RecordsNotApplicable, false}},
}

// GridField returns the datum a grid question asks about, and false for a
// question that is not part of the grid.
func GridField(q *Question) (string, bool) {
	if q == nil || q.Type != TypeSingle || gridAnswers[q.Codelist] == nil {
		return "", false
	}
	for _, p := range []string{gridPrefix, gridPrefixV1} {
		if f, ok := strings.CutPrefix(q.ID, p); ok && f != "" {
			return f, true
		}
	}
	return "", false
}

// GridQuestions returns the grid questions of in by the datum they ask about.
func GridQuestions(in *Instrument) map[string]*Question {
	out := map[string]*Question{}
	for _, q := range in.order {
		if f, ok := GridField(q); ok {
			out[f] = q
		}
	}
	return out
}

// ReadGridAnswer reads code, an answer to grid question q.
func ReadGridAnswer(q *Question, code string) (GridAnswer, bool) {
	for _, a := range gridAnswers[q.Codelist] {
		if a.Code == code {
			return a, true
		}
	}
	return GridAnswer{}, false
}

// GridCode is the code of grid question q that says recording r, on paper
// only or not; "" when q's list cannot say it (version 1 has no "not
// applicable" and does not tell paper from electronic, so paper is ignored).
func GridCode(q *Question, r Recording, paperOnly bool) string {
	var fallback string
	for _, a := range gridAnswers[q.Codelist] {
		if a.Recording == r {
			if a.PaperOnly == paperOnly {
				return a.Code
			}
			fallback = a.Code
		}
	}
	return fallback
}

// Data of the grid that the case record does not keep as such: the office
// holds the codice fiscale and the date of birth; the case record keeps the
// year of birth (and the pseudonym, which only the laptop computes, in place
// of the codice fiscale, which never leaves it).
const (
	GridFiscalCode = "CodiceFiscale"
	GridBirthDate  = "DataNascita"
)

var gridLabels = map[string]Text{
	GridFiscalCode: {IT: "Codice fiscale del minore", EN: "The child's codice fiscale"},
	GridBirthDate:  {IT: "Data di nascita del minore", EN: "The child's date of birth"},
}

// GridEvidence is the case-record field whose answers show whether an office
// records datum f: f itself, AnnoNascita for the date of birth, "" for the
// codice fiscale (the coordinators never see it).
func GridEvidence(f string) string {
	switch f {
	case GridFiscalCode:
		return ""
	case GridBirthDate:
		return "AnnoNascita"
	}
	return f
}

// GridLabel is the name of datum f: the label of the case-record question,
// or of the datum the case record does not keep.
func GridLabel(caseIn *Instrument, f string) Text {
	if t, ok := gridLabels[f]; ok {
		return t
	}
	if caseIn != nil {
		if q, ok := caseIn.Question(f); ok {
			return q.Label
		}
	}
	return Text{IT: f, EN: f}
}
