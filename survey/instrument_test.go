package survey

import (
	"strings"
	"testing"
)

// minimal is a small valid definition; the cases below break it.
const minimal = `{"id":"prova","version":1,"title":{"it":"Prova","en":"Test"},
 "codelists":{"SiNo":{"codes":[{"code":"1","label":{"it":"Sì","en":"Yes"}},{"code":"2","label":{"it":"No","en":"No"}}]}},
 "sections":[{"id":"s1","title":{"it":"Uno"},"questions":[
   {"id":"A","type":"single","codelist":"SiNo","label":{"it":"A"},"required":true},
   {"id":"B","type":"integer","label":{"it":"B"},"relevant":"A == '1'","min":0},
   {"id":"C","type":"lookup","lookup":"paesi","label":{"it":"C"}},
   {"id":"G","type":"group","label":{"it":"G"},"items":[{"id":"X","type":"monthyear","label":{"it":"X"}}]}]}],
 "rules":[{"id":"r1","severity":"warning","fields":["B"],"assert":"B < 10","message":{"it":"troppi","en":"too many"}}]}`

func TestParseInstrumentRefusesMalformed(t *testing.T) {
	_, ref := load(t)
	if _, err := ParseInstrument([]byte(minimal), ref); err != nil {
		t.Fatalf("minimal definition: %v", err)
	}
	tests := []struct{ from, to, want string }{
		{`"version":1`, `"version":0`, "version 0"},
		{`"id":"prova"`, `"id":"Prova X"`, `id "Prova X"`},
		{`"title":{"it":"Prova","en":"Test"},`, `"title":{"it":"Prova"},"colour":"red",`, `unknown field "colour"`},
		{`"id":"B"`, `"id":"A"`, "question A: id repeated"},
		{`"codelist":"SiNo"`, `"codelist":"NoSi"`, `codelist "NoSi" is not defined`},
		{`"lookup":"paesi"`, `"lookup":"pianeti"`, `lookup list "pianeti"`},
		{`"type":"integer"`, `"type":"number"`, `unknown type "number"`},
		{`"relevant":"A == '1'"`, `"relevant":"A == "`, "question B relevant"},
		{`"relevant":"A == '1'"`, `"relevant":"Z == '1'"`, "unknown name Z"},
		{`"relevant":"A == '1'"`, `"relevant":"A == 1"`, "mismatched types string and int"},
		{`"relevant":"A == '1'"`, `"relevant":"A"`, "question B relevant"},
		{`"assert":"B < 10"`, `"assert":"X < 10"`, "unknown name X"},
		{`"severity":"warning"`, `"severity":"fatal"`, `severity "fatal"`},
		{`"en":"too many"`, `"en":""`, "Italian and English"},
		{`"fields":["B"]`, `"fields":["Q"]`, `field "Q" is not a question`},
		{`"min":0`, `"min":5,"max":1`, "min is above max"},
		{`"label":{"it":"X"}}]`, `"label":{"it":"X"},"pattern":"("}]`, "pattern"},
		{`{"id":"X","type":"monthyear","label":{"it":"X"}}`, `{"id":"X","type":"group","label":{"it":"X"},"items":[{"id":"Y","type":"text","label":{"it":"Y"}}]}`, "group inside a group"},
		{`"id":"B"`, `"id":"count"`, "reserved"},
		{`{"code":"2"`, `{"code":"1"`, `code "1" twice`},
	}
	for _, tt := range tests {
		def := strings.Replace(minimal, tt.from, tt.to, 1)
		if def == minimal {
			t.Fatalf("case %q does not change the definition", tt.want)
		}
		_, err := ParseInstrument([]byte(def), ref)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s -> %s: error %v, want it to say %q", tt.from, tt.to, err, tt.want)
		}
	}
	if _, err := ParseInstrument([]byte(minimal), nil); err == nil || !strings.Contains(err.Error(), "reference data") {
		t.Errorf("lookup without reference data: %v", err)
	}
}

