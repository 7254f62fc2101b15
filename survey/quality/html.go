package quality

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"sinba/survey"
)

// The report is rendered by html/template, whose contextual escaping keeps
// every text that comes from the records (municipality names, notes,
// critical points, team names) or from a published instrument (labels,
// titles, rule names) as text: none of it can become markup in a page a
// coordinator opens in a browser. The data is prepared below as plain
// values; the template holds all the markup.

//go:embed report.html.tmpl
var reportSource string

var reportTemplate = template.Must(template.New("report").Parse(reportSource))

// pct writes a share as a percentage with the Italian decimal comma.
func pct(f float64) string {
	return strings.Replace(strconv.FormatFloat(f*100, 'f', 1, 64), ".", ",", 1) + "%"
}

// Colours of the charts, readable in grey when printed.
const (
	colMissing = "#d95f02"
	colNotHeld = "#7570b3"
	colError   = "#c2185b"
	colLine    = "#1f78b4"
)

var statusColour = map[survey.Status]string{
	survey.StatusDraft: "#bdbdbd", survey.StatusFinal: "#1b9e77",
	survey.StatusReturned: "#d95f02", survey.StatusApproved: "#1f78b4",
}

var verdictText = map[Verdict]survey.Text{
	VerdictConsistent: {IT: "coerente", EN: "consistent"},
	VerdictDiscordant: {IT: "discorde", EN: "discordant"},
	VerdictNoEvidence: {IT: "senza riscontro", EN: "no evidence"},
}

// WriteHTML writes the report as one self-contained HTML page: inline CSS
// (with rules for printing on A4, so the page can be printed or saved as
// PDF from any browser) and inline SVG charts, no scripts, nothing fetched.
func WriteHTML(w io.Writer, r Report) error {
	bw := bufio.NewWriter(w)
	if err := reportTemplate.Execute(bw, buildView(&r)); err != nil {
		return err
	}
	return bw.Flush()
}

// The values the template renders.
type (
	reportView struct {
		Ref, Generated string
		Summary        summaryView
		Progress       *progressView
		Critical       []criticalView
		Grid           *gridView
		Notes          *notesView
		Tables         *tablesView
		Method         []survey.Text
	}
	summaryView struct {
		Municipalities        []Municipality
		Cases, Questionnaires int
		Skipped               []Skipped
		Warnings              []survey.Text
	}
	legendItem struct {
		Colour string // a colour of this file, never data
		Text   survey.Text
	}
	countRow struct {
		Label string
		Total bool
		Cells []int
	}
	progressTable struct {
		Title survey.Text
		Rows  []countRow
	}
	progressView struct {
		Legend   []legendItem
		Chart    *chart
		Statuses []survey.Text
		Tables   []progressTable
		Weeks    *weeksView
	}
	weekRow struct {
		Label string
		Cells []int
	}
	weeksView struct {
		Chart *chart
		Heads []survey.Text
		Rows  []weekRow
	}
	fieldRow struct {
		ID                     string
		Required               bool
		Label                  string
		Applicable, Answered   int
		Missing, NotHeld       int
		MissingPct, NotHeldPct string
		Errors, Warnings       int
		Notes                  int
	}
	reasonRow struct {
		Label   string
		NotHeld int
		By      []int
		Total   bool
	}
	reasonTable struct {
		First survey.Text
		Heads []survey.Text
		Rows  []reasonRow
	}
	reasonsView struct {
		ByField        reasonTable
		ByMunicipality *reasonTable
	}
	heatCell struct {
		Empty      bool
		Background string // computed by heat from a share
		Text       string
	}
	heatRow struct {
		ID    string
		Cells []heatCell
	}
	heatView struct {
		Heads []string
		Rows  []heatRow
	}
	ruleRow struct {
		Rule     string
		Severity survey.Text
		Units    int
	}
	// versionCell is a field's figures in one version; Absent when the
	// version does not have the field.
	versionCell struct {
		Absent                              bool
		Applicable, Answered, NotHeld       int
		Missing, Errors, Warnings           int
		AnsweredPct, NotHeldPct, MissingPct string
		Reasons                             string
	}
	versionRow struct {
		ID, Label, Earlier string
		History            survey.Text
		Cells              []versionCell
	}
	versionsView struct {
		Heads []string
		Rows  []versionRow
	}
	criticalView struct {
		Title          survey.Text
		Records        int
		Versions       string
		Legend         []legendItem
		Chart          *chart
		Fields         []fieldRow
		ByVersion      *versionsView
		Reasons        *reasonsView
		ByMunicipality *heatView
		Rules          []ruleRow
	}
	verdictLegend struct {
		Class string
		Text  survey.Text
	}
	gridCellView struct{ Class, Text string }
	gridRowView  struct {
		Label, Field string
		Cells        []gridCellView
	}
	gridView struct {
		Intro      survey.Text
		Legend     []verdictLegend
		Heads      []string
		Rows       []gridRowView
		Discordant survey.Text
	}
	municipalityNote struct{ Label, Text string }
	noteView         struct{ Municipality, RecordID, Text string }
	fieldNotes       struct {
		Title string
		Notes []noteView
	}
	notesView struct {
		Municipalities []municipalityNote
		Fields         []fieldNotes
	}
	tableCell struct {
		Hidden bool
		N      int
	}
	tableRow struct {
		Label survey.Text
		Total bool
		Cells []tableCell
	}
	tableView struct {
		Title survey.Text
		Cols  []string
		Rows  []tableRow
		Note  survey.Text
	}
	tablesView struct {
		Intro  survey.Text
		Tables []tableView
	}
)

