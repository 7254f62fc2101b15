package survey

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// normalizeValue converts an answer to the form its question stores (see
// QuestionType), accepting the usual variants of JSON input: numbers as
// strings and codes as numbers. It returns why a value cannot be read.
func (in *Instrument) normalizeValue(q *Question, v any) (any, *Text) {
	if v == nil {
		return nil, nil
	}
	bad := func(it, en string) (any, *Text) {
		return nil, &Text{IT: it, EN: en}
	}
	switch q.Type {
	case TypeText:
		switch x := v.(type) {
		case string:
			return x, nil
		case json.Number:
			return x.String(), nil
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64), nil
		}
		return bad("serve un testo", "a text is needed")
	case TypeInteger:
		f, ok := numberAs(v, true)
		if !ok || f != math.Trunc(f) || math.Abs(f) > 1e15 {
			return bad("serve un numero intero", "a whole number is needed")
		}
		return int(f), nil
	case TypeDecimal:
		f, ok := numberAs(v, false)
		if !ok || math.IsInf(f, 0) || math.IsNaN(f) {
			return bad("serve un numero", "a number is needed")
		}
		return f, nil
	case TypeDate:
		s, _ := v.(string)
		s = strings.TrimSpace(s)
		if _, err := time.Parse("2006-01-02", s); err != nil {
			return bad("serve una data AAAA-MM-GG", "a date YYYY-MM-DD is needed")
		}
		return s, nil
	case TypeMonthYear:
		s, _ := v.(string)
		s = strings.TrimSpace(s)
		if len(s) == 7 && s[4] == '-' { // YYYY-MM, as a date picker gives it
			s = s[5:] + "/" + s[:4]
		}
		if len(s) == 6 && s[1] == '/' {
			s = "0" + s
		}
		if y, _, ok := yearMonth(s); !ok || len(s) != 7 || y < 1900 || y > 2099 {
			return bad("serve mese e anno MM/AAAA", "month and year MM/YYYY are needed")
		}
		return s, nil
	case TypeYesNo:
		switch x := v.(type) {
		case bool:
			return x, nil
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true", "si", "sì", "yes":
				return true, nil
			case "false", "no":
				return false, nil
			}
		}
		return bad("serve sì o no", "yes or no is needed")
	case TypeSingle, TypeLookup:
		c, ok := codeString(v)
		if !ok {
			return bad("serve un codice", "a code is needed")
		}
		return in.resolveCode(q, c), nil
	case TypeMulti:
		list, ok := v.([]any)
		if !ok {
			if s, isStr := v.([]string); isStr {
				for _, x := range s {
					list = append(list, x)
				}
			} else {
				list = []any{v} // one code given alone
			}
		}
		out := make([]any, 0, len(list))
		seen := map[string]bool{}
		for _, x := range list {
			c, ok := codeString(x)
			if !ok {
				return bad("serve un elenco di codici", "a list of codes is needed")
			}
			c = in.resolveCode(q, c)
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
		return out, nil
	case TypeGroup:
		list, ok := v.([]any)
		if !ok {
			if ms, isMaps := v.([]map[string]any); isMaps {
				for _, m := range ms {
					list = append(list, m)
				}
			} else {
				return bad("serve un elenco di voci", "a list of items is needed")
			}
		}
		out := make([]any, 0, len(list))
		for _, it := range list {
			m, ok := it.(map[string]any)
			if !ok {
				if a, isAns := it.(Answers); isAns {
					m = a
				} else {
					return bad("ogni voce deve essere un oggetto", "every item must be an object")
				}
			}
			out = append(out, m)
		}
		return out, nil
	}
	return nil, &Text{IT: "tipo di domanda sconosciuto", EN: "unknown question type"}
}

// resolveCode matches a code read from a number to the list's form ("1" for
// a region is "01", 380 is "380"): lists of fixed-width codes pad with zeros.
func (in *Instrument) resolveCode(q *Question, c string) string {
	exists := func(s string) bool {
		if q.Type == TypeLookup {
			l := in.LookupList(q)
			if l == nil {
				return false
			}
			_, ok := l.Get(s)
			return ok
		}
		cl := in.Codelists[q.Codelist]
		if cl == nil {
			return false
		}
		_, ok := cl.Get(s)
		return ok
	}
	if exists(c) {
		return c
	}
	if _, err := strconv.Atoi(c); err == nil {
		for _, w := range []int{2, 3, 6} {
			if p := fmt.Sprintf("%0*s", w, c); len(p) == w && exists(p) {
				return p
			}
		}
	}
	if u := strings.ToUpper(c); u != c && exists(u) {
		return u
	}
	return c
}

func number(v any) (float64, bool) { return numberAs(v, false) }

// numberAs reads a number; a string is read as ParseNumber reads it, whole
// or not, so "180.000" is one hundred and eighty thousand.
func numberAs(v any, whole bool) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, why := ParseNumber(x, whole)
		return f, why == nil
	}
	return 0, false
}

func codeString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x), true
	case json.Number:
		return x.String(), true
	case float64:
		if x == math.Trunc(x) && x >= 0 && x < 1e9 {
			return strconv.Itoa(int(x)), true
		}
	case int:
		return strconv.Itoa(x), true
	}
	return "", false
}

// Normalize returns the answers in the form their questions store, with an
// issue for every answer that cannot be read. Unknown keys are kept as they are.
func Normalize(in *Instrument, ans Answers) (Answers, []Issue) {
	out := make(Answers, len(ans))
	var issues []Issue
	for k, v := range ans {
		q, ok := in.questions[k]
		if !ok || q.group != nil {
			out[k] = v
			continue
		}
		nv, why := in.normalizeValue(q, v)
		if why != nil {
			issues = append(issues, typeIssue(q, k, *why))
			continue
		}
		if q.Type == TypeGroup && nv != nil {
			items := nv.([]any)
			for i, it := range items {
				m := it.(map[string]any)
				nm := make(map[string]any, len(m))
				for ik, iv := range m {
					iq := itemQuestion(q, ik)
					if iq == nil {
						nm[ik] = iv
						continue
					}
					niv, why := in.normalizeValue(iq, iv)
					if why != nil {
						issues = append(issues, typeIssue(iq, itemPath(q.ID, i, ik), *why))
						continue
					}
					nm[ik] = niv
				}
				items[i] = nm
			}
		}
		out[k] = nv
	}
	return out, issues
}

func itemQuestion(g *Question, id string) *Question {
	for _, it := range g.Items {
		if it.ID == id {
			return it
		}
	}
	return nil
}

func itemPath(group string, i int, id string) string {
	return fmt.Sprintf("%s[%d].%s", group, i+1, id)
}

func typeIssue(q *Question, path string, why Text) Issue {
	return Issue{Rule: "type." + path, Severity: SeverityError, Fields: []string{path},
		MessageIT: q.Label.IT + ": " + why.IT, MessageEN: q.Label.In("en") + ": " + why.EN}
}
