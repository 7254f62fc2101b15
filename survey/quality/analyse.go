package quality

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"sinba/survey"
)

// Options tune Analyse.
type Options struct {
	// Ref is the reference date of skip logic and rules; zero means today.
	Ref time.Time
	// Tolerance is how far the observed share of answered case records may
	// be from what the Scheda Comune declares before the grid calls the two
	// discordant: "always" wants at least 1-Tolerance, "never" at most
	// Tolerance. Zero means DefaultTolerance.
	Tolerance float64
	// Threshold is the smallest count the report's tables publish; see
	// Protect. Zero means DefaultThreshold; a negative value publishes every
	// count (for internal use only).
	Threshold int
}

// DefaultTolerance is the grid's tolerance when Options leave it zero.
const DefaultTolerance = 0.2

// Counts are the figures of one field over a set of units (records, or items
// of a repeat group). See the package documentation for what each counts.
type Counts struct {
	Units      int `json:"units"`
	Applicable int `json:"applicable"`
	Answered   int `json:"answered"`
	Missing    int `json:"missing"`
	NotHeld    int `json:"not_held"`
	// NotHeldBy splits NotHeld by the reason the researcher gave.
	NotHeldBy survey.ReasonCounts `json:"not_held_by"`
	Errors    int                 `json:"errors"`   // units with at least one error naming the field
	Warnings  int                 `json:"warnings"` // units with at least one warning naming the field
}

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// MissingRate is Missing over Applicable (0 when nothing applies).
func (c Counts) MissingRate() float64 { return ratio(c.Missing, c.Applicable) }

// NotHeldRate is NotHeld over Applicable.
func (c Counts) NotHeldRate() float64 { return ratio(c.NotHeld, c.Applicable) }

// AnsweredRate is Answered over Applicable.
func (c Counts) AnsweredRate() float64 { return ratio(c.Answered, c.Applicable) }

// ErrorRate is Errors over Units.
func (c Counts) ErrorRate() float64 { return ratio(c.Errors, c.Units) }

// WarningRate is Warnings over Units.
func (c Counts) WarningRate() float64 { return ratio(c.Warnings, c.Units) }

func (c *Counts) add(o Counts) {
	c.Units += o.Units
	c.Applicable += o.Applicable
	c.Answered += o.Answered
	c.Missing += o.Missing
	c.NotHeld += o.NotHeld
	c.NotHeldBy = c.NotHeldBy.Plus(o.NotHeldBy)
	c.Errors += o.Errors
	c.Warnings += o.Warnings
}

// Note is a free note left on a field: a critical point in the words of the
// person who met it.
type Note struct {
	RecordID     string `json:"record_id"`
	Municipality string `json:"municipality"`
	Text         string `json:"text"`
}

// RuleCount is how many units a rule failed on, for one field.
type RuleCount struct {
	Rule     string          `json:"rule"`
	Severity survey.Severity `json:"severity"`
	Units    int             `json:"units"`
}

// FieldStats are the critical-point figures of one field.
type FieldStats struct {
	ID           string      `json:"id"` // question id; Group.Item inside a repeat group
	Label        survey.Text `json:"label"`
	Section      string      `json:"section"`
	SectionTitle survey.Text `json:"section_title"`
	Required     bool        `json:"required"`
	Item         bool        `json:"item"` // counted over the items of a repeat group
	Total        Counts      `json:"total"`
	// ByMunicipality is keyed by ISTAT code.
	ByMunicipality map[string]Counts `json:"by_municipality"`
	Rules          []RuleCount       `json:"rules,omitempty"`
	Notes          []Note            `json:"notes,omitempty"`
	// Versions are the instrument versions analysed that have the field,
	// and ByVersion its figures in the records of each of them, side by
	// side, so that a change between versions shows. The field is followed
	// across versions by their migrations (survey.Union): ID is its newest
	// id, EarlierIDs the others, History what a merge or a drop made of
	// it. A record of a version without the field counts for nothing here.
	Versions   []int             `json:"versions"`
	ByVersion  map[int]Counts    `json:"by_version"`
	EarlierIDs []survey.FieldRef `json:"earlier_ids,omitempty"`
	History    survey.Text       `json:"history,omitempty"`
}

