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
	"maps"
	"slices"
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
	// Old and New are the values before and after, as a person reads them,
	// in Italian and English (an expression or an id is the same in both);
	// empty when there is none.
	Old survey.Text `json:"old,omitzero"`
	New survey.Text `json:"new,omitzero"`
	// From are the older version's fields a merge made Field of.
	From []string `json:"from,omitempty"`
	// Source says who declared a rename or a merge.
	Source Source  `json:"source,omitempty"`
	Codes  *Recode `json:"codes,omitempty"`
	// Note adds what the migration says of the question (dropped, a
	// default for the records moved).
	Note survey.Text `json:"note,omitzero"`
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

// String is the change on one line for a terminal: what changed and the
// values in Italian then English ("Italiano / English", a piece the same in
// both once), the subject by its Italian label.
func (c Change) String() string {
	var b strings.Builder
	b.WriteString(both(c.What()) + ":")
	if s := c.Subject(); s != "" {
		b.WriteString(" " + s)
	}
	// The label names the subject: in Italian, as the definitions are written.
	if l := c.Label.IT; l != "" && l != c.Subject() {
		b.WriteString(" «" + l + "»")
	}
	switch {
	case c.Old.IT != "" && c.New.IT != "":
		b.WriteString(": " + both(c.Old) + " → " + both(c.New))
	case c.Old.IT != "":
		b.WriteString(": " + both(was) + " " + both(c.Old))
	case c.New.IT != "":
		b.WriteString(": " + both(c.New))
	}
	if c.Source != "" {
		b.WriteString(" (" + both(c.Source.Text()) + ")")
	}
	if c.Note.IT != "" {
		b.WriteString(" (" + both(c.Note) + ")")
	}
	return b.String()
}

var was = survey.Text{IT: "era", EN: "was"}