func TestRegistryVersions(t *testing.T) {
	_, ref := load(t)
	reg := NewRegistry()
	v1, _ := ParseInstrument([]byte(minimal), ref)
	v2def := strings.Replace(strings.Replace(minimal, `"version":1`, `"version":2`, 1), `"id":"B"`, `"id":"Bnew"`, 1)
	v2def = strings.Replace(v2def, `"assert":"B < 10"`, `"assert":"Bnew < 10"`, 1)
	v2def = strings.Replace(v2def, `"fields":["B"]`, `"fields":["Bnew"],"each":""`, 1)
	v2def = strings.Replace(v2def, `"rules":`, `"renamed":{"B":"Bnew"},"rules":`, 1)
	v2, err := ParseInstrument([]byte(v2def), ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Add(v2); err != nil {
		t.Fatal(err)
	}
	if err := reg.Add(v1); err != nil {
		t.Fatal(err)
	}
	if err := reg.Add(v1); err == nil {
		t.Error("the same version added twice")
	}
	if l, _ := reg.Latest("prova"); l != v2 {
		t.Error("Latest is not version 2")
	}
	if g, _ := reg.Get("prova", 1); g != v1 {
		t.Error("Get version 1")
	}
	if v := reg.Versions("prova"); len(v) != 2 || v[0] != 1 {
		t.Errorf("Versions = %v", v)
	}
	old := &Record{Instrument: "prova", Version: 1, Answers: Answers{"A": "1", "B": 20, "Z": "kept"},
		Meta: map[string]FieldMeta{"B": {Note: "nota"}}}
	if in, err := reg.ForRecord(old); err != nil || in != v1 {
		t.Fatal("an old record is not read with its own version")
	}
	if got := rulesOf(ValidateAt(v1, old, refDate)); got != "r1 unknown_field.Z" {
		t.Errorf("old record with version 1: %s", got)
	}
	orphans, err := Upgrade(old, v2)
	if err != nil || old.Version != 2 || old.Answers["Bnew"] != 20 || old.Meta["Bnew"].Note != "nota" || len(orphans) != 1 || orphans[0] != "Z" {
		t.Errorf("Upgrade: %v %v %+v", orphans, err, old)
	}
	if _, err := reg.ForRecord(&Record{Instrument: "prova", Version: 3}); err == nil {
		t.Error("unknown version found")
	}
	if ids := reg.IDs(); len(ids) != 1 || ids[0] != "prova" {
		t.Errorf("IDs = %v", ids)
	}
}

func TestShippedInstruments(t *testing.T) {
	reg, _ := load(t)
	if ids := strings.Join(reg.IDs(), ","); ids != "scheda-comune,scheda-minore" {
		t.Fatalf("instruments: %s", ids)
	}
	// The case record is at version 2; version 1 stays readable for the
	// records made with it.
	if in, _ := reg.Latest(InstrumentCase); in.Version != 2 {
		t.Errorf("%s: latest version %d, want 2", InstrumentCase, in.Version)
	}
	if _, ok := reg.Get(InstrumentCase, 1); !ok {
		t.Errorf("%s v1 is no longer loaded", InstrumentCase)
	}
	for _, key := range instrumentKeys(reg) {
		in, _ := reg.Get(key.id, key.version)
		id := in.Key()
		if in.Title.EN == "" {
			t.Errorf("%s: title %+v", id, in.Title)
		}
		for _, s := range in.Sections {
			if s.Title.EN == "" {
				t.Errorf("%s section %s: no English title", id, s.ID)
			}
			for _, q := range s.Questions {
				if q.Label.EN == "" {
					t.Errorf("%s question %s: no English label", id, q.ID)
				}
			}
		}
	}
}

type instrumentKey struct {
	id      string
	version int
}

// instrumentKeys lists every version of every instrument of reg.
func instrumentKeys(reg *Registry) []instrumentKey {
	var keys []instrumentKey
	for _, id := range reg.IDs() {
		for _, v := range reg.Versions(id) {
			keys = append(keys, instrumentKey{id, v})
		}
	}
	return keys
}
