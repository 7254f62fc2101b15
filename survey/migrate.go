package survey

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"
)

// Migration says how a record made with an earlier version of an instrument
// moves to the version that declares it. A record never moves silently: the
// researcher asks for it (Registry.Move), and the store keeps the version
// before the move in the record's history.
//
// In the instrument definition:
//
//	"migrations": [{
//	  "from": 1,
//	  "renamed":  {"OldID": "NewID"},
//	  "merged":   [{"into": "Contatti", "from": ["Telefono", "Email"], "value": "Telefono + ' ' + Email"}],
//	  "dropped":  ["Obsoleta"],
//	  "defaults": {"NuovaDomanda": "9"}
//	}]
//
// Field ids of renamed, merged and dropped are those of the earlier version
// (renamed and merged targets those of this one); a rename applies to the
// items of repeat groups too. The value of a merge is an expression over the
// earlier version's answers; without one, the merged field takes the first
// answered of its sources, in order. Defaults give fields new in this version
// the answer a moved record starts with. Answers the migration does not
// mention keep their field id.
type Migration struct {
	From     int               `json:"from"`
	Renamed  map[string]string `json:"renamed,omitempty"`
	Merged   []*Merge          `json:"merged,omitempty"`
	Dropped  []string          `json:"dropped,omitempty"`
	Defaults map[string]any    `json:"defaults,omitempty"`
}

// Merge makes one field of the new version out of several of the earlier one.
type Merge struct {
	Into  string   `json:"into"`
	From  []string `json:"from"`
	Value string   `json:"value,omitempty"`
}

// Moved is what moving a record to a newer version did, for the person who
// asked and for the record's history.
type Moved struct {
	From, To  int
	Renamed   map[string]string   // old field id -> new field id, for answers that moved
	Merged    map[string][]string // new field id -> the old fields whose answers made it
	Dropped   Answers             // answers removed, by old field id
	Defaulted []string            // new fields given their declared default
	Orphans   []string            // answers kept whose field the new version does not have
	// Kept are the answers renamed, merged and kept without a field, as the
	// record holds them after the move, by their field id in it (what the
	// person is shown the answer stays).
	Kept Answers
}

// Empty reports whether the move changed nothing but the version number.
func (m *Moved) Empty() bool {
	return len(m.Renamed)+len(m.Merged)+len(m.Dropped)+len(m.Defaulted)+len(m.Orphans) == 0
}

// MigrationFrom returns the migration the instrument declares from version v.
func (in *Instrument) MigrationFrom(v int) (*Migration, bool) {
	for _, m := range in.Migrations {
		if m.From == v {
			return m, true
		}
	}
	return nil, false
}

// prepareMigrations checks what can be checked of the migrations without the
// earlier versions: the targets exist here and the defaults fit their
// questions. checkMigration checks the rest once both versions are known.
func (in *Instrument) prepareMigrations() error {
	seen := map[int]bool{}
	for i, m := range in.Migrations {
		where := fmt.Sprintf("migration %d", i+1)
		if m == nil {
			return fmt.Errorf("%s: empty", where)
		}
		if m.From < 1 || m.From >= in.Version {
			return fmt.Errorf("%s: from %d: must be an earlier version than %d", where, m.From, in.Version)
		}
		if seen[m.From] {
			return fmt.Errorf("%s: from %d declared twice", where, m.From)
		}
		seen[m.From] = true
		where = fmt.Sprintf("migration from %d", m.From)
		for old, now := range m.Renamed {
			if _, ok := in.questions[now]; !ok {
				return fmt.Errorf("%s: renamed %s -> %s: no question %s", where, old, now, now)
			}
		}
		into := map[string]bool{}
		for j, g := range m.Merged {
			if g == nil || g.Into == "" || len(g.From) == 0 {
				return fmt.Errorf("%s: merged %d: needs into and from", where, j+1)
			}
			if q, ok := in.questions[g.Into]; !ok || q.group != nil || q.Type == TypeGroup {
				return fmt.Errorf("%s: merged into %s: not a top-level question of this version", where, g.Into)
			}
			if into[g.Into] {
				return fmt.Errorf("%s: merged into %s twice", where, g.Into)
			}
			into[g.Into] = true
			if g.Value != "" {
				if err := ParseExpression(g.Value); err != nil {
					return fmt.Errorf("%s: merged into %s: value: %w", where, g.Into, err)
				}
			}
		}
		for id, v := range m.Defaults {
			q, ok := in.questions[id]
			if !ok || q.group != nil {
				return fmt.Errorf("%s: default for %s: not a top-level question of this version", where, id)
			}
			nv, why := in.normalizeValue(q, v)
			if why != nil {
				return fmt.Errorf("%s: default for %s: %s", where, id, why.EN)
			}
			if issue := in.checkDefault(q, nv); issue != "" {
				return fmt.Errorf("%s: default for %s: %s", where, id, issue)
			}
			m.Defaults[id] = nv
		}
	}
	return nil
}

