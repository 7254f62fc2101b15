// Package instdiff says what changed between two versions of an instrument:
// questions added, removed, renamed or merged (as the newer version declares
// in its migration, or in its legacy renamed map), moved to another section,
// re-typed, re-coded, relabelled, with other skip logic, requirements,
// computed values, limits or patterns; repeat groups whose items changed;
// rules, code lists and sections added, removed or changed; and the migration
// declared. It is what the coordinators read before they publish a version
// and what phase 4 of the pilot discusses (see survey/quality's version diff
// report).
//
// A question is known by its path: its id, or Group.Item for an item of a
// repeat group, as survey/quality counts it. A question of the older version
// is the same question in the newer one when the newer has the same path
// after the declared renames; nothing is guessed, so a question renamed
// without a declaration is reported as removed and added.
package instdiff

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"sinba/survey"
)

// Kind is what sort of change a Change is.
type Kind string

// The kinds of change.
const (
	SectionAdded   Kind = "section_added"
	SectionRemoved Kind = "section_removed"
	SectionChanged Kind = "section_changed" // Attr: title or relevant

	QuestionAdded   Kind = "question_added"
	QuestionRemoved Kind = "question_removed"
	QuestionRenamed Kind = "question_renamed" // OldField -> Field; Source says who declared it
	QuestionMerged  Kind = "question_merged"  // Old lists the older fields merged into Field
	QuestionMoved   Kind = "question_moved"   // Old, New: section ids
	TypeChanged     Kind = "type_changed"
	Recoded         Kind = "recoded" // Codes says how
	LabelChanged    Kind = "label_changed"
	HelpChanged     Kind = "help_changed"
	RequiredChanged Kind = "required_changed"
	RelevantChanged Kind = "relevant_changed"
	ComputedChanged Kind = "computed_changed"
	LimitsChanged   Kind = "limits_changed"
	PatternChanged  Kind = "pattern_changed"
	ItemsChanged    Kind = "items_changed" // a repeat group's items: Old, New list them
	// IdentifyingChanged: whether the answer identifies a person, and so
	// never leaves the laptop in clear.
	IdentifyingChanged Kind = "identifying_changed"

	RuleAdded   Kind = "rule_added"
	RuleRemoved Kind = "rule_removed"
	RuleChanged Kind = "rule_changed" // Attr: severity, when, assert, each, fields or message

	CodelistAdded   Kind = "codelist_added"
	CodelistRemoved Kind = "codelist_removed"

	MigrationDeclared Kind = "migration_declared"
)

// Source says where a rename comes from.
type Source string

// The sources of a rename.
const (
	FromMigration Source = "migration" // the newer version's migration from the older one
	FromRenamed   Source = "renamed"   // the newer version's legacy renamed map
)

// Change is one difference between two versions.
type Change struct {
	Kind Kind `json:"kind"`
	// Field is the question's path in the newer version (Group.Item for an
	// item of a repeat group); for a removed question, its path in the
	// older one. Empty for changes of rules, code lists, sections.
	Field string `json:"field,omitempty"`
	// OldField is the question's path in the older version when it differs
	// (renamed questions, and questions inside a renamed group).
	OldField string `json:"old_field,omitempty"`
	Rule     string `json:"rule,omitempty"`
	Codelist string `json:"codelist,omitempty"`
	Section  string `json:"section,omitempty"`
	// Attr is the attribute of a rule or section that changed.
	Attr string `json:"attr,omitempty"`
	// Label names what changed: the question's label (newer version's,
	// or the older one's for a removed question), the rule's message, the
	// section's title, the code list's name.
	Label survey.Text `json:"label"`
	// Old and New are the values before and after, as a person reads them;
	// empty when there is none.
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
	// From are the older version's fields a merge made Field of.
	From []string `json:"from,omitempty"`
	// Source says who declared a rename or a merge.
	Source Source  `json:"source,omitempty"`
	Codes  *Recode `json:"codes,omitempty"`
	// Note adds what the migration says of the question (dropped, a
	// default for the records moved).
	Note survey.Text `json:"note,omitempty"`
}

