package quality

import (
	"bufio"
	"fmt"
	"html"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"sinba/survey"
)

// page writes HTML: text through e (escaped) and markup through raw.
type page struct {
	w   *bufio.Writer
	err error
}

func (p *page) raw(s string) {
	if p.err == nil {
		_, p.err = p.w.WriteString(s)
	}
}

func (p *page) rawf(format string, a ...any) { p.raw(fmt.Sprintf(format, a...)) }

func (p *page) e(s string) { p.raw(html.EscapeString(s)) }

// bi writes a text Italian first, English beside it where it differs.
func (p *page) bi(t survey.Text) {
	p.e(t.IT)
	if t.EN != "" && t.EN != t.IT {
		p.raw(` <span class="en">`)
		p.e(t.EN)
		p.raw(`</span>`)
	}
}

func (p *page) heading(level int, it, en string) {
	p.rawf("<h%d>", level)
	p.bi(survey.Text{IT: it, EN: en})
	p.rawf("</h%d>\n", level)
}

func (p *page) th(it, en string) {
	p.raw("<th>")
	p.bi(survey.Text{IT: it, EN: en})
	p.raw("</th>")
}

// pct writes a share as a percentage with the Italian decimal comma.
func pct(f float64) string {
	return strings.Replace(strconv.FormatFloat(f*100, 'f', 1, 64), ".", ",", 1) + "%"
}

const css = `
body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:10.5pt;color:#222;margin:1.5em auto;max-width:1100px;padding:0 1em}
h1{font-size:18pt;margin-bottom:.2em}h2{font-size:14pt;border-bottom:2px solid #345;padding-bottom:2px;margin-top:1.6em}
h3{font-size:11.5pt;margin-top:1.2em}
.en{color:#667;font-style:italic;font-weight:normal;font-size:.9em}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:9pt}
th,td{border:1px solid #bbb;padding:2px 5px;text-align:left;vertical-align:top}
th{background:#eef1f5}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:bold;background:#f6f6f6}
.discordant{background:#f8c9c4}.consistent{background:#d4eed8}.no_evidence{background:#f2f2f2;color:#777}
.hidden{color:#999;text-align:center}
.meta{color:#555}.legend span{display:inline-block;margin-right:1.2em}
.legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:middle}
ul.notes{margin:.2em 0 .8em;padding-left:1.2em}ul.notes li{margin:.1em 0}
svg{max-width:100%;height:auto}svg text{font-family:"DejaVu Sans",Arial,sans-serif;font-size:10px;fill:#222}
@page{size:A4;margin:14mm}
@media print{body{margin:0;max-width:none;font-size:9pt}h2{page-break-before:always}h2.first{page-break-before:avoid}
table,svg,figure{page-break-inside:avoid}a{color:inherit;text-decoration:none}}
`

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

var statusText = map[survey.Status]survey.Text{
	survey.StatusDraft:    {IT: "Bozza", EN: "Draft"},
	survey.StatusFinal:    {IT: "Finalizzata", EN: "Final"},
	survey.StatusReturned: {IT: "Rinviata", EN: "Returned"},
	survey.StatusApproved: {IT: "Approvata", EN: "Approved"},
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
	p := &page{w: bufio.NewWriter(w)}
	p.raw("<!DOCTYPE html>\n<html lang=\"it\">\n<head>\n<meta charset=\"utf-8\">\n")
	p.raw("<title>S.In.Ba: punti critici del data set / critical points of the data set</title>\n<style>")
	p.raw(css)
	p.raw("</style>\n</head>\n<body>\n")
	p.raw("<h1>")
	p.bi(survey.Text{IT: "Rilevazione pilota S.In.Ba: punti critici del data set", EN: "S.In.Ba pilot survey: critical points of the data set"})
	p.raw("</h1>\n<p class=\"meta\">")
	p.bi(survey.Text{IT: "Data di riferimento", EN: "Reference date"})
	p.raw(": " + r.Ref.Format("02/01/2006") + " · ")
	p.bi(survey.Text{IT: "prodotto il", EN: "produced on"})
	p.raw(" " + r.Generated.Format("02/01/2006 15:04") + "</p>\n")

	writeSummary(p, &r)
	if r.Progress != nil {
		writeProgress(p, r.Progress)
	}
	for i := range r.Instruments {
		writeCritical(p, &r, &r.Instruments[i])
	}
	if len(r.Grid) > 0 {
		writeGrid(p, &r)
	}
	writeNotes(p, &r)
	if len(r.Tables) > 0 {
		writeTables(p, &r)
	}
	writeMethod(p, &r)
	p.raw("</body>\n</html>\n")
	if p.err != nil {
		return p.err
	}
	return p.w.Flush()
}