// checkDefault refuses a default that is not one of the question's codes.
func (in *Instrument) checkDefault(q *Question, v any) string {
	cl := in.Codelist(q)
	if cl == nil || cl.Open {
		return ""
	}
	codes := []any{v}
	if l, ok := v.([]any); ok {
		codes = l
	}
	for _, c := range codes {
		s, _ := c.(string)
		if _, ok := cl.Get(s); !ok {
			return fmt.Sprintf("%v is not a code of %s", c, q.Codelist)
		}
	}
	return ""
}

// checkMigration checks a migration of to against the version it starts
// from: the old field ids exist there and merge values compile over its
// answers.
func checkMigration(from, to *Instrument, m *Migration) error {
	where := fmt.Sprintf("%s: migration from %d", to.Key(), m.From)
	has := func(id string) bool { _, ok := from.questions[id]; return ok }
	for old := range m.Renamed {
		if !has(old) {
			return fmt.Errorf("%s: renamed %s: version %d has no question %s", where, old, from.Version, old)
		}
	}
	for _, g := range m.Merged {
		for _, old := range g.From {
			if q, ok := from.questions[old]; !ok || q.group != nil {
				return fmt.Errorf("%s: merged into %s: version %d has no top-level question %s", where, g.Into, from.Version, old)
			}
		}
		if g.Value != "" {
			if _, err := CompileExpression(g.Value, from.fieldTypes(nil), from.ref, false); err != nil {
				return fmt.Errorf("%s: merged into %s: value: %w", where, g.Into, err)
			}
		}
	}
	for _, old := range m.Dropped {
		if !has(old) {
			return fmt.Errorf("%s: dropped %s: version %d has no question %s", where, old, from.Version, old)
		}
	}
	return nil
}

