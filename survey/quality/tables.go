package quality

import (
	"encoding/csv"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"sinba/survey"
)

// DefaultThreshold is the smallest count a published table shows when no
// other threshold is chosen: cells of 1 and 2 children are suppressed.
const DefaultThreshold = 3

// Row codes of a table beside those of the code list.
const (
	RowNotHeld = "_nd" // the office does not hold the datum
	RowMissing = "_nr" // no answer
	// RowNotInVersion counts the records whose instrument version does
	// not have the question.
	RowNotInVersion = "_nv"
)

// Heading is a row or column of a table.
type Heading struct {
	Code  string      `json:"code"`
	Label survey.Text `json:"label"`
}

// Table is an aggregated table of case records: rows are the classes of a
// variable, columns the pilot municipalities. Cells has one more row and one
// more column than Rows and Cols: the totals, last. Where a child can fall in
// more than one row (benefit codes), totals count mentions, not children:
// Note says so.
type Table struct {
	ID    string      `json:"id"`
	Title survey.Text `json:"title"`
	Note  survey.Text `json:"note,omitempty"`
	Rows  []Heading   `json:"rows"`
	Cols  []Heading   `json:"cols"`
	Cells [][]int     `json:"cells"`
	// Hidden marks the suppressed cells, same shape as Cells; nil when the
	// table is not protected. Threshold is the k it was protected with.
	Hidden    [][]bool `json:"hidden,omitempty"`
	Threshold int      `json:"threshold,omitempty"`
}

// IsHidden reports whether cell (i, j) is suppressed.
func (t *Table) IsHidden(i, j int) bool {
	return t.Hidden != nil && t.Hidden[i][j]
}

// Cell returns the text of cell (i, j) as published: the count, or "·" where
// it is suppressed.
func (t *Table) Cell(i, j int) string {
	if t.IsHidden(i, j) {
		return "·"
	}
	return strconv.Itoa(t.Cells[i][j])
}

type tableSpec struct {
	id       string
	title    survey.Text
	note     survey.Text
	rows     []Heading
	classify func(v *caseView) []string // row codes; none leaves the record out
}

var (
	headNotHeld      = Heading{RowNotHeld, survey.Text{IT: "Dato non disponibile presso l'ufficio", EN: "Not held by the office"}}
	headMissing      = Heading{RowMissing, survey.Text{IT: "Non indicato", EN: "Not given"}}
	headNotInVersion = Heading{RowNotInVersion, survey.Text{IT: "Domanda non presente nella versione della scheda", EN: "Question not in the record's version"}}
)

// ownID is the id in the version of v's record of the case record's field
// whose newest id is id, through the versions' migrations; "" when that
// version does not have it. An id the newest version lacks is read as it is.
func ownID(u *survey.Union, v *caseView, id string) string {
	uf, ok := u.Field(u.Latest().Version, id)
	if !ok {
		return id
	}
	q, ok := uf.In(v.in.Version)
	if !ok {
		return ""
	}
	return q.ID
}

// codeSpec tabulates a single or multi question of the newest version of u
// over the records it applies to, in every version of u: a row per code any
// version had (a code not every version has says which), a row for "not
// held", one for "not given", and one for the records of a version without
// the question, when there is one.
func codeSpec(u *survey.Union, id string, missing *Heading) (tableSpec, bool) {
	uf, ok := u.Field(u.Latest().Version, id)
	if !ok {
		return tableSpec{}, false
	}
	q := uf.Question()
	if q.Type != survey.TypeSingle && q.Type != survey.TypeMulti {
		return tableSpec{}, false
	}
	s := tableSpec{id: id, title: q.Label}
	for _, c := range u.Codes(uf) {
		h := Heading{c.Code.Code, c.Label}
		if len(c.Versions) < len(uf.Versions) {
			vs := versionsText(c.Versions)
			h.Label = survey.Text{IT: h.Label.IT + " (solo versioni " + vs + ")", EN: h.Label.In("en") + " (versions " + vs + " only)"}
		}
		if e := c.EarlierLabels(); e != "" {
			h.Label = survey.Text{IT: h.Label.IT + " [" + e + "]", EN: h.Label.In("en") + " [" + e + "]"}
		}
		s.rows = append(s.rows, h)
	}
	mh := headMissing
	if missing != nil {
		mh = *missing
	}
	s.rows = append(s.rows, headNotHeld, mh)
	if len(uf.Versions) < len(u.Versions) {
		s.rows = append(s.rows, headNotInVersion)
	}
	s.note = survey.Text{IT: "Schede in cui la domanda si applica.", EN: "Records to which the question applies."}
	if q.Type == survey.TypeMulti {
		s.note = survey.Text{IT: "Schede in cui la domanda si applica; un minore può contare in più righe: i totali contano le menzioni.",
			EN: "Records to which the question applies; a child may count in several rows: totals count mentions."}
	}
	s.classify = func(v *caseView) []string {
		q, ok := uf.In(v.in.Version)
		if !ok {
			return []string{RowNotInVersion}
		}
		id := q.ID
		if !v.rel[id] {
			return nil
		}
		if codes := codesOf(v.ans[id]); len(codes) > 0 {
			return codes
		}
		if v.meta[id].NotHeld {
			return []string{RowNotHeld}
		}
		return []string{mh.Code}
	}
	return s, true
}

