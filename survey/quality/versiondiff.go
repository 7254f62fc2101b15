package quality

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"sinba/survey"
	"sinba/survey/instdiff"
)

// VersionDiff is the version diff report: what changed from one version of
// an instrument to the next (see package instdiff) and, for every field the
// change touches, its critical points in the records made with the older
// version: what the pilot's phase-4 meeting weighs before it keeps, moves or
// drops a question.
type VersionDiff struct {
	Generated time.Time
	Old, New  *survey.Instrument
	Changes   []instdiff.Change
	// Figures are the critical points of the older version's records; its
	// Records is 0 when none was at hand.
	Figures InstrumentReport
	// Ref is the reference date the rules were checked at.
	Ref time.Time
}

// NewVersionDiff compares old and new and counts the critical points of the
// records of recs made with old (id and version); the others are left out.
func NewVersionDiff(old, new *survey.Instrument, recs []survey.Record, opts Options) VersionDiff {
	d := VersionDiff{Generated: time.Now(), Old: old, New: new, Changes: instdiff.Diff(old, new),
		Figures: InstrumentReport{ID: old.ID, Title: old.Title, Versions: []int{old.Version}}}
	var mine []survey.Record
	for _, r := range recs {
		if r.Instrument == old.ID && r.Version == old.Version {
			mine = append(mine, r)
		}
	}
	// A registry of the older version alone: its records are counted in
	// it, whatever else the coordinator's registry holds.
	reg := survey.NewRegistry()
	if err := reg.Add(old); err == nil {
		rep := Analyse(reg, mine, opts)
		d.Ref = rep.Ref
		if ir, ok := rep.Instrument(old.ID); ok {
			d.Figures = *ir
		}
	}
	if d.Ref.IsZero() {
		d.Ref = opts.Ref
	}
	return d
}

//go:embed versiondiff.html.tmpl
var versionDiffSource string

var versionDiffTemplate = template.Must(template.New("versiondiff").Parse(versionDiffSource))

// WriteVersionDiffHTML writes the report as one self-contained, printable
// HTML page, in the style of WriteHTML. Labels, messages and expressions of
// the two definitions reach the page as text, never as markup.
func WriteVersionDiffHTML(w io.Writer, d VersionDiff) error {
	bw := bufio.NewWriter(w)
	if err := versionDiffTemplate.Execute(bw, versionDiffOf(&d)); err != nil {
		return err
	}
	return bw.Flush()
}

// The values the template renders.
type (
	diffView struct {
		Title          survey.Text
		OldKey, NewKey string
		Generated, Ref string
		Records        int
		Summary        []diffCount
		Groups         []diffGroup
		Added          []diffLine
		Rules          []diffRuleRow
		Other          []diffLine
		Method         []survey.Text
	}
	diffCount struct {
		Text survey.Text
		N    int
	}
	// diffGroup is one kind of question change (removed, renamed, re-coded,
	// other) with a row per field.
	diffGroup struct {
		Title survey.Text
		Rows  []diffFieldRow
	}
	diffFieldRow struct {
		Field, Was       string
		Label            survey.Text
		Changes          []diffLine
		Figures          bool // the older version had the field and records
		Applicable       int
		Answered         int
		NotHeld, Missing int
		NotHeldPct       string
		MissingPct       string
		Reasons          string
		Errors, Warnings int
		Rules            string
		Notes            int
	}
	diffLine struct {
		What     survey.Text
		Subject  string
		Label    survey.Text
		Old, New survey.Text
		Note     survey.Text
	}
	diffRuleRow struct {
		Line      diffLine
		Failed    int
		HasFailed bool
	}
)

// questionGroup says under which heading a question's changes go; the first
// change of the field in this order decides.
func questionGroup(k instdiff.Kind) int {
	switch k {
	case instdiff.QuestionRemoved:
		return 0
	case instdiff.QuestionRenamed, instdiff.QuestionMerged:
		return 1
	case instdiff.Recoded, instdiff.TypeChanged:
		return 2
	}
	return 3
}

