package backend_test

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sinba/cmd/sinba/internal/backend"
	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/ui"
)

// A code the server does not know (or the right code given to another
// server): the person reads what to do, in the words of the form, without
// the server's internal code.
func TestEnrolWithAWrongCodeSaysWhatToDo(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	h := newEmptyHarness(t)
	h.ui = ui.New(h.win, ui.Options{Vault: h.vault, Instruments: instruments(t), Syncer: backend.NewSyncer, Translations: readTranslation,
		ServerURL: p.URL, EnrolCode: "ABCD-EFGH"})
	h.unlock()
	h.ui.Shortcut(ui.ShortcutSync) // not enrolled: the enrolment form
	h.waitTitle("Collega al server")
	if find(t, h.win.Content(), func(f *widget.Form) bool {
		for _, it := range f.Items {
			if it.Text == "Codice di iscrizione" {
				return true
			}
		}
		return false
	}) == nil {
		t.Fatal("the enrolment form has no field labelled \"Codice di iscrizione\"")
	}
	test.Tap(h.button("Collega"))
	var problem *widget.Label
	waitFor(t, func() bool {
		problem = find(t, h.win.Content(), func(l *widget.Label) bool {
			return l.Importance == widget.DangerImportance && l.Text != "" && l.Text != "Collegamento in corso…"
		})
		return problem != nil
	})
	if strings.Contains(problem.Text, "code_invalid") || strings.Contains(problem.Text, " / ") {
		t.Errorf("the person reads the server's internal code or both languages: %q", problem.Text)
	}
	for _, want := range []string{"codice di iscrizione", "controllare l'indirizzo del server e il codice"} {
		if !strings.Contains(problem.Text, want) {
			t.Errorf("message %q lacks %q", problem.Text, want)
		}
	}
}
