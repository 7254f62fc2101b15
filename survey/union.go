package survey

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// Union is the fields of an instrument over several of its versions, each
// field followed from one registered version to the next by the migration
// the newer version declares (or its legacy renamed map, or else by id), as
// Registry.Move carries records: a renamed field is one field under its
// newest id; the field a merge makes starts in the version that declares
// the merge and names the fields it was made of, which end there; a field
// whose question changes type starts again. Exports lay out records of
// every version in one codebook with it, and the critical points compare a
// field's figures across versions.
type Union struct {
	ID string
	// Versions are the versions the union covers, oldest first.
	Versions []*Instrument
	// Fields are the top-level fields: the newest version's page order,
	// each field of an older version after the one it followed there.
	Fields []*UnionField

	latest *Instrument
	byVer  map[int]map[string]*UnionField // version -> top-level id -> field
}

// UnionField is one field followed across versions.
type UnionField struct {
	// ID is the field's id in the newest covered version that has it.
	ID string
	// Group is the repeat group of an item; Items are a group's items.
	Group *UnionField
	Items []*UnionField
	// Versions are the covered versions that have the field, oldest first.
	Versions []int
	// MergedFrom are the fields of the previous version a migration merged
	// into this one; MergedInto is the field of a later version this one
	// was merged into.
	MergedFrom []FieldRef
	MergedInto *FieldRef
	// Dropped is the version whose migration dropped the field, or 0.
	Dropped int

	qs map[int]*Question // every version of the chain that has it
}

// FieldRef names a field of one version of an instrument.
type FieldRef struct {
	Version int
	ID      string
}

func (r FieldRef) String() string { return fmt.Sprintf("%s (v%d)", r.ID, r.Version) }

// In returns the field's question in version v, if that version has it.
func (f *UnionField) In(v int) (*Question, bool) {
	q, ok := f.qs[v]
	return q, ok
}

// Question returns the field's question in the newest covered version that
// has it.
func (f *UnionField) Question() *Question { return f.qs[f.Versions[len(f.Versions)-1]] }

// EarlierIDs returns the other ids the field had in older versions, oldest
// first, each with the versions that used it.
func (f *UnionField) EarlierIDs() []FieldRef {
	var vs []int
	for v := range f.qs {
		vs = append(vs, v)
	}
	sort.Ints(vs)
	var out []FieldRef
	seen := map[string]bool{f.ID: true}
	for _, v := range vs {
		if id := f.qs[v].ID; !seen[id] {
			seen[id] = true
			out = append(out, FieldRef{Version: v, ID: id})
		}
	}
	return out
}

// History says what migrations made of the field: the fields a merge made
// it of, the field it was merged into, the version that dropped it; empty
// when none.
func (f *UnionField) History() Text {
	var it, en []string
	if len(f.MergedFrom) > 0 {
		from := refs(f.MergedFrom)
		it = append(it, fmt.Sprintf("dalla versione %d unisce %s", f.Versions[0], from))
		en = append(en, fmt.Sprintf("from version %d merges %s", f.Versions[0], from))
	}
	if m := f.MergedInto; m != nil {
		it = append(it, fmt.Sprintf("dalla versione %d unita in %s", m.Version, m.ID))
		en = append(en, fmt.Sprintf("from version %d merged into %s", m.Version, m.ID))
	}
	if f.Dropped > 0 {
		it = append(it, fmt.Sprintf("eliminata dalla versione %d", f.Dropped))
		en = append(en, fmt.Sprintf("dropped from version %d", f.Dropped))
	}
	return Text{IT: strings.Join(it, "; "), EN: strings.Join(en, "; ")}
}

// refs lists fields as "ID (vN), ...".
func refs(rs []FieldRef) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = r.String()
	}
	return strings.Join(s, ", ")
}

// EarlierIDList is EarlierIDs as "ID (vN), ...".
func (f *UnionField) EarlierIDList() string { return refs(f.EarlierIDs()) }

// Path is the field's id with its group's, as the critical points name
// items: Group.Item.
func (f *UnionField) Path() string {
	if f.Group != nil {
		return f.Group.ID + "." + f.ID
	}
	return f.ID
}

// Latest returns the newest covered version.
func (u *Union) Latest() *Instrument { return u.latest }

// Version returns a covered version.
func (u *Union) Version(v int) (*Instrument, bool) {
	for _, in := range u.Versions {
		if in.Version == v {
			return in, true
		}
	}
	return nil, false
}

// VersionNumbers returns the covered versions, oldest first.
func (u *Union) VersionNumbers() []int {
	out := make([]int, len(u.Versions))
	for i, in := range u.Versions {
		out[i] = in.Version
	}
	return out
}

// For returns the covered version a record reads in: its own, or the newest
// when the record has no version yet or one the union does not cover (read
// by field id, as an export always has).
func (u *Union) For(rec *Record) *Instrument {
	if in, ok := u.Version(rec.Version); ok {
		return in
	}
	return u.latest
}

// Field returns the top-level field whose question in version v has the
// given id.
func (u *Union) Field(v int, id string) (*UnionField, bool) {
	f, ok := u.byVer[v][id]
	return f, ok
}

