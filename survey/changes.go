package survey

import (
	"reflect"
	"slices"
	"sort"
)

// Change is one field whose answer, "not held" mark or note differs between
// two versions of a record.
type Change struct {
	// Field is the question id; an item of a repeat group is Group[n].Field,
	// n from 1, as in Issue.Fields.
	Field string
	// Old and New are the answers as their questions store them (see
	// QuestionType); nil is no answer.
	Old, New any
	// OldMeta and NewMeta are the pilot's marks on the field.
	OldMeta, NewMeta FieldMeta
}

// Changes lists what differs from old to new, both read as records of in:
// the questions in page order (the items of a repeat group item by item),
// then the answers to fields in does not define, by id. Answers are compared
// as their questions store them, so "6" and 6 for a code are the same answer,
// and the codes of a multiple choice are compared as a set. The
// identification is not compared: it never leaves the laptop.
func Changes(in *Instrument, old, new Record) []Change {
	oa, _ := Normalize(in, old.Answers)
	na, _ := Normalize(in, new.Answers)
	var out []Change
	add := func(q *Question, path string, a, b any) {
		if !Answered(a) {
			a = nil
		}
		if !Answered(b) {
			b = nil
		}
		ma, mb := old.Meta[path], new.Meta[path]
		if ma != mb || !sameAnswer(q, a, b) {
			out = append(out, Change{Field: path, Old: a, New: b, OldMeta: ma, NewMeta: mb})
		}
	}
	for _, q := range in.order {
		if q.Type != TypeGroup {
			add(q, q.ID, oa[q.ID], na[q.ID])
			continue
		}
		// The group's own marks, then its items.
		add(q, q.ID, nil, nil)
		oi, ni := groupItems(oa[q.ID]), groupItems(na[q.ID])
		for i := range max(len(oi), len(ni)) {
			for _, iq := range q.Items {
				var a, b any
				if i < len(oi) {
					a = oi[i][iq.ID]
				}
				if i < len(ni) {
					b = ni[i][iq.ID]
				}
				add(iq, itemPath(q.ID, i, iq.ID), a, b)
			}
		}
	}
	var unknown []string
	seen := map[string]bool{}
	for _, ans := range []Answers{oa, na} {
		for k := range ans {
			if q, ok := in.questions[k]; (!ok || q.group != nil) && !seen[k] {
				seen[k] = true
				unknown = append(unknown, k)
			}
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		add(nil, k, oa[k], na[k])
	}
	return out
}

func groupItems(v any) []map[string]any {
	list, _ := v.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, it := range list {
		m, _ := it.(map[string]any)
		out = append(out, m)
	}
	return out
}

// sameAnswer compares two normalised answers to q (nil for a field the
// instrument does not define).
func sameAnswer(q *Question, a, b any) bool {
	if q != nil && q.Type == TypeMulti {
		as, bs := listOf(a), listOf(b)
		slices.Sort(as)
		slices.Sort(bs)
		return slices.Equal(as, bs)
	}
	return reflect.DeepEqual(a, b)
}