// versionsText is "1, 2".
func versionsText(vs []int) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ", ")
}

func codesOf(v any) []string {
	switch x := v.(type) {
	case string:
		if x != "" {
			return []string{x}
		}
	case []any:
		var out []string
		for _, c := range x {
			if s, ok := c.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// ageClasses are the classes of completed age of the pilot's tables.
var ageClasses = []struct {
	from, to int
	head     Heading
}{
	{0, 2, Heading{"0-2", survey.Text{IT: "0-2 anni", EN: "0-2 years"}}},
	{3, 5, Heading{"3-5", survey.Text{IT: "3-5 anni", EN: "3-5 years"}}},
	{6, 10, Heading{"6-10", survey.Text{IT: "6-10 anni", EN: "6-10 years"}}},
	{11, 14, Heading{"11-14", survey.Text{IT: "11-14 anni", EN: "11-14 years"}}},
	{15, 17, Heading{"15-17", survey.Text{IT: "15-17 anni", EN: "15-17 years"}}},
	{18, 200, Heading{"18+", survey.Text{IT: "18 anni e oltre", EN: "18 years and over"}}},
}

func ageSpec(u *survey.Union) tableSpec {
	s := tableSpec{id: "ClasseEta", title: survey.Text{IT: "Minori per classe di età", EN: "Children by age class"},
		note: survey.Text{IT: "Età alla data di riferimento dall'anno di nascita: l'età compiuta nell'anno, meno uno nel primo semestre.",
			EN: "Age at the reference date from the year of birth: the age reached in the year, less one in the first half-year."}}
	for _, c := range ageClasses {
		s.rows = append(s.rows, c.head)
	}
	s.rows = append(s.rows, headNotHeld, headMissing)
	s.classify = func(v *caseView) []string {
		id := ownID(u, v, "AnnoNascita")
		y, ok := v.ans[id].(int)
		if !ok {
			if v.meta[id].NotHeld {
				return []string{RowNotHeld}
			}
			return []string{RowMissing}
		}
		age := v.ref.Year() - y
		if v.ref.Month() < time.July {
			age--
		}
		for _, c := range ageClasses {
			if age >= c.from && age <= c.to {
				return []string{c.head.Code}
			}
		}
		return []string{RowMissing}
	}
	return s
}

// Citizenship classes, from the parents' citizenship.
const (
	CitizenItalian = "IT"
	CitizenForeign = "ST"
	CitizenUnknown = "ND"
	countryItaly   = "380"
)

func citizenshipSpec(u *survey.Union) tableSpec {
	return tableSpec{id: "Cittadinanza", title: survey.Text{IT: "Minori per cittadinanza", EN: "Children by citizenship"},
		note: survey.Text{
			IT: "Italiana se almeno un genitore è cittadino italiano (la cittadinanza si trasmette per filiazione, L. 91/1992); straniera se è un minore straniero non accompagnato o se è nota la cittadinanza di almeno un genitore e nessuno è italiano; altrimenti non determinabile.",
			EN: "Italian when at least one parent is an Italian citizen (citizenship passes by descent, Law 91/1992); foreign for an unaccompanied foreign minor, or when at least one parent's citizenship is known and neither is Italian; otherwise unknown."},
		rows: []Heading{
			{CitizenItalian, survey.Text{IT: "Italiana", EN: "Italian"}},
			{CitizenForeign, survey.Text{IT: "Straniera", EN: "Foreign"}},
			{CitizenUnknown, survey.Text{IT: "Non determinabile", EN: "Unknown"}},
		},
		classify: func(v *caseView) []string {
			known := false
			for _, f := range []string{ownID(u, v, "CodiceCittadinanzaMadre"), ownID(u, v, "CodiceCittadinanzaPadre")} {
				c, _ := v.ans[f].(string)
				if !v.rel[f] || c == "" || c == survey.CountryNotAvailable {
					continue
				}
				if c == countryItaly {
					return []string{CitizenItalian}
				}
				known = true
			}
			if known || v.ans[ownID(u, v, "MinoreStranieroNoAcc")] == "1" {
				return []string{CitizenForeign}
			}
			return []string{CitizenUnknown}
		}}
}

func prestazioniSpec(u *survey.Union) (tableSpec, bool) {
	s, ok := codeSpec(u, survey.FieldPrestazioni, &Heading{RowMissing, survey.Text{IT: "Nessuna prestazione indicata", EN: "No benefit given"}})
	if !ok {
		return s, false
	}
	s.title = survey.Text{IT: "Prestazioni erogate (codici)", EN: "Benefits given (codes)"}
	s.note = survey.Text{IT: "Codici di CodicePrestazione e del dettaglio degli interventi, come nel flusso SINBA; un minore può contare in più righe: i totali contano le menzioni.",
		EN: "Codes of CodicePrestazione and of the intervention details, as in the SINBA flow; a child may count in several rows: totals count mentions."}
	s.classify = func(v *caseView) []string {
		if codes := survey.Prestazioni(v.in, v.rec); len(codes) > 0 {
			return codes
		}
		if v.meta[survey.FieldPrestazioni].NotHeld {
			return []string{RowNotHeld}
		}
		return []string{RowMissing}
	}
	return s, true
}

// Results builds the aggregated tables of the case records at reference
// date ref (zero means today), unprotected: pass each through Protect before
// it leaves the coordinators.
func Results(reg *survey.Registry, recs []survey.Record, ref time.Time) []Table {
	if ref.IsZero() {
		ref = time.Now()
	}
	return results(reg, evaluate(reg, recs, ref, false))
}

func results(reg *survey.Registry, all []caseView) []Table {
	latest, ok := reg.Latest(survey.InstrumentCase)
	if !ok {
		return nil
	}
	// The case records' fields across the versions of the records.
	versions := []int{latest.Version}
	for k := range all {
		if v := &all[k]; v.err == nil && v.in.ID == survey.InstrumentCase && !containsInt(versions, v.in.Version) {
			versions = append(versions, v.in.Version)
		}
	}
	u, err := reg.Union(survey.InstrumentCase, versions...)
	if err != nil {
		return nil
	}
	var specs []tableSpec
	add := func(s tableSpec, ok bool) {
		if ok {
			specs = append(specs, s)
		}
	}
	open := Heading{RowMissing, survey.Text{IT: "Non indicato (presa in carico in corso)", EN: "Not given (case still open)"}}
	add(codeSpec(u, "FasciaEtaBeneficiario", nil))
	add(ageSpec(u), true)
	add(citizenshipSpec(u), true)
	for _, id := range []string{"LuogoVita", "ValutazioneMinore", "ValutazioneFamigliaMinore"} {
		add(codeSpec(u, id, nil))
	}
	add(prestazioniSpec(u))
	for _, id := range []string{"ProvvedimentoGiudiziario", "TipoProvvedimentoGiudiziario",
		"FormaInterventoAffido", "TipoInterventoAffido", "FormaInserimentoResidenziale", "TipoInserimentoResidenziale"} {
		add(codeSpec(u, id, nil))
	}
	add(codeSpec(u, "MotivazioneChiusuraCarico", &open))

	// Columns: every municipality with case records.
	var views []*caseView
	cols := map[string]bool{}
	for k := range all {
		v := &all[k]
		if v.err != nil || v.in.ID != survey.InstrumentCase {
			continue
		}
		views = append(views, v)
		cols[v.rec.Municipality] = true
	}
	var colHeads []Heading
	for c := range cols {
		h := Heading{Code: c, Label: survey.Text{IT: c}}
		if r := latest.Reference(); r != nil {
			if m, ok := r.Municipality(c); ok {
				h.Label = survey.Text{IT: m.Name}
			}
		}
		colHeads = append(colHeads, h)
	}
	sort.Slice(colHeads, func(i, j int) bool { return colHeads[i].Code < colHeads[j].Code })
	colIndex := map[string]int{}
	for j, h := range colHeads {
		colIndex[h.Code] = j
	}
	tables := make([]Table, 0, len(specs))
	for _, s := range specs {
		t := Table{ID: s.id, Title: s.title, Note: s.note, Rows: s.rows, Cols: colHeads}
		rowIndex := map[string]int{}
		for i, h := range s.rows {
			rowIndex[h.Code] = i
		}
		R, C := len(s.rows), len(colHeads)
		t.Cells = make([][]int, R+1)
		for i := range t.Cells {
			t.Cells[i] = make([]int, C+1)
		}
		for _, v := range views {
			j := colIndex[v.rec.Municipality]
			for _, code := range s.classify(v) {
				i, ok := rowIndex[code]
				if !ok {
					continue // a code no longer in the list: the critical points show it
				}
				t.Cells[i][j]++
				t.Cells[i][C]++
				t.Cells[R][j]++
				t.Cells[R][C]++
			}
		}
		tables = append(tables, t)
	}
	return tables
}

// Protect returns a copy of t fit for publication with threshold k (k < 1
// means DefaultThreshold).
//
// Primary suppression hides every cell, totals included, with a count from 1
// to k-1: zero is shown, since an empty class discloses nobody. Secondary
// suppression then makes sure no hidden cell can be worked out from its row
// or its column: every row and column (each a sum of its cells equal to its
// total) that has exactly one hidden cell gets a second one, the smallest
// non-zero cell of that line (a zero if there is none, the line's total if
// nothing else is left), until no line has exactly one. This is the usual
// rule for two-way tables with margins; it does not audit combinations of
// several lines (an interval audit by linear programming, as τ-ARGUS does),
// which tables as small as the pilot's do not warrant.
func Protect(t Table, k int) Table {
	if k < 1 {
		k = DefaultThreshold
	}
	out := t
	out.Threshold = k
	out.Cells = make([][]int, len(t.Cells))
	out.Hidden = make([][]bool, len(t.Cells))
	for i := range t.Cells {
		out.Cells[i] = append([]int(nil), t.Cells[i]...)
		out.Hidden[i] = make([]bool, len(t.Cells[i]))
		for j, n := range t.Cells[i] {
			out.Hidden[i][j] = n > 0 && n < k
		}
	}
	R := len(out.Cells) - 1
	if R < 0 {
		return out
	}
	C := len(out.Cells[0]) - 1
	type cell struct{ i, j int }
	// complement hides one more cell of a line; the last cell of a line is
	// its total.
	complement := func(line []cell) bool {
		best := -1
		for pass := 0; pass < 3 && best < 0; pass++ {
			for n, c := range line {
				total := n == len(line)-1
				v := out.Cells[c.i][c.j]
				if out.Hidden[c.i][c.j] {
					continue
				}
				ok := (pass == 0 && !total && v > 0) || (pass == 1 && !total) || pass == 2
				if ok && (best < 0 || v < out.Cells[line[best].i][line[best].j]) {
					best = n
				}
			}
		}
		if best < 0 {
			return false
		}
		out.Hidden[line[best].i][line[best].j] = true
		return true
	}
	for changed := true; changed; {
		changed = false
		lines := make([][]cell, 0, R+C+2)
		for i := 0; i <= R; i++ {
			line := make([]cell, 0, C+1)
			for j := 0; j <= C; j++ {
				line = append(line, cell{i, j})
			}
			lines = append(lines, line)
		}
		for j := 0; j <= C; j++ {
			line := make([]cell, 0, R+1)
			for i := 0; i <= R; i++ {
				line = append(line, cell{i, j})
			}
			lines = append(lines, line)
		}
		for _, line := range lines {
			hidden := 0
			for _, c := range line {
				if out.Hidden[c.i][c.j] {
					hidden++
				}
			}
			if hidden == 1 && complement(line) {
				changed = true
			}
		}
	}
	return out
}

// WriteCSV writes the table as published: a row per class with its code and
// Italian label, a column per municipality and the totals, suppressed cells
// as "·" (the table must have been through Protect to be published).
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{"codice", "voce"}
	for _, c := range t.Cols {
		head = append(head, c.Label.IT)
	}
	head = append(head, "Totale")
	if err := cw.Write(head); err != nil {
		return err
	}
	for i := range t.Cells {
		row := []string{"", "Totale"}
		if i < len(t.Rows) {
			row = []string{t.Rows[i].Code, t.Rows[i].Label.IT}
		}
		for j := range t.Cells[i] {
			row = append(row, t.Cell(i, j))
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
