package survey

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Text is a piece of text a person sees: Italian first, English second.
type Text struct {
	IT string `json:"it"`
	EN string `json:"en,omitempty"`
}

// String returns the Italian text.
func (t Text) String() string { return t.IT }

// In returns the text in lang ("it" or "en"), falling back to Italian.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.IT
}

// QuestionType says what kind of answer a question takes and how it is stored
// in Answers.
type QuestionType string

// The question types. The comment says how the answer is stored.
const (
	TypeText      QuestionType = "text"      // string
	TypeInteger   QuestionType = "integer"   // int
	TypeDecimal   QuestionType = "decimal"   // float64
	TypeDate      QuestionType = "date"      // string YYYY-MM-DD
	TypeMonthYear QuestionType = "monthyear" // string MM/YYYY, as SINBA's DataMeseAnnoType
	TypeYesNo     QuestionType = "yesno"     // bool
	TypeSingle    QuestionType = "single"    // string: one code of Codelist
	TypeMulti     QuestionType = "multi"     // []any of strings: codes of Codelist, no repeats
	TypeLookup    QuestionType = "lookup"    // string: one code of a large reference list (Lookup)
	TypeGroup     QuestionType = "group"     // []any of map[string]any: repeated items of Items
)

func (t QuestionType) valid() bool {
	switch t {
	case TypeText, TypeInteger, TypeDecimal, TypeDate, TypeMonthYear, TypeYesNo,
		TypeSingle, TypeMulti, TypeLookup, TypeGroup:
		return true
	}
	return false
}

// Severity of a rule: an error blocks finalising a record and producing a
// flow; a warning asks the person to confirm.
type Severity string

// The severities.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Code is one value of a code list.
type Code struct {
	Code  string `json:"code"`
	Label Text   `json:"label"`
}

// Codelist is a small list of codes, shown as choices. A closed list (the
// default) refuses any other code. An open list is the known values of a
// field that takes others too (SINBA's CodicePrestazione: any code of 5-10
// characters): a code outside it that fits the question's pattern and length
// is accepted with a warning, and a known code may have no label, when none
// is published; it is then shown as its code, never with a made-up name.
type Codelist struct {
	Source string `json:"source,omitempty"` // where the codes and labels come from
	Open   bool   `json:"open,omitempty"`
	Codes  []Code `json:"codes"`

	index map[string]int
}

// Get returns the code c of the list.
func (l *Codelist) Get(c string) (Code, bool) {
	i, ok := l.index[c]
	if !ok {
		return Code{}, false
	}
	return l.Codes[i], true
}

// Question is one question of an instrument. Its ID is the key of its answer
// in Answers; in the case record it is the SINBA attribute or element name.
type Question struct {
	ID       string       `json:"id"`
	Type     QuestionType `json:"type"`
	Label    Text         `json:"label"`
	Help     Text         `json:"help,omitempty"`
	Codelist string       `json:"codelist,omitempty"` // single, multi: key in Instrument.Codelists
	Lookup   string       `json:"lookup,omitempty"`   // lookup: name of a reference list (see Reference.List)

	Required         bool     `json:"required,omitempty"`
	RequiredIf       string   `json:"requiredIf,omitempty"`       // expression: required when true
	RequiredSeverity Severity `json:"requiredSeverity,omitempty"` // of required/requiredIf; error by default
	Relevant         string   `json:"relevant,omitempty"`         // expression: the question applies when true (skip logic)
	Computed         string   `json:"computed,omitempty"`         // expression: the value proposed for the answer

	Min       *float64 `json:"min,omitempty"` // integer, decimal
	Max       *float64 `json:"max,omitempty"`
	MinLength int      `json:"minLength,omitempty"` // text
	MaxLength int      `json:"maxLength,omitempty"`
	Pattern   string   `json:"pattern,omitempty"`   // text: a Go regular expression the whole answer must match
	NotFuture bool     `json:"notFuture,omitempty"` // date, monthyear: not after the reference date

	Items    []*Question `json:"items,omitempty"` // group: the questions of one item
	MinItems int         `json:"minItems,omitempty"`
	MaxItems int         `json:"maxItems,omitempty"`

	// Identifying marks an answer that identifies a person: it never leaves
	// the laptop in clear (see StripIdentification).
	Identifying bool `json:"identifying,omitempty"`

	pattern *regexp.Regexp
	section *Section
	group   *Question // the group a question of Items belongs to
}

// Section is a group of questions shown as one page.
type Section struct {
	ID        string      `json:"id"`
	Title     Text        `json:"title"`
	Relevant  string      `json:"relevant,omitempty"` // expression: the page applies when true
	Questions []*Question `json:"questions"`
}

// Rule is a check over a record's answers, written as expressions that a
// methodologist can read (see the package documentation of the expression
// language in expr.go).
type Rule struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Fields   []string `json:"fields"`         // the questions the message is about
	When     string   `json:"when,omitempty"` // the rule applies only when this is true
	Assert   string   `json:"assert"`         // must be true, else the rule fires
	Each     string   `json:"each,omitempty"` // a group: the rule is checked on every item, whose answers are in scope
	Message  Text     `json:"message"`
}

