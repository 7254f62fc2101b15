package backend_test

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"sinba/ui"
)

// newCaseAt opens a new case record of the newest version in a window of
// size, the screen of a municipal office's laptop.
func newCaseAt(t *testing.T, size fyne.Size) *harness {
	t.Helper()
	h := newFixtureHarness(t)
	h.win.Resize(size)
	h.unlock()
	h.sync.Enrol(context.Background(), "http://127.0.0.1:1", "X")
	h.ui.Shortcut(ui.ShortcutNewCase)
	h.waitTitle("Scheda minore")
	return h
}

// fits fails unless the screen's minimum size is within the window: a larger
// one makes the window grow past the screen (and never shrink back).
func (h *harness) fits(when string) {
	h.t.Helper()
	settle(h.t)
	min, size := h.win.Content().MinSize(), h.win.Canvas().Size()
	if min.Width > size.Width || min.Height > size.Height {
		h.t.Errorf("%s: the screen needs %v, the window is %v", when, min, size)
	}
}

// TestRecordScreenStaysWithinTheWindow: at 1280x800, a record whose
// finalising lists dozens of findings (every required answer missing, long
// messages) keeps the screen within the window on every section, the list
// of findings open beside the form: the long grid of benefit codes goes to
// one column, the state line and the findings wrap.
func TestRecordScreenStaysWithinTheWindow(t *testing.T) {
	h := newCaseAt(t, fyne.NewSize(1280, 800))
	h.fits("a new record")
	h.ui.Shortcut(ui.ShortcutFinalise)
	settle(t)
	card := find(t, h.win.Content(), func(c *widget.Card) bool { return c.Title == "Da correggere" })
	if card == nil {
		t.Fatal("no panel of findings")
	}
	if n := len(findLinks(t, card)); n < 12 {
		t.Fatalf("%d findings listed, want the many of an empty record", n)
	}
	for range 12 {
		h.ui.Shortcut(ui.ShortcutPrevPage)
	}
	pages := 0
	for {
		settle(t)
		h.fits("findings open, section " + sectionShown(h))
		pages++
		before := sectionShown(h)
		h.ui.Shortcut(ui.ShortcutNextPage)
		settle(t)
		if sectionShown(h) == before || pages > 20 {
			break
		}
	}
	if pages < 8 {
		t.Fatalf("%d sections visited, want every one", pages)
	}
}

// sectionShown is the form's "Sezione N di M".
func sectionShown(h *harness) string {
	l := find(h.t, h.win.Content(), func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "Sezione ") })
	if l == nil {
		h.t.Fatal("no section counter on the screen")
	}
	return l.Text
}