// NotHeldByMunicipality sums, for each municipality (by ISTAT code), the
// "not held" marks of every field by reason; "" holds the total.
func (r *InstrumentReport) NotHeldByMunicipality() map[string]survey.ReasonCounts {
	out := map[string]survey.ReasonCounts{}
	for _, f := range r.Fields {
		out[""] = out[""].Plus(f.Total.NotHeldBy)
		for code, c := range f.ByMunicipality {
			out[code] = out[code].Plus(c.NotHeldBy)
		}
	}
	return out
}

// InstrumentReport holds the figures of every field of one instrument.
type InstrumentReport struct {
	ID       string      `json:"id"`
	Title    survey.Text `json:"title"`
	Versions []int       `json:"versions"` // those with records
	Records  int         `json:"records"`
	// RecordsByVersion counts the records by instrument version.
	RecordsByVersion map[int]int `json:"records_by_version"`
	// ByMunicipality counts records by ISTAT code.
	ByMunicipality map[string]int `json:"by_municipality"`
	Fields         []FieldStats   `json:"fields"`
}

// Field returns the figures of a field.
func (r *InstrumentReport) Field(id string) (*FieldStats, bool) {
	for i := range r.Fields {
		if r.Fields[i].ID == id {
			return &r.Fields[i], true
		}
	}
	return nil, false
}

// Municipality is a pilot municipality found in the records.
type Municipality struct {
	Code           string `json:"code"` // ISTAT
	Name           string `json:"name"`
	Cases          int    `json:"cases"`
	Questionnaires int    `json:"questionnaires"`
	// CriticalPoints is the Scheda Comune's free text on the critical
	// points met (question Criticita), when given.
	CriticalPoints string `json:"critical_points,omitempty"`
}

// Label is the municipality's name, or its code when the name is unknown.
func (m Municipality) Label() string {
	if m.Name == "" {
		return m.Code
	}
	return m.Name
}

// Skipped is a record Analyse could not use, and why.
type Skipped struct {
	RecordID string      `json:"record_id"`
	Reason   survey.Text `json:"reason"`
}

// Report is the outcome of Analyse. Progress is left nil by Analyse: the
// caller, who holds the states and timestamps, may set it with
// BuildProgress before WriteHTML.
type Report struct {
	Generated      time.Time          `json:"generated"`
	Ref            time.Time          `json:"ref"`
	Tolerance      float64            `json:"tolerance"`
	Municipalities []Municipality     `json:"municipalities"` // by ISTAT code
	Instruments    []InstrumentReport `json:"instruments"`
	Grid           []GridRow          `json:"grid"`
	Tables         []Table            `json:"tables"` // protected with Threshold
	Threshold      int                `json:"threshold"`
	Progress       *Progress          `json:"progress,omitempty"`
	Skipped        []Skipped          `json:"skipped,omitempty"`
	Warnings       []survey.Text      `json:"warnings,omitempty"`
}

// Instrument returns the figures of an instrument.
func (r *Report) Instrument(id string) (*InstrumentReport, bool) {
	for i := range r.Instruments {
		if r.Instruments[i].ID == id {
			return &r.Instruments[i], true
		}
	}
	return nil, false
}

// Municipality returns a municipality of the report by ISTAT code.
func (r *Report) Municipality(code string) (Municipality, bool) {
	for _, m := range r.Municipalities {
		if m.Code == code {
			return m, true
		}
	}
	return Municipality{}, false
}

// field is one counted field of an instrument, followed across versions.
type field struct {
	stats *FieldStats
	uf    *survey.UnionField
}

type instrumentAcc struct {
	rep    *InstrumentReport
	u      *survey.Union
	fields []*field
	byID   map[string]*field                // by FieldStats.ID
	byUF   map[*survey.UnionField]*field    // by union field
	paths  map[int]map[string]*field        // version -> F or G.F in that version -> field
	rules  map[string]map[string]*RuleCount // field -> rule -> count
}