// Recode is how the codes of a question changed.
type Recode struct {
	OldList, NewList string // the code lists (or reference lists of a lookup)
	Added, Removed   []survey.Code
	Relabelled       []Relabel
	// Reordered is set when the same codes come in another order.
	Reordered        bool
	OldOpen, NewOpen bool
}

// Relabel is a code whose label changed.
type Relabel struct {
	Code     string
	Old, New survey.Text
}

var kindText = map[Kind]survey.Text{
	SectionAdded:       {IT: "Sezione aggiunta", EN: "Section added"},
	SectionRemoved:     {IT: "Sezione tolta", EN: "Section removed"},
	SectionChanged:     {IT: "Sezione modificata", EN: "Section changed"},
	QuestionAdded:      {IT: "Domanda aggiunta", EN: "Question added"},
	QuestionRemoved:    {IT: "Domanda tolta", EN: "Question removed"},
	QuestionRenamed:    {IT: "Domanda rinominata", EN: "Question renamed"},
	QuestionMerged:     {IT: "Domande unite", EN: "Questions merged"},
	QuestionMoved:      {IT: "Domanda spostata in un'altra sezione", EN: "Question moved to another section"},
	TypeChanged:        {IT: "Tipo di risposta cambiato", EN: "Answer type changed"},
	Recoded:            {IT: "Codici cambiati", EN: "Codes changed"},
	LabelChanged:       {IT: "Testo della domanda cambiato", EN: "Question text changed"},
	HelpChanged:        {IT: "Aiuto cambiato", EN: "Help changed"},
	RequiredChanged:    {IT: "Obbligatorietà cambiata", EN: "Requirement changed"},
	RelevantChanged:    {IT: "Condizione di salto cambiata", EN: "Skip logic changed"},
	ComputedChanged:    {IT: "Valore proposto cambiato", EN: "Computed value changed"},
	LimitsChanged:      {IT: "Limiti cambiati", EN: "Limits changed"},
	PatternChanged:     {IT: "Formato richiesto cambiato", EN: "Pattern changed"},
	ItemsChanged:       {IT: "Domande del gruppo ripetuto cambiate", EN: "Repeat group items changed"},
	IdentifyingChanged: {IT: "Dato identificativo cambiato", EN: "Identifying mark changed"},
	RuleAdded:          {IT: "Regola aggiunta", EN: "Rule added"},
	RuleRemoved:        {IT: "Regola tolta", EN: "Rule removed"},
	RuleChanged:        {IT: "Regola modificata", EN: "Rule changed"},
	CodelistAdded:      {IT: "Elenco di codici aggiunto", EN: "Code list added"},
	CodelistRemoved:    {IT: "Elenco di codici tolto", EN: "Code list removed"},
	MigrationDeclared:  {IT: "Migrazione dichiarata", EN: "Migration declared"},
}

var attrText = map[string]survey.Text{
	"severity": {IT: "gravità", EN: "severity"},
	"when":     {IT: "condizione", EN: "condition"},
	"assert":   {IT: "controllo", EN: "check"},
	"each":     {IT: "gruppo ripetuto", EN: "repeat group"},
	"fields":   {IT: "campi", EN: "fields"},
	"message":  {IT: "messaggio", EN: "message"},
	"title":    {IT: "titolo", EN: "title"},
	"relevant": {IT: "condizione di salto", EN: "skip logic"},
}

// What says what sort of change c is, in Italian and English ("Regola
// modificata: gravità" / "Rule changed: severity").
func (c Change) What() survey.Text {
	t := kindText[c.Kind]
	if a, ok := attrText[c.Attr]; ok {
		t = survey.Text{IT: t.IT + ": " + a.IT, EN: t.EN + ": " + a.EN}
	}
	return t
}

