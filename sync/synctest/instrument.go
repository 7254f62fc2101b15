package synctest

import (
	"encoding/json"
	"testing"

	"sinba/assets"
	"sinba/survey"
)

// The changes CaseV3 makes to the case record's version 2, which its
// migration from 2 declares.
const (
	V3Renamed   = "ComponentiNucleoISEE" // NumeroComponentiISEE, renamed
	V3Merged    = "TitoloStudioGenitori" // TitoloStudioMadre + TitoloStudioPadre
	V3Dropped   = "OccupazionePadre"     // gone in version 3
	V3Defaulted = "DisabilitaCertificata"
	V3Default   = "2" // its default for records moved from version 2
)

// CaseV3 is a version 3 of the case record made from the shipped version 2
// for the tests of the instrument loop: one question renamed, two merged
// into one, one dropped, one new with a default, all declared in its
// migration from version 2.
func CaseV3(t testing.TB) []byte {
	t.Helper()
	b, err := assets.Instruments.ReadFile("instruments/scheda-minore.v2.json")
	if err != nil {
		t.Fatal(err)
	}
	var def map[string]any
	if err := json.Unmarshal(b, &def); err != nil {
		t.Fatal(err)
	}
	def["version"] = 3
	for _, s := range def["sections"].([]any) {
		sec := s.(map[string]any)
		if sec["id"] != "famiglia" {
			continue
		}
		var qs []any
		for _, q := range sec["questions"].([]any) {
			switch q := q.(map[string]any); q["id"] {
			case "NumeroComponentiISEE":
				q["id"] = V3Renamed
				qs = append(qs, q)
			case "TitoloStudioMadre":
				q["id"] = V3Merged
				q["label"] = map[string]any{"it": "Titolo di studio più alto dei genitori", "en": "Parents' highest educational qualification"}
				qs = append(qs, q)
			case "TitoloStudioPadre", V3Dropped:
			default:
				qs = append(qs, q)
			}
		}
		qs = append(qs, map[string]any{"id": V3Defaulted, "type": "single", "codelist": "DisabilitaType",
			"label": map[string]any{"it": "Disabilità certificata", "en": "Certified disability"}})
		sec["questions"] = qs
	}
	def["migrations"] = []any{map[string]any{
		"from":     2,
		"renamed":  map[string]any{"NumeroComponentiISEE": V3Renamed},
		"merged":   []any{map[string]any{"into": V3Merged, "from": []any{"TitoloStudioMadre", "TitoloStudioPadre"}}},
		"dropped":  []any{V3Dropped},
		"defaults": map[string]any{V3Defaulted: V3Default},
	}}
	out, err := json.Marshal(def)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// PublishCase publishes body as the case record's version v.
func (p *Project) PublishCase(t testing.TB, v int, body []byte) {
	t.Helper()
	if err := p.Store.Publish(t.Context(), p.ProjectID, survey.InstrumentCase, v, body); err != nil {
		t.Fatalf("publish %s v%d: %v", survey.InstrumentCase, v, err)
	}
}