// newInstrumentAcc lists the fields of every version of u, in its order:
// the newest version's page order, older fields after the one they followed.
// A field whose newest id a newer field took (its question changed type) is
// named <id>_v<its newest version>.
func newInstrumentAcc(u *survey.Union) *instrumentAcc {
	a := &instrumentAcc{u: u, byID: map[string]*field{}, byUF: map[*survey.UnionField]*field{}, paths: map[int]map[string]*field{},
		rules: map[string]map[string]*RuleCount{},
		rep:   &InstrumentReport{ID: u.ID, Title: u.Latest().Title, ByMunicipality: map[string]int{}, RecordsByVersion: map[int]int{}}}
	section := map[*survey.Question]*survey.Section{}
	for _, in := range u.Versions {
		for _, s := range in.Sections {
			for _, q := range s.Questions {
				section[q] = s
				for _, iq := range q.Items {
					section[iq] = s
				}
			}
		}
	}
	var all []*survey.UnionField
	for _, f := range u.Fields {
		all = append(all, f)
		all = append(all, f.Items...)
	}
	newest := u.Latest().Version
	ids := map[*survey.UnionField]string{}
	taken := map[string]bool{}
	for pass := 0; pass < 2; pass++ {
		for _, f := range all {
			last := f.Versions[len(f.Versions)-1]
			if _, done := ids[f]; done || (pass == 0) != (last == newest) {
				continue
			}
			id := f.Path()
			if taken[id] {
				id = fmt.Sprintf("%s_v%d", id, last)
			}
			ids[f], taken[id] = id, true
		}
	}
	for _, uf := range all {
		q := uf.Question()
		s := section[q]
		f := &field{uf: uf, stats: &FieldStats{ID: ids[uf], Label: q.Label, Section: s.ID, SectionTitle: s.Title,
			Required: q.Required, Item: uf.Group != nil, ByMunicipality: map[string]Counts{},
			Versions: uf.Versions, ByVersion: map[int]Counts{}, EarlierIDs: uf.EarlierIDs(), History: uf.History()}}
		a.fields = append(a.fields, f)
		a.byID[f.stats.ID] = f
		a.byUF[uf] = f
		for _, v := range uf.Versions {
			q, _ := uf.In(v)
			path := q.ID
			if uf.Group != nil {
				gq, _ := uf.Group.In(v)
				path = gq.ID + "." + q.ID
			}
			if a.paths[v] == nil {
				a.paths[v] = map[string]*field{}
			}
			a.paths[v][path] = f
		}
	}
	return a
}

