package survey

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Issue is one problem found in a record. Its JSON form is part of the
// output of `sinba check`: keep the names stable.
type Issue struct {
	Rule      string   `json:"rule"` // a rule id, or a built-in check: required.F, type.F, code.F, ...
	Severity  Severity `json:"severity"`
	Fields    []string `json:"fields"` // field ids; an item of a group is Group[n].Field, n from 1
	MessageIT string   `json:"message"`
	MessageEN string   `json:"message_en"`
	// Missing is set on a rule's issue when none of the answers the rule is
	// about is given (nor marked as not held by the office): the rule then
	// states what a complete record needs, as a required answer does, and
	// is a finding at finalising rather than while a draft is typed.
	Missing bool `json:"missing,omitempty"`
}

// Pending reports whether the issue is an answer still to be given: a
// required answer, or a rule none of whose answers is given (Missing).
// Screens hold it back while a draft is being typed and list it when the
// record is finalised; `sinba check` and the coordinators' figures count it
// like any other.
func (is Issue) Pending() bool {
	return is.Missing || strings.HasPrefix(is.Rule, "required.")
}

// HasErrors reports whether any issue is an error.
func HasErrors(issues []Issue) bool {
	for _, is := range issues {
		if is.Severity == SeverityError {
			return true
		}
	}
	return false
}

// state is a record prepared for evaluation: normalised answers and an
// expression environment in which the answers of questions that do not
// apply, or that the office does not hold, are nil.
type state struct {
	in       *Instrument
	ans      Answers
	meta     map[string]FieldMeta
	env      evalEnv
	relevant map[string]bool
	ref      time.Time
	issues   []Issue // from normalisation
}

// FieldRefDate is the case record's own reference date (from version 2):
// the date its answers refer to, at which ages, bands and dates are checked
// by the app, by sinba check and in a SINBA flow alike.
const FieldRefDate = "DataRiferimento"

// RecordRefDate is the reference date of rec's checks: its own
// DataRiferimento when the instrument has that question and it is answered
// with a valid date, else fallback (today in the app, the flow date in a
// flow, --ref-date for sinba check).
func RecordRefDate(in *Instrument, rec *Record, fallback time.Time) time.Time {
	q, ok := in.questions[FieldRefDate]
	if !ok || q.group != nil || q.Type != TypeDate || rec.Meta[FieldRefDate].NotHeld {
		return fallback
	}
	s, _ := rec.Answers[FieldRefDate].(string)
	if d, err := time.Parse("2006-01-02", strings.TrimSpace(s)); err == nil {
		return d
	}
	return fallback
}

// childBirthDate is the birth date of a case record's child: the one of the
// identification, or else the one its codice fiscale gives; "" if neither.
func (in *Instrument) childBirthDate(rec *Record, ans Answers, ref time.Time) string {
	id := rec.Identity
	if id == nil {
		return ""
	}
	if _, err := time.Parse("2006-01-02", id.BirthDate); err == nil {
		return id.BirthDate
	}
	if id.FiscalCode == "" || in.ref == nil {
		return ""
	}
	near := ref.Year()
	if y, ok := ans["AnnoNascita"].(int); ok && y > 0 {
		near = y
	}
	if fc := DecodeFiscalCodeNear(id.FiscalCode, in.ref, ref, near); fc.Valid && !fc.Temporary {
		return fc.BirthDate
	}
	return ""
}

func (in *Instrument) prepareRecord(rec *Record, ref time.Time) *state {
	ans, issues := Normalize(in, rec.Answers)
	ref = RecordRefDate(in, rec, ref)
	birth := in.childBirthDate(rec, ans, ref)
	st := &state{in: in, ans: ans, meta: rec.Meta, env: newEnv(nil, ref, birth),
		relevant: map[string]bool{}, ref: ref, issues: issues}
	st.env["municipality"] = rec.Municipality
	for _, q := range in.order {
		st.env[q.ID] = blank(q.Type)
		if v, ok := ans[q.ID]; ok && Answered(v) {
			st.env[q.ID] = v
		}
	}
	// In page order, so that a question's relevance sees only the answers
	// before it that apply.
	for _, s := range in.Sections {
		secOK := true
		if p := in.progs.section[s.ID]; p != nil {
			secOK, _ = runBool(p, st.env)
		}
		for _, q := range s.Questions {
			rel := secOK
			if p := in.progs.relevant[q.ID]; rel && p != nil {
				rel, _ = runBool(p, st.env)
			}
			st.relevant[q.ID] = rel
			if !rel {
				st.env[q.ID] = blank(q.Type)
			}
		}
	}
	return st
}

