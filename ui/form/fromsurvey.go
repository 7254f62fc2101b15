package form

import (
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"

	"sinba/survey"
)

// FromSurvey builds the Spec of an instrument definition in language ("it"
// or "en"), with its rules, skip logic and computed answers evaluated at the
// date now returns. A case record gets a first page with the child's
// identification, which the instrument does not define because it never
// leaves the laptop in clear: it is kept in the record's Identity.
func FromSurvey(in *survey.Instrument, language string, now func() time.Time) *Spec {
	s := &Spec{Instrument: in.ID, Version: in.Version, Title: in.Title.In(language), Language: language}
	s.Check = func(rec *survey.Record, final bool) Result { return check(in, rec, final, language, now()) }
	s.Computed = func(rec *survey.Record) []string { return survey.ApplyComputed(in, rec, now()) }
	// The coded reasons first, so that the first key press picks one; "not
	// given" last, to take a reason back.
	for _, r := range append(survey.NotHeldReasons[1:], survey.ReasonNotGiven) {
		s.NotHeldReasons = append(s.NotHeldReasons, Option{Code: string(r), Label: r.Label().In(language)})
	}
	if in.ID == survey.InstrumentCase {
		s.Pages = append(s.Pages, identityPage(in.Reference(), language))
	}
	for _, sec := range in.Sections {
		p := Page{ID: sec.ID, Title: sec.Title.In(language)}
		for _, q := range sec.Questions {
			p.Questions = append(p.Questions, question(in, q, language))
		}
		s.Pages = append(s.Pages, p)
	}
	return s
}

// check runs the instrument's validation and skip logic. While a draft is
// being typed, an answer still to give (a required one, or a rule none of
// whose answers is given yet: survey.Issue.Pending) is not a finding yet: it
// becomes one when the researcher finalises.
func check(in *survey.Instrument, rec *survey.Record, final bool, language string, ref time.Time) Result {
	r := Result{Hidden: map[string]bool{}}
	for id, on := range survey.Relevance(in, rec, ref) {
		if !on {
			r.Hidden[id] = true
		}
	}
	for _, q := range in.Questions() {
		if q.Type != survey.TypeGroup || r.Hidden[q.ID] {
			continue
		}
		n := len(items(rec.Answers[q.ID]))
		for i := 0; i < n; i++ {
			for _, it := range q.Items {
				if it.Relevant != "" && !survey.VisibleInItem(in, rec, q.ID, i, it.ID) {
					r.Hidden[ItemPath(q.ID, i, it.ID)] = true
				}
			}
		}
	}
	for _, is := range survey.ValidateAt(in, rec, ref) {
		if !final && is.Pending() {
			continue
		}
		sev := Error
		if is.Severity == survey.SeverityWarning {
			sev = Warning
		}
		msg := is.MessageIT
		if language == "en" && is.MessageEN != "" {
			msg = is.MessageEN
		}
		out := Issue{Severity: sev, Message: msg}
		if len(is.Fields) > 0 {
			out.Path, out.Fields = is.Fields[0], is.Fields
		}
		if !slices.ContainsFunc(r.Issues, func(o Issue) bool {
			return o.Path == out.Path && o.Severity == out.Severity && o.Message == out.Message
		}) {
			r.Issues = append(r.Issues, out)
		}
	}
	return r
}

func question(in *survey.Instrument, q *survey.Question, language string) Question {
	out := Question{ID: q.ID, Label: q.Label.In(language), Help: q.Help.In(language), Required: q.Required}
	switch q.Type {
	case survey.TypeText:
		out.Kind = Text
		if q.MaxLength > 200 {
			out.Kind = LongText
		}
	case survey.TypeInteger:
		out.Kind = Integer
		// At most four digits, a year above all: "2.014" would be read as
		// 2014, but a placeholder that shows a thousands point invites it.
		if q.Max != nil && *q.Max <= 9999 {
			out.PlaceHolder = lang.L("form.short_integer_placeholder")
			if q.Min != nil && *q.Min >= 1000 {
				out.PlaceHolder = lang.L("form.year_placeholder")
			}
		}
	case survey.TypeDecimal:
		out.Kind = Decimal
	case survey.TypeDate:
		out.Kind = Date
	case survey.TypeMonthYear:
		out.Kind = MonthYear
	case survey.TypeYesNo:
		out.Kind = Bool
	case survey.TypeSingle, survey.TypeMulti:
		out.Kind = Choice
		if q.Type == survey.TypeMulti {
			out.Kind = Multi
		}
		if cl := in.Codelist(q); cl != nil {
			out.Open = cl.Open
			for _, c := range cl.Codes {
				out.Options = append(out.Options, Option{Code: c.Code, Label: c.Label.In(language)})
			}
		}
	case survey.TypeLookup:
		out.Kind = Lookup
		if l := in.LookupList(q); l != nil {
			out.Source = listSource{l, language}
		}
	case survey.TypeGroup:
		out.Kind = Group
		out.ItemName = out.Label
		out.MaxItems = q.MaxItems
		for _, it := range q.Items {
			out.Fields = append(out.Fields, question(in, it, language))
		}
	}
	return out
}

// identityPage is the identification of the child, kept on this laptop.
func identityPage(ref *survey.Reference, language string) Page {
	p := Page{ID: "identita", Title: lang.L("identity.title"), Intro: lang.L("identity.intro")}
	p.Questions = []Question{
		{ID: identityPrefix + "surname", Label: lang.L("identity.surname"), Kind: Text},
		{ID: identityPrefix + "name", Label: lang.L("identity.name"), Kind: Text},
		{ID: identityPrefix + "sex", Label: lang.L("identity.sex"), Kind: Choice,
			Options: []Option{{Code: "F", Label: lang.L("identity.female")}, {Code: "M", Label: lang.L("identity.male")}}},
		{ID: identityPrefix + "birth_date", Label: lang.L("identity.birth_date"), Kind: Date},
		{ID: identityPrefix + "birth_place", Label: lang.L("identity.birth_place"), Kind: Lookup},
		{ID: identityPrefix + "fiscal_code", Label: lang.L("identity.fiscal_code"), Help: lang.L("identity.fiscal_code_help"), Kind: Text},
	}
	if ref != nil {
		if l := ref.List(survey.ListBirthplaces); l != nil {
			p.Questions[4].Source = listSource{l, language}
		}
	}
	return p
}

// listSource searches a survey reference list.
type listSource struct {
	l        *survey.LookupList
	language string
}

func (s listSource) Search(query string, limit int) []Option {
	var es []survey.Entry
	if strings.TrimSpace(query) == "" {
		// Nothing typed yet: the start of the list, so the dialog is not empty.
		all := s.l.Entries()
		es = all[:min(limit, len(all))]
	} else {
		es = s.l.Search(query, limit)
	}
	out := make([]Option, len(es))
	for i, e := range es {
		out[i] = Option{Code: e.Code, Label: entryLabel(e, s.language)}
	}
	return out
}

func (s listSource) Label(code string) string {
	if e, ok := s.l.Get(code); ok {
		return entryLabel(e, s.language)
	}
	return ""
}

func entryLabel(e survey.Entry, language string) string {
	l := e.Label.In(language)
	if e.Detail != "" {
		l += " (" + e.Detail + ")"
	}
	return l
}

// SourceOf returns a Source over a survey reference list, for screens that
// search outside a form (the municipality of a new record).
func SourceOf(l *survey.LookupList, language string) Source {
	if l == nil {
		return nil
	}
	return listSource{l, language}
}
