package survey

import (
	"reflect"
	"strings"
	"testing"
)

// Three versions of one instrument: v2 renames B (also inside the group),
// merges Tel and Mail into Contatti, drops Vecchia and gives the new D a
// default; v3 declares nothing and keeps v2's fields.
const migV1 = `{"id":"prova","version":1,"title":{"it":"Prova"},
 "codelists":{"SiNo":{"codes":[{"code":"1","label":{"it":"Sì"}},{"code":"2","label":{"it":"No"}}]}},
 "sections":[{"id":"s1","title":{"it":"Uno"},"questions":[
   {"id":"A","type":"single","codelist":"SiNo","label":{"it":"A"}},
   {"id":"B","type":"integer","label":{"it":"B"}},
   {"id":"Tel","type":"text","label":{"it":"Telefono"}},
   {"id":"Mail","type":"text","label":{"it":"Email"}},
   {"id":"Vecchia","type":"text","label":{"it":"Vecchia"}},
   {"id":"G","type":"group","label":{"it":"G"},"items":[{"id":"B","type":"integer","label":{"it":"B"}}]}]}],
 "rules":[]}`

const migV2 = `{"id":"prova","version":2,"title":{"it":"Prova"},
 "codelists":{"SiNo":{"codes":[{"code":"1","label":{"it":"Sì"}},{"code":"2","label":{"it":"No"}}]}},
 "sections":[{"id":"s1","title":{"it":"Uno"},"questions":[
   {"id":"A","type":"single","codelist":"SiNo","label":{"it":"A"}},
   {"id":"Bnew","type":"integer","label":{"it":"B"}},
   {"id":"Contatti","type":"text","label":{"it":"Contatti"}},
   {"id":"D","type":"single","codelist":"SiNo","label":{"it":"D"}},
   {"id":"G","type":"group","label":{"it":"G"},"items":[{"id":"Bnew","type":"integer","label":{"it":"B"}}]}]}],
 "rules":[],
 "migrations":[{"from":1,"renamed":{"B":"Bnew"},
   "merged":[{"into":"Contatti","from":["Tel","Mail"],"value":"Tel + ' / ' + Mail"}],
   "dropped":["Vecchia"],"defaults":{"D":"2"}}]}`