// Instrument is a versioned questionnaire definition. A record keeps the
// version it was made with, and the registry keeps every version, so a newer
// app still reads and validates older records.
type Instrument struct {
	ID          string               `json:"id"`
	Version     int                  `json:"version"`
	Title       Text                 `json:"title"`
	Description Text                 `json:"description,omitempty"`
	Source      string               `json:"source,omitempty"`
	Codelists   map[string]*Codelist `json:"codelists"`
	Sections    []*Section           `json:"sections"`
	Rules       []*Rule              `json:"rules"`
	// Renamed maps field ids of earlier versions to their id in this one, so
	// Upgrade can carry old answers forward.
	Renamed map[string]string `json:"renamed,omitempty"`
	// Migrations say how records of earlier versions move to this one.
	Migrations []*Migration `json:"migrations,omitempty"`

	questions map[string]*Question // every question, group items included, by id
	order     []*Question          // top-level questions in page order
	ref       *Reference
	progs     *programs
}

// Question returns the question with the given id (group items included).
func (in *Instrument) Question(id string) (*Question, bool) {
	q, ok := in.questions[id]
	return q, ok
}

// Questions returns the top-level questions in page order.
func (in *Instrument) Questions() []*Question { return in.order }

// Codelist returns the code list a single or multi question draws from.
func (in *Instrument) Codelist(q *Question) *Codelist {
	if q == nil {
		return nil
	}
	return in.Codelists[q.Codelist]
}

// LookupList returns the reference list a lookup question searches.
func (in *Instrument) LookupList(q *Question) *LookupList {
	if q == nil || in.ref == nil {
		return nil
	}
	return in.ref.List(q.Lookup)
}

// Reference returns the reference data the instrument was loaded with.
func (in *Instrument) Reference() *Reference { return in.ref }

// Key is "id@version", the registry key of the instrument.
func (in *Instrument) Key() string { return fmt.Sprintf("%s@%d", in.ID, in.Version) }

var idPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// ParseInstrument reads an instrument definition and checks it thoroughly:
// unknown keys, duplicate or malformed ids, unknown code lists and reference
// lists, bad patterns, and expressions that do not compile or that name a
// field the instrument does not have. ref supplies the lookup lists and may
// be nil only for an instrument without lookup questions.
func ParseInstrument(data []byte, ref *Reference) (*Instrument, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var in Instrument
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("instrument definition: %w", err)
	}
	if err := in.prepare(ref); err != nil {
		name := in.ID
		if name == "" {
			name = "instrument"
		}
		return nil, fmt.Errorf("%s v%d: %w", name, in.Version, err)
	}
	return &in, nil
}

func (in *Instrument) prepare(ref *Reference) error {
	if !regexp.MustCompile(`^[a-z][a-z0-9-]*$`).MatchString(in.ID) {
		return fmt.Errorf("id %q: lowercase letters, digits and dashes only", in.ID)
	}
	if in.Version < 1 {
		return fmt.Errorf("version %d: must be 1 or more", in.Version)
	}
	if in.Title.IT == "" {
		return fmt.Errorf("title: the Italian text is missing")
	}
	in.ref = ref
	for name, cl := range in.Codelists {
		if len(cl.Codes) == 0 {
			return fmt.Errorf("codelist %s: no codes", name)
		}
		cl.index = make(map[string]int, len(cl.Codes))
		for i, c := range cl.Codes {
			if c.Code == "" || (c.Label.IT == "" && !cl.Open) {
				return fmt.Errorf("codelist %s: code %d has no code or no Italian label", name, i+1)
			}
			if _, dup := cl.index[c.Code]; dup {
				return fmt.Errorf("codelist %s: code %q twice", name, c.Code)
			}
			cl.index[c.Code] = i
		}
	}
	if len(in.Sections) == 0 {
		return fmt.Errorf("no sections")
	}
	in.questions = map[string]*Question{}
	sections := map[string]bool{}
	for _, s := range in.Sections {
		if !idPattern.MatchString(s.ID) || sections[s.ID] {
			return fmt.Errorf("section id %q: missing, malformed or repeated", s.ID)
		}
		sections[s.ID] = true
		if s.Title.IT == "" {
			return fmt.Errorf("section %s: the Italian title is missing", s.ID)
		}
		if len(s.Questions) == 0 {
			return fmt.Errorf("section %s: no questions", s.ID)
		}
		for _, q := range s.Questions {
			if err := in.addQuestion(q, s, nil); err != nil {
				return err
			}
			in.order = append(in.order, q)
		}
	}
	for old, now := range in.Renamed {
		if _, ok := in.questions[now]; !ok {
			return fmt.Errorf("renamed: %s -> %s: no question %s", old, now, now)
		}
	}
	if err := in.prepareMigrations(); err != nil {
		return err
	}
	ruleIDs := map[string]bool{}
	for i, r := range in.Rules {
		if r.ID == "" || ruleIDs[r.ID] {
			return fmt.Errorf("rule %d: id %q missing or repeated", i+1, r.ID)
		}
		ruleIDs[r.ID] = true
		if r.Severity != SeverityError && r.Severity != SeverityWarning {
			return fmt.Errorf("rule %s: severity %q: want error or warning", r.ID, r.Severity)
		}
		if r.Assert == "" {
			return fmt.Errorf("rule %s: no assert expression", r.ID)
		}
		if r.Message.IT == "" || r.Message.EN == "" {
			return fmt.Errorf("rule %s: the message needs Italian and English", r.ID)
		}
		if r.Each != "" {
			g, ok := in.questions[r.Each]
			if !ok || g.Type != TypeGroup || g.group != nil {
				return fmt.Errorf("rule %s: each %q is not a top-level group", r.ID, r.Each)
			}
		}
		for _, f := range r.Fields {
			if _, ok := in.questions[f]; !ok {
				return fmt.Errorf("rule %s: field %q is not a question", r.ID, f)
			}
		}
	}
	return in.compile()
}