var groupTitles = []survey.Text{
	{IT: "Domande tolte", EN: "Questions removed"},
	{IT: "Domande rinominate o unite", EN: "Questions renamed or merged"},
	{IT: "Domande ricodificate o con un altro tipo di risposta", EN: "Questions re-coded or with another answer type"},
	{IT: "Altre domande cambiate", EN: "Other questions changed"},
}

func lineOf(c instdiff.Change) diffLine {
	l := diffLine{What: c.What(), Subject: c.Subject(), Label: c.Label, Old: c.Old, New: c.New, Note: c.Note}
	if c.Source != "" {
		s := c.Source.Text()
		l.Note = survey.Text{IT: strings.TrimSpace(s.IT + " " + l.Note.IT), EN: strings.TrimSpace(s.EN + " " + l.Note.EN)}
	}
	return l
}

func versionDiffOf(d *VersionDiff) diffView {
	v := diffView{
		Title:     survey.Text{IT: "Cosa cambia: " + d.New.Title.IT, EN: "What changes: " + d.New.Title.In("en")},
		OldKey:    d.Old.Key(),
		NewKey:    d.New.Key(),
		Generated: d.Generated.Format("02/01/2006 15:04"),
		Records:   d.Figures.Records,
	}
	if !d.Ref.IsZero() {
		v.Ref = d.Ref.Format("02/01/2006")
	}
	counts := map[instdiff.Kind]int{}
	for _, c := range d.Changes {
		counts[c.Kind]++
	}
	rulesChanged := map[string]bool{}
	for _, c := range d.Changes {
		if c.Kind == instdiff.RuleChanged {
			rulesChanged[c.Rule] = true
		}
	}
	v.Summary = []diffCount{
		{survey.Text{IT: "Domande aggiunte", EN: "Questions added"}, counts[instdiff.QuestionAdded]},
		{survey.Text{IT: "Domande tolte", EN: "Questions removed"}, counts[instdiff.QuestionRemoved]},
		{survey.Text{IT: "Domande rinominate", EN: "Questions renamed"}, counts[instdiff.QuestionRenamed]},
		{survey.Text{IT: "Domande unite", EN: "Questions merged"}, counts[instdiff.QuestionMerged]},
		{survey.Text{IT: "Domande ricodificate", EN: "Questions re-coded"}, counts[instdiff.Recoded]},
		{survey.Text{IT: "Regole aggiunte", EN: "Rules added"}, counts[instdiff.RuleAdded]},
		{survey.Text{IT: "Regole tolte", EN: "Rules removed"}, counts[instdiff.RuleRemoved]},
		{survey.Text{IT: "Regole modificate", EN: "Rules changed"}, len(rulesChanged)},
	}

	// Question changes, a row per field, under the heading of its weightiest change.
	type fieldAcc struct {
		row   diffFieldRow
		group int
	}
	var order []string
	fields := map[string]*fieldAcc{}
	for _, c := range d.Changes {
		if c.Field == "" {
			continue
		}
		if c.Kind == instdiff.QuestionAdded {
			v.Added = append(v.Added, lineOf(c))
			continue
		}
		f := fields[c.Field]
		if f == nil {
			f = &fieldAcc{row: diffFieldRow{Field: c.Field, Label: c.Label}, group: questionGroup(c.Kind)}
			if w := c.Was(); w != c.Field {
				f.row.Was = w
			}
			if c.Kind == instdiff.QuestionMerged {
				f.row.Was = strings.Join(c.From, ", ")
			}
			fields[c.Field] = f
			order = append(order, c.Field)
		}
		f.group = min(f.group, questionGroup(c.Kind))
		f.row.Changes = append(f.row.Changes, lineOf(c))
	}
	groups := make([]diffGroup, len(groupTitles))
	for i, t := range groupTitles {
		groups[i].Title = t
	}
	for _, id := range order {
		f := fields[id]
		was := f.row.Field
		if f.row.Was != "" {
			was = f.row.Was
		}
		// A merge: the figures of its first older field.
		was, _, _ = strings.Cut(was, ", ")
		if fs, ok := d.Figures.Field(was); ok && d.Figures.Records > 0 {
			figuresOf(&f.row, fs)
		}
		groups[f.group].Rows = append(groups[f.group].Rows, f.row)
	}
	for _, g := range groups {
		if len(g.Rows) > 0 {
			v.Groups = append(v.Groups, g)
		}
	}

	failed := ruleFailures(&d.Figures)
	for _, c := range d.Changes {
		switch c.Kind {
		case instdiff.RuleAdded, instdiff.RuleRemoved, instdiff.RuleChanged:
			v.Rules = append(v.Rules, diffRuleRow{Line: lineOf(c), Failed: failed[c.Rule],
				HasFailed: c.Kind != instdiff.RuleAdded && d.Figures.Records > 0})
		case instdiff.SectionAdded, instdiff.SectionRemoved, instdiff.SectionChanged,
			instdiff.CodelistAdded, instdiff.CodelistRemoved, instdiff.MigrationDeclared:
			v.Other = append(v.Other, lineOf(c))
		}
	}
	v.Method = []survey.Text{
		{IT: fmt.Sprintf("Le cifre sono quelle delle schede compilate con la versione %d (%d schede), contate come nel rapporto sui punti critici: applicabili secondo le regole di salto della versione, con risposta, dato non disponibile presso l'ufficio (con il motivo), mancanti; errori e avvisi: schede con almeno una regola di quella gravità sul campo.", d.Old.Version, d.Figures.Records),
			EN: fmt.Sprintf("The figures are those of the records made with version %d (%d records), counted as in the critical-points report: applicable by the version's skip logic, answered, not held by the office (with the reason), missing; errors and warnings: records with at least one rule of that severity on the field.", d.Old.Version, d.Figures.Records)},
		{IT: "Una domanda è la stessa nelle due versioni quando ha lo stesso identificativo, dopo le rinomine che la nuova versione dichiara (nella migrazione o nell'elenco dei campi rinominati): una domanda rinominata senza dichiararlo risulta tolta e aggiunta, e le schede già compilate non la ritrovano.",
			EN: "A question is the same in both versions when it has the same id, after the renames the new version declares (in its migration or its renamed map): a question renamed without saying so shows as removed and added, and the records already made do not find it."},
		{IT: "Per le domande unite, le cifre sono quelle del primo campo della versione precedente; per le regole, le schede in cui la regola è stata violata nella versione precedente.",
			EN: "For merged questions, the figures are those of the first field of the earlier version; for rules, the records on which the rule failed in the earlier version."},
	}
	return v
}