func writeSummary(p *page, r *Report) {
	p.raw(`<h2 class="first">`)
	p.bi(survey.Text{IT: "Comuni e schede", EN: "Municipalities and records"})
	p.raw("</h2>\n<table><tr>")
	p.th("Codice ISTAT", "ISTAT code")
	p.th("Comune", "Municipality")
	p.th("Schede minore", "Case records")
	p.th("Scheda Comune", "Municipality questionnaire")
	p.raw("</tr>\n")
	cases, quest := 0, 0
	for _, m := range r.Municipalities {
		p.raw("<tr><td>")
		p.e(m.Code)
		p.raw("</td><td>")
		p.e(m.Name)
		p.rawf("</td><td class=\"n\">%d</td><td class=\"n\">%d</td></tr>\n", m.Cases, m.Questionnaires)
		cases += m.Cases
		quest += m.Questionnaires
	}
	p.raw(`<tr class="total"><td colspan="2">`)
	p.bi(survey.Text{IT: "Totale", EN: "Total"})
	p.rawf("</td><td class=\"n\">%d</td><td class=\"n\">%d</td></tr>\n</table>\n", cases, quest)
	if len(r.Skipped) > 0 || len(r.Warnings) > 0 {
		p.raw("<ul class=\"notes\">\n")
		for _, s := range r.Skipped {
			p.raw("<li>")
			p.bi(survey.Text{IT: "Scheda esclusa", EN: "Record left out"})
			p.raw(" ")
			p.e(s.RecordID)
			p.raw(": ")
			p.bi(s.Reason)
			p.raw("</li>\n")
		}
		for _, t := range r.Warnings {
			p.raw("<li>")
			p.bi(t)
			p.raw("</li>\n")
		}
		p.raw("</ul>\n")
	}
}

func writeProgress(p *page, pr *Progress) {
	p.heading(2, "Avanzamento", "Progress")
	legend(p, statusLegend())
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
	p.raw(hbarChart(bars, max, false))
	progressTable := func(it, en string, rows []ProgressRow) {
		p.heading(3, it, en)
		p.raw("<table><tr><th></th>")
		for _, st := range Statuses {
			p.raw("<th>")
			p.bi(statusText[st])
			p.raw("</th>")
		}
		p.th("Schede minore", "Case records")
		p.th("Scheda Comune", "Municipality questionnaire")
		p.raw("</tr>\n")
		for _, r := range append(rows, pr.Total) {
			cls := ""
			if r.Key == "" && r.Label == "Totale" {
				cls = ` class="total"`
			}
			p.raw("<tr" + cls + "><td>")
			p.e(r.Label)
			p.raw("</td>")
			for _, st := range Statuses {
				p.rawf(`<td class="n">%d</td>`, r.Cases[st])
			}
			p.rawf("<td class=\"n\">%d</td><td class=\"n\">%d</td></tr>\n", r.Cases.Total(), r.Questionnaires.Total())
		}
		p.raw("</table>\n")
	}
	progressTable("Per comune (schede minore per stato)", "By municipality (case records by state)", pr.ByMunicipality)
	progressTable("Per squadra", "By team", pr.ByTeam)
	if len(pr.Weeks) > 0 {
		p.heading(3, "Per settimana: schede create, cumulate", "By week: records created, cumulative")
		var pts []point
		for _, w := range pr.Weeks {
			pts = append(pts, point{w.Label, float64(w.Cumulative)})
		}
		p.raw(lineChart(pts))
		p.raw("<table><tr>")
		p.th("Settimana", "Week")
		p.th("Create", "Created")
		p.th("Cumulate", "Cumulative")
		for _, st := range Statuses {
			p.raw("<th>")
			p.bi(survey.Text{IT: "Ultima modifica: " + strings.ToLower(statusText[st].IT), EN: "Last change: " + strings.ToLower(statusText[st].EN)})
			p.raw("</th>")
		}
		p.raw("</tr>\n")
		for _, w := range pr.Weeks {
			p.raw("<tr><td>" + html.EscapeString(w.Label) + " (" + w.Start.Format("02/01") + ")</td>")
			p.rawf(`<td class="n">%d</td><td class="n">%d</td>`, w.Created, w.Cumulative)
			for _, st := range Statuses {
				p.rawf(`<td class="n">%d</td>`, w.Changed[st])
			}
			p.raw("</tr>\n")
		}
		p.raw("</table>\n")
	}
}

