package quality

import (
	"strings"

	"sinba/survey"
)

// The Scheda Comune grid asks, for every datum of the data set, whether the
// office records it (see survey.GridField); a cell reads each questionnaire
// with its own instrument version.
const (
	// Declared answers of the grid.
	DeclaredAlways        = string(survey.RecordsAlways)
	DeclaredSometimes     = string(survey.RecordsSometimes)
	DeclaredNever         = string(survey.RecordsNever)
	DeclaredNotApplicable = string(survey.RecordsNotApplicable)
	// DeclaredNotHeld is a grid question marked "not held"; DeclaredNone
	// is an unanswered one (or a code outside the list), or a municipality
	// without a Scheda Comune.
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
	Declared     string      `json:"declared"`   // a Declared* value
	Code         string      `json:"code"`       // the answer as given
	PaperOnly    bool        `json:"paper_only"` // recorded on paper only (version 2 on)
	DeclaredText survey.Text `json:"declared_text"`
	Observed     Counts      `json:"observed"` // the field in the municipality's case records
	Verdict      Verdict     `json:"verdict"`
}

// GridRow is one datum of the data set across the municipalities, in the
// order of Report.Municipalities. Evidence is the case-record field its
// declarations are compared with ("" when the records cannot show it).
type GridRow struct {
	Field    string      `json:"field"`
	Label    survey.Text `json:"label"`
	Evidence string      `json:"evidence,omitempty"`
	Cells    []GridCell  `json:"cells"`
}

func buildGrid(reg *survey.Registry, rep *Report, questionnaires map[string]*survey.Record, tol float64) []GridRow {
	mun, ok := reg.Latest(survey.InstrumentMunicipality)
	if !ok {
		return nil
	}
	cases, haveCases := rep.Instrument(survey.InstrumentCase)
	caseIn, _ := reg.Latest(survey.InstrumentCase)
	// The grid questions of each questionnaire's own version.
	grids := map[string]map[string]*survey.Question{}
	versions := map[string]*survey.Instrument{}
	for code, rec := range questionnaires {
		if in, err := reg.ForRecord(rec); err == nil {
			grids[code], versions[code] = survey.GridQuestions(in), in
		}
	}
	var rows []GridRow
	for _, q := range mun.Questions() {
		field, isGrid := survey.GridField(q)
		if !isGrid {
			continue
		}
		evidence := survey.GridEvidence(field)
		if evidence != "" && caseIn != nil {
			if _, found := caseIn.Question(evidence); !found {
				evidence = ""
			}
		}
		row := GridRow{Field: field, Label: survey.GridLabel(caseIn, field), Evidence: evidence}
		var observed *FieldStats
		if haveCases && evidence != "" {
			observed, _ = cases.Field(evidence)
		}
		for _, m := range rep.Municipalities {
			cell := GridCell{Municipality: m.Code, Declared: DeclaredNone}
			if rec, gq := questionnaires[m.Code], grids[m.Code][field]; rec != nil && gq != nil {
				code, _ := rec.Answers[gq.ID].(string)
				code = strings.TrimSpace(code)
				switch a, known := survey.ReadGridAnswer(gq, code); {
				case known:
					cell.Declared, cell.Code, cell.PaperOnly = string(a.Recording), code, a.PaperOnly
					if c, found := versions[m.Code].Codelist(gq).Get(code); found {
						cell.DeclaredText = c.Label
					}
				case code == "" && rec.Meta[gq.ID].NotHeld:
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
// that hold an answer. "Sometimes" fits any share; "not applicable" is
// contradicted by any record the field applies to.
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
	case DeclaredNotApplicable:
		return VerdictDiscordant
	case DeclaredSometimes:
	default:
		return VerdictNoEvidence
	}
	return VerdictConsistent
}