func buildView(r *Report) reportView {
	v := reportView{
		Ref:       r.Ref.Format("02/01/2006"),
		Generated: r.Generated.Format("02/01/2006 15:04"),
		Summary:   summaryView{Municipalities: r.Municipalities, Skipped: r.Skipped, Warnings: r.Warnings},
		Method:    methodItems(r),
	}
	for _, m := range r.Municipalities {
		v.Summary.Cases += m.Cases
		v.Summary.Questionnaires += m.Questionnaires
	}
	if r.Progress != nil {
		v.Progress = progressOf(r.Progress)
	}
	for i := range r.Instruments {
		v.Critical = append(v.Critical, criticalOf(r, &r.Instruments[i]))
	}
	if len(r.Grid) > 0 {
		v.Grid = gridOf(r)
	}
	v.Notes = notesOf(r)
	if len(r.Tables) > 0 {
		v.Tables = tablesOf(r)
	}
	return v
}

func statusLegend() []legendItem {
	var out []legendItem
	for _, st := range Statuses {
		out = append(out, legendItem{statusColour[st], st.Label()})
	}
	return out
}

var criticalLegend = []legendItem{
	{colMissing, survey.Text{IT: "risposta mancante", EN: "missing answer"}},
	{colNotHeld, survey.Text{IT: "dato non disponibile presso l'ufficio", EN: "not held by the office"}},
	{colError, survey.Text{IT: "schede con errori (barra sottile)", EN: "records with errors (thin bar)"}},
}