type legendItem struct {
	colour string
	text   survey.Text
}

func statusLegend() []legendItem {
	var out []legendItem
	for _, st := range Statuses {
		out = append(out, legendItem{statusColour[st], statusText[st]})
	}
	return out
}

var criticalLegend = []legendItem{
	{colMissing, survey.Text{IT: "risposta mancante", EN: "missing answer"}},
	{colNotHeld, survey.Text{IT: "dato non disponibile presso l'ufficio", EN: "not held by the office"}},
	{colError, survey.Text{IT: "schede con errori (barra sottile)", EN: "records with errors (thin bar)"}},
}

func legend(p *page, items []legendItem) {
	p.raw(`<p class="legend">`)
	for _, it := range items {
		p.raw(`<span><i style="background:` + it.colour + `"></i>`)
		p.bi(it.text)
		p.raw("</span>")
	}
	p.raw("</p>\n")
}

func writeCritical(p *page, r *Report, ir *InstrumentReport) {
	p.raw("<h2>")
	p.bi(survey.Text{IT: "Punti critici: " + ir.Title.IT, EN: "Critical points: " + ir.Title.In("en")})
	p.raw("</h2>\n<p class=\"meta\">")
	versions := make([]string, len(ir.Versions))
	for i, v := range ir.Versions {
		versions[i] = strconv.Itoa(v)
	}
	p.bi(survey.Text{IT: "Schede", EN: "records"})
	p.rawf(": %d · ", ir.Records)
	p.bi(survey.Text{IT: "versioni", EN: "versions"})
	p.raw(": " + strings.Join(versions, ", ") + "</p>\n")
	legend(p, criticalLegend)
	var bars []bar
	for _, f := range ir.Fields {
		if f.Total.Applicable == 0 && f.Total.Errors == 0 {
			continue
		}
		bars = append(bars, bar{label: f.ID, segs: []seg{{f.Total.MissingRate(), colMissing}, {f.Total.NotHeldRate(), colNotHeld}},
			under: &seg{f.Total.ErrorRate(), colError}})
	}
	p.raw(hbarChart(bars, 1, true))

	p.raw("<table><tr>")
	p.th("Campo", "Field")
	p.th("Domanda", "Question")
	p.th("Applicabili", "Applicable")
	p.th("Risposte", "Answered")
	p.th("Mancanti", "Missing")
	p.th("Non disponibili", "Not held")
	p.th("Errori", "Errors")
	p.th("Avvisi", "Warnings")
	p.th("Note", "Notes")
	p.raw("</tr>\n")
	for _, f := range ir.Fields {
		c := f.Total
		p.raw("<tr><td>")
		p.e(f.ID)
		if f.Required {
			p.raw(" *")
		}
		p.raw("</td><td>")
		p.e(f.Label.IT)
		p.rawf(`</td><td class="n">%d</td><td class="n">%d</td>`, c.Applicable, c.Answered)
		p.rawf(`<td class="n">%d (%s)</td><td class="n">%d (%s)</td>`, c.Missing, pct(c.MissingRate()), c.NotHeld, pct(c.NotHeldRate()))
		p.rawf(`<td class="n">%d</td><td class="n">%d</td><td class="n">%d</td></tr>`+"\n", c.Errors, c.Warnings, len(f.Notes))
	}
	p.raw("</table>\n<p class=\"meta\">")
	p.bi(survey.Text{IT: "* risposta obbligatoria. Percentuali sulle schede (o voci) a cui la domanda si applica; errori e avvisi: schede con almeno una regola violata sul campo.",
		EN: "* required answer. Percentages of the records (or items) the question applies to; errors and warnings: records with at least one rule failed on the field."})
	p.raw("</p>\n")

	writeReasons(p, r, ir)

	if ir.ID == survey.InstrumentCase && len(r.Municipalities) > 0 {
		p.heading(3, "Per comune: mancanti e non disponibili (% delle schede applicabili), errori", "By municipality: missing and not held (% of applicable records), errors")
		p.raw("<table><tr>")
		p.th("Campo", "Field")
		for _, m := range r.Municipalities {
			if m.Cases == 0 {
				continue
			}
			p.raw("<th>")
			p.e(m.Label())
			p.raw("</th>")
		}
		p.raw("</tr>\n")
		for _, f := range ir.Fields {
			p.raw("<tr><td>")
			p.e(f.ID)
			p.raw("</td>")
			for _, m := range r.Municipalities {
				if m.Cases == 0 {
					continue
				}
				c := f.ByMunicipality[m.Code]
				if c.Applicable == 0 && c.Errors == 0 {
					p.raw(`<td class="n no_evidence">–</td>`)
					continue
				}
				bad := c.MissingRate() + c.NotHeldRate()
				p.rawf(`<td class="n" style="background:%s">%s · %s`, heat(bad), pct(c.MissingRate()), pct(c.NotHeldRate()))
				if c.Errors > 0 {
					p.rawf(" · %dE", c.Errors)
				}
				p.raw("</td>")
			}
			p.raw("</tr>\n")
		}
		p.raw("</table>\n")
	}

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
	if len(totals) > 0 {
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
		p.heading(3, "Regole violate", "Rules failed")
		p.raw("<table><tr>")
		p.th("Regola", "Rule")
		p.th("Gravità", "Severity")
		p.th("Schede", "Records")
		p.raw("</tr>\n")
		for _, t := range list {
			sev := survey.Text{IT: "avviso", EN: "warning"}
			if t.sev == survey.SeverityError {
				sev = survey.Text{IT: "errore", EN: "error"}
			}
			p.raw("<tr><td>")
			p.e(t.rule)
			p.raw("</td><td>")
			p.bi(sev)
			p.rawf("</td><td class=\"n\">%d</td></tr>\n", t.units)
		}
		p.raw("</table>\n")
	}
}

