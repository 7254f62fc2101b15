// Package form renders an instrument (the municipality questionnaire or the
// case record) as pages of Fyne widgets, one section a page, and keeps the
// answers in a survey.Record as the researcher types.
//
// It works on a Spec: the instrument as the screens need it, with labels in
// the chosen language, code lists resolved and the rules behind one Check
// function. FromSurvey builds a Spec from the survey package's definitions,
// so the renderer does not change when the definition format grows.
package form

import (
	"strconv"

	"sinba/survey"
)

// Kind is how a question is answered, and so which widget renders it.
type Kind int

// The kinds of question.
const (
	Text      Kind = iota // one line of text
	LongText              // several lines
	Integer               // a whole number
	Decimal               // a number with decimals (full-time equivalents)
	Date                  // a day, typed DD/MM/YYYY, kept YYYY-MM-DD
	MonthYear             // a month, typed and kept MM/YYYY as in SINBA
	Choice                // one code of a short list
	Multi                 // one or more codes of a short list
	Lookup                // one code of a long list, chosen by searching
	Bool                  // yes or no
	Group                 // a repeat group: zero or more items of Fields
)

// Option is one code of a code list with its label.
type Option struct {
	Code  string
	Label string
}

// Text is how an option is shown: code and label, so that researchers who
// know the SINBA codes by heart can type them in a search.
func (o Option) Text() string {
	if o.Label == "" || o.Label == o.Code {
		return o.Code
	}
	return o.Code + " · " + o.Label
}

// Source is a long code list searched as the researcher types
// (municipalities, countries).
type Source interface {
	// Search returns up to limit options matching query, best first; an
	// empty query returns the first options of the list.
	Search(query string, limit int) []Option
	// Label returns the label of code, or "" if the list has no such code.
	Label(code string) string
}

// Question is one question of a page.
type Question struct {
	ID       string // answer key; "identity.<field>" keeps the answer in the record's Identity
	Label    string
	Help     string
	Kind     Kind
	Required bool
	Options  []Option   // Choice and Multi
	Open     bool       // Choice: a code outside Options may be typed (an open code list)
	Source   Source     // Lookup
	Fields   []Question // Group: the questions of one item
	ItemName string     // Group: what one item is called ("Intervento")
	MaxItems int        // Group: 0 = no limit
	// PlaceHolder is what an empty input shows, when not the kind's own
	// (a year's, which must not suggest a thousands point).
	PlaceHolder string
}

// Page is one section of the instrument.
type Page struct {
	ID        string
	Title     string
	Intro     string
	Questions []Question
}

// Severity tells whether an issue blocks finalising.
type Severity int

// The severities of an issue.
const (
	Error   Severity = iota // blocks finalising
	Warning                 // asks for confirmation
)

// Issue is one finding of the rules: one rule, counted once, however many
// fields it concerns.
type Issue struct {
	Path     string   // the first field: question id, or Group[n].Field inside a repeat group (n from 1); "" for none
	Fields   []string // every field the finding concerns (Path first); none when Path is ""
	Severity Severity
	Message  string // in the user's language
}

// Result is what the rules say about a record.
type Result struct {
	Hidden map[string]bool // paths that are not relevant now (skip logic)
	Issues []Issue
}

// Counts are the errors and warnings among the findings, each finding once.
func (r Result) Counts() (errors, warnings int) {
	for _, is := range r.Issues {
		if is.Severity == Error {
			errors++
		} else {
			warnings++
		}
	}
	return errors, warnings
}

// Spec is an instrument ready to render.
type Spec struct {
	Instrument string
	Version    int
	Title      string
	Language   string // of the labels: "it" or "en"
	Pages      []Page
	// Check evaluates the rules on rec. With final false it may leave out
	// "required" findings, so that a draft is not covered in red while the
	// researcher is still typing. Nil means the instrument has no rules.
	Check func(rec *survey.Record, final bool) Result
	// Computed fills the unanswered questions that have a proposed value
	// (the age band from the birth year) and returns their ids. May be nil.
	Computed func(rec *survey.Record) []string
	// NotHeldReasons are the reasons a researcher can give for "the office
	// does not hold this datum", in the order shown; the code of an option
	// is a survey.NotHeldReason. None means the mark takes no reason.
	NotHeldReasons []Option
}

// NotHeldText is the mark "the office does not hold this datum" with its
// reason, as a screen shows it: notHeld (the mark's own words) and, when a
// reason was given, the reason's label; "" when m is no such mark.
func (s *Spec) NotHeldText(m survey.FieldMeta, notHeld string) string {
	r, ok := m.NotHeldBecause()
	if !ok {
		return ""
	}
	if r == survey.ReasonNotGiven {
		return notHeld
	}
	for _, o := range s.NotHeldReasons {
		if o.Code == string(r) {
			return notHeld + " · " + o.Label
		}
	}
	return notHeld + " · " + string(r)
}

// ItemPath is the path of field in item i (from 0) of repeat group group.
// Paths count items from 1, as the survey package's findings do.
func ItemPath(group string, i int, field string) string {
	return group + "[" + strconv.Itoa(i+1) + "]." + field
}
