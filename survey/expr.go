package survey

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// The expression language of instruments is expr (github.com/expr-lang/expr):
// `Disabilita == '1'`, `LuogoVita in ['4', '5']`, `MinoriInAffido <= MinoriInCarico`,
// `year(DataSegnalazione) >= AnnoNascita`. A name is a field id of the
// instrument, and its value the answer; an unanswered question, one the
// office does not hold and one that does not apply read as "" (text, dates,
// codes), [] (lists) or nil (numbers, yes/no). Other names:
//
//	refDate            reference date of the check, "YYYY-MM-DD"
//	refYear            its year
//	birthDate          the child's birth date from the identification, "YYYY-MM-DD", or nil
//	municipality       the ISTAT code of the record's municipality (the office's), or ""
//	answered(x)        x has an answer (not nil, not "", not an empty list)
//	count(x)           number of items of a list answer (0 when unanswered)
//	has(x, code)       the list answer x contains code
//	year(x)            the year of a MM/YYYY or YYYY-MM-DD answer or of a number, or nil
//	ym(x)              a MM/YYYY or YYYY-MM-DD answer as a month count (year*12+month-1), or nil
//	ageBand(y)         the FasciaEtaBeneficiario code for birth year y at the reference date
//	ageBands(y)        the codes that birth year y allows at the reference date (one, when the birth date is known)
//	minAge(y), maxAge(y) the least and the greatest age birth year y allows at the reference date
//	                   (both the exact age when the birth date is known)
//	regionOf(c)        the 2-digit region code of the municipality with ISTAT code c
//	isFiscalCode(s)    s has the form and check character of a codice fiscale
//	looksLikeFiscalCode(s) s is, holds or resembles a codice fiscale: a well-formed one, a
//	                   mistyped one, its first 15 characters, or an 11-digit temporary code
//
// The birth date is the one of the identification, or else the one the
// codice fiscale gives. The reference date is the record's own DataRiferimento
// when the instrument has one and it is answered, else the date of the check.
//
// A rule whose expression cannot be evaluated because a value it needs is
// missing (nil compared with a number, say) does not fire: required and
// requiredIf exist to catch missing answers.

// Reserved names: no question may take them.
var reservedNames = func() map[string]bool {
	m := map[string]bool{"refDate": true, "refYear": true, "birthDate": true, "municipality": true,
		"answered": true, "count": true, "has": true, "year": true, "ym": true,
		"ageBand": true, "ageBands": true, "minAge": true, "maxAge": true, "regionOf": true,
		"isFiscalCode": true, "looksLikeFiscalCode": true,
		"true": true, "false": true, "nil": true, "in": true, "not": true, "and": true, "or": true,
		"matches": true, "contains": true, "startsWith": true, "endsWith": true, "let": true, "if": true, "else": true}
	for _, n := range builtin.Names {
		m[n] = true
	}
	return m
}()

// maxExprNodes bounds the size of an instrument expression: a readable rule
// is far smaller, and the bound keeps a malformed definition cheap to refuse.
const maxExprNodes = 500

// ParseExpression checks the syntax of an expression without a field list.
func ParseExpression(src string) error {
	if strings.TrimSpace(src) == "" {
		return fmt.Errorf("empty expression")
	}
	_, err := parser.Parse(src)
	return err
}

// zeroOf is a value of the type an answer of type t has in an expression,
// so that the compiler checks `LuogoVita == 3` (a code is a string) or
// `PeriodoFine >= 2` at load time.
func zeroOf(t QuestionType) any {
	switch t {
	case TypeInteger:
		return 0
	case TypeDecimal:
		return 0.0
	case TypeYesNo:
		return false
	case TypeMulti, TypeGroup:
		return []any{}
	}
	return ""
}

// exprOptions are the compile options for an expression over the given
// fields, with functions bound to ref.
func exprOptions(fields map[string]QuestionType, ref *Reference) []expr.Option {
	env := make(map[string]any, len(fields)+8)
	for f, t := range fields {
		env[f] = zeroOf(t)
	}
	env["refDate"] = ""
	env["refYear"] = 0
	env["birthDate"] = nil
	env["municipality"] = ""
	env["ageBand"] = func(any) any { return nil }
	env["ageBands"] = func(any) []string { return nil }
	env["minAge"] = func(any) any { return nil }
	env["maxAge"] = func(any) any { return nil }
	return []expr.Option{
		expr.Env(env),
		expr.MaxNodes(maxExprNodes),
		expr.Function("answered", func(p ...any) (any, error) { return Answered(p[0]), nil }, new(func(any) bool)),
		expr.Function("count", func(p ...any) (any, error) { return countOf(p[0]), nil }, new(func(any) int)),
		expr.Function("has", func(p ...any) (any, error) { return hasCode(p[0], p[1]), nil }, new(func(any, any) bool)),
		expr.Function("year", func(p ...any) (any, error) { return yearOf(p[0]), nil }, new(func(any) any)),
		expr.Function("ym", func(p ...any) (any, error) { return monthIndex(p[0]), nil }, new(func(any) any)),
		expr.Function("isFiscalCode", func(p ...any) (any, error) {
			s, _ := p[0].(string)
			return fiscalCodeShapeOK(s), nil
		}, new(func(any) bool)),
		expr.Function("looksLikeFiscalCode", func(p ...any) (any, error) {
			s, _ := p[0].(string)
			return LooksLikeFiscalCode(s), nil
		}, new(func(any) bool)),
		expr.Function("regionOf", func(p ...any) (any, error) {
			s, _ := p[0].(string)
			if ref == nil {
				return nil, nil
			}
			if m, ok := ref.Municipality(s); ok {
				return m.Region, nil
			}
			return nil, nil
		}, new(func(any) any)),
	}
}

