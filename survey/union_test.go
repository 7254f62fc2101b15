package survey

import (
	"fmt"
	"strings"
	"testing"
)

// unionVersions are three versions of a small instrument: v2 renames A and
// the item X, turns C from yes/no into a single choice (a new field, by the
// same id), makes B a decimal (the same field) and adds the item Z; v3
// renames A2 again, merges B into M, relabels the code 2 and leaves out
// the item Y without saying so.
var unionVersions = []string{
	`{"id": "prova", "version": 1, "title": {"it": "Prova"}, "codelists": {}, "rules": [], "sections": [{"id": "s", "title": {"it": "S"}, "questions": [
		{"id": "A", "type": "text", "label": {"it": "A"}},
		{"id": "B", "type": "integer", "label": {"it": "B"}},
		{"id": "C", "type": "yesno", "label": {"it": "C"}},
		{"id": "G", "type": "group", "label": {"it": "G"}, "items": [
			{"id": "X", "type": "text", "label": {"it": "X"}}, {"id": "Y", "type": "text", "label": {"it": "Y"}}]}]}]}`,
	`{"id": "prova", "version": 2, "title": {"it": "Prova"}, "rules": [],
	  "codelists": {"L": {"codes": [{"code": "1", "label": {"it": "uno"}}, {"code": "2", "label": {"it": "due"}}]}},
	  "migrations": [{"from": 1, "renamed": {"A": "A2", "X": "X2"}}],
	  "sections": [{"id": "s", "title": {"it": "S"}, "questions": [
		{"id": "A2", "type": "text", "label": {"it": "A"}},
		{"id": "B", "type": "decimal", "label": {"it": "B"}},
		{"id": "C", "type": "single", "codelist": "L", "label": {"it": "C"}},
		{"id": "G", "type": "group", "label": {"it": "G"}, "items": [
			{"id": "X2", "type": "text", "label": {"it": "X"}}, {"id": "Y", "type": "text", "label": {"it": "Y"}},
			{"id": "Z", "type": "text", "label": {"it": "Z"}}]}]}]}`,
	`{"id": "prova", "version": 3, "title": {"it": "Prova"}, "rules": [],
	  "codelists": {"L": {"codes": [{"code": "2", "label": {"it": "due bis"}}, {"code": "3", "label": {"it": "tre"}}]}},
	  "migrations": [{"from": 2, "renamed": {"A2": "A3"}, "merged": [{"into": "M", "from": ["B"]}]}],
	  "sections": [{"id": "s", "title": {"it": "S"}, "questions": [
		{"id": "A3", "type": "text", "label": {"it": "A"}},
		{"id": "M", "type": "integer", "label": {"it": "M"}},
		{"id": "C", "type": "single", "codelist": "L", "label": {"it": "C"}},
		{"id": "G", "type": "group", "label": {"it": "G"}, "items": [
			{"id": "X2", "type": "text", "label": {"it": "X"}}, {"id": "Z", "type": "text", "label": {"it": "Z"}}]}]}]}`,
}

func unionRegistry(t *testing.T) *Registry {
	t.Helper()
	reg := NewRegistry()
	for _, def := range unionVersions {
		in, err := ParseInstrument([]byte(def), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := reg.Add(in); err != nil {
			t.Fatal(err)
		}
	}
	return reg
}

// describe lists fields as id[versions], with earlier ids, merges and drops.
func describe(fields []*UnionField) string {
	var out []string
	for _, f := range fields {
		s := f.ID + fmt.Sprint(f.Versions)
		if e := f.EarlierIDList(); e != "" {
			s += " was " + e
		}
		if h := f.History().EN; h != "" {
			s += " (" + h + ")"
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
}

func TestUnion(t *testing.T) {
	reg := unionRegistry(t)
	u, err := reg.Union("prova")
	if err != nil {
		t.Fatal(err)
	}
	want := "A3[1 2 3] was A (v1), A2 (v2); B[1 2] (from version 3 merged into M); C[1]; M[3] (from version 3 merges B (v2)); C[2 3]; G[1 2 3]"
	if got := describe(u.Fields); got != want {
		t.Errorf("fields:\n got %s\nwant %s", got, want)
	}
	g, _ := u.Field(1, "G")
	if got, want := describe(g.Items), "X2[1 2 3] was X (v1); Y[1 2]; Z[2 3]"; got != want {
		t.Errorf("items:\n got %s\nwant %s", got, want)
	}
	for _, c := range []struct {
		v      int
		id, is string
	}{{1, "A", "A3"}, {2, "A2", "A3"}, {3, "A3", "A3"}, {2, "B", "B"}, {3, "M", "M"}} {
		if f, ok := u.Field(c.v, c.id); !ok || f.ID != c.is {
			t.Errorf("v%d %s: %+v, want the field %s", c.v, c.id, f, c.is)
		}
	}
	c1, _ := u.Field(1, "C")
	c3, _ := u.Field(3, "C")
	if c1 == c3 {
		t.Error("a yes/no and a single choice are one field")
	}
	var codes []string
	for _, c := range u.Codes(c3) {
		codes = append(codes, c.Code.Code+fmt.Sprint(c.Versions)+c.Label.IT+"{"+c.EarlierLabels()+"}")
	}
	if got := strings.Join(codes, " "); got != "2[2 3]due bis{v2: due} 3[3]tre{} 1[2]uno{}" {
		t.Errorf("codes of C: %s", got)
	}
	if in := u.For(&Record{Version: 0}); in.Version != 3 {
		t.Errorf("a record with no version reads in %d", in.Version)
	}
	if in := u.For(&Record{Version: 7}); in.Version != 3 {
		t.Errorf("a record of an unknown version reads in %d", in.Version)
	}

	// Versions 1 and 3 only: followed through 2 all the same.
	u13, err := reg.Union("prova", 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	want = "A3[1 3] was A (v1), A2 (v2); B[1] (from version 3 merged into M); C[1]; M[3] (from version 3 merges B (v2)); C[3]; G[1 3]"
	if got := describe(u13.Fields); got != want {
		t.Errorf("fields of v1 and v3:\n got %s\nwant %s", got, want)
	}
	if got := fmt.Sprint(u13.VersionNumbers()); got != "[1 3]" || u13.Latest().Version != 3 {
		t.Errorf("versions %s", got)
	}
	// Version 1 alone: its own ids.
	u1, _ := reg.Union("prova", 1)
	if got, want := describe(u1.Fields), "A[1]; B[1]; C[1]; G[1]"; got != want {
		t.Errorf("fields of v1 alone: %s, want %s", got, want)
	}
	if _, err := reg.Union("altro"); err == nil {
		t.Error("the union of an unknown instrument")
	}
}
