package survey

import (
	"reflect"
	"testing"
)

func TestChanges(t *testing.T) {
	in := caseInstrument(t)
	base := func() Record {
		return Record{Instrument: InstrumentCase, Version: in.Version, Municipality: "063049",
			Answers: Answers{
				"AnnoNascita":           2012,
				"FasciaEtaBeneficiario": "4",
				"LuogoVita":             "1",
				"ComposizioneFamiglia":  []any{"1", "2"},
				"DettaglioInterventi": []any{
					map[string]any{"CodicePrestazione": "A1", "MeseInizio": "01/2024"},
				},
				"Extra": "x",
			},
			Meta: map[string]FieldMeta{"FonteSegnalazione": {NotHeld: true}},
		}
	}
	for _, c := range []struct {
		name string
		edit func(r *Record)
		want []Change
	}{
		{"same record", func(*Record) {}, nil},
		{"a code as a number is the same code", func(r *Record) { r.Answers["LuogoVita"] = float64(1) }, nil},
		{"the codes of a multiple choice are a set", func(r *Record) { r.Answers["ComposizioneFamiglia"] = []any{"2", "1"} }, nil},
		{"blank text is no answer", func(r *Record) { r.Answers["IDBeneficiario"] = "  " }, nil},
		{"identity is not compared", func(r *Record) { r.Identity = &Identity{Name: "Maria"} }, nil},
		{"changed code", func(r *Record) { r.Answers["FasciaEtaBeneficiario"] = "5" },
			[]Change{{Field: "FasciaEtaBeneficiario", Old: "4", New: "5"}}},
		{"answer removed, then one given", func(r *Record) {
			delete(r.Answers, "LuogoVita")
			r.Answers["CondizioneMinore"] = "2"
		}, []Change{{Field: "CondizioneMinore", New: "2"}, {Field: "LuogoVita", Old: "1"}}},
		{"not held replaced by an answer, with a note", func(r *Record) {
			r.Answers["FonteSegnalazione"] = "3"
			r.Meta = map[string]FieldMeta{"FonteSegnalazione": {Note: "dal fascicolo"}}
		}, []Change{{Field: "FonteSegnalazione", New: "3", OldMeta: FieldMeta{NotHeld: true}, NewMeta: FieldMeta{Note: "dal fascicolo"}}}},
		{"an item of a group changed and one added", func(r *Record) {
			r.Answers["DettaglioInterventi"] = []any{
				map[string]any{"CodicePrestazione": "A1", "MeseInizio": "02/2024"},
				map[string]any{"CodicePrestazione": "B2"},
			}
		}, []Change{
			{Field: "DettaglioInterventi[1].MeseInizio", Old: "01/2024", New: "02/2024"},
			{Field: "DettaglioInterventi[2].CodicePrestazione", New: "B2"},
		}},
		{"a note on a group item", func(r *Record) {
			r.Meta = map[string]FieldMeta{"FonteSegnalazione": {NotHeld: true}, "DettaglioInterventi[1].Erogatore": {NotHeld: true}}
		}, []Change{{Field: "DettaglioInterventi[1].Erogatore", NewMeta: FieldMeta{NotHeld: true}}}},
		{"a field the instrument does not define", func(r *Record) { r.Answers["Extra"] = "y" },
			[]Change{{Field: "Extra", Old: "x", New: "y"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			next := base()
			c.edit(&next)
			got := Changes(in, base(), next)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Changes:\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}
