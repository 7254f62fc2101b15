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

// TestOverviewFollowsTheFirstRound: a laptop enrolled from the app, left on
// the overview, sees its team's municipality there as soon as the first
// (background) round brings the assignment, without leaving the screen and
// coming back: a new researcher staring at "Nessun comune ancora" would
// think the enrolment failed.
func TestOverviewFollowsTheFirstRound(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	h := newHarness(t, t.TempDir())
	h.ui = ui.New(h.win, ui.Options{Vault: h.vault, Instruments: instruments(t), Syncer: backend.NewSyncer, Translations: readTranslation,
		ServerURL: p.URL, EnrolCode: p.Code(t, p.TeamA)})
	h.ui.Start()
	h.tap("Continua")
	h.waitTitle("Benvenuto")
	h.typeText(pass)
	h.win.Canvas().FocusNext()
	h.typeText(pass)
	h.tap("Crea l'archivio cifrato")
	h.waitTitle("Chiave di recupero")
	test.Tap(find(t, h.win.Content(), func(c *widget.Check) bool { return true }))
	h.tap("Continua")
	h.waitTitle("Collega al server")
	h.tap("Collega")
	h.waitTitle("Panoramica")
	waitFor(t, func() bool {
		return find(t, h.win.Content(), func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "Napoli") }) != nil
	})
	h.ui.Lock()
}