func progressOf(pr *Progress) *progressView {
	v := &progressView{Legend: statusLegend()}
	var bars []bar
	for _, r := range pr.ByMunicipality {
		b := bar{label: r.Label}
		for _, st := range Statuses {
			b.segs = append(b.segs, seg{float64(r.Cases[st]), statusColour[st]})
		}
		bars = append(bars, b)
	}
	max := 0.0
	for _, b := range bars {
		max = math.Max(max, b.total())
	}
	v.Chart = hbarChart(bars, max, false)
	for _, st := range Statuses {
		v.Statuses = append(v.Statuses, st.Label())
	}
	table := func(title survey.Text, rows []ProgressRow) progressTable {
		t := progressTable{Title: title}
		for _, r := range append(rows, pr.Total) {
			row := countRow{Label: r.Label, Total: r.Key == "" && r.Label == "Totale"}
			for _, st := range Statuses {
				row.Cells = append(row.Cells, r.Cases[st])
			}
			row.Cells = append(row.Cells, r.Cases.Total(), r.Questionnaires.Total())
			t.Rows = append(t.Rows, row)
		}
		return t
	}
	v.Tables = []progressTable{
		table(survey.Text{IT: "Per comune (schede minore per stato)", EN: "By municipality (case records by state)"}, pr.ByMunicipality),
		table(survey.Text{IT: "Per squadra", EN: "By team"}, pr.ByTeam),
	}
	if len(pr.Weeks) > 0 {
		wv := &weeksView{}
		var pts []point
		for _, w := range pr.Weeks {
			pts = append(pts, point{w.Label, float64(w.Cumulative)})
		}
		wv.Chart = lineChart(pts)
		for _, st := range Statuses {
			wv.Heads = append(wv.Heads, survey.Text{IT: "Ultima modifica: " + strings.ToLower(st.Label().IT), EN: "Last change: " + strings.ToLower(st.Label().EN)})
		}
		for _, w := range pr.Weeks {
			row := weekRow{Label: w.Label, Cells: []int{w.Created, w.Cumulative}}
			for _, st := range Statuses {
				row.Cells = append(row.Cells, w.Changed[st])
			}
			wv.Rows = append(wv.Rows, row)
		}
		v.Weeks = wv
	}
	return v
}

func criticalOf(r *Report, ir *InstrumentReport) criticalView {
	versions := make([]string, len(ir.Versions))
	for i, n := range ir.Versions {
		versions[i] = strconv.Itoa(n)
	}
	v := criticalView{
		Title:    survey.Text{IT: "Punti critici: " + ir.Title.IT, EN: "Critical points: " + ir.Title.In("en")},
		Records:  ir.Records,
		Versions: strings.Join(versions, ", "),
		Legend:   criticalLegend,
	}
	var bars []bar
	for _, f := range ir.Fields {
		if f.Total.Applicable == 0 && f.Total.Errors == 0 {
			continue
		}
		bars = append(bars, bar{label: chartLabel(f.Label.IT, f.ID), segs: []seg{{f.Total.MissingRate(), colMissing}, {f.Total.NotHeldRate(), colNotHeld}},
			under: &seg{f.Total.ErrorRate(), colError}})
	}
	v.Chart = hbarChart(bars, 1, true)
	for _, f := range ir.Fields {
		c := f.Total
		v.Fields = append(v.Fields, fieldRow{
			ID: f.ID, Required: f.Required, Label: f.Label.IT,
			Applicable: c.Applicable, Answered: c.Answered,
			Missing: c.Missing, MissingPct: pct(c.MissingRate()), NotHeld: c.NotHeld, NotHeldPct: pct(c.NotHeldRate()),
			Errors: c.Errors, Warnings: c.Warnings, Notes: len(f.Notes),
		})
	}
	if len(ir.Versions) > 1 {
		v.ByVersion = versionsOf(ir)
	}
	v.Reasons = reasonsOf(r, ir)
	if ir.ID == survey.InstrumentCase && len(r.Municipalities) > 0 {
		v.ByMunicipality = heatOf(r, ir)
	}
	v.Rules = rulesOf(ir)
	return v
}

