package backend_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"

	"sinba/ui"
	"sinba/ui/palette"
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
	// The marked row shows across every column, in the palette's colour.
	marked := markedCells(t, h)
	if len(marked) != caseColumns {
		t.Fatalf("%d cells drawn marked (%v), want the %d of one row", len(marked), marked, caseColumns)
	}
	if !slices.Contains(marked, rows[2].Label) || !slices.Contains(marked, strconv.Itoa(rows[2].Version)) {
		t.Fatalf("cells marked %v, want those of row 2, %q, version %d", marked, rows[2].Label, rows[2].Version)
	}
	if find(t, h.win.Content(), func(l *widget.Label) bool { return l.Text == "Versione" }) == nil {
		t.Error("no column of the instrument's version")
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
	if m := markedCells(t, h); len(m) != 0 {
		t.Fatalf("the search has the focus, and the list still marks %v", m)
	}
	// Down from the search enters the table again, on the first row.
	h.key(fyne.KeyDown)
	h.key(fyne.KeyDown)
	h.key(fyne.KeyDown)
	want := rows[2].Label
	if m := markedCells(t, h); !slices.Contains(m, want) {
		t.Fatalf("back in the table on row 2, the cells marked are %v", m)
	}
	h.key(fyne.KeyReturn)
	h.waitTitle(want)
	if !strings.Contains(h.win.Title(), want) {
		t.Fatalf("Enter opened %q, want %q", h.win.Title(), want)
	}
}

// caseColumns is how many columns the case list has.
const caseColumns = 6

// markedCells are the texts of the case list's cells drawn with the marked
// row's background.
func markedCells(t *testing.T, h *harness) []string {
	t.Helper()
	settle(t)
	want := palette.Marked(fyne.CurrentApp().Settings().ThemeVariant())
	var out []string
	for _, c := range findAll[*fyne.Container](t, h.win.Content()) {
		if len(c.Objects) != 2 {
			continue
		}
		bg, ok1 := c.Objects[0].(*canvas.Rectangle)
		l, ok2 := c.Objects[1].(*widget.Label)
		if ok1 && ok2 && bg.FillColor == want {
			out = append(out, l.Text)
		}
	}
	return out
}