// Subject is the field, rule, code list or section the change is about.
func (c Change) Subject() string {
	switch {
	case c.Field != "":
		return c.Field
	case c.Rule != "":
		return c.Rule
	case c.Codelist != "":
		return c.Codelist
	}
	return c.Section
}

// Was is the path of the question in the older version: OldField when set,
// else Field. It is empty for an added question and for a merge (whose
// older fields are From).
func (c Change) Was() string {
	switch {
	case c.Kind == QuestionAdded || c.Kind == QuestionMerged:
		return ""
	case c.OldField != "":
		return c.OldField
	}
	return c.Field
}

// String is the change on one line, in Italian then English.
func (c Change) String() string {
	w := c.What()
	var b strings.Builder
	fmt.Fprintf(&b, "%s / %s:", w.IT, w.EN)
	if s := c.Subject(); s != "" {
		b.WriteString(" " + s)
	}
	if c.Label.IT != "" {
		fmt.Fprintf(&b, " «%s»", c.Label.IT)
	}
	switch {
	case c.Old != "" && c.New != "":
		fmt.Fprintf(&b, ": %s → %s", c.Old, c.New)
	case c.Old != "":
		fmt.Fprintf(&b, ": era / was %s", c.Old)
	case c.New != "":
		fmt.Fprintf(&b, ": %s", c.New)
	}
	if c.Source != "" {
		fmt.Fprintf(&b, " (%s)", sourceText[c.Source].IT+" / "+sourceText[c.Source].EN)
	}
	if c.Note.IT != "" {
		fmt.Fprintf(&b, " (%s / %s)", c.Note.IT, c.Note.EN)
	}
	return b.String()
}

// Line is the change on one line in one language ("it" or "en"), for a
// screen in that language.
func (c Change) Line(lang string) string {
	var b strings.Builder
	b.WriteString(c.What().In(lang) + ":")
	if s := c.Subject(); s != "" {
		b.WriteString(" " + s)
	}
	if l := c.Label.In(lang); l != "" && l != c.Subject() {
		b.WriteString(" «" + l + "»")
	}
	switch {
	case c.Old != "" && c.New != "":
		b.WriteString(": " + c.Old + " → " + c.New)
	case c.Old != "":
		b.WriteString(": " + c.Old)
	case c.New != "":
		b.WriteString(": " + c.New)
	}
	if c.Source != "" {
		b.WriteString(" (" + c.Source.Text().In(lang) + ")")
	}
	if n := c.Note.In(lang); n != "" {
		b.WriteString(" (" + n + ")")
	}
	return b.String()
}

var sourceText = map[Source]survey.Text{
	FromMigration: {IT: "dalla migrazione dichiarata", EN: "from the declared migration"},
	FromRenamed:   {IT: "dall'elenco dei campi rinominati", EN: "from the renamed map"},
}

// Text says who declared a rename, in Italian and English.
func (s Source) Text() survey.Text { return sourceText[s] }

// entry is one question of a version with where it sits.
type entry struct {
	path    string
	q       *survey.Question
	group   *survey.Question
	section *survey.Section
}

func entries(in *survey.Instrument) []entry {
	var out []entry
	for _, s := range in.Sections {
		for _, q := range s.Questions {
			out = append(out, entry{path: q.ID, q: q, section: s})
			for _, it := range q.Items {
				out = append(out, entry{path: q.ID + "." + it.ID, q: it, group: q, section: s})
			}
		}
	}
	return out
}