// versionsOf is every field's figures in each version with records, side by
// side, with what the migrations did to the field.
func versionsOf(ir *InstrumentReport) *versionsView {
	v := &versionsView{}
	for _, n := range ir.Versions {
		v.Heads = append(v.Heads, fmt.Sprintf("v%d · %d", n, ir.RecordsByVersion[n]))
	}
	for _, f := range ir.Fields {
		row := versionRow{ID: f.ID, Label: f.Label.IT, History: f.History}
		for i, e := range f.EarlierIDs {
			if i > 0 {
				row.Earlier += ", "
			}
			row.Earlier += e.String()
		}
		for _, n := range ir.Versions {
			c, ok := f.ByVersion[n]
			if !containsInt(f.Versions, n) || !ok {
				row.Cells = append(row.Cells, versionCell{Absent: !containsInt(f.Versions, n)})
				continue
			}
			var reasons []string
			for i, r := range survey.NotHeldReasons {
				if k := c.NotHeldBy[i]; k > 0 {
					reasons = append(reasons, fmt.Sprintf("%s %d", r.Short().IT, k))
				}
			}
			row.Cells = append(row.Cells, versionCell{Applicable: c.Applicable, Answered: c.Answered, NotHeld: c.NotHeld,
				Missing: c.Missing, Errors: c.Errors, Warnings: c.Warnings, AnsweredPct: pct(c.AnsweredRate()),
				NotHeldPct: pct(c.NotHeldRate()), MissingPct: pct(c.MissingRate()), Reasons: strings.Join(reasons, ", ")})
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

// reasonsOf is the "not held" marks by reason: per field, then per
// municipality over every field; nil when there are none.
func reasonsOf(r *Report, ir *InstrumentReport) *reasonsView {
	total := 0
	for _, f := range ir.Fields {
		total += f.Total.NotHeld
	}
	if total == 0 {
		return nil
	}
	var heads []survey.Text
	for _, reason := range survey.NotHeldReasons {
		heads = append(heads, reason.Short())
	}
	row := func(label string, n int, by survey.ReasonCounts, total bool) reasonRow {
		return reasonRow{Label: label, NotHeld: n, By: by[:], Total: total}
	}
	v := &reasonsView{ByField: reasonTable{First: survey.Text{IT: "Campo", EN: "Field"}, Heads: heads}}
	var all Counts
	for _, f := range ir.Fields {
		if f.Total.NotHeld == 0 {
			continue
		}
		v.ByField.Rows = append(v.ByField.Rows, row(f.ID+": "+f.Label.IT, f.Total.NotHeld, f.Total.NotHeldBy, false))
		all.add(f.Total)
	}
	v.ByField.Rows = append(v.ByField.Rows, row("Totale", all.NotHeld, all.NotHeldBy, true))
	if len(r.Municipalities) == 0 {
		return v
	}
	t := &reasonTable{First: survey.Text{IT: "Comune", EN: "Municipality"}, Heads: heads}
	by := ir.NotHeldByMunicipality()
	for _, m := range r.Municipalities {
		c := by[m.Code]
		n := 0
		for _, k := range c {
			n += k
		}
		if n > 0 {
			t.Rows = append(t.Rows, row(m.Label(), n, c, false))
		}
	}
	t.Rows = append(t.Rows, row("Totale", all.NotHeld, by[""], true))
	v.ByMunicipality = t
	return v
}

// heatOf is the missing and not-held shares of every field by municipality.
func heatOf(r *Report, ir *InstrumentReport) *heatView {
	v := &heatView{}
	for _, m := range r.Municipalities {
		if m.Cases > 0 {
			v.Heads = append(v.Heads, m.Label())
		}
	}
	for _, f := range ir.Fields {
		row := heatRow{ID: f.ID}
		for _, m := range r.Municipalities {
			if m.Cases == 0 {
				continue
			}
			c := f.ByMunicipality[m.Code]
			if c.Applicable == 0 && c.Errors == 0 {
				row.Cells = append(row.Cells, heatCell{Empty: true})
				continue
			}
			text := pct(c.MissingRate()) + " · " + pct(c.NotHeldRate())
			if c.Errors > 0 {
				text += fmt.Sprintf(" · %dE", c.Errors)
			}
			row.Cells = append(row.Cells, heatCell{Background: heat(c.MissingRate() + c.NotHeldRate()), Text: text})
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

// rulesOf is every rule failed on the instrument, most units first.
func rulesOf(ir *InstrumentReport) []ruleRow {
	type ruleTotal struct {
		rule  string
		sev   survey.Severity
		units int
	}
	totals := map[string]*ruleTotal{}
	for _, f := range ir.Fields {
		for _, rc := range f.Rules {
			t := totals[rc.Rule]
			if t == nil {
				t = &ruleTotal{rule: rc.Rule, sev: rc.Severity}
				totals[rc.Rule] = t
			}
			if rc.Units > t.units {
				t.units = rc.Units
			}
		}
	}
	list := make([]*ruleTotal, 0, len(totals))
	for _, t := range totals {
		list = append(list, t)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].units != list[j].units {
			return list[i].units > list[j].units
		}
		return list[i].rule < list[j].rule
	})
	var out []ruleRow
	for _, t := range list {
		sev := survey.Text{IT: "avviso", EN: "warning"}
		if t.sev == survey.SeverityError {
			sev = survey.Text{IT: "errore", EN: "error"}
		}
		out = append(out, ruleRow{Rule: t.rule, Severity: sev, Units: t.units})
	}
	return out
}

// heat is a background from white (0) to red (1) for a bad share, as a hex
// colour (a value html/template lets through in a style attribute).
func heat(f float64) string {
	f = math.Max(0, math.Min(1, f))
	g := int(255 - 120*f)
	return fmt.Sprintf("#ff%02x%02x", g, g)
}

func gridOf(r *Report) *gridView {
	v := &gridView{}
	for _, m := range r.Municipalities {
		v.Heads = append(v.Heads, m.Label())
	}
	for _, verdict := range []Verdict{VerdictConsistent, VerdictDiscordant, VerdictNoEvidence} {
		v.Legend = append(v.Legend, verdictLegend{Class: string(verdict), Text: verdictText[verdict]})
	}
	discordant := 0
	for _, row := range r.Grid {
		rv := gridRowView{Label: row.Label.IT, Field: row.Field}
		for _, c := range row.Cells {
			decl := c.DeclaredText.IT
			if decl == "" {
				decl = "n.d."
			}
			obs := "–"
			if c.Observed.Applicable > 0 {
				obs = pct(c.Observed.AnsweredRate())
			}
			if c.Verdict == VerdictDiscordant {
				discordant++
			}
			rv.Cells = append(rv.Cells, gridCellView{Class: string(c.Verdict), Text: decl + " · " + obs})
		}
		v.Rows = append(v.Rows, rv)
	}
	v.Intro = survey.Text{
		IT: fmt.Sprintf("Per ogni dato: cosa dichiara il comune (l'ufficio registra il dato sempre, a volte, mai, in formato elettronico o solo su carta, oppure non è pertinente) e la quota di schede minore del comune che lo riportano. Discorde: «sempre» con meno del %s di risposte, «mai» con più del %s, «non pertinente» con schede a cui il dato si applica. Il codice fiscale non ha riscontro: resta sui computer dei rilevatori; la data di nascita si confronta con l'anno di nascita.", pct(1-r.Tolerance), pct(r.Tolerance)),
		EN: fmt.Sprintf("For each datum: what the municipality declares (the office records it always, sometimes, never, electronically or on paper only, or it does not apply) and the share of its case records that hold it. Discordant: \"always\" with fewer than %s answered, \"never\" with more than %s, \"not applicable\" with records the datum applies to. The codice fiscale has no evidence: it stays on the researchers' laptops; the date of birth is compared with the year of birth.", pct(1-r.Tolerance), pct(r.Tolerance))}
	v.Discordant = survey.Text{IT: fmt.Sprintf("Dichiarazioni discordi: %d.", discordant), EN: fmt.Sprintf("Discordant declarations: %d.", discordant)}
	return v
}

// notesOf is the critical points of the Scheda Comune and the notes left on
// fields; nil when there are none.
func notesOf(r *Report) *notesView {
	munName := map[string]string{}
	v := &notesView{}
	for _, m := range r.Municipalities {
		munName[m.Code] = m.Label()
		if m.CriticalPoints != "" {
			v.Municipalities = append(v.Municipalities, municipalityNote{Label: m.Label(), Text: m.CriticalPoints})
		}
	}
	for _, ir := range r.Instruments {
		for _, f := range ir.Fields {
			if len(f.Notes) == 0 {
				continue
			}
			fn := fieldNotes{Title: f.ID + ": " + f.Label.IT}
			for _, n := range f.Notes {
				fn.Notes = append(fn.Notes, noteView{Municipality: munName[n.Municipality], RecordID: n.RecordID, Text: n.Text})
			}
			v.Fields = append(v.Fields, fn)
		}
	}
	if len(v.Municipalities) == 0 && len(v.Fields) == 0 {
		return nil
	}
	return v
}

func tablesOf(r *Report) *tablesView {
	v := &tablesView{}
	if r.Threshold > 0 {
		v.Intro = survey.Text{
			IT: fmt.Sprintf("Celle con meno di %d minori oscurate (·), con soppressione secondaria perché non si possano ricavare da totali di riga o di colonna.", r.Threshold),
			EN: fmt.Sprintf("Cells with fewer than %d children suppressed (·), with secondary suppression so that none can be worked out from row or column totals.", r.Threshold)}
	}
	for i := range r.Tables {
		t := &r.Tables[i]
		tv := tableView{Title: t.Title, Note: t.Note}
		for _, c := range t.Cols {
			tv.Cols = append(tv.Cols, c.Label.IT)
		}
		for i := range t.Cells {
			row := tableRow{Label: survey.Text{IT: "Totale", EN: "Total"}, Total: i == len(t.Rows)}
			if i < len(t.Rows) {
				row.Label = t.Rows[i].Label
			}
			for j := range t.Cells[i] {
				row.Cells = append(row.Cells, tableCell{Hidden: t.IsHidden(i, j), N: t.Cells[i][j]})
			}
			tv.Rows = append(tv.Rows, row)
		}
		v.Tables = append(v.Tables, tv)
	}
	return v
}

func methodItems(r *Report) []survey.Text {
	items := []survey.Text{
		{IT: "Una domanda è applicabile a una scheda quando le regole di salto della versione dello strumento con cui la scheda è stata compilata la mostrano: una domanda saltata non è mai una risposta mancante.",
			EN: "A question applies to a record when the skip logic of the instrument version the record was made with shows it: a skipped question is never a missing answer."},
		{IT: "Delle schede applicabili: risposta data; dato non disponibile presso l'ufficio (indicato dal rilevatore, distinto dalla risposta mancante, con il motivo: non raccolto, solo su carta, presso un altro ente, non pertinente, altro; «senza motivo» per le indicazioni date senza motivo); risposta mancante.",
			EN: "Of the applicable records: answered; not held by the office (marked by the researcher, distinct from a missing answer, with the reason: not collected, paper only, held by another body, not applicable, other; \"no reason\" for marks given without one); missing."},
		{IT: "Errori e avvisi: schede in cui almeno una regola di quella gravità riguarda il campo, alla data di riferimento. Le risposte obbligatorie mancanti sono contate tra le mancanti, non tra gli errori.",
			EN: "Errors and warnings: records in which at least one rule of that severity concerns the field, at the reference date. Missing required answers are counted as missing, not as errors."},
		{IT: "Le domande dei gruppi ripetuti (Gruppo.Domanda) sono contate sulle voci, non sulle schede.",
			EN: "Questions of repeat groups (Group.Question) are counted over the items, not the records."},
	}
	if r.Threshold > 0 {
		items = append(items, survey.Text{
			IT: fmt.Sprintf("Tutela statistica: soppressione primaria delle celle (totali compresi) da 1 a %d; soppressione secondaria finché nessuna riga o colonna ha una sola cella oscurata, scegliendo la cella più piccola non nulla. Lo zero non è oscurato.", r.Threshold-1),
			EN: fmt.Sprintf("Disclosure control: primary suppression of cells (totals included) from 1 to %d; secondary suppression until no row or column has a single suppressed cell, choosing the smallest non-zero cell. Zero is not suppressed.", r.Threshold-1)})
	}
	return items
}

// chartLabelRunes is the longest label a bar chart's margin holds.
const chartLabelRunes = 38

// chartLabel is the label of a question beside its bar, as the screens show
// it, cut to the chart's margin; the id where the question has no label.
func chartLabel(label, id string) string {
	label = strings.TrimSpace(label)
	if label == "" {
		return id
	}
	if r := []rune(label); len(r) > chartLabelRunes {
		return strings.TrimSpace(string(r[:chartLabelRunes-1])) + "…"
	}
	return label
}