// Item returns the item of group g whose question in version v has the
// given id.
func (g *UnionField) Item(v int, id string) (*UnionField, bool) {
	for _, it := range g.Items {
		if q, ok := it.qs[v]; ok && q.ID == id {
			return it, true
		}
	}
	return nil, false
}

// UnionCode is one code of a field's code lists across versions.
type UnionCode struct {
	Code
	// Versions are the covered versions whose code list has the code.
	Versions []int
	// Relabelled gives the Italian label the code had in an older version
	// where it differs from Label, by version.
	Relabelled map[int]string
}

// EarlierLabels says the labels older versions gave the code, where they
// differ from Label: "v1, v2: old label; v3: other", empty when none.
func (c UnionCode) EarlierLabels() string {
	var vs []int
	for v := range c.Relabelled {
		vs = append(vs, v)
	}
	sort.Ints(vs)
	var parts []string
	for i := 0; i < len(vs); {
		label := c.Relabelled[vs[i]]
		group := []string{fmt.Sprintf("v%d", vs[i])}
		for i++; i < len(vs) && c.Relabelled[vs[i]] == label; i++ {
			group = append(group, fmt.Sprintf("v%d", vs[i]))
		}
		parts = append(parts, strings.Join(group, ", ")+": "+label)
	}
	return strings.Join(parts, "; ")
}

// Codes returns every code the field's code lists have in the covered
// versions: the newest version's order, then codes only older versions had;
// each with the newest label it had, the versions that had it and the
// labels older versions gave it, where they differ.
func (u *Union) Codes(f *UnionField) []UnionCode {
	var out []UnionCode
	at := map[string]int{}
	for i := len(f.Versions) - 1; i >= 0; i-- {
		v := f.Versions[i]
		in, _ := u.Version(v)
		cl := in.Codelist(f.qs[v])
		if cl == nil {
			continue
		}
		for _, c := range cl.Codes {
			j, ok := at[c.Code]
			if !ok {
				j = len(out)
				at[c.Code] = j
				out = append(out, UnionCode{Code: c})
			}
			out[j].Versions = append(out[j].Versions, v)
			if ok && c.Label.IT != out[j].Label.IT {
				if out[j].Relabelled == nil {
					out[j].Relabelled = map[int]string{}
				}
				out[j].Relabelled[v] = c.Label.IT
			}
		}
	}
	for i := range out {
		sort.Ints(out[i].Versions)
	}
	return out
}

// sameKind reports whether an answer to a can be read as one to b: the same
// type, or both numbers.
func sameKind(a, b *Question) bool {
	num := func(t QuestionType) bool { return t == TypeInteger || t == TypeDecimal }
	return a.Type == b.Type || (num(a.Type) && num(b.Type))
}

// Union follows the fields of instrument id over the given versions (every
// registered version when none is given) through every registered version
// between the oldest and the newest of them.
func (r *Registry) Union(id string, versions ...int) (*Union, error) {
	all := r.Versions(id)
	if len(all) == 0 {
		return nil, Errorf("strumento %q sconosciuto", "unknown instrument %q", id)
	}
	if len(versions) == 0 {
		versions = all
	}
	covered := map[int]bool{}
	lo, hi := versions[0], versions[0]
	for _, v := range versions {
		if _, ok := r.Get(id, v); !ok {
			return nil, Errorf("strumento %s versione %d sconosciuto", "unknown instrument %s version %d", id, v)
		}
		covered[v] = true
		lo, hi = min(lo, v), max(hi, v)
	}
	u := &Union{ID: id, byVer: map[int]map[string]*UnionField{}}
	var chain []*Instrument
	for _, v := range all {
		if v >= lo && v <= hi {
			in, _ := r.Get(id, v)
			chain = append(chain, in)
			if covered[v] {
				u.Versions = append(u.Versions, in)
			}
		}
	}
	u.latest = u.Versions[len(u.Versions)-1]
	var prev *Instrument
	for _, in := range chain {
		u.link(prev, in)
		prev = in
	}
	u.order(chain, covered)
	return u, nil
}

func newUnionField(v int, q *Question, group *UnionField) *UnionField {
	return &UnionField{ID: q.ID, Group: group, qs: map[int]*Question{v: q}}
}

