package backend_test

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"sinba/survey"
	"sinba/ui"
)

// TestScreensFitASmallLaptop: on a 1024x720 screen, the overview of a team
// with several municipalities (the longest names of Campania among them) and
// a status line carrying long messages need no more than the window: a
// screen that needs more makes the window grow past the screen, where
// nothing stops it (no window manager, a small laptop) and it never shrinks
// back.
func TestScreensFitASmallLaptop(t *testing.T) {
	h := newFixtureHarness(t)
	h.win.Resize(fyne.NewSize(1024, 720))
	h.screen = fyne.NewSize(1024, 720)
	h.sync.assigned = []string{"063049", "065116", "063026", "064049", "061005", "062008", "065078"}
	h.sync.enrolled = true
	h.sync.messages = []survey.Text{
		{IT: strings.Repeat("Il server ha rifiutato una versione perché lo strumento non è pubblicato; resta in coda. ", 3),
			EN: "refused"},
	}
	h.unlock()
	h.fits("the overview")
	h.ui.Shortcut(ui.ShortcutSync)
	settle(t)
	waitFor(t, func() bool { return h.sync.rounds > 0 })
	settle(t)
	h.fits("the sync screen after a round with long messages")
	h.ui.Shortcut(ui.ShortcutHome)
	settle(t)
	h.fits("the overview after a round with long messages")
	h.tap("Schede")
	settle(t)
	h.fits("the case list")
}