// Diff lists what changed from old to new: sections, then questions in the
// newer version's page order (those removed after them, in the older
// version's order), code lists, rules and the migration.
func Diff(old, new *survey.Instrument) []Change {
	var out []Change
	add := func(c Change) { out = append(out, c) }

	// The migration new declares from old, else its legacy renamed map.
	renamed, source := map[string]string{}, FromRenamed
	var mig *survey.Migration
	if m, ok := new.MigrationFrom(old.Version); ok {
		mig, source = m, FromMigration
		renamed = m.Renamed
	} else if new.Renamed != nil {
		renamed = new.Renamed
	}
	rename := func(id string) string {
		if n, ok := renamed[id]; ok {
			return n
		}
		return id
	}
	mergedInto := map[string]*survey.Merge{} // new field -> merge
	mergedFrom := map[string]string{}        // old field -> new field
	dropped := map[string]bool{}
	var defaults map[string]any
	if mig != nil {
		for _, g := range mig.Merged {
			mergedInto[g.Into] = g
			for _, f := range g.From {
				mergedFrom[f] = g.Into
			}
		}
		for _, d := range mig.Dropped {
			dropped[d] = true
		}
		defaults = mig.Defaults
	}

	// Sections.
	oldSec, newSec := sectionsByID(old), sectionsByID(new)
	for _, s := range new.Sections {
		o, ok := oldSec[s.ID]
		if !ok {
			add(Change{Kind: SectionAdded, Section: s.ID, Label: s.Title})
			continue
		}
		if o.Title != s.Title {
			add(Change{Kind: SectionChanged, Section: s.ID, Attr: "title", Label: s.Title, Old: o.Title.IT, New: s.Title.IT})
		}
		if o.Relevant != s.Relevant {
			add(Change{Kind: SectionChanged, Section: s.ID, Attr: "relevant", Label: s.Title, Old: o.Relevant, New: s.Relevant})
		}
	}
	for _, s := range old.Sections {
		if _, ok := newSec[s.ID]; !ok {
			add(Change{Kind: SectionRemoved, Section: s.ID, Label: s.Title})
		}
	}

	// Questions.
	oldE, newE := entries(old), entries(new)
	// newPath of an older question: renames apply to group items too.
	newPath := func(e entry) string {
		if e.group == nil {
			return rename(e.q.ID)
		}
		return rename(e.group.ID) + "." + rename(e.q.ID)
	}
	matched := map[string]entry{} // new path -> old entry
	for _, e := range oldE {
		matched[newPath(e)] = e
	}
	newBy := map[string]bool{}
	for _, e := range newE {
		newBy[e.path] = true
	}
	for _, n := range newE {
		o, ok := matched[n.path]
		if !ok {
			if n.group != nil {
				if _, ok := matched[n.group.ID]; !ok {
					continue // an item of a new group: one change for the group
				}
			}
			c := Change{Kind: QuestionAdded, Field: n.path, Label: n.q.Label, New: typeText(new, n.q)}
			if v, ok := defaults[n.path]; ok && n.group == nil {
				c.Note = survey.Text{IT: "valore iniziale per le schede spostate: " + value(v), EN: "initial value for moved records: " + value(v)}
			}
			if g, ok := mergedInto[n.path]; ok {
				add(mergeChange(n, g, source))
				continue
			}
			add(c)
			continue
		}
		if o.path != n.path {
			// A renamed question, or an item of a renamed group.
			if _, direct := renamed[o.q.ID]; direct || o.group == nil {
				add(Change{Kind: QuestionRenamed, Field: n.path, OldField: o.path, Label: n.q.Label, Old: o.path, New: n.path, Source: source})
			}
		}
		if g, ok := mergedInto[n.path]; ok {
			add(mergeChange(n, g, source))
		}
		out = append(out, compareQuestion(old, new, o, n)...)
	}
	for _, o := range oldE {
		np := newPath(o)
		if newBy[np] {
			continue
		}
		if o.group != nil && !newBy[rename(o.group.ID)] {
			continue // the whole group went: one change for it
		}
		if into, ok := mergedFrom[o.path]; ok && newBy[into] {
			continue // reported with the merge
		}
		c := Change{Kind: QuestionRemoved, Field: o.path, Label: o.q.Label, Old: typeText(old, o.q)}
		if dropped[o.path] {
			c.Note = survey.Text{IT: "la migrazione ne toglie le risposte", EN: "the migration drops its answers"}
		}
		add(c)
	}

	// Code lists.
	for _, name := range sortedKeys(new.Codelists) {
		if _, ok := old.Codelists[name]; !ok {
			add(Change{Kind: CodelistAdded, Codelist: name, Label: survey.Text{IT: name, EN: name}, New: codesText(new.Codelists[name])})
		}
	}
	for _, name := range sortedKeys(old.Codelists) {
		if _, ok := new.Codelists[name]; !ok {
			add(Change{Kind: CodelistRemoved, Codelist: name, Label: survey.Text{IT: name, EN: name}, Old: codesText(old.Codelists[name])})
		}
	}

	// Rules.
	oldRules := map[string]*survey.Rule{}
	for _, r := range old.Rules {
		oldRules[r.ID] = r
	}
	newRules := map[string]bool{}
	for _, r := range new.Rules {
		newRules[r.ID] = true
		o, ok := oldRules[r.ID]
		if !ok {
			add(Change{Kind: RuleAdded, Rule: r.ID, Label: r.Message, New: ruleText(r)})
			continue
		}
		attr := func(name, a, b string) {
			if a != b {
				add(Change{Kind: RuleChanged, Rule: r.ID, Attr: name, Label: r.Message, Old: a, New: b})
			}
		}
		attr("severity", string(o.Severity), string(r.Severity))
		attr("when", o.When, r.When)
		attr("assert", o.Assert, r.Assert)
		attr("each", o.Each, r.Each)
		// Fields compared after the renames: a renamed field is no change of the rule.
		var was []string
		for _, f := range o.Fields {
			was = append(was, rename(f))
		}
		if !slices.Equal(was, r.Fields) {
			attr("fields", strings.Join(o.Fields, ", "), strings.Join(r.Fields, ", "))
		}
		if o.Message != r.Message {
			add(Change{Kind: RuleChanged, Rule: r.ID, Attr: "message", Label: r.Message, Old: o.Message.IT, New: r.Message.IT})
		}
	}
	for _, r := range old.Rules {
		if !newRules[r.ID] {
			add(Change{Kind: RuleRemoved, Rule: r.ID, Label: r.Message, Old: ruleText(r)})
		}
	}

	if mig != nil {
		add(Change{Kind: MigrationDeclared, Label: survey.Text{IT: fmt.Sprintf("dalla versione %d", mig.From), EN: fmt.Sprintf("from version %d", mig.From)},
			New: migrationText(mig)})
	}
	return out
}

