package quality

import (
	"strings"

	"sinba/survey"
)

// The Scheda Comune asks, for every field X of the SINBA data set, "does the
// office record X?" in a question RilevaX whose codes are those of its
// Frequenza list.
const (
	gridPrefix = "Rileva"
	// Declared answers of the grid.
	DeclaredAlways    = "1"
	DeclaredSometimes = "2"
	DeclaredNever     = "3"
	// DeclaredNotHeld is a grid question marked "not held"; DeclaredNone
	// is an unanswered one, or a municipality without a Scheda Comune.
	DeclaredNotHeld = "nd"
	DeclaredNone    = ""
)

// Verdict says how a declaration of the grid compares with the case records.
type Verdict string

// The verdicts.
const (
	VerdictConsistent Verdict = "consistent" // what the records show fits the declaration
	VerdictDiscordant Verdict = "discordant" // the records contradict the declaration
	VerdictNoEvidence Verdict = "no_evidence"
)

// GridCell is one municipality's declaration about one field, beside what its
// case records contain.
type GridCell struct {
	Municipality string      `json:"municipality"`
	Declared     string      `json:"declared"` // a Declared* value
	DeclaredText survey.Text `json:"declared_text"`
	Observed     Counts      `json:"observed"` // the field in the municipality's case records
	Verdict      Verdict     `json:"verdict"`
}

// GridRow is one field of the data set across the municipalities, in the
// order of Report.Municipalities.
type GridRow struct {
	Field string      `json:"field"`
	Label survey.Text `json:"label"`
	Cells []GridCell  `json:"cells"`
}

func buildGrid(reg *survey.Registry, rep *Report, questionnaires map[string]*survey.Record, tol float64) []GridRow {
	mun, ok := reg.Latest(survey.InstrumentMunicipality)
	if !ok {
		return nil
	}
	cases, ok := rep.Instrument(survey.InstrumentCase)
	var caseIn *survey.Instrument
	if in, found := reg.Latest(survey.InstrumentCase); found {
		caseIn = in
	}
	var rows []GridRow
	for _, q := range mun.Questions() {
		target := strings.TrimPrefix(q.ID, gridPrefix)
		if target == q.ID || q.Type != survey.TypeSingle || caseIn == nil {
			continue
		}
		tq, found := caseIn.Question(target)
		if !found {
			continue
		}
		row := GridRow{Field: target, Label: tq.Label}
		var observed *FieldStats
		if ok {
			observed, _ = cases.Field(target)
		}
		codes := mun.Codelist(q)
		for _, m := range rep.Municipalities {
			cell := GridCell{Municipality: m.Code, Declared: DeclaredNone}
			if rec := questionnaires[m.Code]; rec != nil {
				if c, isCode := rec.Answers[q.ID].(string); isCode && strings.TrimSpace(c) != "" {
					cell.Declared = strings.TrimSpace(c)
					if codes != nil {
						if cl, known := codes.Get(cell.Declared); known {
							cell.DeclaredText = cl.Label
						}
					}
				} else if rec.Meta[q.ID].NotHeld {
					cell.Declared = DeclaredNotHeld
					cell.DeclaredText = survey.Text{IT: "dato non disponibile", EN: "not held"}
				}
			}
			if observed != nil {
				cell.Observed = observed.ByMunicipality[m.Code]
			}
			cell.Verdict = verdict(cell.Declared, cell.Observed, tol)
			row.Cells = append(row.Cells, cell)
		}
		rows = append(rows, row)
	}
	return rows
}

// verdict compares a declaration with the share of applicable case records
// that hold an answer. "Sometimes" fits any share.
func verdict(declared string, c Counts, tol float64) Verdict {
	if c.Applicable == 0 {
		return VerdictNoEvidence
	}
	share := c.AnsweredRate()
	switch declared {
	case DeclaredAlways:
		if share < 1-tol {
			return VerdictDiscordant
		}
	case DeclaredNever:
		if share > tol {
			return VerdictDiscordant
		}
	case DeclaredSometimes:
	default:
		return VerdictNoEvidence
	}
	return VerdictConsistent
}
