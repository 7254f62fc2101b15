package synth

import (
	"encoding/json"
	"fmt"

	"sinba/survey"
)

// CaseV3 builds a version 3 of the case record from the definition of
// version 2 (assets/instruments/scheda-minore.v2.json), for the tests of
// what crosses versions, with a declared migration that plants one change
// of each kind: OccupazioneMadre renamed CondizioneOccupazionaleMadre;
// TitoloStudioMadre and TitoloStudioPadre merged into TitoloStudioGenitori;
// CollaborazioniInterventi dropped; CanaleSegnalazione new (default 9 for
// moved records); the occupation list loses code 7, gains code 9 and
// relabels code 8; inside
// DettaglioInterventi the item Erogatore renamed EnteErogatore and an item
// Esito new.
func CaseV3(v2 []byte) ([]byte, error) {
	var def map[string]any
	if err := json.Unmarshal(v2, &def); err != nil {
		return nil, err
	}
	if def["id"] != survey.InstrumentCase || def["version"] != 2.0 {
		return nil, fmt.Errorf("CaseV3: want the definition of %s version 2", survey.InstrumentCase)
	}
	def["version"] = 3
	q := func(id, typ, codelist, it, en string) map[string]any {
		m := map[string]any{"id": id, "type": typ, "label": map[string]any{"it": it, "en": en}}
		if codelist != "" {
			m["codelist"] = codelist
		}
		return m
	}
	for _, s := range def["sections"].([]any) { // the shape of a parsed definition
		sec := s.(map[string]any)
		var out []any
		for _, x := range sec["questions"].([]any) {
			qq := x.(map[string]any)
			switch qq["id"] {
			case "OccupazioneMadre":
				qq["id"] = "CondizioneOccupazionaleMadre"
			case "TitoloStudioMadre":
				qq = q("TitoloStudioGenitori", "single", "TitoloStudioType", "Titolo di studio più alto dei genitori", "Parents' highest education")
			case "TitoloStudioPadre", "CollaborazioniInterventi":
				continue
			case "DettaglioInterventi":
				items := qq["items"].([]any)
				for _, it := range items {
					if im := it.(map[string]any); im["id"] == "Erogatore" {
						im["id"] = "EnteErogatore"
					}
				}
				qq["items"] = append(items, q("Esito", "text", "", "Esito dell'intervento", "Outcome of the intervention"))
			}
			out = append(out, qq)
			if qq["id"] == "FonteSegnalazione" {
				out = append(out, q("CanaleSegnalazione", "single", "CanaleType", "Canale della segnalazione", "Channel of the referral"))
			}
		}
		sec["questions"] = out
	}
	cls := def["codelists"].(map[string]any)
	cls["CanaleType"] = map[string]any{"codes": []any{
		map[string]any{"code": "1", "label": map[string]any{"it": "di persona", "en": "in person"}},
		map[string]any{"code": "2", "label": map[string]any{"it": "per iscritto", "en": "in writing"}},
		map[string]any{"code": "9", "label": map[string]any{"it": "non noto", "en": "unknown"}},
	}}
	occ := cls["OccupazioneType"].(map[string]any)
	var codes []any
	for _, c := range occ["codes"].([]any) {
		switch cm := c.(map[string]any); cm["code"] {
		case "7":
			continue
		case "8":
			cm["label"] = map[string]any{"it": "in altra condizione non professionale", "en": "other non-working condition"}
		}
		codes = append(codes, c)
	}
	occ["codes"] = append(codes, map[string]any{"code": "9", "label": map[string]any{"it": "in cassa integrazione", "en": "on short-time work"}})
	def["migrations"] = []any{map[string]any{
		"from":     2,
		"renamed":  map[string]any{"OccupazioneMadre": "CondizioneOccupazionaleMadre", "Erogatore": "EnteErogatore"},
		"merged":   []any{map[string]any{"into": "TitoloStudioGenitori", "from": []any{"TitoloStudioMadre", "TitoloStudioPadre"}}},
		"dropped":  []any{"CollaborazioniInterventi"},
		"defaults": map[string]any{"CanaleSegnalazione": "9"},
	}}
	return json.Marshal(def)
}

// AddCaseV3 adds to reg the version 3 of CaseV3, built from the version 2
// reg holds, and returns it.
func AddCaseV3(reg *survey.Registry) (*survey.Instrument, error) {
	v2, ok := reg.Get(survey.InstrumentCase, 2)
	if !ok {
		return nil, fmt.Errorf("AddCaseV3: no %s version 2", survey.InstrumentCase)
	}
	def, err := json.Marshal(v2)
	if err != nil {
		return nil, err
	}
	def, err = CaseV3(def)
	if err != nil {
		return nil, err
	}
	in, err := survey.ParseInstrument(def, v2.Reference())
	if err != nil {
		return nil, err
	}
	return in, reg.Add(in)
}