func mergeChange(n entry, g *survey.Merge, source Source) Change {
	c := Change{Kind: QuestionMerged, Field: n.path, Label: n.q.Label, Old: strings.Join(g.From, ", "), New: n.path, From: g.From, Source: source}
	if g.Value != "" {
		c.Note = survey.Text{IT: "valore: " + g.Value, EN: "value: " + g.Value}
	}
	return c
}

// compareQuestion lists what changed in a question present in both versions.
func compareQuestion(old, new *survey.Instrument, o, n entry) []Change {
	var out []Change
	base := Change{Field: n.path, Label: n.q.Label}
	if n.path != o.path {
		base.OldField = o.path
	}
	diff := func(k Kind, a, b string) {
		if a != b {
			c := base
			c.Kind, c.Old, c.New = k, a, b
			out = append(out, c)
		}
	}
	if n.group == nil {
		diff(QuestionMoved, o.section.ID, n.section.ID)
	}
	oq, nq := o.q, n.q
	diff(TypeChanged, string(oq.Type), string(nq.Type))
	if r := recode(old, new, oq, nq); r != nil {
		c := base
		c.Kind, c.Codes = Recoded, r
		c.Old, c.New = recodeText(r)
		out = append(out, c)
	}
	if oq.Label != nq.Label {
		diff(LabelChanged, oq.Label.IT+textEN(oq.Label), nq.Label.IT+textEN(nq.Label))
	}
	if oq.Help != nq.Help {
		diff(HelpChanged, oq.Help.IT+textEN(oq.Help), nq.Help.IT+textEN(nq.Help))
	}
	diff(RequiredChanged, requiredText(oq), requiredText(nq))
	diff(RelevantChanged, oq.Relevant, nq.Relevant)
	diff(ComputedChanged, oq.Computed, nq.Computed)
	diff(LimitsChanged, limitsText(oq), limitsText(nq))
	diff(PatternChanged, oq.Pattern, nq.Pattern)
	diff(IdentifyingChanged, yesNo(oq.Identifying), yesNo(nq.Identifying))
	if oq.Type == survey.TypeGroup && nq.Type == survey.TypeGroup {
		var a, b []string
		for _, it := range oq.Items {
			a = append(a, it.ID)
		}
		for _, it := range nq.Items {
			b = append(b, it.ID)
		}
		diff(ItemsChanged, strings.Join(a, ", "), strings.Join(b, ", "))
	}
	return out
}