// writeReasons writes the "not held" marks by reason: per field, then per
// municipality over every field.
func writeReasons(p *page, r *Report, ir *InstrumentReport) {
	total := 0
	for _, f := range ir.Fields {
		total += f.Total.NotHeld
	}
	if total == 0 {
		return
	}
	head := func(first, firstEN string) {
		p.raw("<table><tr>")
		p.th(first, firstEN)
		p.th("Non disponibili", "Not held")
		for _, reason := range survey.NotHeldReasons {
			p.raw("<th>")
			p.bi(reason.Short())
			p.raw("</th>")
		}
		p.raw("</tr>\n")
	}
	row := func(label string, n int, by survey.ReasonCounts, cls string) {
		p.raw("<tr" + cls + "><td>")
		p.e(label)
		p.rawf(`</td><td class="n">%d</td>`, n)
		for _, k := range by {
			p.rawf(`<td class="n">%d</td>`, k)
		}
		p.raw("</tr>\n")
	}
	p.heading(3, "Dati non disponibili per motivo", "Data not held, by reason")
	head("Campo", "Field")
	var all Counts
	for _, f := range ir.Fields {
		if f.Total.NotHeld == 0 {
			continue
		}
		row(f.ID+": "+f.Label.IT, f.Total.NotHeld, f.Total.NotHeldBy, "")
		all.add(f.Total)
	}
	row("Totale", all.NotHeld, all.NotHeldBy, ` class="total"`)
	p.raw("</table>\n")
	if len(r.Municipalities) == 0 {
		return
	}
	p.heading(3, "Per comune: dati non disponibili per motivo, su tutti i campi", "By municipality: data not held, by reason, over every field")
	head("Comune", "Municipality")
	by := ir.NotHeldByMunicipality()
	for _, m := range r.Municipalities {
		c := by[m.Code]
		n := 0
		for _, k := range c {
			n += k
		}
		if n > 0 {
			row(m.Label(), n, c, "")
		}
	}
	row("Totale", all.NotHeld, by[""], ` class="total"`)
	p.raw("</table>\n")
}

