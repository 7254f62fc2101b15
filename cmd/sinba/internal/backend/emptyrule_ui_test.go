package backend_test

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"sinba/ui"
)

// A brand-new case record is not covered in red: the rule that asks for at
// least one intervention (prestazioni.almeno_una) states what a complete
// record needs, so, like a required answer, it waits for finalising: no
// error badge beside "Interventi" while nothing is typed; finalising with no
// intervention lists it. Real store, the shipped instruments.
func TestEmptyRecordHasNoErrorUntilFinalised(t *testing.T) {
	h := newHarness(t, t.TempDir())
	h.firstRun(pass)
	h.sync.Enrol(context.Background(), "http://127.0.0.1:1", "X")

	h.ui.Shortcut(ui.ShortcutNewCase)
	h.waitTitle("Scheda minore")
	badge, ok := h.sidebarBadge("7. Interventi")
	if !ok {
		t.Fatal("no section Interventi in the sidebar")
	}
	if badge != "" {
		t.Errorf("sidebar of a new empty record: Interventi %q, want no finding", badge)
	}
	msg := "Indica almeno una prestazione"
	if find(t, h.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, msg) }) != nil {
		t.Errorf("a new empty record shows %q", msg)
	}

	h.ui.Shortcut(ui.ShortcutFinalise)
	card := find(t, h.win.Content(), func(c *widget.Card) bool { return c.Title == "Da correggere" })
	if card == nil {
		t.Fatal("finalising an empty record shows no panel of findings")
	}
	found := false
	for _, k := range findLinks(t, card) {
		found = found || strings.Contains(k.Text, msg)
	}
	if !found {
		t.Errorf("finalising with no intervention does not list %q", msg)
	}
	if badge, _ := h.sidebarBadge("7. Interventi"); !strings.Contains(badge, "errore") {
		t.Errorf("sidebar after finalising: Interventi %q, want the error counted beside it", badge)
	}
}
