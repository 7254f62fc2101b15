package survey

import (
	"fmt"
	"sort"
	"strings"
)

// Lines says what a move did, one line per change, for the person who asks
// for it and for the record's history: renamed, merged and dropped answers
// (dropped ones with their values), defaults given, answers kept without a
// field. from and to are the versions moved between; questions are named
// by id and label, coded values as code · label (in the language of each
// Text). Either version may be nil: fields are then named by id only.
func (m *Moved) Lines(from, to *Instrument) []Text {
	var out []Text
	name := func(in *Instrument, id string) Text {
		if in != nil {
			if q, ok := in.Question(id); ok && q.Label.IT != "" {
				en := q.Label.EN
				if en == "" {
					en = q.Label.IT
				}
				return Text{IT: id + " (" + q.Label.IT + ")", EN: id + " (" + en + ")"}
			}
		}
		return Text{IT: id, EN: id}
	}
	for _, old := range sortedKeys(m.Renamed) {
		a, b := name(from, old), name(to, m.Renamed[old])
		out = append(out, Text{IT: "Rinominata: " + a.IT + " → " + b.IT, EN: "Renamed: " + a.EN + " → " + b.EN})
	}
	for _, into := range sortedKeys(m.Merged) {
		var it, en []string
		for _, id := range m.Merged[into] {
			n := name(from, id)
			it, en = append(it, n.IT), append(en, n.EN)
		}
		b := name(to, into)
		out = append(out, Text{IT: "Unite in " + b.IT + ": " + strings.Join(it, ", "), EN: "Merged into " + b.EN + ": " + strings.Join(en, ", ")})
	}
	for _, id := range sortedKeys(m.Dropped) {
		n, v := name(from, id), valueText(from, id, m.Dropped[id])
		out = append(out, Text{IT: "Eliminata: " + n.IT + " = " + v.IT, EN: "Dropped: " + n.EN + " = " + v.EN})
	}
	for _, id := range m.Defaulted {
		n := name(to, id)
		var v Text
		// The default is the newest version's (a move over several versions
		// may take one from a version between, whose value is not here).
		if to != nil {
			for _, mg := range to.Migrations {
				if d, ok := mg.Defaults[id]; ok && mg.From >= m.From {
					v = valueText(to, id, d)
				}
			}
		}
		if v.IT == "" {
			out = append(out, Text{IT: "Valore predefinito: " + n.IT, EN: "Default given: " + n.EN})
			continue
		}
		out = append(out, Text{IT: "Valore predefinito: " + n.IT + " = " + v.IT, EN: "Default given: " + n.EN + " = " + v.EN})
	}
	for _, id := range m.Orphans {
		n := name(from, id)
		out = append(out, Text{IT: "Conservata senza campo nella nuova versione: " + n.IT, EN: "Kept with no field in the new version: " + n.EN})
	}
	return out
}

// Note is the move in one line for the record's history, Italian first.
func (m *Moved) Note(from, to *Instrument) string {
	it := fmt.Sprintf("Passata dalla versione %d alla %d", m.From, m.To)
	en := fmt.Sprintf("Moved from version %d to %d", m.From, m.To)
	for _, l := range m.Lines(from, to) {
		it += "; " + l.IT
		en += "; " + l.EN
	}
	return it + " / " + en
}

// valueText is an answer as a person reads it: a coded answer as
// code · label, a list one item after another, repeat groups by count.
func valueText(in *Instrument, id string, v any) Text {
	var cl *Codelist
	if in != nil {
		if q, ok := in.Question(id); ok {
			cl = in.Codelist(q)
		}
	}
	one := func(x any) Text {
		s := fmt.Sprint(x)
		if cl != nil {
			if c, ok := cl.Get(s); ok {
				en := c.Label.EN
				if en == "" {
					en = c.Label.IT
				}
				return Text{IT: s + " · " + c.Label.IT, EN: s + " · " + en}
			}
		}
		return Text{IT: s, EN: s}
	}
	switch x := v.(type) {
	case nil:
		return Text{IT: "(vuota)", EN: "(empty)"}
	case []any:
		if len(x) > 0 {
			if _, group := x[0].(map[string]any); group {
				return Text{IT: fmt.Sprintf("%d elementi", len(x)), EN: fmt.Sprintf("%d items", len(x))}
			}
		}
		var it, en []string
		for _, e := range x {
			t := one(e)
			it, en = append(it, t.IT), append(en, t.EN)
		}
		return Text{IT: strings.Join(it, ", "), EN: strings.Join(en, ", ")}
	case bool:
		if x {
			return Text{IT: "sì", EN: "yes"}
		}
		return Text{IT: "no", EN: "no"}
	}
	return one(v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