// textEN adds the English text, so that a change of it alone shows.
func textEN(t survey.Text) string {
	if t.EN == "" {
		return ""
	}
	return " / " + t.EN
}

// recode compares the codes two versions of a question take; nil when the
// same.
func recode(old, new *survey.Instrument, oq, nq *survey.Question) *Recode {
	if oq.Type == survey.TypeLookup || nq.Type == survey.TypeLookup {
		if oq.Lookup == nq.Lookup {
			return nil
		}
		return &Recode{OldList: oq.Lookup, NewList: nq.Lookup}
	}
	ol, nl := old.Codelist(oq), new.Codelist(nq)
	if ol == nil && nl == nil {
		return nil
	}
	r := &Recode{OldList: oq.Codelist, NewList: nq.Codelist}
	if ol == nil || nl == nil {
		// Became or stopped being a choice: every code is added or removed.
		if nl != nil {
			r.Added, r.NewOpen = nl.Codes, nl.Open
		} else {
			r.Removed, r.OldOpen = ol.Codes, ol.Open
		}
		return r
	}
	r.OldOpen, r.NewOpen = ol.Open, nl.Open
	var oc, nc []string
	for _, c := range nl.Codes {
		nc = append(nc, c.Code)
		if p, ok := ol.Get(c.Code); !ok {
			r.Added = append(r.Added, c)
		} else if p.Label != c.Label {
			r.Relabelled = append(r.Relabelled, Relabel{Code: c.Code, Old: p.Label, New: c.Label})
		}
	}
	for _, c := range ol.Codes {
		if _, ok := nl.Get(c.Code); ok {
			oc = append(oc, c.Code)
		} else {
			r.Removed = append(r.Removed, c)
		}
	}
	if len(r.Added) == 0 && len(r.Removed) == 0 && !slices.Equal(oc, nc) {
		r.Reordered = true
	}
	if len(r.Added)+len(r.Removed)+len(r.Relabelled) == 0 && !r.Reordered && r.OldOpen == r.NewOpen {
		// The same codes, perhaps under another list's name: no change for
		// the answers.
		return nil
	}
	return r
}

func recodeText(r *Recode) (old, new string) {
	var o, n []string
	if r.OldList != r.NewList {
		o, n = append(o, "elenco / list "+r.OldList), append(n, "elenco / list "+r.NewList)
	}
	for _, c := range r.Removed {
		o = append(o, "−"+c.Code+" "+c.Label.IT)
	}
	for _, c := range r.Added {
		n = append(n, "+"+c.Code+" "+c.Label.IT)
	}
	for _, c := range r.Relabelled {
		o = append(o, c.Code+" "+c.Old.IT)
		n = append(n, c.Code+" "+c.New.IT)
	}
	if r.Reordered {
		n = append(n, "ordine dei codici cambiato / codes reordered")
	}
	if r.OldOpen != r.NewOpen {
		o, n = append(o, openText(r.OldOpen)), append(n, openText(r.NewOpen))
	}
	return strings.Join(o, "; "), strings.Join(n, "; ")
}