// link follows the top-level fields of prev (nil for the first version) to
// in, by the migration in declares from prev.
func (u *Union) link(prev, in *Instrument) {
	next := map[string]*UnionField{}
	u.byVer[in.Version] = next
	if prev == nil {
		for _, q := range in.order {
			f := newUnionField(in.Version, q, nil)
			f.linkItems(0, in.Version, q, nil)
			next[q.ID] = f
		}
		return
	}
	cur := u.byVer[prev.Version]
	m, ok := in.MigrationFrom(prev.Version)
	if !ok {
		m = &Migration{From: prev.Version, Renamed: in.Renamed}
	}
	ended := map[string]bool{}
	into := map[string][]FieldRef{}
	for _, g := range m.Merged {
		for _, old := range g.From {
			ended[old] = true
			into[g.Into] = append(into[g.Into], FieldRef{Version: prev.Version, ID: old})
			if f, ok := cur[old]; ok {
				f.MergedInto = &FieldRef{Version: in.Version, ID: g.Into}
			}
		}
	}
	for _, old := range m.Dropped {
		ended[old] = true
		if f, ok := cur[old]; ok {
			f.Dropped = in.Version
		}
	}
	claimed := map[string]*UnionField{} // id in in -> the field it continues
	fits := func(old, now string) bool {
		f, ok := cur[old]
		if !ok || ended[old] || claimed[now] != nil || into[now] != nil {
			return false
		}
		q, ok := in.questions[now]
		return ok && q.group == nil && sameKind(f.qs[prev.Version], q)
	}
	renamedAway := map[string]bool{}
	for _, old := range slices.Sorted(maps.Keys(m.Renamed)) {
		now := m.Renamed[old]
		if fits(old, now) {
			claimed[now] = cur[old]
			renamedAway[old] = true
		}
	}
	for _, q := range prev.order {
		if !renamedAway[q.ID] && fits(q.ID, q.ID) {
			claimed[q.ID] = cur[q.ID]
		}
	}
	for _, q := range in.order {
		f := claimed[q.ID]
		from := prev.Version
		if f == nil {
			f = newUnionField(in.Version, q, nil)
			f.MergedFrom = into[q.ID]
			from = 0
		} else {
			f.ID = q.ID
			f.qs[in.Version] = q
		}
		f.linkItems(from, in.Version, q, m.Renamed)
		next[q.ID] = f
	}
}

// linkItems follows the items of group g from version prev (0 when the
// group starts in v) to its question q of version v; a rename applies to
// items too.
func (g *UnionField) linkItems(prev, v int, q *Question, renamed map[string]string) {
	if q.Type != TypeGroup {
		return
	}
	prevItem := map[string]*UnionField{}
	for _, it := range g.Items {
		if wq, ok := it.qs[prev]; ok && prev > 0 {
			prevItem[wq.ID] = it
		}
	}
	taken := map[*UnionField]bool{}
	from := func(id string) *UnionField {
		for old, now := range renamed {
			if it := prevItem[old]; now == id && it != nil && !taken[it] {
				return it
			}
		}
		if _, away := renamed[id]; away {
			return nil
		}
		return prevItem[id]
	}
	for _, iq := range q.Items {
		it := from(iq.ID)
		if it != nil && (taken[it] || !sameKind(it.qs[prev], iq)) {
			it = nil
		}
		if it == nil {
			it = newUnionField(v, iq, g)
			g.Items = append(g.Items, it)
		} else {
			it.ID = iq.ID
			it.qs[v] = iq
		}
		taken[it] = true
	}
}

// order lays the fields out: the newest version's order, then each older
// version's fields the newer ones lack, after the field they followed. Only
// fields of covered versions are kept, with their covered versions.
func (u *Union) order(chain []*Instrument, covered map[int]bool) {
	var pages [][]*UnionField // newest first
	for i := len(chain) - 1; i >= 0; i-- {
		if in := chain[i]; covered[in.Version] {
			page := make([]*UnionField, len(in.order))
			for j, q := range in.order {
				page[j] = u.byVer[in.Version][q.ID]
			}
			pages = append(pages, page)
		}
	}
	u.Fields = interleave(pages)
	for _, f := range u.Fields {
		f.keep(covered)
		items := f.Items[:0]
		for _, it := range f.Items {
			if it.keep(covered) {
				items = append(items, it)
			}
		}
		f.Items = items
		f.orderItems()
	}
}

// interleave merges the field lists of several versions, newest first:
// each field once, a field of an older list after the one it follows there.
func interleave(pages [][]*UnionField) []*UnionField {
	var list []*UnionField
	seen := map[*UnionField]bool{}
	for _, page := range pages {
		at := -1
		for _, f := range page {
			if seen[f] {
				at = indexOf(list, f)
				continue
			}
			seen[f] = true
			at++
			list = slices.Insert(list, at, f)
		}
	}
	return list
}

// keep restricts Versions to the covered ones and reports whether any is.
func (f *UnionField) keep(covered map[int]bool) bool {
	f.Versions = f.Versions[:0]
	for v := range f.qs {
		if covered[v] {
			f.Versions = append(f.Versions, v)
		}
	}
	sort.Ints(f.Versions)
	if n := len(f.Versions); n > 0 {
		f.ID = f.qs[f.Versions[n-1]].ID
	}
	return len(f.Versions) > 0
}

// orderItems puts a group's items in the newest version's order, older
// items after the item they followed.
func (g *UnionField) orderItems() {
	if len(g.Items) == 0 {
		return
	}
	var pages [][]*UnionField
	for i := len(g.Versions) - 1; i >= 0; i-- {
		v := g.Versions[i]
		var page []*UnionField
		for _, iq := range g.qs[v].Items {
			if it, ok := g.Item(v, iq.ID); ok {
				page = append(page, it)
			}
		}
		pages = append(pages, page)
	}
	g.Items = interleave(pages)
}

func indexOf(list []*UnionField, f *UnionField) int {
	for i, g := range list {
		if g == f {
			return i
		}
	}
	return -1
}
