package backend_test

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sinba/cmd/sinba/internal/backend"
	"sinba/localdb"
	"sinba/survey"
	"sinba/survey/instdiff"
	"sinba/survey/instfile"
	"sinba/survey/xlsform"
	"sinba/ui/coordinator"
	"sinba/ui/dialogs"
)

// overlayLabels is every text of the dialog on top, list rows included.
func overlayLabels(w fyne.Window) string {
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	var texts []string
	find(nil, top, func(l *widget.Label) bool { texts = append(texts, l.Text); return false })
	return strings.Join(texts, "\n")
}

// TestProjectPublishOverRealServer publishes a spreadsheet from the Project
// tab over the real adapter, a real coordinator store and a real server: a
// broken workbook is refused with its problem and nothing is sent; the
// shipped version 2 written as a workbook is shown with its changes from
// the published version 1, Escape sends nothing, Enter publishes the
// canonical definition; then the Critical points tab writes the version diff
// report with the figures of the laptop's version 1 record.
func TestProjectPublishOverRealServer(t *testing.T) {
	l := newReviewLoop(t)
	_, err := l.laptop.Save(l.ctx, caseRecord(), localdb.SaveOptions{Status: survey.StatusFinal, Actor: backend.Actor})
	l.must(err)
	l.syncLaptop()
	l.syncCoordinator()

	var file struct {
		name string
		data []byte
	}
	report := filepath.Join(t.TempDir(), "differenze.html")
	w, ws, deps := l.workspace(func(d *coordinator.Deps) {
		d.OpenFile = func(pick func(string, []byte)) { pick(file.name, file.data) }
		d.SaveFile = func(_ string, write func(string) error) { _ = write(report) }
	})
	tabs := ws.Tabs()
	tabs.SelectIndex(len(tabs.Items) - 1) // Progetto
	publishedVersions := func() []int {
		ins, err := l.srv.Instruments(l.ctx, projectID(t, l))
		l.must(err)
		var vs []int
		for _, in := range ins {
			if in.ID == survey.InstrumentCase {
				vs = append(vs, in.Version)
			}
		}
		return vs
	}

	file.name, file.data = "rotto.xlsx", []byte("non è una cartella di lavoro")
	test.Tap(buttonNamed(t, w, "Pubblica nuova versione di uno strumento…"))
	if msg := overlayLabels(w); !strings.Contains(msg, "rotto.xlsx non è stato pubblicato. Problemi trovati: 1.") ||
		!strings.Contains(msg, "il file non è una cartella di lavoro .xlsx leggibile") || strings.Contains(msg, "readable") {
		t.Fatalf("broken workbook shown as:\n%s", msg)
	}
	pressKey(w, fyne.KeyEscape)
	if w.Canvas().Overlays().Top() != nil {
		t.Fatal("Escape left the problems open")
	}

	v1, _ := deps.Registry.Get(survey.InstrumentCase, 1)
	v2, _ := deps.Registry.Get(survey.InstrumentCase, 2)
	book := filepath.Join(t.TempDir(), "scheda-minore.v2.xlsx")
	l.must(xlsform.WriteFile(book, v2))
	file.name, file.data = "scheda-minore.v2.xlsx", must(os.ReadFile(book))
	changes := instdiff.Diff(v1, v2)
	open := func() string {
		t.Helper()
		test.Tap(buttonNamed(t, w, "Pubblica nuova versione di uno strumento…"))
		msg := overlayLabels(w)
		for _, want := range []string{"Pubblicare scheda-minore versione 2?",
			"Controllo di scheda-minore.v2.xlsx superato. scheda-minore versione 2 rispetto alla versione 1 pubblicata, cambiamenti: " + strconv.Itoa(len(changes)) + ".",
			// The first rows of the list of changes.
			"Aiuto cambiato: IDBeneficiario «Codice pseudonimo del minore»: Calcolato dal codice fiscale",
			"Codici cambiati: FasciaEtaBeneficiario «Fascia di età»: 1 0-3 anni; 2 3-6 anni"} {
			if !strings.Contains(msg, want) {
				t.Fatalf("the confirmation lacks %q:\n%s", want, msg)
			}
		}
		if find(t, w.Canvas().Overlays().Top(), func(b *widget.Button) bool { return strings.HasPrefix(b.Text, "Salva il rapporto delle differenze") }) == nil {
			t.Fatal("the confirmation has no report button")
		}
		return msg
	}
	open()
	pressKey(w, fyne.KeyEscape)
	if got := publishedVersions(); len(got) != 1 {
		t.Fatalf("published after Escape: %v", got)
	}
	open()
	pressKey(w, fyne.KeyReturn)
	if got := publishedVersions(); len(got) != 2 || got[1] != 2 {
		t.Fatalf("published after Enter: %v", got)
	}
	if !hasLabel(w, func(s string) bool { return strings.HasPrefix(s, "Pubblicato scheda-minore versione 2") }) {
		t.Error("the publication is not reported")
	}
	ins, err := l.srv.Instruments(l.ctx, projectID(t, l))
	l.must(err)
	want, _ := instfile.Canonical(v2)
	for _, in := range ins {
		if in.ID == survey.InstrumentCase && in.Version == 2 && string(in.Body) != string(want) {
			t.Error("the server holds another body than the canonical definition")
		}
	}
	// The same file again: nothing to send.
	test.Tap(buttonNamed(t, w, "Pubblica nuova versione di uno strumento…"))
	if w.Canvas().Overlays().Top() != nil || !hasLabel(w, func(s string) bool { return strings.Contains(s, "già pubblicata con lo stesso contenuto") }) {
		t.Error("publishing the same version again is not a no-op")
	}

	// The version diff report, beside the critical-points report.
	tabs.SelectIndex(2) // Criticità
	test.Tap(buttonNamed(t, w, "Differenze tra versioni…"))
	top := w.Canvas().Overlays().Top()
	caseRecord, _ := instruments(t).Registry().Latest(survey.InstrumentCase)
	title := caseRecord.Title.IT // the dialog names the instruments by title
	pick := find(t, top, func(s *dialogs.Select) bool { return slices.Contains(s.Options, title) })
	if pick == nil {
		t.Fatalf("the differences dialog offers no %q", title)
	}
	pick.SetSelected(title)
	pressKey(w, fyne.KeyReturn)
	page, err := os.ReadFile(report)
	l.must(err)
	for _, s := range []string{"scheda-minore@1", "scheda-minore@2", "schede della versione precedente <span class=\"en\">records of the earlier version</span>: 1", "<b>DataRiferimento</b>"} {
		if !strings.Contains(string(page), s) {
			t.Errorf("the report lacks %q", s)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func projectID(t *testing.T, l *reviewLoop) string {
	t.Helper()
	p, err := l.coord.Profile(l.ctx)
	l.must(err)
	return p.ProjectID
}
