package backend_test

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"sinba/ui"
)

// TestCaseListFromTheKeyboard reaches the case list's table with Tab from the
// filters, moves among the records with the arrows, goes back to the search
// with Up on the first row, and opens the marked record with Enter.
func TestCaseListFromTheKeyboard(t *testing.T) {
	h := newFixtureHarness(t)
	h.unlock()
	h.ui.Shortcut(ui.ShortcutSearch)
	// Search, then the three filters, then the table.
	for i := 0; i < 4; i++ {
		h.win.Canvas().FocusNext()
	}
	if _, ok := h.win.Canvas().Focused().(*widget.Select); ok {
		t.Fatal("four Tabs from the search are still on a filter")
	}
	tbl, ok := h.win.Canvas().Focused().(interface{ Marked() int })
	if !ok {
		t.Fatalf("four Tabs from the search focus %T, want the case table", h.win.Canvas().Focused())
	}
	if got := tbl.Marked(); got != 0 {
		t.Fatalf("entering the table marks row %d, want the first", got)
	}
	rows := h.ui.CaseRows()
	if len(rows) < 3 {
		t.Fatalf("%d rows in the list, want at least 3", len(rows))
	}
	h.key(fyne.KeyDown)
	h.key(fyne.KeyDown)
	h.key(fyne.KeyDown)
	h.key(fyne.KeyUp)
	if got := tbl.Marked(); got != 2 {
		t.Fatalf("Down three times, Up once: row %d marked, want 2", got)
	}
	h.key(fyne.KeyLeft) // rows, not cells: Left moves nothing
	h.key(fyne.KeyEnd)
	if got := tbl.Marked(); got != len(rows)-1 {
		t.Fatalf("End marks row %d, want the last, %d", got, len(rows)-1)
	}
	h.key(fyne.KeyHome)
	h.key(fyne.KeyUp)
	if h.win.Canvas().Focused() != h.ui.SearchEntry() {
		t.Fatalf("Up on the first row focuses %T, want the search", h.win.Canvas().Focused())
	}
	// Down from the search enters the table again, on the first row.
	h.key(fyne.KeyDown)
	h.key(fyne.KeyDown)
	h.key(fyne.KeyDown)
	want := rows[2].Label
	h.key(fyne.KeyReturn)
	h.waitTitle(want)
	if !strings.Contains(h.win.Title(), want) {
		t.Fatalf("Enter opened %q, want %q", h.win.Title(), want)
	}
}