func migRegistry(t *testing.T, defs ...string) *Registry {
	t.Helper()
	reg := NewRegistry()
	for _, d := range defs {
		in, err := ParseInstrument([]byte(d), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := reg.Add(in); err != nil {
			t.Fatal(err)
		}
	}
	return reg
}

func TestMoveByDeclaredMigration(t *testing.T) {
	v3 := strings.Replace(migV2, `"version":2`, `"version":3`, 1)
	v3 = v3[:strings.Index(v3, ",\n \"migrations\"")] + "}"
	for _, order := range [][]string{{migV1, migV2, v3}, {v3, migV2, migV1}} {
		reg := migRegistry(t, order...)
		rec := &Record{Instrument: "prova", Version: 1,
			Answers: Answers{"A": "1", "B": 4, "Tel": "06 123", "Mail": "a@b.it", "Vecchia": "via",
				"G": []any{map[string]any{"B": 1}, map[string]any{"B": 2}}, "Ignota": "x"},
			Meta: map[string]FieldMeta{"B": {Note: "dal fascicolo"}, "Tel": {Note: "centralino"}}}
		before := cloneAnswers(rec.Answers)
		mv, err := reg.Move(rec, 3)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Version != 3 || mv.From != 1 || mv.To != 3 {
			t.Errorf("versions: record %d, moved %d -> %d", rec.Version, mv.From, mv.To)
		}
		want := Answers{"A": "1", "Bnew": 4, "Contatti": "06 123 / a@b.it", "D": "2",
			"G": []any{map[string]any{"Bnew": 1}, map[string]any{"Bnew": 2}}, "Ignota": "x"}
		if !reflect.DeepEqual(rec.Answers, want) {
			t.Errorf("answers after the move:\n got %#v\nwant %#v", rec.Answers, want)
		}
		if rec.Meta["Bnew"].Note != "dal fascicolo" || rec.Meta["Contatti"].Note != "centralino" || len(rec.Meta) != 2 {
			t.Errorf("notes after the move: %+v", rec.Meta)
		}
		if mv.Renamed["B"] != "Bnew" || !reflect.DeepEqual(mv.Merged["Contatti"], []string{"Tel", "Mail"}) ||
			mv.Dropped["Vecchia"] != "via" || !reflect.DeepEqual(mv.Defaulted, []string{"D"}) ||
			!reflect.DeepEqual(mv.Orphans, []string{"Ignota"}) || mv.Empty() {
			t.Errorf("what the move reports: %+v", mv)
		}
		if !reflect.DeepEqual(before, Answers{"A": "1", "B": 4, "Tel": "06 123", "Mail": "a@b.it", "Vecchia": "via",
			"G": []any{map[string]any{"B": 1}, map[string]any{"B": 2}}, "Ignota": "x"}) {
			t.Error("the copy taken before the move changed")
		}
	}
}

func TestMoveKeepsAnswersAndRefusals(t *testing.T) {
	reg := migRegistry(t, migV1, migV2)
	// An answer already given in the new field wins over a default; a field
	// the office does not hold gets no default.
	rec := &Record{Instrument: "prova", Version: 1, Answers: Answers{"Mail": "a@b.it"},
		Meta: map[string]FieldMeta{"D": {NotHeld: true}}}
	mv, err := reg.Move(rec, 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rec.Answers["D"]; ok || len(mv.Defaulted) != 0 {
		t.Errorf("a default went into a field marked not held: %+v", rec.Answers)
	}
	if rec.Answers["Contatti"] != " / a@b.it" {
		t.Errorf("merged value %q", rec.Answers["Contatti"])
	}
	if _, err := reg.Move(rec, 2); err == nil {
		t.Error("a record moved to the version it already has")
	}
	if _, err := reg.Move(&Record{Instrument: "prova", Version: 1}, 5); err == nil {
		t.Error("a record moved to a version the registry lacks")
	}
	// A failed move leaves the record alone.
	untouched := &Record{Instrument: "prova", Version: 1, Answers: Answers{"B": 1}}
	if _, err := reg.Move(untouched, 9); err == nil || untouched.Version != 1 || untouched.Answers["B"] != 1 {
		t.Errorf("a failed move changed the record: %+v %v", untouched, err)
	}
}

func TestMigrationsAreChecked(t *testing.T) {
	tests := []struct{ from, to, want string }{
		{`"from":1,`, `"from":2,`, "must be an earlier version"},
		{`"renamed":{"B":"Bnew"}`, `"renamed":{"B":"Bx"}`, "no question Bx"},
		{`"into":"Contatti"`, `"into":"G"`, "not a top-level question"},
		{`"defaults":{"D":"2"}`, `"defaults":{"D":"7"}`, "not a code of SiNo"},
		{`"defaults":{"D":"2"}`, `"defaults":{"Bnew":"molti"}`, "default for Bnew"},
		{`"value":"Tel + ' / ' + Mail"`, `"value":"Tel +"`, "value"},
	}
	for _, tt := range tests {
		def := strings.Replace(migV2, tt.from, tt.to, 1)
		if _, err := ParseInstrument([]byte(def), nil); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s -> %s: %v, want %q", tt.from, tt.to, err, tt.want)
		}
	}
	// What only the earlier version can tell is checked when both are in
	// the registry, whichever comes first.
	against := []struct{ from, to, want string }{
		{`"renamed":{"B":"Bnew"}`, `"renamed":{"Bx":"Bnew"}`, "version 1 has no question Bx"},
		{`"dropped":["Vecchia"]`, `"dropped":["Nuova"]`, "version 1 has no question Nuova"},
		{`"from":["Tel","Mail"]`, `"from":["Tel","Fax"]`, "no top-level question Fax"},
		{`"value":"Tel + ' / ' + Mail"`, `"value":"Tel + Fax"`, "unknown name Fax"},
	}
	for _, tt := range against {
		def := strings.Replace(migV2, tt.from, tt.to, 1)
		v2, err := ParseInstrument([]byte(def), nil)
		if err != nil {
			t.Fatalf("%s: %v", tt.to, err)
		}
		v1, _ := ParseInstrument([]byte(migV1), nil)
		for _, first := range []*Instrument{v1, v2} {
			reg := NewRegistry()
			second := v2
			if first == v2 {
				second = v1
			}
			if err := reg.Add(first); err != nil {
				t.Fatal(err)
			}
			err := reg.Add(second)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s, v%d added first: %v, want %q", tt.to, first.Version, err, tt.want)
			}
			if _, ok := reg.Get("prova", second.Version); ok {
				t.Errorf("%s: the refused version stayed in the registry", tt.to)
			}
		}
	}
}

func TestUpgradeUsesTheDeclaredMigration(t *testing.T) {
	reg := migRegistry(t, migV1, migV2)
	v2, _ := reg.Get("prova", 2)
	rec := &Record{Instrument: "prova", Version: 1, Answers: Answers{"B": 3, "Vecchia": "x", "Tel": "1"}}
	orphans, err := Upgrade(rec, v2)
	if err != nil || len(orphans) != 0 || rec.Answers["Bnew"] != 3 || rec.Answers["Contatti"] != "1" || rec.Answers["D"] != "2" {
		t.Errorf("Upgrade: %v %v %#v", orphans, err, rec.Answers)
	}
}

// A move's note as stores kept it before notes were a Text: the English
// half is found by its opening, a slash inside a label stays where it is.
func TestLegacyMoveNote(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Text
	}{
		{"Passata dalla versione 1 alla 2 / Moved from version 1 to 2", Text{IT: "Passata dalla versione 1 alla 2", EN: "Moved from version 1 to 2"}},
		{"Passata dalla versione 1 alla 3; «Padre / madre»: la risposta è tolta (2 · No) / Moved from version 1 to 3; «Father / mother»: the answer is removed (2 · No)",
			Text{IT: "Passata dalla versione 1 alla 3; «Padre / madre»: la risposta è tolta (2 · No)", EN: "Moved from version 1 to 3; «Father / mother»: the answer is removed (2 · No)"}},
		{"una nota / senza inglese", Text{IT: "una nota / senza inglese"}},
	} {
		if got := LegacyMoveNote(c.in); got != c.want {
			t.Errorf("LegacyMoveNote(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
	m := &Moved{From: 1, To: 2}
	if n := m.Note(nil, nil); n != (Text{IT: "Passata dalla versione 1 alla 2", EN: "Moved from version 1 to 2"}) || LegacyMoveNote(n.IT+" / "+n.EN) != n {
		t.Errorf("Note %+v does not read back from its old form", n)
	}
}
