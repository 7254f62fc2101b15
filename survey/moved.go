package survey

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Lines says what a move did, one line per change, for the person who asks
// for it and for the record's history, in the words of the questionnaire:
// each question by its label (in «»), with the answer's value (a coded one
// as code · label): renamed and merged answers that stay, dropped answers,
// defaults given, answers kept without a question. from and to are the
// versions moved between; a question neither knows is named by its id.
func (m *Moved) Lines(from, to *Instrument) []Text {
	var out []Text
	// label is the question's label in each language, in «».
	label := func(in *Instrument, id string) Text {
		t := Text{IT: id, EN: id}
		if in != nil {
			if q, ok := in.Question(id); ok && q.Label.IT != "" {
				t = Text{IT: q.Label.IT, EN: q.Label.In("en")}
			}
		}
		return Text{IT: "«" + t.IT + "»", EN: "«" + t.EN + "»"}
	}
	// kept is the answer as the record now holds it, in brackets.
	kept := func(id string) (Text, bool) {
		v, ok := m.Kept[id]
		if !ok {
			return Text{}, false
		}
		t := valueText(to, id, v)
		return Text{IT: " (" + t.IT + ")", EN: " (" + t.EN + ")"}, true
	}
	for _, old := range slices.Sorted(maps.Keys(m.Renamed)) {
		now := m.Renamed[old]
		a, b := label(from, old), label(to, now)
		name := b
		if a != b {
			name = Text{IT: a.IT + ", ora " + b.IT, EN: a.EN + ", now " + b.EN}
		}
		if v, ok := kept(now); ok {
			out = append(out, Text{IT: name.IT + ": la risposta resta" + v.IT, EN: name.EN + ": the answer stays" + v.EN})
			continue
		}
		// An item of a repeat group: the answer of every item stays.
		out = append(out, Text{IT: name.IT + ": le risposte restano, in ogni elemento", EN: name.EN + ": the answers stay, in every item"})
	}
	for _, into := range slices.Sorted(maps.Keys(m.Merged)) {
		var it, en []string
		for _, id := range m.Merged[into] {
			n := label(from, id)
			it, en = append(it, n.IT), append(en, n.EN)
		}
		b := label(to, into)
		v, _ := kept(into)
		out = append(out, Text{IT: b.IT + ": riunisce le risposte a " + strings.Join(it, ", ") + v.IT,
			EN: b.EN + ": brings together the answers to " + strings.Join(en, ", ") + v.EN})
	}
	for _, id := range slices.Sorted(maps.Keys(m.Dropped)) {
		n, v := label(from, id), valueText(from, id, m.Dropped[id])
		out = append(out, Text{IT: n.IT + ": la risposta è tolta (" + v.IT + ")", EN: n.EN + ": the answer is removed (" + v.EN + ")"})
	}
	for _, id := range m.Defaulted {
		n := label(to, id)
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
			out = append(out, Text{IT: n.IT + ": domanda nuova, con la sua risposta iniziale", EN: n.EN + ": a new question, with its initial answer"})
			continue
		}
		out = append(out, Text{IT: n.IT + ": domanda nuova, risposta iniziale " + v.IT, EN: n.EN + ": a new question, initial answer " + v.EN})
	}
	for _, id := range m.Orphans {
		n := label(from, id)
		// The answer is of the older version's question.
		var v Text
		if a, ok := m.Kept[id]; ok {
			t := valueText(from, id, a)
			v = Text{IT: " (" + t.IT + ")", EN: " (" + t.EN + ")"}
		}
		out = append(out, Text{IT: n.IT + ": la nuova versione non ha questa domanda; la risposta è conservata" + v.IT,
			EN: n.EN + ": the new version has no such question; the answer is kept" + v.EN})
	}
	return out
}

// Note is the move in one line for the record's history, in each language.
func (m *Moved) Note(from, to *Instrument) Text {
	t := Text{IT: fmt.Sprintf("Passata dalla versione %d alla %d", m.From, m.To), EN: fmt.Sprintf("Moved from version %d to %d", m.From, m.To)}
	for _, l := range m.Lines(from, to) {
		t.IT += "; " + l.IT
		t.EN += "; " + l.EN
	}
	return t
}

// legacyMoveNoteEN is where the English half began in a move's note as
// stores kept it before notes were a Text: "Italiano / Moved from version…".
const legacyMoveNoteEN = " / Moved from version "

// LegacyMoveNote reads a move's note kept as one string, Italian and
// English joined by " / ", by stores written before notes were a Text. The
// English half is found by its fixed opening, so a question label with a
// slash in it stays whole; a string of any other form is Italian only.
func LegacyMoveNote(s string) Text {
	if i := strings.LastIndex(s, legacyMoveNoteEN); i >= 0 {
		return Text{IT: s[:i], EN: s[i+len(" / "):]}
	}
	return Text{IT: s}
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
