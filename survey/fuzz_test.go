package survey

import (
	"strings"
	"testing"
	"time"
)

// FuzzDecodeCF: decoding never panics, and a valid code decodes to a
// consistent result: the normalised code is valid, not an omocode, and
// decodes to the same person.
func FuzzDecodeCF(f *testing.F) {
	for _, s := range []string{"RSSMRA85T10A562S", "RSSMRAURTMLARSNL", "BNCLRA10A41H501K", "VRDGPP40A01D620L",
		"SMTJHN12C15Z404L", "BNCLRA00B69F205K", "", "RSSMRA85T10A562", "rssmra85t10a562s", "RSSMRA85T7ZA562S"} {
		f.Add(s)
	}
	_, ref := load(f)
	now := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, code string) {
		fc := DecodeFiscalCodeAt(code, ref, now)
		if !fc.Valid {
			if fc.Reason.IT == "" || fc.Reason.EN == "" {
				t.Fatalf("%q: invalid without a reason", code)
			}
			return
		}
		if fc.Reason != (Text{}) || (fc.Sex != "M" && fc.Sex != "F") || len(fc.Birthplace) != 4 || fc.BirthDate > "2025-06-30" {
			t.Fatalf("%q: %+v", code, fc)
		}
		n := DecodeFiscalCodeAt(fc.Normalized, ref, now)
		if !n.Valid || n.Omocode || n.Normalized != fc.Normalized || n.BirthDate != fc.BirthDate || n.Sex != fc.Sex || n.Birthplace != fc.Birthplace {
			t.Fatalf("%q normalised to %q: %+v", code, fc.Normalized, n)
		}
		if fc.Omocode == (fc.Normalized == strings.ToUpper(strings.TrimSpace(code))) {
			t.Fatalf("%q: omocode %v but normalised %q", code, fc.Omocode, fc.Normalized)
		}
	})
}

// FuzzCompileRule: compiling any text as a rule of the case record never
// panics; what compiles runs on a record without panicking, within bounds.
func FuzzCompileRule(f *testing.F) {
	in := caseInstrument(f)
	for _, r := range in.Rules {
		f.Add(r.Assert)
		f.Add(r.When)
	}
	for _, q := range in.order {
		f.Add(q.Relevant)
		f.Add(q.Computed)
	}
	f.Add("map(1..100000000, #)")
	f.Add("LuogoVita == 3")
	f.Add("ageBands(AnnoNascita)[5] == '1'")
	fields := in.fieldTypes(in.questions[FieldDettaglioInterventi])
	st := in.prepareRecord(validCase(), refDate)
	f.Fuzz(func(t *testing.T, src string) {
		p, err := CompileExpression(src, fields, in.ref, true)
		if err != nil {
			return
		}
		runBool(p, st.env)
	})
}

// FuzzParseExpression: the syntax check never panics and agrees with the
// compiler on what is not an expression.
func FuzzParseExpression(f *testing.F) {
	for _, s := range []string{"a == '1'", "x in ['4', '5']", "!(a)", "count(x) + 1 >= 2", "((", "'unterminated", "1..", "a ?? b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if ParseExpression(src) != nil {
			if _, err := CompileExpression(src, map[string]QuestionType{"a": TypeText}, nil, false); err == nil {
				t.Fatalf("%q: compiles but does not parse", src)
			}
		}
	})
}