// figuresOf puts a field's critical points in its row.
func figuresOf(row *diffFieldRow, fs *FieldStats) {
	c := fs.Total
	row.Figures = true
	row.Applicable, row.Answered, row.NotHeld, row.Missing = c.Applicable, c.Answered, c.NotHeld, c.Missing
	row.NotHeldPct, row.MissingPct = pct(c.NotHeldRate()), pct(c.MissingRate())
	row.Errors, row.Warnings, row.Notes = c.Errors, c.Warnings, len(fs.Notes)
	var reasons []string
	for i, n := range c.NotHeldBy {
		if n > 0 {
			reasons = append(reasons, fmt.Sprintf("%s %d", survey.NotHeldReasons[i].Short().IT, n))
		}
	}
	row.Reasons = strings.Join(reasons, ", ")
	var rules []string
	for _, rc := range fs.Rules {
		rules = append(rules, fmt.Sprintf("%s %d", rc.Rule, rc.Units))
	}
	row.Rules = strings.Join(rules, ", ")
}

// ruleFailures is, for every rule, how many units it failed on (over the
// field it failed on most).
func ruleFailures(ir *InstrumentReport) map[string]int {
	out := map[string]int{}
	for _, f := range ir.Fields {
		for _, rc := range f.Rules {
			out[rc.Rule] = max(out[rc.Rule], rc.Units)
		}
	}
	return out
}