// heat is a background from white (0) to red (1) for a bad share.
func heat(f float64) string {
	f = math.Max(0, math.Min(1, f))
	g := int(255 - 120*f)
	return fmt.Sprintf("rgb(255,%d,%d)", g, g)
}

func writeGrid(p *page, r *Report) {
	p.heading(2, "Griglia della Scheda Comune e schede minore", "Municipality questionnaire grid and case records")
	p.raw("<p>")
	p.bi(survey.Text{
		IT: fmt.Sprintf("Per ogni dato: cosa dichiara il comune (l'ufficio registra il dato sempre, a volte, mai, in formato elettronico o solo su carta, oppure non è pertinente) e la quota di schede minore del comune che lo riportano. Discorde: «sempre» con meno del %s di risposte, «mai» con più del %s, «non pertinente» con schede a cui il dato si applica. Il codice fiscale non ha riscontro: resta sui computer dei rilevatori; la data di nascita si confronta con l'anno di nascita.", pct(1-r.Tolerance), pct(r.Tolerance)),
		EN: fmt.Sprintf("For each datum: what the municipality declares (the office records it always, sometimes, never, electronically or on paper only, or it does not apply) and the share of its case records that hold it. Discordant: \"always\" with fewer than %s answered, \"never\" with more than %s, \"not applicable\" with records the datum applies to. The codice fiscale has no evidence: it stays on the researchers' laptops; the date of birth is compared with the year of birth.", pct(1-r.Tolerance), pct(r.Tolerance))})
	p.raw("</p>\n<p class=\"legend\">")
	for _, v := range []Verdict{VerdictConsistent, VerdictDiscordant, VerdictNoEvidence} {
		p.raw(`<span><i class="` + string(v) + `" style="border:1px solid #999"></i>`)
		p.bi(verdictText[v])
		p.raw("</span>")
	}
	p.raw("</p>\n<table><tr>")
	p.th("Campo", "Field")
	for _, m := range r.Municipalities {
		p.raw("<th>")
		p.e(m.Label())
		p.raw("</th>")
	}
	p.raw("</tr>\n")
	discordant := 0
	for _, row := range r.Grid {
		p.raw("<tr><td>")
		p.e(row.Label.IT)
		p.raw(` <span class="meta">`)
		p.e(row.Field)
		p.raw("</span></td>")
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
			p.raw(`<td class="` + string(c.Verdict) + `">`)
			p.e(decl + " · " + obs)
			p.raw("</td>")
		}
		p.raw("</tr>\n")
	}
	p.raw("</table>\n<p class=\"meta\">")
	p.bi(survey.Text{IT: fmt.Sprintf("Dichiarazioni discordi: %d.", discordant), EN: fmt.Sprintf("Discordant declarations: %d.", discordant)})
	p.raw("</p>\n")
}