// Analyse computes the critical points of the data set over recs (case
// records and municipality questionnaires, in any version the registry
// knows), the Scheda Comune grid and the aggregated tables.
func Analyse(reg *survey.Registry, recs []survey.Record, opts Options) Report {
	ref := opts.Ref
	if ref.IsZero() {
		ref = time.Now()
	}
	tol := opts.Tolerance
	if tol <= 0 {
		tol = DefaultTolerance
	}
	rep := Report{Generated: time.Now(), Ref: ref, Tolerance: tol}
	accs := map[string]*instrumentAcc{}
	var order []string
	munis := map[string]*Municipality{}
	muni := func(code string) *Municipality {
		m, ok := munis[code]
		if !ok {
			m = &Municipality{Code: code}
			munis[code] = m
		}
		return m
	}
	// The municipality questionnaire per ISTAT code, for the grid.
	questionnaires := map[string]*survey.Record{}
	views := evaluate(reg, recs, ref, true)
	// The versions of each instrument's records, for the fields they had.
	versions := map[string][]int{}
	for i := range views {
		if v := &views[i]; v.err == nil && !containsInt(versions[v.in.ID], v.in.Version) {
			versions[v.in.ID] = append(versions[v.in.ID], v.in.Version)
		}
	}
	for i := range views {
		v := &views[i]
		rec, in, err := v.rec, v.in, v.err
		if err != nil {
			rep.Skipped = append(rep.Skipped, Skipped{RecordID: rec.ID, Reason: survey.Text{
				IT: "strumento sconosciuto: " + err.Error(), EN: "unknown instrument: " + err.Error()}})
			continue
		}
		acc, ok := accs[in.ID]
		if !ok {
			latest, _ := reg.Latest(in.ID)
			u, err := reg.Union(in.ID, append(versions[in.ID], latest.Version)...)
			if err != nil {
				rep.Skipped = append(rep.Skipped, Skipped{RecordID: rec.ID, Reason: survey.Text{
					IT: "strumento sconosciuto: " + err.Error(), EN: "unknown instrument: " + err.Error()}})
				continue
			}
			acc = newInstrumentAcc(u)
			accs[in.ID] = acc
			order = append(order, in.ID)
		}
		if !containsInt(acc.rep.Versions, in.Version) {
			acc.rep.Versions = append(acc.rep.Versions, in.Version)
		}
		acc.rep.RecordsByVersion[in.Version]++
		code := rec.Municipality
		m := muni(code)
		switch in.ID {
		case survey.InstrumentCase:
			m.Cases++
		case survey.InstrumentMunicipality:
			m.Questionnaires++
			if prev, dup := questionnaires[code]; dup {
				rep.Warnings = append(rep.Warnings, survey.Text{
					IT: fmt.Sprintf("comune %s: più di una Scheda Comune (%s, %s); per la griglia vale l'ultima", code, prev.ID, rec.ID),
					EN: fmt.Sprintf("municipality %s: more than one Scheda Comune (%s, %s); the grid uses the last", code, prev.ID, rec.ID)})
			}
			questionnaires[code] = rec
			if s, ok := rec.Answers["Criticita"].(string); ok && strings.TrimSpace(s) != "" {
				m.CriticalPoints = strings.TrimSpace(s)
			}
		}
		acc.rep.Records++
		acc.rep.ByMunicipality[code]++
		acc.count(v)
	}
	for _, id := range order {
		acc := accs[id]
		sort.Ints(acc.rep.Versions)
		for _, f := range acc.fields {
			if rules := acc.rules[f.stats.ID]; len(rules) > 0 {
				for _, rc := range rules {
					f.stats.Rules = append(f.stats.Rules, *rc)
				}
				sort.Slice(f.stats.Rules, func(i, j int) bool {
					a, b := f.stats.Rules[i], f.stats.Rules[j]
					if a.Units != b.Units {
						return a.Units > b.Units
					}
					return a.Rule < b.Rule
				})
			}
			acc.rep.Fields = append(acc.rep.Fields, *f.stats)
		}
		rep.Instruments = append(rep.Instruments, *acc.rep)
	}
	sort.Slice(rep.Instruments, func(i, j int) bool { return rep.Instruments[i].ID > rep.Instruments[j].ID })
	var refData *survey.Reference
	for _, id := range reg.IDs() {
		if in, ok := reg.Latest(id); ok && in.Reference() != nil {
			refData = in.Reference()
			break
		}
	}
	for _, m := range munis {
		if refData != nil {
			if mm, ok := refData.Municipality(m.Code); ok {
				m.Name = mm.Name
			}
		}
		rep.Municipalities = append(rep.Municipalities, *m)
	}
	sort.Slice(rep.Municipalities, func(i, j int) bool { return rep.Municipalities[i].Code < rep.Municipalities[j].Code })
	rep.Grid = buildGrid(reg, &rep, questionnaires, tol)
	rep.Threshold = opts.Threshold
	if rep.Threshold == 0 {
		rep.Threshold = DefaultThreshold
	}
	for _, t := range results(reg, views) {
		if rep.Threshold > 0 {
			t = Protect(t, rep.Threshold)
		}
		rep.Tables = append(rep.Tables, t)
	}
	return rep
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// failures are the severities of the issues naming one unit of a field.
type failures struct{ err, warn bool }

// count adds one record to the figures of its instrument, in the fields
// its version has.
func (a *instrumentAcc) count(v *caseView) {
	in, rec, ans, rel, issues := v.in, v.rec, v.ans, v.rel, v.issues
	ver := in.Version
	// unit key: field, and item number from 1
	type unit struct {
		field *field
		item  int
	}
	failed := map[unit]*failures{}
	for _, is := range issues {
		if strings.HasPrefix(is.Rule, "required.") || strings.HasPrefix(is.Rule, "required_if.") ||
			strings.HasPrefix(is.Rule, "unknown_field.") || strings.HasPrefix(is.Rule, "identity.") {
			continue
		}
		seen := map[unit]bool{}
		for _, path := range is.Fields {
			id, item := splitPath(path)
			f, ok := a.paths[ver][id]
			if !ok {
				continue
			}
			u := unit{f, item}
			if seen[u] {
				continue
			}
			seen[u] = true
			fl := failed[u]
			if fl == nil {
				fl = &failures{}
				failed[u] = fl
			}
			if is.Severity == survey.SeverityError {
				fl.err = true
			} else {
				fl.warn = true
			}
			rules := a.rules[f.stats.ID]
			if rules == nil {
				rules = map[string]*RuleCount{}
				a.rules[f.stats.ID] = rules
			}
			rc := rules[is.Rule]
			if rc == nil {
				rc = &RuleCount{Rule: is.Rule, Severity: is.Severity}
				rules[is.Rule] = rc
			}
			rc.Units++
		}
	}
	code := rec.Municipality
	put := func(f *field, c Counts) {
		f.stats.Total.add(c)
		m := f.stats.ByMunicipality[code]
		m.add(c)
		f.stats.ByMunicipality[code] = m
		bv := f.stats.ByVersion[ver]
		bv.add(c)
		f.stats.ByVersion[ver] = bv
	}
	mark := func(c *Counts, u unit) {
		if f := failed[u]; f != nil {
			if f.err {
				c.Errors++
			}
			if f.warn {
				c.Warnings++
			}
		}
	}
	for _, uf := range a.u.Fields {
		q, ok := uf.In(ver)
		if !ok {
			continue
		}
		f := a.byUF[uf]
		meta := rec.Meta[q.ID]
		c := Counts{Units: 1}
		if rel[q.ID] {
			c.Applicable = 1
			switch {
			case survey.Answered(ans[q.ID]):
				c.Answered = 1
			case meta.NotHeld:
				c.NotHeld = 1
				c.NotHeldBy.Add(meta.Reason)
			default:
				c.Missing = 1
			}
		}
		mark(&c, unit{f, 0})
		put(f, c)
		if note := strings.TrimSpace(meta.Note); note != "" {
			f.stats.Notes = append(f.stats.Notes, Note{RecordID: rec.ID, Municipality: code, Text: note})
		}
		if q.Type != survey.TypeGroup {
			continue
		}
		items, _ := ans[q.ID].([]any)
		for i, it := range items {
			m, _ := it.(map[string]any)
			for _, iuf := range uf.Items {
				iq, ok := iuf.In(ver)
				if !ok {
					continue
				}
				itf := a.byUF[iuf]
				ic := Counts{Units: 1}
				applies := rel[q.ID]
				if applies && iq.Relevant != "" {
					applies = survey.VisibleInItem(in, rec, q.ID, i, iq.ID)
				}
				if applies {
					ic.Applicable = 1
					switch im := rec.Meta[itemPath(q.ID, i, iq.ID)]; {
					case survey.Answered(m[iq.ID]):
						ic.Answered = 1
					case im.NotHeld:
						ic.NotHeld = 1
						ic.NotHeldBy.Add(im.Reason)
					default:
						ic.Missing = 1
					}
				}
				mark(&ic, unit{itf, i + 1})
				put(itf, ic)
			}
		}
	}
}

// itemPath is the path of field in item i (from 0) of group, as the meta of
// a record keys it: G[n].F, n from 1.
func itemPath(group string, i int, field string) string {
	return group + "[" + strconv.Itoa(i+1) + "]." + field
}

// splitPath reads an issue's field path: "F", or "G[n].F" for item n (from
// 1) of group G, which is counted as field "G.F".
func splitPath(path string) (id string, item int) {
	open := strings.IndexByte(path, '[')
	shut := strings.Index(path, "].")
	if open < 0 || shut < open {
		return path, 0
	}
	n, err := strconv.Atoi(path[open+1 : shut])
	if err != nil {
		return path, 0
	}
	return path[:open] + "." + path[shut+2:], n
}