// checkMigrations checks in's migrations from the versions the registry
// holds, and the migrations of the registry's newer versions from in.
func (r *Registry) checkMigrations(in *Instrument) error {
	for _, m := range in.Migrations {
		if from, ok := r.Get(in.ID, m.From); ok {
			if err := checkMigration(from, in, m); err != nil {
				return err
			}
		}
	}
	for _, v := range r.Versions(in.ID) {
		if v <= in.Version {
			continue
		}
		to, _ := r.Get(in.ID, v)
		if m, ok := to.MigrationFrom(in.Version); ok {
			if err := checkMigration(in, to, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// Move carries a record forward to version to of its instrument, one
// registered version after another, by the migrations each declares (or by
// field id where a version declares none). Nothing typed is lost silently:
// dropped answers are returned in Moved, answers with no field in the new
// version stay in the record (Moved.Orphans). The record is changed in place
// only when every step succeeds.
func (r *Registry) Move(rec *Record, to int) (*Moved, error) {
	if rec.Version >= to {
		return nil, Errorf("la scheda è già alla versione %d", "the record is already at version %d", rec.Version)
	}
	cur, ok := r.Get(rec.Instrument, rec.Version)
	if !ok {
		return nil, Errorf("strumento %s versione %d sconosciuto", "unknown instrument %s version %d", rec.Instrument, rec.Version)
	}
	if _, ok := r.Get(rec.Instrument, to); !ok {
		return nil, Errorf("strumento %s versione %d sconosciuto", "unknown instrument %s version %d", rec.Instrument, to)
	}
	work := *rec
	work.Answers = cloneAnswers(rec.Answers)
	work.Meta = make(map[string]FieldMeta, len(rec.Meta))
	for k, v := range rec.Meta {
		work.Meta[k] = v
	}
	total := &Moved{From: rec.Version, To: to, Renamed: map[string]string{}, Merged: map[string][]string{}, Dropped: Answers{}}
	for _, v := range r.Versions(rec.Instrument) {
		if v <= cur.Version || v > to {
			continue
		}
		next, _ := r.Get(rec.Instrument, v)
		step, err := migrateStep(&work, cur, next)
		if err != nil {
			return nil, err
		}
		for old, now := range step.Renamed {
			total.Renamed[old] = now
		}
		for into, from := range step.Merged {
			total.Merged[into] = from
		}
		for k, a := range step.Dropped {
			total.Dropped[k] = a
		}
		total.Defaulted = append(total.Defaulted, step.Defaulted...)
		total.Orphans = step.Orphans
		cur = next
	}
	sort.Strings(total.Defaulted)
	total.Kept = Answers{}
	for _, id := range append(append(slices.Collect(maps.Values(total.Renamed)), slices.Collect(maps.Keys(total.Merged))...), total.Orphans...) {
		if v, ok := work.Answers[id]; ok {
			total.Kept[id] = v
		}
	}
	*rec = work
	return total, nil
}

// Upgrade moves a record to a newer version of its instrument in one step,
// by the migration that version declares from the record's version (or its
// legacy renamed map), without asking the registry for the versions between.
// Answers to questions the new version no longer has are kept (nothing
// typed is lost) and returned, so the caller can show them. Exports use it to
// read older records in a newer version's layout; a researcher's record
// moves with Registry.Move.
func Upgrade(rec *Record, to *Instrument) (orphans []string, err error) {
	if rec.Instrument != to.ID {
		return nil, fmt.Errorf("upgrade: record of %q, instrument %q", rec.Instrument, to.ID)
	}
	if rec.Version > to.Version {
		return nil, fmt.Errorf("upgrade: record of version %d is newer than %d", rec.Version, to.Version)
	}
	if rec.Answers == nil {
		rec.Answers = Answers{}
	}
	if rec.Meta == nil {
		rec.Meta = map[string]FieldMeta{}
	}
	m, err := migrateStep(rec, nil, to)
	if err != nil {
		return nil, err
	}
	return m.Orphans, nil
}

// migrateStep moves rec from version from (nil when unknown: merge values
// then cannot be computed and merges take the first answered source) to
// version to.
func migrateStep(rec *Record, from, to *Instrument) (*Moved, error) {
	mv := &Moved{From: rec.Version, To: to.Version, Renamed: map[string]string{}, Merged: map[string][]string{}, Dropped: Answers{}}
	m, ok := to.MigrationFrom(rec.Version)
	if !ok {
		m = &Migration{From: rec.Version, Renamed: to.Renamed}
	}
	old := cloneAnswers(rec.Answers)
	// Merges first: their values read the earlier version's answers.
	for _, g := range m.Merged {
		var v any
		if g.Value != "" && from != nil {
			p, err := CompileExpression(g.Value, from.fieldTypes(nil), from.ref, false)
			if err != nil {
				return nil, fmt.Errorf("%s: merged into %s: %w", to.Key(), g.Into, err)
			}
			ans, _ := Normalize(from, old)
			env := newEnv(nil, RecordRefDate(from, rec, time.Now()), "")
			env["municipality"] = rec.Municipality
			for _, q := range from.order {
				env[q.ID] = blank(q.Type)
				if a, ok := ans[q.ID]; ok && Answered(a) {
					env[q.ID] = a
				}
			}
			if out, err := runAny(p, env); err == nil {
				v = out
			}
		} else {
			for _, id := range g.From {
				if Answered(old[id]) {
					v = old[id]
					break
				}
			}
		}
		var meta *FieldMeta
		for _, id := range g.From {
			if mm, ok := rec.Meta[id]; ok && meta == nil {
				meta = &mm
			}
			delete(rec.Answers, id)
			delete(rec.Meta, id)
		}
		if q := to.questions[g.Into]; Answered(v) {
			if nv, why := to.normalizeValue(q, v); why == nil {
				v = nv
			}
			rec.Answers[g.Into] = v
			mv.Merged[g.Into] = append([]string(nil), g.From...)
		}
		if meta != nil {
			rec.Meta[g.Into] = *meta
		}
	}
	for oldID, now := range m.Renamed {
		if v, ok := rec.Answers[oldID]; ok {
			if _, taken := rec.Answers[now]; !taken {
				rec.Answers[now] = v
				delete(rec.Answers, oldID)
				mv.Renamed[oldID] = now
			}
		}
		if mm, ok := rec.Meta[oldID]; ok {
			if _, taken := rec.Meta[now]; !taken {
				rec.Meta[now] = mm
				delete(rec.Meta, oldID)
			}
		}
		// Inside repeat groups, each item's keys are field ids too.
		for _, a := range rec.Answers {
			items, _ := a.([]any)
			for _, it := range items {
				item, ok := it.(map[string]any)
				if !ok {
					continue
				}
				if v, ok := item[oldID]; ok {
					if _, taken := item[now]; !taken {
						item[now] = v
						delete(item, oldID)
						mv.Renamed[oldID] = now
					}
				}
			}
		}
	}
	for _, id := range m.Dropped {
		if v, ok := rec.Answers[id]; ok {
			mv.Dropped[id] = v
			delete(rec.Answers, id)
		}
		delete(rec.Meta, id)
	}
	for id, v := range m.Defaults {
		if _, taken := rec.Answers[id]; !taken {
			if _, held := rec.Meta[id]; !held || !rec.Meta[id].NotHeld {
				rec.Answers[id] = v
				mv.Defaulted = append(mv.Defaulted, id)
			}
		}
	}
	sort.Strings(mv.Defaulted)
	rec.Version = to.Version
	for k := range rec.Answers {
		if q, ok := to.questions[k]; !ok || q.group != nil {
			mv.Orphans = append(mv.Orphans, k)
		}
	}
	sort.Strings(mv.Orphans)
	return mv, nil
}

// cloneAnswers copies answers deeply enough that changing the copy's items
// leaves the original alone.
func cloneAnswers(a Answers) Answers {
	out := make(Answers, len(a))
	for k, v := range a {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case []any:
		c := make([]any, len(x))
		for i, e := range x {
			c[i] = cloneValue(e)
		}
		return c
	case map[string]any:
		c := make(map[string]any, len(x))
		for k, e := range x {
			c[k] = cloneValue(e)
		}
		return c
	}
	return v
}
