package printout

import (
	"regexp"
	"strings"

	"sinba/survey"
)

// The shapes of relevance expression that can be said plainly. Anything else
// gets no hint: a paper form never prints an expression.
var (
	reEq       = regexp.MustCompile(`^(\w+) (==|!=) '([^']*)'$`)
	reBool     = regexp.MustCompile(`^(\w+) == (true|false)$`)
	reIn       = regexp.MustCompile(`^(\w+) in \[('[^']*'(?:, *'[^']*')*)\]$`)
	reAnswered = regexp.MustCompile(`^answered\((\w+)\)$`)
	reHas      = regexp.MustCompile(`^(!?)has\((\w+), *'([^']*)'\)$`)
	reQuoted   = regexp.MustCompile(`'([^']*)'`)
)

// Hint says when a question or page applies, from its relevance expression:
// "Rispondere se «Condizione del minore» non è 5 · ...". It is empty when the
// expression is empty or has a shape that cannot be said plainly.
func Hint(in *survey.Instrument, expr string) survey.Text {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return survey.Text{}
	}
	var it, en []string
	for _, part := range strings.Split(expr, "&&") {
		h, ok := condition(in, strings.TrimSpace(part))
		if !ok {
			return survey.Text{}
		}
		it, en = append(it, h.IT), append(en, h.EN)
	}
	return survey.Text{
		IT: "Rispondere se " + strings.Join(it, " e "),
		EN: "Answer if " + strings.Join(en, " and "),
	}
}

func condition(in *survey.Instrument, s string) (survey.Text, bool) {
	field := func(id string) (*survey.Question, survey.Text, bool) {
		q, ok := in.Question(id)
		if !ok {
			return nil, survey.Text{}, false
		}
		return q, survey.Text{IT: "«" + q.Label.IT + "»", EN: "“" + q.Label.In("en") + "”"}, true
	}
	codes := func(q *survey.Question, cs []string) (survey.Text, bool) {
		cl := in.Codelist(q)
		if cl == nil {
			return survey.Text{}, false
		}
		var it, en []string
		for _, c := range cs {
			code, ok := cl.Get(c)
			if !ok {
				return survey.Text{}, false
			}
			it, en = append(it, codeLabel(code, "it")), append(en, codeLabel(code, "en"))
		}
		return survey.Text{IT: strings.Join(it, " oppure "), EN: strings.Join(en, " or ")}, true
	}
	if m := reEq.FindStringSubmatch(s); m != nil {
		q, f, ok := field(m[1])
		if !ok {
			return survey.Text{}, false
		}
		v, ok := codes(q, []string{m[3]})
		if !ok {
			return survey.Text{}, false
		}
		if m[2] == "!=" {
			return survey.Text{IT: f.IT + " non è " + v.IT, EN: f.EN + " is not " + v.EN}, true
		}
		return survey.Text{IT: f.IT + " è " + v.IT, EN: f.EN + " is " + v.EN}, true
	}
	if m := reBool.FindStringSubmatch(s); m != nil {
		q, f, ok := field(m[1])
		if !ok || q.Type != survey.TypeYesNo {
			return survey.Text{}, false
		}
		v := yesNo(m[2] == "true")
		return survey.Text{IT: f.IT + " è " + v.IT, EN: f.EN + " is " + v.EN}, true
	}
	if m := reIn.FindStringSubmatch(s); m != nil {
		q, f, ok := field(m[1])
		if !ok {
			return survey.Text{}, false
		}
		var cs []string
		for _, c := range reQuoted.FindAllStringSubmatch(m[2], -1) {
			cs = append(cs, c[1])
		}
		v, ok := codes(q, cs)
		if !ok {
			return survey.Text{}, false
		}
		return survey.Text{IT: f.IT + " è " + v.IT, EN: f.EN + " is " + v.EN}, true
	}
	if m := reAnswered.FindStringSubmatch(s); m != nil {
		_, f, ok := field(m[1])
		if !ok {
			return survey.Text{}, false
		}
		return survey.Text{IT: "è indicato " + f.IT, EN: f.EN + " is given"}, true
	}
	if m := reHas.FindStringSubmatch(s); m != nil {
		q, f, ok := field(m[2])
		if !ok {
			return survey.Text{}, false
		}
		v, ok := codes(q, []string{m[3]})
		if !ok {
			return survey.Text{}, false
		}
		if m[1] == "!" {
			return survey.Text{IT: "in " + f.IT + " non è segnato " + v.IT, EN: f.EN + " does not include " + v.EN}, true
		}
		return survey.Text{IT: "in " + f.IT + " è segnato " + v.IT, EN: f.EN + " includes " + v.EN}, true
	}
	return survey.Text{}, false
}

// codeLabel is "code · label", or the code alone when it has no label (an
// open list's code with none published).
func codeLabel(c survey.Code, lang string) string {
	if l := c.Label.In(lang); l != "" {
		return c.Code + " · " + l
	}
	return c.Code
}

func yesNo(b bool) survey.Text {
	if b {
		return survey.Text{IT: "Sì", EN: "Yes"}
	}
	return survey.Text{IT: "No", EN: "No"}
}
