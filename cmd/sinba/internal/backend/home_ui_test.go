package backend_test

import (
	"math"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/ui"
	"sinba/ui/palette"
)

// TestOverviewLinesUp: in the overview's table of municipalities the counts
// and the dashes stand on the municipality's line and under their headings;
// with the app's theme the cards' titles are smaller than the page's.
func TestOverviewLinesUp(t *testing.T) {
	h := newFixtureHarness(t)
	fyne.CurrentApp().Settings().SetTheme(palette.AppTheme())
	h.unlock()
	d := fyne.CurrentApp().Driver()
	text := func(s string) *canvas.Text {
		t.Helper()
		x := find(t, h.win.Content(), func(c *canvas.Text) bool { return c.Text == s })
		if x == nil {
			t.Fatalf("no %q on the overview", s)
		}
		return x
	}
	pos := func(c *canvas.Text) fyne.Position { return d.AbsolutePositionForObject(c) }
	name := pos(text("Napoli (NA)"))
	for _, c := range []struct{ cell, heading string }{{"–", "Sincronizzata"}, {"1", "In conflitto"}} {
		var cell *canvas.Text
		for _, x := range findAll[*canvas.Text](t, h.win.Content()) {
			if x.Text == c.cell && math.Abs(float64(pos(x).X-pos(text(c.heading)).X)) < 60 {
				cell = x
			}
		}
		if cell == nil {
			t.Fatalf("no %q under %q", c.cell, c.heading)
		}
		if dy := pos(cell).Y - name.Y; math.Abs(float64(dy)) > 1 {
			t.Errorf("%q under %q stands %.0f points off the municipality's line", c.cell, c.heading, dy)
		}
		if dx := pos(cell).X - pos(text(c.heading)).X; math.Abs(float64(dx)) > 1 {
			t.Errorf("%q stands %.0f points off its heading %q", c.cell, dx, c.heading)
		}
	}
	card := find(t, h.win.Content(), func(c *widget.Card) bool { return c.Title == "Comuni della rilevazione" })
	if card == nil {
		t.Fatal("no card of the municipalities")
	}
	title := text("Comuni della rilevazione")
	page := text("Panoramica")
	if title.TextSize >= page.TextSize {
		t.Errorf("card title %.0f points, page title %.0f: want the card's smaller", title.TextSize, page.TextSize)
	}
	if title.TextSize <= theme.Size(theme.SizeNameText) {
		t.Errorf("card title %.0f points, no larger than the text", title.TextSize)
	}
}

// TestEmptyOverviewSaysWhatItWaitsFor: with no municipality yet, the
// overview asks a laptop not enrolled to enrol, and tells an enrolled one
// what it waits for: the team key from a colleague, or the coordinators'
// assignment.
func TestEmptyOverviewSaysWhatItWaitsFor(t *testing.T) {
	h := newEmptyHarness(t)
	h.unlock()
	says := func(want string) {
		t.Helper()
		h.ui.Shortcut(ui.ShortcutHome)
		settle(t)
		if find(t, h.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, want) }) == nil {
			t.Errorf("the empty overview does not say %q", want)
		}
	}
	says("Collega il computer al server")
	h.sync.enrolled, h.sync.waiting = true, true
	h.ui.Shortcut(ui.ShortcutSync)
	waitFor(t, func() bool { return !h.ui.Busy() })
	says("attende la chiave della squadra")
	if find(t, h.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, "Collega il computer") }) != nil {
		t.Error("an enrolled laptop is asked to enrol")
	}
	h.sync.waiting = false
	h.ui.Shortcut(ui.ShortcutSync)
	waitFor(t, func() bool { return !h.ui.Busy() })
	says("non ha ancora assegnato comuni alla squadra")
}
