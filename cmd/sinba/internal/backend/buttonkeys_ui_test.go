package backend_test

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"sinba/ui"
	"sinba/ui/dialogs"
)

// tabTo moves the focus with Tab, as the keyboard does, to the button
// labelled label.
func (h *harness) tabTo(label string) {
	h.t.Helper()
	settle(h.t)
	c := h.win.Canvas()
	for range 200 {
		c.FocusNext()
		switch b := c.Focused().(type) {
		case *widget.Button:
			if b.Text == label {
				return
			}
		case *dialogs.Button:
			if b.Text == label {
				return
			}
		}
	}
	h.t.Fatalf("Tab never reaches %q on %q", label, h.win.Title())
}

// A button reached with Tab on the laptop's screens is pressed with Enter
// as with Space: on the overview, on the case list and on the sync screen.
func TestEnterPressesAScreenButton(t *testing.T) {
	h := newFixtureHarness(t)
	h.unlock()

	h.tabTo("Aggiungi un comune")
	h.key(fyne.KeyReturn)
	top := h.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("Enter on «Aggiungi un comune» opened no search")
	}
	top.Hide()

	h.ui.Shortcut(ui.ShortcutCases)
	h.tabTo("Nuova scheda minore")
	title := h.win.Title()
	h.key(fyne.KeyReturn)
	settle(t)
	if h.win.Title() == title && h.win.Canvas().Overlays().Top() == nil {
		t.Fatalf("Enter on «Nuova scheda minore» did nothing (screen %q)", title)
	}
}