// CompileExpression compiles src as an instrument expression over the given
// fields (id -> type); asBool asks for a condition. It refuses unknown names
// and operations that do not fit the types of the answers.
func CompileExpression(src string, fields map[string]QuestionType, ref *Reference, asBool bool) (*vm.Program, error) {
	if err := ParseExpression(src); err != nil {
		return nil, err
	}
	opts := exprOptions(fields, ref)
	if asBool {
		opts = append(opts, expr.AsBool())
	}
	return expr.Compile(src, opts...)
}

// programs holds an instrument's compiled expressions, compiled once at load.
type programs struct {
	relevant   map[string]*vm.Program // question id (or group.item) -> program
	requiredIf map[string]*vm.Program
	computed   map[string]*vm.Program
	section    map[string]*vm.Program
	when       map[string]*vm.Program // rule id
	assert     map[string]*vm.Program
}

func (in *Instrument) compile() error {
	p := &programs{
		relevant: map[string]*vm.Program{}, requiredIf: map[string]*vm.Program{},
		computed: map[string]*vm.Program{}, section: map[string]*vm.Program{},
		when: map[string]*vm.Program{}, assert: map[string]*vm.Program{},
	}
	top := in.fieldTypes(nil)
	compileInto := func(m map[string]*vm.Program, key, what, src string, fields map[string]QuestionType, asBool bool) error {
		if src == "" {
			return nil
		}
		prog, err := CompileExpression(src, fields, in.ref, asBool)
		if err != nil {
			return fmt.Errorf("%s: expression %q: %v", what, src, err)
		}
		m[key] = prog
		return nil
	}
	for _, s := range in.Sections {
		if err := compileInto(p.section, s.ID, "section "+s.ID+" relevant", s.Relevant, top, true); err != nil {
			return err
		}
		for _, q := range s.Questions {
			if err := in.compileQuestion(p, compileInto, q, "", top); err != nil {
				return err
			}
		}
	}
	for _, r := range in.Rules {
		fields := top
		if r.Each != "" {
			fields = in.fieldTypes(in.questions[r.Each])
		}
		if err := compileInto(p.when, r.ID, "rule "+r.ID+" when", r.When, fields, true); err != nil {
			return err
		}
		if err := compileInto(p.assert, r.ID, "rule "+r.ID+" assert", r.Assert, fields, true); err != nil {
			return err
		}
	}
	in.progs = p
	return nil
}

type compileFunc func(m map[string]*vm.Program, key, what, src string, fields map[string]QuestionType, asBool bool) error

// fieldTypes maps the top-level field ids, and those of the items of group g
// when g is not nil, to their types.
func (in *Instrument) fieldTypes(g *Question) map[string]QuestionType {
	m := make(map[string]QuestionType, len(in.order))
	for _, q := range in.order {
		m[q.ID] = q.Type
	}
	if g != nil {
		for _, it := range g.Items {
			m[it.ID] = it.Type
		}
	}
	return m
}

func (in *Instrument) compileQuestion(p *programs, compileInto compileFunc, q *Question, prefix string, fields map[string]QuestionType) error {
	key := prefix + q.ID
	what := "question " + key
	if err := compileInto(p.relevant, key, what+" relevant", q.Relevant, fields, true); err != nil {
		return err
	}
	if err := compileInto(p.requiredIf, key, what+" requiredIf", q.RequiredIf, fields, true); err != nil {
		return err
	}
	if err := compileInto(p.computed, key, what+" computed", q.Computed, fields, false); err != nil {
		return err
	}
	if q.Type == TypeGroup {
		// Inside an item, the item's answers are in scope beside the record's.
		itemFields := in.fieldTypes(q)
		for _, it := range q.Items {
			if err := in.compileQuestion(p, compileInto, it, key+".", itemFields); err != nil {
				return err
			}
		}
	}
	return nil
}

// evalEnv is the environment an expression runs in.
type evalEnv map[string]any

func newEnv(ans Answers, ref time.Time, birthDate string) evalEnv {
	env := make(evalEnv, len(ans)+8)
	for k, v := range ans {
		env[k] = v
	}
	env["refDate"] = ref.Format("2006-01-02")
	env["refYear"] = ref.Year()
	env["municipality"] = "" // set by the caller that has the record
	if birthDate != "" {
		env["birthDate"] = birthDate
	} else {
		env["birthDate"] = nil
	}
	env["ageBand"] = func(y any) any { return ageBandAt(y, ref, birthDate) }
	env["ageBands"] = func(y any) []string { return ageBandsAt(y, ref, birthDate) }
	env["minAge"] = func(y any) any {
		if lo, _, ok := agesAt(y, ref, birthDate); ok {
			return lo
		}
		return nil
	}
	env["maxAge"] = func(y any) any {
		if _, hi, ok := agesAt(y, ref, birthDate); ok {
			return hi
		}
		return nil
	}
	return env
}