func openText(open bool) string {
	if open {
		return "elenco aperto / open list"
	}
	return "elenco chiuso / closed list"
}

func typeText(in *survey.Instrument, q *survey.Question) string {
	switch q.Type {
	case survey.TypeSingle, survey.TypeMulti:
		return string(q.Type) + " (" + q.Codelist + ")"
	case survey.TypeLookup:
		return string(q.Type) + " (" + q.Lookup + ")"
	}
	return string(q.Type)
}

func requiredText(q *survey.Question) string {
	var s string
	switch {
	case q.Required:
		s = "sì / yes"
	case q.RequiredIf != "":
		s = "se / if " + q.RequiredIf
	default:
		return "no"
	}
	if q.RequiredSeverity == survey.SeverityWarning {
		s += " (avviso / warning)"
	}
	return s
}

func limitsText(q *survey.Question) string {
	var p []string
	num := func(name string, f *float64) {
		if f != nil {
			p = append(p, name+" "+strconv.FormatFloat(*f, 'g', -1, 64))
		}
	}
	num("min", q.Min)
	num("max", q.Max)
	if q.MinLength > 0 {
		p = append(p, "minLength "+strconv.Itoa(q.MinLength))
	}
	if q.MaxLength > 0 {
		p = append(p, "maxLength "+strconv.Itoa(q.MaxLength))
	}
	if q.MinItems > 0 {
		p = append(p, "minItems "+strconv.Itoa(q.MinItems))
	}
	if q.MaxItems > 0 {
		p = append(p, "maxItems "+strconv.Itoa(q.MaxItems))
	}
	if q.NotFuture {
		p = append(p, "non futura / not future")
	}
	if len(p) == 0 {
		return "nessuno / none"
	}
	return strings.Join(p, ", ")
}

func yesNo(b bool) string {
	if b {
		return "sì / yes"
	}
	return "no"
}

func ruleText(r *survey.Rule) string {
	s := string(r.Severity) + ": " + r.Assert
	if r.When != "" {
		s += " quando / when " + r.When
	}
	if r.Each != "" {
		s += " per ogni voce di / for each item of " + r.Each
	}
	return s
}

func codesText(l *survey.Codelist) string {
	var p []string
	for _, c := range l.Codes {
		p = append(p, c.Code+" "+c.Label.IT)
	}
	s := strings.Join(p, "; ")
	if l.Open {
		s += " (" + openText(true) + ")"
	}
	return s
}

func migrationText(m *survey.Migration) string {
	var p []string
	for _, old := range sortedKeys(m.Renamed) {
		p = append(p, "rinomina / renames "+old+" → "+m.Renamed[old])
	}
	for _, g := range m.Merged {
		p = append(p, "unisce / merges "+strings.Join(g.From, ", ")+" → "+g.Into)
	}
	for _, d := range m.Dropped {
		p = append(p, "toglie / drops "+d)
	}
	for _, id := range sortedKeys(m.Defaults) {
		p = append(p, "valore iniziale / default "+id+" = "+value(m.Defaults[id]))
	}
	if len(p) == 0 {
		return "nessun cambiamento dei dati / no change to the data"
	}
	return strings.Join(p, "; ")
}

func value(v any) string {
	switch x := v.(type) {
	case []any:
		var p []string
		for _, e := range x {
			p = append(p, value(e))
		}
		return "[" + strings.Join(p, ", ") + "]"
	case bool:
		return yesNo(x)
	}
	return fmt.Sprint(v)
}

func sectionsByID(in *survey.Instrument) map[string]*survey.Section {
	m := map[string]*survey.Section{}
	for _, s := range in.Sections {
		m[s.ID] = s
	}
	return m
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Fields returns the questions that changed, by their path in the older
// version (Change.Was), each once, in the order of changes: the fields whose
// critical points the older version's records can tell.
func Fields(changes []Change) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range changes {
		for _, w := range append([]string{c.Was()}, c.From...) {
			if w != "" && !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
	}
	return out
}