func writeNotes(p *page, r *Report) {
	munName := map[string]string{}
	for _, m := range r.Municipalities {
		munName[m.Code] = m.Label()
	}
	found := false
	for _, m := range r.Municipalities {
		if m.CriticalPoints != "" {
			found = true
		}
	}
	for _, ir := range r.Instruments {
		for _, f := range ir.Fields {
			if len(f.Notes) > 0 {
				found = true
			}
		}
	}
	if !found {
		return
	}
	p.heading(2, "Note e criticità segnalate", "Notes and critical points reported")
	for _, m := range r.Municipalities {
		if m.CriticalPoints == "" {
			continue
		}
		p.raw("<h3>")
		p.e(m.Label())
		p.raw(": ")
		p.bi(survey.Text{IT: "criticità (Scheda Comune)", EN: "critical points (municipality questionnaire)"})
		p.raw("</h3>\n<p>")
		p.e(m.CriticalPoints)
		p.raw("</p>\n")
	}
	for _, ir := range r.Instruments {
		for _, f := range ir.Fields {
			if len(f.Notes) == 0 {
				continue
			}
			p.raw("<h3>")
			p.e(f.ID + ": " + f.Label.IT)
			p.rawf(" (%d)</h3>\n<ul class=\"notes\">\n", len(f.Notes))
			for _, n := range f.Notes {
				p.raw("<li><b>")
				p.e(munName[n.Municipality])
				p.raw("</b> <span class=\"meta\">")
				p.e(n.RecordID)
				p.raw("</span>: ")
				p.e(n.Text)
				p.raw("</li>\n")
			}
			p.raw("</ul>\n")
		}
	}
}

func writeTables(p *page, r *Report) {
	p.heading(2, "Tavole dei risultati", "Results tables")
	if r.Threshold > 0 {
		p.raw("<p>")
		p.bi(survey.Text{
			IT: fmt.Sprintf("Celle con meno di %d minori oscurate (·), con soppressione secondaria perché non si possano ricavare da totali di riga o di colonna.", r.Threshold),
			EN: fmt.Sprintf("Cells with fewer than %d children suppressed (·), with secondary suppression so that none can be worked out from row or column totals.", r.Threshold)})
		p.raw("</p>\n")
	}
	for i := range r.Tables {
		t := &r.Tables[i]
		p.raw("<h3>")
		p.bi(t.Title)
		p.raw("</h3>\n<table><tr><th></th>")
		for _, c := range t.Cols {
			p.raw("<th>")
			p.e(c.Label.IT)
			p.raw("</th>")
		}
		p.th("Totale", "Total")
		p.raw("</tr>\n")
		for i := range t.Cells {
			cls := ""
			if i == len(t.Rows) {
				cls = ` class="total"`
			}
			p.raw("<tr" + cls + "><td>")
			if i < len(t.Rows) {
				p.bi(t.Rows[i].Label)
			} else {
				p.bi(survey.Text{IT: "Totale", EN: "Total"})
			}
			p.raw("</td>")
			for j := range t.Cells[i] {
				if t.IsHidden(i, j) {
					p.raw(`<td class="n hidden">·</td>`)
				} else {
					p.rawf(`<td class="n">%d</td>`, t.Cells[i][j])
				}
			}
			p.raw("</tr>\n")
		}
		p.raw("</table>\n")
		if t.Note.IT != "" {
			p.raw("<p class=\"meta\">")
			p.bi(t.Note)
			p.raw("</p>\n")
		}
	}
}

func writeMethod(p *page, r *Report) {
	p.heading(2, "Nota metodologica", "Method")
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
	p.raw("<ul>\n")
	for _, t := range items {
		p.raw("<li>")
		p.bi(t)
		p.raw("</li>\n")
	}
	p.raw("</ul>\n")
}