// blank is the value of an unanswered question in an expression: "" for
// text and codes and [] for lists, so that `LuogoVita != '3'` and
// `has(ComposizioneFamiglia, '1')` read naturally; nil for numbers and
// yes/no, so that arithmetic on a missing number cannot be evaluated and the
// rule does not fire (see expr.go).
func blank(t QuestionType) any {
	switch t {
	case TypeInteger, TypeDecimal, TypeYesNo:
		return nil
	case TypeMulti, TypeGroup:
		return []any{}
	}
	return ""
}

// itemEnv is the environment inside item i of group g: the record's answers
// with the item's on top.
func (st *state) itemEnv(g *Question, item map[string]any) evalEnv {
	env := make(evalEnv, len(st.env)+len(g.Items))
	for k, v := range st.env {
		env[k] = v
	}
	for _, iq := range g.Items {
		env[iq.ID] = blank(iq.Type)
		if v := item[iq.ID]; Answered(v) {
			env[iq.ID] = v
		}
	}
	return env
}

// Validate checks a record against the instrument it was made with, at
// today's date. See ValidateAt.
func Validate(in *Instrument, rec *Record) []Issue {
	return ValidateAt(in, rec, time.Now())
}

// ValidateAt checks a record at reference date ref: answers readable and in
// their lists and ranges, required answers given (an answer "the office does
// not hold this datum" counts as given), answers to questions that do not
// apply, the instrument's rules, and for a case record the identification.
// Issues come in page order, then in rule order.
func ValidateAt(in *Instrument, rec *Record, ref time.Time) []Issue {
	var issues []Issue
	if rec.Instrument != "" && rec.Instrument != in.ID {
		issues = append(issues, Issue{Rule: "instrument", Severity: SeverityError,
			MessageIT: fmt.Sprintf("la scheda è dello strumento %q, non %q", rec.Instrument, in.ID),
			MessageEN: fmt.Sprintf("the record belongs to instrument %q, not %q", rec.Instrument, in.ID)})
		return issues
	}
	st := in.prepareRecord(rec, ref)
	issues = append(issues, st.issues...)
	var unknown []string
	for k := range rec.Answers {
		if q, ok := in.questions[k]; !ok || q.group != nil {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		issues = append(issues, Issue{Rule: "unknown_field." + k, Severity: SeverityWarning, Fields: []string{k},
			MessageIT: fmt.Sprintf("il campo %q non è una domanda di %s v%d e sarà ignorato", k, in.ID, in.Version),
			MessageEN: fmt.Sprintf("field %q is not a question of %s v%d and will be ignored", k, in.ID, in.Version)})
	}
	issues = append(issues, checkReasons(rec.Meta)...)
	for _, q := range in.order {
		issues = st.checkQuestion(q, q.ID, st.ans[q.ID], st.meta[q.ID], st.relevant[q.ID], st.env, issues)
	}
	for _, r := range in.Rules {
		issues = st.checkRule(r, issues)
	}
	if in.ID == InstrumentCase {
		issues = append(issues, checkIdentity(in, st, rec.Identity)...)
	}
	return issues
}

func (st *state) checkQuestion(q *Question, path string, v any, meta FieldMeta, relevant bool, env evalEnv, issues []Issue) []Issue {
	has := Answered(v)
	label := q.Label
	add := func(rule string, sev Severity, it, en string) {
		issues = append(issues, Issue{Rule: rule + "." + path, Severity: sev, Fields: []string{path},
			MessageIT: label.IT + ": " + it, MessageEN: label.In("en") + ": " + en})
	}
	if !relevant {
		if has {
			add("not_relevant", SeverityWarning, "la domanda non si applica a questa scheda; la risposta non sarà usata",
				"the question does not apply to this record; the answer will not be used")
		}
		return issues
	}
	if has && meta.NotHeld {
		add("not_held", SeverityWarning, "c'è una risposta e insieme l'indicazione che l'ufficio non ha il dato; vale la risposta",
			"there is an answer and also the mark that the office does not hold the datum; the answer counts")
	}
	if !has && !meta.NotHeld {
		key := path
		if q.group != nil {
			key = q.group.ID + "." + q.ID
		}
		if q.Required {
			add("required", q.RequiredSeverity, "risposta obbligatoria (se l'ufficio non ha il dato, indicalo)",
				"an answer is required (if the office does not hold the datum, say so)")
		} else if p := st.in.progs.requiredIf[key]; p != nil {
			if need, _ := runBool(p, env); need {
				add("required_if", q.RequiredSeverity, "risposta obbligatoria in questo caso (se l'ufficio non ha il dato, indicalo)",
					"an answer is required in this case (if the office does not hold the datum, say so)")
			}
		}
	}
	if !has {
		return issues
	}
	checkCode := func(c string) {
		cl := st.in.Codelists[q.Codelist]
		if _, ok := cl.Get(c); ok {
			return
		}
		if !cl.Open {
			add("code", SeverityError, fmt.Sprintf("il codice %q non è previsto", c), fmt.Sprintf("code %q is not in the list", c))
			return
		}
		if n := utf8.RuneCountInString(c); n < q.MinLength || (q.MaxLength > 0 && n > q.MaxLength) || (q.pattern != nil && !q.pattern.MatchString(c)) {
			add("code", SeverityError, fmt.Sprintf("il codice %q non ha la forma prevista (da %d a %d caratteri, senza spazi)", c, q.MinLength, q.MaxLength),
				fmt.Sprintf("code %q does not have the expected form (%d to %d characters, no spaces)", c, q.MinLength, q.MaxLength))
			return
		}
		add("code_unknown", SeverityWarning, fmt.Sprintf("il codice %q non è tra quelli noti: verificalo e descrivi l'intervento", c),
			fmt.Sprintf("code %q is not one of the known codes: check it and describe the intervention", c))
	}
	switch q.Type {
	case TypeSingle:
		checkCode(v.(string))
	case TypeMulti:
		for _, x := range v.([]any) {
			checkCode(x.(string))
		}
	case TypeLookup:
		c := v.(string)
		if l := st.in.LookupList(q); l == nil {
			add("lookup", SeverityError, "elenco di riferimento non disponibile", "reference list not available")
		} else if _, ok := l.Get(c); !ok {
			add("lookup", SeverityError, fmt.Sprintf("il codice %q non è nell'elenco %s", c, q.Lookup),
				fmt.Sprintf("code %q is not in list %s", c, q.Lookup))
		}
	case TypeInteger, TypeDecimal:
		f, _ := number(v)
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if q.Min != nil && f < *q.Min {
			add("range", SeverityError, fmt.Sprintf("%s è sotto il minimo %g", s, *q.Min), fmt.Sprintf("%s is below the minimum %g", s, *q.Min))
		}
		if q.Max != nil && f > *q.Max {
			add("range", SeverityError, fmt.Sprintf("%s è sopra il massimo %g", s, *q.Max), fmt.Sprintf("%s is above the maximum %g", s, *q.Max))
		}
	case TypeText:
		s := v.(string)
		n := utf8.RuneCountInString(s)
		if q.MaxLength > 0 && n > q.MaxLength {
			add("length", SeverityError, fmt.Sprintf("al massimo %d caratteri (sono %d)", q.MaxLength, n),
				fmt.Sprintf("at most %d characters (there are %d)", q.MaxLength, n))
		}
		if n < q.MinLength {
			add("length", SeverityError, fmt.Sprintf("almeno %d caratteri", q.MinLength), fmt.Sprintf("at least %d characters", q.MinLength))
		}
		if q.pattern != nil && !q.pattern.MatchString(s) {
			add("pattern", SeverityError, "formato non valido", "the format is not valid")
		}
	case TypeDate, TypeMonthYear:
		if q.NotFuture {
			future := false
			if q.Type == TypeDate {
				future = v.(string) > st.ref.Format("2006-01-02")
			} else {
				future = monthIndex(v).(int) > st.ref.Year()*12+int(st.ref.Month())-1
			}
			if future {
				add("not_future", SeverityError, "la data è successiva alla data di riferimento "+st.ref.Format("02/01/2006"),
					"the date is after the reference date "+st.ref.Format("2006-01-02"))
			}
		}
	case TypeGroup:
		items := v.([]any)
		if q.MinItems > 0 && len(items) < q.MinItems {
			add("items", SeverityError, fmt.Sprintf("servono almeno %d voci", q.MinItems), fmt.Sprintf("at least %d items are needed", q.MinItems))
		}
		if q.MaxItems > 0 && len(items) > q.MaxItems {
			add("items", SeverityError, fmt.Sprintf("al massimo %d voci", q.MaxItems), fmt.Sprintf("at most %d items", q.MaxItems))
		}
		for i, it := range items {
			m := it.(map[string]any)
			ienv := st.itemEnv(q, m)
			for _, iq := range q.Items {
				rel := true
				if p := st.in.progs.relevant[q.ID+"."+iq.ID]; p != nil {
					rel, _ = runBool(p, ienv)
				}
				issues = st.checkQuestion(iq, itemPath(q.ID, i, iq.ID), m[iq.ID], FieldMeta{}, rel, ienv, issues)
			}
		}
	}
	return issues
}

func (st *state) checkRule(r *Rule, issues []Issue) []Issue {
	fire := func(env evalEnv, fields []string) {
		if p := st.in.progs.when[r.ID]; p != nil {
			if ok, _ := runBool(p, env); !ok {
				return
			}
		}
		ok, evaluated := runBool(st.in.progs.assert[r.ID], env)
		if evaluated && !ok {
			issues = append(issues, Issue{Rule: r.ID, Severity: r.Severity, Fields: fields,
				MessageIT: r.Message.IT, MessageEN: r.Message.In("en"), Missing: st.untouched(r, env)})
		}
	}
	if r.Each == "" {
		fire(st.env, append([]string(nil), r.Fields...))
		return issues
	}
	g := st.in.questions[r.Each]
	items, _ := st.env[r.Each].([]any)
	for i, it := range items {
		m, _ := it.(map[string]any)
		fields := make([]string, len(r.Fields))
		for j, f := range r.Fields {
			if itemQuestion(g, f) != nil {
				fields[j] = itemPath(g.ID, i, f)
			} else {
				fields[j] = f
			}
		}
		fire(st.itemEnv(g, m), fields)
	}
	return issues
}

// untouched reports whether none of the answers rule r is about is given in
// env (the record's, or a group item's) nor marked as not held.
func (st *state) untouched(r *Rule, env evalEnv) bool {
	if len(r.Fields) == 0 {
		return false
	}
	for _, f := range r.Fields {
		if Answered(env[f]) || st.meta[f].NotHeld {
			return false
		}
	}
	return true
}

// Visible reports whether the question fieldID applies to the record, given
// its answers so far (skip logic): the page and the question are relevant.
// A question of a group item is named Group.Item and is visible when its
// group is (VisibleInItem tells for a given item).
func Visible(in *Instrument, rec *Record, fieldID string) bool {
	return VisibleAt(in, rec, fieldID, time.Now())
}

// VisibleAt is Visible at reference date ref.
func VisibleAt(in *Instrument, rec *Record, fieldID string, ref time.Time) bool {
	st := in.prepareRecord(rec, ref)
	for _, q := range in.order {
		if q.ID == fieldID {
			return st.relevant[q.ID]
		}
		if q.Type == TypeGroup && len(fieldID) > len(q.ID)+1 && fieldID[:len(q.ID)+1] == q.ID+"." {
			return st.relevant[q.ID]
		}
	}
	return false
}

// VisibleInItem reports whether question itemID applies in item i (from 0)
// of group groupID.
func VisibleInItem(in *Instrument, rec *Record, groupID string, i int, itemID string) bool {
	st := in.prepareRecord(rec, time.Now())
	g, ok := in.questions[groupID]
	if !ok || g.Type != TypeGroup || !st.relevant[groupID] {
		return false
	}
	items, _ := st.env[groupID].([]any)
	var m map[string]any
	if i >= 0 && i < len(items) {
		m, _ = items[i].(map[string]any)
	}
	p := in.progs.relevant[groupID+"."+itemID]
	if p == nil {
		return itemQuestion(g, itemID) != nil
	}
	rel, _ := runBool(p, st.itemEnv(g, m))
	return rel
}

// Relevance returns, for every top-level question, whether it applies to the
// record: the whole skip logic in one evaluation, for a page of the UI.
func Relevance(in *Instrument, rec *Record, ref time.Time) map[string]bool {
	return in.prepareRecord(rec, ref).relevant
}

// Computed returns the value each computed question proposes for the record
// at reference date ref (questions that do not apply are left out, and so
// are computations that cannot be made yet). Computations read the proposals
// of the unanswered questions before them.
func Computed(in *Instrument, rec *Record, ref time.Time) map[string]any {
	st := in.prepareRecord(rec, ref)
	out := map[string]any{}
	for _, q := range in.order {
		p := in.progs.computed[q.ID]
		if p == nil || !st.relevant[q.ID] {
			continue
		}
		v, err := runAny(p, st.env)
		if err != nil || v == nil {
			continue
		}
		if nv, why := in.normalizeValue(q, v); why == nil && Answered(nv) {
			out[q.ID] = nv
			// A proposal for an unanswered question is what it will hold:
			// the ones after it read it (the age band, the proposed year).
			if !Answered(st.ans[q.ID]) && !st.meta[q.ID].NotHeld {
				st.env[q.ID] = nv
			}
		}
	}
	return out
}

// ApplyComputed fills the unanswered computed questions of rec with their
// computed values and returns the ids it filled. An answer already given is
// never replaced: the computed value is a proposal.
func ApplyComputed(in *Instrument, rec *Record, ref time.Time) []string {
	var filled []string
	computed := Computed(in, rec, ref)
	for _, q := range in.order {
		v, ok := computed[q.ID]
		if !ok || Answered(rec.Answers[q.ID]) || rec.Meta[q.ID].NotHeld {
			continue
		}
		if rec.Answers == nil {
			rec.Answers = Answers{}
		}
		rec.Answers[q.ID] = v
		filled = append(filled, q.ID)
	}
	return filled
}

// checkReasons checks the coded reasons of the "not held" marks: a reason
// must be one of NotHeldReasons, and means something only on a datum marked
// not held.
func checkReasons(meta map[string]FieldMeta) []Issue {
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var issues []Issue
	for _, k := range keys {
		m := meta[k]
		switch {
		case !m.Reason.Valid():
			issues = append(issues, Issue{Rule: "not_held_reason." + k, Severity: SeverityError, Fields: []string{k},
				MessageIT: fmt.Sprintf("%s: il motivo %q del dato non disponibile non è tra quelli previsti", k, string(m.Reason)),
				MessageEN: fmt.Sprintf("%s: the reason %q for the datum not held is not one of the known reasons", k, string(m.Reason))})
		case m.Reason != ReasonNotGiven && !m.NotHeld:
			issues = append(issues, Issue{Rule: "not_held_reason." + k, Severity: SeverityWarning, Fields: []string{k},
				MessageIT: fmt.Sprintf("%s: c'è un motivo ma il dato non è indicato come non disponibile; il motivo non sarà usato", k),
				MessageEN: fmt.Sprintf("%s: there is a reason but the datum is not marked as not held; the reason will not be used", k)})
		}
	}
	return issues
}
