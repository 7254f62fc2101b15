package backend_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"sinba/assets"
	"sinba/survey"
	"sinba/ui/coordinator"
	"sinba/ui/dialogs"
)

// TestNewVersionsReachTheDifferencesDialog: a version of the case record
// published from the Project tab, and one another coordinator published
// that "Scarica dal server" brings, are offered at once in "Differenze tra
// versioni…", over the real adapter, store and server, with no workspace
// opened again.
func TestNewVersionsReachTheDifferencesDialog(t *testing.T) {
	l := newReviewLoop(t)
	var file []byte
	w, ws, _ := l.workspace(func(d *coordinator.Deps) {
		d.OpenFile = func(pick func(string, []byte)) { pick("scheda-minore.v3.json", file) }
	})
	tabs := ws.Tabs()
	versions := func() []string {
		t.Helper()
		tabs.SelectIndex(2) // Criticità
		test.Tap(buttonNamed(t, w, "Differenze tra versioni…"))
		top := w.Canvas().Overlays().Top()
		var newer *dialogs.Select
		n := 0
		find(t, top, func(s *dialogs.Select) bool {
			if n++; n == 3 { // instrument, earlier, new
				newer = s
			}
			return false
		})
		if newer == nil {
			t.Fatal("the differences dialog has no choice of the new version")
		}
		opts := slices.Clone(newer.Options)
		pressKey(w, fyne.KeyEscape)
		return opts
	}
	if got := versions(); slices.Contains(got, "3") {
		t.Fatalf("version 3 offered before it is published: %v", got)
	}

	v2 := must(assets.Instruments.ReadFile("instruments/scheda-minore.v2.json"))
	file = versionOf(t, v2, 3)
	tabs.SelectIndex(len(tabs.Items) - 1) // Progetto
	test.Tap(buttonNamed(t, w, "Pubblica nuova versione di uno strumento…"))
	pressKey(w, fyne.KeyReturn)
	if !hasLabel(w, func(s string) bool { return strings.HasPrefix(s, "Pubblicato scheda-minore versione 3") }) {
		t.Fatal("version 3 is not reported published")
	}
	settle(t)
	if got := versions(); !slices.Contains(got, "3") {
		t.Errorf("after publishing version 3 the dialog offers %v", got)
	}

	// Another coordinator publishes version 4; a download brings it.
	v4 := versionOf(t, v2, 4)
	l.must(l.srv.Publish(l.ctx, projectID(t, l), survey.InstrumentCase, 4, v4))
	test.Tap(buttonNamed(t, w, "Scarica dal server"))
	settle(t)
	if got := versions(); !slices.Contains(got, "4") {
		t.Errorf("after a download that brought version 4 the dialog offers %v", got)
	}
}

// versionOf is the definition body as version v, with no migration (its
// answers move by field id) and the label of ScuolaFrequentata changed.
func versionOf(t *testing.T, body []byte, v int) []byte {
	t.Helper()
	var def map[string]any
	if err := json.Unmarshal(body, &def); err != nil {
		t.Fatal(err)
	}
	def["version"] = v
	delete(def, "migrations")
	for _, sec := range def["sections"].([]any) {
		for _, q := range sec.(map[string]any)["questions"].([]any) {
			if q := q.(map[string]any); q["id"] == "ScuolaFrequentata" {
				q["label"] = map[string]any{"it": fmt.Sprintf("Scuola frequentata (versione %d)", v), "en": fmt.Sprintf("School attended (version %d)", v)}
			}
		}
	}
	return must(json.Marshal(def))
}