// run evaluates a condition; ok is false when it could not be evaluated.
func runBool(p *vm.Program, env evalEnv) (value, ok bool) {
	out, err := expr.Run(p, map[string]any(env))
	if err != nil {
		return false, false
	}
	b, isBool := out.(bool)
	return b, isBool
}

// Answered reports whether v is an answer: nil, blank text and empty lists
// are not. Validation, the critical-points analysis and the exports all
// count answers this way.
func Answered(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return strings.TrimSpace(x) != ""
	case []any:
		return len(x) > 0
	case []string:
		return len(x) > 0
	}
	return true
}

func countOf(v any) int {
	switch x := v.(type) {
	case []any:
		return len(x)
	case []string:
		return len(x)
	case []map[string]any:
		return len(x)
	}
	return 0
}

func hasCode(list, code any) bool {
	c := fmt.Sprint(code)
	switch x := list.(type) {
	case []any:
		for _, v := range x {
			if fmt.Sprint(v) == c {
				return true
			}
		}
	case []string:
		for _, v := range x {
			if v == c {
				return true
			}
		}
	}
	return false
}

// yearMonth reads MM/YYYY, YYYY-MM-DD or YYYY-MM.
func yearMonth(s string) (y, m int, ok bool) {
	switch {
	case len(s) == 7 && s[2] == '/':
		m, err1 := strconv.Atoi(s[:2])
		y, err2 := strconv.Atoi(s[3:])
		return y, m, err1 == nil && err2 == nil && m >= 1 && m <= 12
	case len(s) >= 7 && s[4] == '-':
		y, err1 := strconv.Atoi(s[:4])
		m, err2 := strconv.Atoi(s[5:7])
		return y, m, err1 == nil && err2 == nil && m >= 1 && m <= 12
	}
	return 0, 0, false
}

func yearOf(v any) any {
	switch x := v.(type) {
	case string:
		if y, _, ok := yearMonth(x); ok {
			return y
		}
		if len(x) == 4 {
			if y, err := strconv.Atoi(x); err == nil {
				return y
			}
		}
	case int:
		return x
	case float64:
		return int(x)
	}
	return nil
}

func monthIndex(v any) any {
	s, _ := v.(string)
	if y, m, ok := yearMonth(s); ok {
		return y*12 + m - 1
	}
	return nil
}

// Age bands of FasciaEtaBeneficiarioType ("0-3 anni", "3-6 anni", ...,
// "15-18 anni"): code k covers the ages from 3(k-1) to 3k-1, and the last
// band also 18, the age at which a young person in care may still be followed
// to the closure of the case; an age outside 0-18 has no band.
func bandOfAge(age int) string {
	if age < 0 || age > 18 {
		return ""
	}
	k := age/3 + 1
	if k > 6 {
		k = 6
	}
	return strconv.Itoa(k)
}

// agesAt returns the least and greatest age of a child of birth year y at
// ref: exact when the birth date is known (and of that year), else
// refYear-y-1 or refYear-y depending on the birthday.
func agesAt(y any, ref time.Time, birthDate string) (lo, hi int, ok bool) {
	yr, isYear := yearOf(y).(int)
	if !isYear {
		return 0, 0, false
	}
	if bd, err := time.Parse("2006-01-02", birthDate); err == nil && bd.Year() == yr {
		age := ref.Year() - yr
		if ref.Month() < bd.Month() || (ref.Month() == bd.Month() && ref.Day() < bd.Day()) {
			age--
		}
		return age, age, true
	}
	return ref.Year() - yr - 1, ref.Year() - yr, true
}

// ageBandsAt returns the bands birth year y allows at ref: one when the
// birth date is known, else those of the two ages the year allows.
func ageBandsAt(y any, ref time.Time, birthDate string) []string {
	lo, hi, ok := agesAt(y, ref, birthDate)
	if !ok {
		return nil
	}
	var out []string
	for _, age := range []int{lo, hi} {
		if b := bandOfAge(age); b != "" && (len(out) == 0 || out[len(out)-1] != b) {
			out = append(out, b)
		}
	}
	return out
}

// ageBandAt proposes the band: exact from the birth date when known, else
// from the age the child reaches during the reference year, less one in the
// first half of the year (when most children have not had the birthday yet).
func ageBandAt(y any, ref time.Time, birthDate string) any {
	lo, hi, ok := agesAt(y, ref, birthDate)
	if !ok {
		return nil
	}
	age := hi
	if lo != hi && ref.Month() < time.July && hi > 0 {
		age = lo
	}
	if b := bandOfAge(age); b != "" {
		return b
	}
	return nil
}

func runAny(p *vm.Program, env evalEnv) (any, error) {
	return expr.Run(p, map[string]any(env))
}