// both is t in Italian and English, once when they are the same.
func both(t survey.Text) string {
	if t.EN == "" || t.EN == t.IT {
		return t.IT
	}
	return t.IT + " / " + t.EN
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
	case c.Old.IT != "" && c.New.IT != "":
		b.WriteString(": " + c.Old.In(lang) + " → " + c.New.In(lang))
	case c.Old.IT != "":
		b.WriteString(": " + was.In(lang) + " " + c.Old.In(lang))
	case c.New.IT != "":
		b.WriteString(": " + c.New.In(lang))
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
			add(Change{Kind: SectionChanged, Section: s.ID, Attr: "title", Label: s.Title, Old: o.Title, New: s.Title})
		}
		if o.Relevant != s.Relevant {
			add(Change{Kind: SectionChanged, Section: s.ID, Attr: "relevant", Label: s.Title, Old: plain(o.Relevant), New: plain(s.Relevant)})
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
				d := value(new, n.q, v)
				c.Note = survey.Text{IT: "valore iniziale per le schede spostate: " + d.IT, EN: "initial value for moved records: " + d.EN}
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
				add(Change{Kind: QuestionRenamed, Field: n.path, OldField: o.path, Label: n.q.Label, Old: plain(o.path), New: plain(n.path), Source: source})
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
	for _, name := range slices.Sorted(maps.Keys(new.Codelists)) {
		if _, ok := old.Codelists[name]; !ok {
			add(Change{Kind: CodelistAdded, Codelist: name, Label: survey.Text{IT: name, EN: name}, New: codesText(new.Codelists[name])})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(old.Codelists)) {
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
		attr := func(name string, a, b survey.Text) {
			if a != b {
				add(Change{Kind: RuleChanged, Rule: r.ID, Attr: name, Label: r.Message, Old: a, New: b})
			}
		}
		attr("severity", severityText(o.Severity), severityText(r.Severity))
		attr("when", plain(o.When), plain(r.When))
		attr("assert", plain(o.Assert), plain(r.Assert))
		attr("each", plain(o.Each), plain(r.Each))
		// Fields compared after the renames: a renamed field is no change of the rule.
		var was []string
		for _, f := range o.Fields {
			was = append(was, rename(f))
		}
		if !slices.Equal(was, r.Fields) {
			attr("fields", plain(strings.Join(o.Fields, ", ")), plain(strings.Join(r.Fields, ", ")))
		}
		if o.Message != r.Message {
			add(Change{Kind: RuleChanged, Rule: r.ID, Attr: "message", Label: r.Message, Old: o.Message, New: r.Message})
		}
	}
	for _, r := range old.Rules {
		if !newRules[r.ID] {
			add(Change{Kind: RuleRemoved, Rule: r.ID, Label: r.Message, Old: ruleText(r)})
		}
	}

	if mig != nil {
		add(Change{Kind: MigrationDeclared, Label: survey.Text{IT: fmt.Sprintf("dalla versione %d", mig.From), EN: fmt.Sprintf("from version %d", mig.From)},
			New: migrationText(new, mig)})
	}
	return out
}

func mergeChange(n entry, g *survey.Merge, source Source) Change {
	c := Change{Kind: QuestionMerged, Field: n.path, Label: n.q.Label, Old: plain(strings.Join(g.From, ", ")), New: plain(n.path), From: g.From, Source: source}
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
	diff := func(k Kind, a, b survey.Text) {
		if a != b {
			c := base
			c.Kind, c.Old, c.New = k, a, b
			out = append(out, c)
		}
	}
	if n.group == nil {
		diff(QuestionMoved, plain(o.section.ID), plain(n.section.ID))
	}
	oq, nq := o.q, n.q
	diff(TypeChanged, typeName(oq.Type), typeName(nq.Type))
	if r := recode(old, new, oq, nq); r != nil {
		c := base
		c.Kind, c.Codes = Recoded, r
		c.Old, c.New = recodeText(r)
		out = append(out, c)
	}
	diff(LabelChanged, oq.Label, nq.Label)
	diff(HelpChanged, oq.Help, nq.Help)
	diff(RequiredChanged, requiredText(oq), requiredText(nq))
	diff(RelevantChanged, plain(oq.Relevant), plain(nq.Relevant))
	diff(ComputedChanged, plain(oq.Computed), plain(nq.Computed))
	diff(LimitsChanged, limitsText(oq), limitsText(nq))
	diff(PatternChanged, plain(oq.Pattern), plain(nq.Pattern))
	diff(IdentifyingChanged, yesNo(oq.Identifying), yesNo(nq.Identifying))
	if oq.Type == survey.TypeGroup && nq.Type == survey.TypeGroup {
		var a, b []string
		for _, it := range oq.Items {
			a = append(a, it.ID)
		}
		for _, it := range nq.Items {
			b = append(b, it.ID)
		}
		diff(ItemsChanged, plain(strings.Join(a, ", ")), plain(strings.Join(b, ", ")))
	}
	return out
}

// plain is a text the same in both languages: an expression, an id, a
// pattern.
func plain(s string) survey.Text { return survey.Text{IT: s} }

// join joins texts language by language.
func join(ts []survey.Text, sep string) survey.Text {
	var it, en []string
	for _, t := range ts {
		it, en = append(it, t.IT), append(en, t.In("en"))
	}
	out := survey.Text{IT: strings.Join(it, sep), EN: strings.Join(en, sep)}
	if out.EN == out.IT {
		out.EN = ""
	}
	return out
}

// cat puts texts one after another, language by language.
func cat(ts ...survey.Text) survey.Text { return join(ts, "") }

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

func recodeText(r *Recode) (old, new survey.Text) {
	var o, n []survey.Text
	if r.OldList != r.NewList {
		list := survey.Text{IT: "elenco ", EN: "list "}
		o, n = append(o, cat(list, plain(r.OldList))), append(n, cat(list, plain(r.NewList)))
	}
	for _, c := range r.Removed {
		o = append(o, cat(plain("−"+c.Code+" "), c.Label))
	}
	for _, c := range r.Added {
		n = append(n, cat(plain("+"+c.Code+" "), c.Label))
	}
	for _, c := range r.Relabelled {
		o = append(o, cat(plain(c.Code+" "), c.Old))
		n = append(n, cat(plain(c.Code+" "), c.New))
	}
	if r.Reordered {
		n = append(n, survey.Text{IT: "ordine dei codici cambiato", EN: "codes reordered"})
	}
	if r.OldOpen != r.NewOpen {
		o, n = append(o, openText(r.OldOpen)), append(n, openText(r.NewOpen))
	}
	return join(o, "; "), join(n, "; ")
}

func openText(open bool) survey.Text {
	if open {
		return survey.Text{IT: "elenco aperto", EN: "open list"}
	}
	return survey.Text{IT: "elenco chiuso", EN: "closed list"}
}

var typeNames = map[survey.QuestionType]survey.Text{
	survey.TypeText:      {IT: "testo", EN: "text"},
	survey.TypeInteger:   {IT: "numero intero", EN: "whole number"},
	survey.TypeDecimal:   {IT: "numero decimale", EN: "decimal number"},
	survey.TypeDate:      {IT: "data", EN: "date"},
	survey.TypeMonthYear: {IT: "mese e anno", EN: "month and year"},
	survey.TypeYesNo:     {IT: "sì/no", EN: "yes/no"},
	survey.TypeSingle:    {IT: "scelta singola", EN: "single choice"},
	survey.TypeMulti:     {IT: "scelta multipla", EN: "multiple choice"},
	survey.TypeLookup:    {IT: "voce di un elenco di riferimento", EN: "entry of a reference list"},
	survey.TypeGroup:     {IT: "gruppo ripetuto", EN: "repeat group"},
}

// typeName is the label of an answer type.
func typeName(t survey.QuestionType) survey.Text { return named(typeNames, t) }

// named is the label of a code (a type, a severity); the code itself for
// one this package does not know.
func named[K ~string](names map[K]survey.Text, k K) survey.Text {
	if n, ok := names[k]; ok {
		return n
	}
	return plain(string(k))
}

// typeText is a question's answer type with the list its codes come from.
func typeText(in *survey.Instrument, q *survey.Question) survey.Text {
	switch q.Type {
	case survey.TypeSingle, survey.TypeMulti:
		return cat(typeName(q.Type), plain(" ("+q.Codelist+")"))
	case survey.TypeLookup:
		return cat(typeName(q.Type), plain(" ("+q.Lookup+")"))
	}
	return typeName(q.Type)
}

var (
	yes     = survey.Text{IT: "sì", EN: "yes"}
	no      = survey.Text{IT: "no", EN: "no"}
	warning = survey.Text{IT: " (avviso)", EN: " (warning)"}
)

func requiredText(q *survey.Question) survey.Text {
	var s survey.Text
	switch {
	case q.Required:
		s = yes
	case q.RequiredIf != "":
		s = cat(survey.Text{IT: "se ", EN: "if "}, plain(q.RequiredIf))
	default:
		return no
	}
	if q.RequiredSeverity == survey.SeverityWarning {
		s = cat(s, warning)
	}
	return s
}

func limitsText(q *survey.Question) survey.Text {
	var p []survey.Text
	num := func(it, en string, f *float64) {
		if f != nil {
			v := strconv.FormatFloat(*f, 'g', -1, 64)
			p = append(p, survey.Text{IT: it + " " + v, EN: en + " " + v})
		}
	}
	count := func(it, en string, n int) {
		if n > 0 {
			p = append(p, survey.Text{IT: fmt.Sprintf(it, n), EN: fmt.Sprintf(en, n)})
		}
	}
	num("minimo", "min", q.Min)
	num("massimo", "max", q.Max)
	count("almeno %d caratteri", "at least %d characters", q.MinLength)
	count("al più %d caratteri", "at most %d characters", q.MaxLength)
	count("almeno %d elementi", "at least %d items", q.MinItems)
	count("al più %d elementi", "at most %d items", q.MaxItems)
	if q.NotFuture {
		p = append(p, survey.Text{IT: "non futura", EN: "not in the future"})
	}
	if len(p) == 0 {
		return survey.Text{IT: "nessuno", EN: "none"}
	}
	return join(p, ", ")
}

func yesNo(b bool) survey.Text {
	if b {
		return yes
	}
	return no
}

var severityNames = map[survey.Severity]survey.Text{
	survey.SeverityError:   {IT: "errore", EN: "error"},
	survey.SeverityWarning: {IT: "avviso", EN: "warning"},
}

func severityText(s survey.Severity) survey.Text { return named(severityNames, s) }

func ruleText(r *survey.Rule) survey.Text {
	s := cat(severityText(r.Severity), plain(": "+r.Assert))
	if r.When != "" {
		s = cat(s, survey.Text{IT: " quando ", EN: " when "}, plain(r.When))
	}
	if r.Each != "" {
		s = cat(s, survey.Text{IT: " per ogni elemento di ", EN: " for each item of "}, plain(r.Each))
	}
	return s
}

func codesText(l *survey.Codelist) survey.Text {
	var p []survey.Text
	for _, c := range l.Codes {
		p = append(p, cat(plain(c.Code+" "), c.Label))
	}
	s := join(p, "; ")
	if l.Open {
		s = cat(s, plain(" ("), openText(true), plain(")"))
	}
	return s
}

// migrationText says what the migration does to the records moved, the
// questions by id (this is the coordinators' view of the definitions) and
// the defaults by their value as the question's codes read it.
func migrationText(new *survey.Instrument, m *survey.Migration) survey.Text {
	var p []survey.Text
	for _, o := range slices.Sorted(maps.Keys(m.Renamed)) {
		p = append(p, cat(survey.Text{IT: "rinomina ", EN: "renames "}, plain(o+" → "+m.Renamed[o])))
	}
	for _, g := range m.Merged {
		p = append(p, cat(survey.Text{IT: "unisce ", EN: "merges "}, plain(strings.Join(g.From, ", ")+" → "+g.Into)))
	}
	for _, d := range m.Dropped {
		p = append(p, cat(survey.Text{IT: "toglie ", EN: "drops "}, plain(d)))
	}
	for _, id := range slices.Sorted(maps.Keys(m.Defaults)) {
		q, _ := new.Question(id)
		p = append(p, cat(survey.Text{IT: "valore iniziale di ", EN: "initial value of "}, plain(id+" = "), value(new, q, m.Defaults[id])))
	}
	if len(p) == 0 {
		return survey.Text{IT: "nessun cambiamento dei dati", EN: "no change to the data"}
	}
	return join(p, "; ")
}

// value is an answer as a person reads it: a code with its label, yes or
// no, a list item by item.
func value(in *survey.Instrument, q *survey.Question, v any) survey.Text {
	switch x := v.(type) {
	case []any:
		var p []survey.Text
		for _, e := range x {
			p = append(p, value(in, q, e))
		}
		return cat(plain("["), join(p, ", "), plain("]"))
	case bool:
		return yesNo(x)
	}
	s := fmt.Sprint(v)
	if q != nil {
		if cl := in.Codelist(q); cl != nil {
			if c, ok := cl.Get(s); ok {
				return cat(plain(s+" · "), c.Label)
			}
		}
	}
	return plain(s)
}

func sectionsByID(in *survey.Instrument) map[string]*survey.Section {
	m := map[string]*survey.Section{}
	for _, s := range in.Sections {
		m[s.ID] = s
	}
	return m
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