func (in *Instrument) addQuestion(q *Question, s *Section, group *Question) error {
	if q == nil {
		return fmt.Errorf("section %s: empty question", s.ID)
	}
	where := "question " + q.ID
	if !idPattern.MatchString(q.ID) {
		return fmt.Errorf("section %s: question id %q: letters, digits and _ only, starting with a letter", s.ID, q.ID)
	}
	if reservedNames[q.ID] {
		return fmt.Errorf("%s: the id is reserved for the expression language", where)
	}
	if group != nil {
		where = "question " + group.ID + "." + q.ID
		for _, other := range group.Items {
			if other != q && other.ID == q.ID {
				return fmt.Errorf("%s: repeated in the group", where)
			}
		}
	} else if prev, dup := in.questions[q.ID]; dup && prev.group == nil {
		return fmt.Errorf("%s: id repeated", where)
	}
	if !q.Type.valid() {
		return fmt.Errorf("%s: unknown type %q", where, q.Type)
	}
	if q.Label.IT == "" {
		return fmt.Errorf("%s: the Italian label is missing", where)
	}
	switch q.RequiredSeverity {
	case "":
		q.RequiredSeverity = SeverityError
	case SeverityError, SeverityWarning:
	default:
		return fmt.Errorf("%s: requiredSeverity %q: want error or warning", where, q.RequiredSeverity)
	}
	switch q.Type {
	case TypeSingle, TypeMulti:
		if in.Codelists[q.Codelist] == nil {
			return fmt.Errorf("%s: codelist %q is not defined", where, q.Codelist)
		}
	case TypeLookup:
		if in.ref == nil {
			return fmt.Errorf("%s: a lookup question needs reference data", where)
		}
		if in.ref.List(q.Lookup) == nil {
			return fmt.Errorf("%s: lookup list %q is not in the reference data (have %s)", where, q.Lookup, strings.Join(in.ref.Names(), ", "))
		}
	case TypeGroup:
		if group != nil {
			return fmt.Errorf("%s: a group inside a group is not supported", where)
		}
		if len(q.Items) == 0 {
			return fmt.Errorf("%s: a group needs items", where)
		}
		for _, it := range q.Items {
			if err := in.addQuestion(it, s, q); err != nil {
				return err
			}
		}
	}
	if q.Type != TypeSingle && q.Type != TypeMulti && q.Codelist != "" {
		return fmt.Errorf("%s: codelist given for a %s question", where, q.Type)
	}
	if q.Type != TypeLookup && q.Lookup != "" {
		return fmt.Errorf("%s: lookup given for a %s question", where, q.Type)
	}
	if q.Type != TypeGroup && (len(q.Items) > 0 || q.MinItems != 0 || q.MaxItems != 0) {
		return fmt.Errorf("%s: items given for a %s question", where, q.Type)
	}
	if q.Min != nil && q.Max != nil && *q.Min > *q.Max {
		return fmt.Errorf("%s: min is above max", where)
	}
	if q.MaxLength < 0 || q.MinLength < 0 || (q.MaxLength > 0 && q.MinLength > q.MaxLength) {
		return fmt.Errorf("%s: bad minLength/maxLength", where)
	}
	if q.Pattern != "" {
		re, err := regexp.Compile(`^(?:` + q.Pattern + `)$`)
		if err != nil {
			return fmt.Errorf("%s: pattern: %v", where, err)
		}
		q.pattern = re
	}
	q.section = s
	q.group = group
	// Group items may share ids across groups (CodicePrestazione is both a
	// top-level question and an item of DettaglioInterventi): the top-level
	// question wins the lookup by id.
	if prev, ok := in.questions[q.ID]; !ok || (prev.group != nil && group == nil) {
		in.questions[q.ID] = q
	}
	return nil
}
