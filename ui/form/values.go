package form

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2/lang"

	"sinba/survey"
)

// identityPrefix marks questions whose answers live in the record's Identity,
// which never leaves the laptop in clear.
const identityPrefix = "identity."

func identityField(id *survey.Identity, name string) *string {
	switch name {
	case "surname":
		return &id.Surname
	case "name":
		return &id.Name
	case "sex":
		return &id.Sex
	case "birth_date":
		return &id.BirthDate
	case "birth_place":
		return &id.BirthPlace
	case "fiscal_code":
		return &id.FiscalCode
	}
	return nil
}

// answers is where a question's value is read and written: the record's top
// level answers, or one item of a repeat group.
type answers struct {
	rec  *survey.Record
	item map[string]any // nil at the top level
}

func (a answers) get(id string) any {
	if a.item != nil {
		return a.item[id]
	}
	if name, ok := strings.CutPrefix(id, identityPrefix); ok {
		if a.rec.Identity == nil {
			return nil
		}
		if p := identityField(a.rec.Identity, name); p != nil && *p != "" {
			return *p
		}
		return nil
	}
	return a.rec.Answers[id]
}

func (a answers) set(id string, v any) {
	if a.item != nil {
		if v == nil {
			delete(a.item, id)
		} else {
			a.item[id] = v
		}
		return
	}
	if name, ok := strings.CutPrefix(id, identityPrefix); ok {
		if a.rec.Identity == nil {
			a.rec.Identity = &survey.Identity{}
		}
		if p := identityField(a.rec.Identity, name); p != nil {
			s, _ := v.(string)
			*p = s
		}
		return
	}
	if a.rec.Answers == nil {
		a.rec.Answers = survey.Answers{}
	}
	if v == nil {
		delete(a.rec.Answers, id)
	} else {
		a.rec.Answers[id] = v
	}
}

// text shows a stored value in the entry of kind k.
func text(k Kind, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if k == Date {
			if t, err := time.Parse("2006-01-02", x); err == nil {
				return t.Format("02/01/2006")
			}
		}
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// parse turns what was typed into the value kept for kind k. What cannot be
// read is kept as typed, with the problem to show in language: nothing typed
// is lost, and the rules flag it again when finalising.
func parse(k Kind, s, language string) (v any, problem string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, ""
	}
	switch k {
	case Integer, Decimal:
		// Italian digits: "180.000", "1.234,5" (survey.ParseNumber says
		// what it accepts and why it refuses the rest).
		f, why := survey.ParseNumber(s, k == Integer)
		if why != nil {
			return s, sentence(why.In(language))
		}
		if k == Integer {
			return int(f), ""
		}
		return f, ""
	case Date:
		for _, layout := range []string{"2/1/2006", "02/01/2006", "2006-01-02", "2-1-2006", "2.1.2006"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.Format("2006-01-02"), ""
			}
		}
		return s, lang.L("form.not_date")
	case MonthYear:
		for _, layout := range []string{"1/2006", "01/2006", "1-2006", "2006-01"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.Format("01/2006"), ""
			}
		}
		return s, lang.L("form.not_month")
	}
	return s, ""
}

// sentence is a reason shown on its own: capitalised, with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:] + "."
}

// codes reads a Multi answer.
func codes(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case string:
		if x != "" {
			return []string{x}
		}
	}
	return nil
}

func codesValue(cs []string) any {
	if len(cs) == 0 {
		return nil
	}
	out := make([]any, len(cs))
	for i, c := range cs {
		out[i] = c
	}
	return out
}

// items reads a repeat group, turning each item into a map the form can
// write into.
func items(v any) []map[string]any {
	list, _ := v.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			m = map[string]any{}
		}
		out = append(out, m)
	}
	return out
}

func itemsValue(ms []map[string]any) any {
	if len(ms) == 0 {
		return nil
	}
	out := make([]any, len(ms))
	for i, m := range ms {
		out[i] = m
	}
	return out
}

// Clone returns a deep copy of rec, so a snapshot can be saved from another
// goroutine while the form goes on editing the original.
func Clone(rec survey.Record) survey.Record {
	out := rec
	out.Answers = cloneValue(map[string]any(rec.Answers)).(map[string]any)
	if rec.Meta != nil {
		out.Meta = make(map[string]survey.FieldMeta, len(rec.Meta))
		for k, v := range rec.Meta {
			out.Meta[k] = v
		}
	}
	if rec.Identity != nil {
		id := *rec.Identity
		out.Identity = &id
	}
	return out
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = cloneValue(e)
		}
		return m
	case survey.Answers:
		return cloneValue(map[string]any(x))
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = cloneValue(e)
		}
		return l
	case []string:
		return append([]string(nil), x...)
	}
	return v
}

// Display is an answer as a person reads it: the label of a code, "Sì" or
// "No", a date as DD/MM/YYYY, the items of a group one a line.
func Display(q *Question, v any) string {
	switch q.Kind {
	case Choice:
		c := text(Text, v)
		for _, o := range q.Options {
			if o.Code == c {
				return o.Text()
			}
		}
		return c
	case Multi:
		var out []string
		for _, c := range codes(v) {
			s := c
			for _, o := range q.Options {
				if o.Code == c {
					s = o.Text()
				}
			}
			out = append(out, s)
		}
		return strings.Join(out, "\n")
	case Lookup:
		c := text(Text, v)
		if q.Source != nil && c != "" {
			if l := q.Source.Label(c); l != "" {
				return Option{Code: c, Label: l}.Text()
			}
		}
		return c
	case Bool:
		if b, ok := v.(bool); ok {
			if b {
				return lang.L("form.yes")
			}
			return lang.L("form.no")
		}
		return ""
	case Group:
		var out []string
		for i, it := range items(v) {
			var parts []string
			for fi := range q.Fields {
				if s := Display(&q.Fields[fi], it[q.Fields[fi].ID]); s != "" {
					parts = append(parts, s)
				}
			}
			out = append(out, strconv.Itoa(i+1)+". "+strings.Join(parts, " · "))
		}
		return strings.Join(out, "\n")
	}
	return text(q.Kind, v)
}

// Value is the answer to the top-level question id of rec, identification
// included.
func Value(rec *survey.Record, id string) any { return answers{rec: rec}.get(id) }

// SetValue sets the answer to the top-level question id of rec.
func SetValue(rec *survey.Record, id string, v any) { answers{rec: rec}.set(id, v) }
