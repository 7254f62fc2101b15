package coordinator_test

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sinba/ui/coordinator"

	"sinba/survey"
)

// TestCriticalPointsAcrossVersions: with case records of versions 1 and 2,
// the critical-points tab offers the versions side by side: a group of
// columns per version, the fields a version lacks marked "non presente",
// the figures of each version counted on its own records, and the choice of
// municipality set aside while the versions are compared.
func TestCriticalPointsAcrossVersions(t *testing.T) {
	ws, f, w := setup(t)
	// Half the case records back to version 1, which has no reference date.
	v1 := 0
	for i := range f.entries {
		rec := &f.entries[i].Record
		if rec.Instrument == survey.InstrumentCase && i%2 == 0 {
			rec.Version = 1
			delete(rec.Answers, "DataRiferimento")
			v1++
		}
	}
	ws.Reload()
	ws.Tabs().SelectIndex(2)
	mode, ok := find(w.Canvas().Content(), func(s *widget.Select) bool {
		return len(s.Options) == 2 && s.Options[1] == "Versioni a confronto (tutti i comuni)"
	})
	if !ok {
		t.Fatal("no choice of the versions side by side")
	}
	pick, _ := find(w.Canvas().Content(), func(s *widget.Select) bool { return len(s.Options) > 0 && s.Options[0] == "Tutti i comuni" })
	table, _ := find(w.Canvas().Content(), func(*widget.Table) bool { return true })
	cell, header := tableText(table)
	if _, cols := table.Length(); cols != 12 || mode.Selected != "Tutte le versioni insieme" {
		t.Fatalf("before comparing: %d columns, mode %q", cols, mode.Selected)
	}
	mode.SetSelected(mode.Options[1])
	rows, cols := table.Length()
	if cols != 1+2*4 || header(1) != "v1 applicabili" || header(5) != "v2 applicabili" || header(7) != "v2 non disponibili" {
		t.Fatalf("side by side: %d columns, headers %q %q %q", cols, header(1), header(5), header(7))
	}
	screenshot(t, w, "coordinator-critical-points-versions")
	if !pick.Disabled() {
		t.Error("the choice of municipality stays active while the versions are compared")
	}
	cases := 0
	for _, e := range f.entries {
		if e.Record.Instrument == survey.InstrumentCase {
			cases++
		}
	}
	rowOf := fieldRows(t, f.registry, cell, rows)
	ref, ok := rowOf["DataRiferimento"]
	if !ok {
		t.Fatal("no row for DataRiferimento")
	}
	if got := cell(ref, 1); got != "non presente" {
		t.Errorf("DataRiferimento in v1: %q, want non presente", got)
	}
	if got := cell(ref, 5); got != strconv.Itoa(cases-v1) {
		t.Errorf("DataRiferimento applicable in v2: %q, want %d", got, cases-v1)
	}
	luogo := rowOf["LuogoVita"]
	if cell(luogo, 1) != strconv.Itoa(v1) || cell(luogo, 5) != strconv.Itoa(cases-v1) {
		t.Errorf("LuogoVita applicable: v1 %s, v2 %s; want %d and %d", cell(luogo, 1), cell(luogo, 5), v1, cases-v1)
	}
	mode.SetSelected(mode.Options[0])
	if _, cols := table.Length(); cols != 12 || pick.Disabled() {
		t.Errorf("back to all versions together: %d columns, municipality choice disabled %v", cols, pick.Disabled())
	}
}

// fieldRows finds the row of each field of the case record in a table of
// critical points, whose first column names a field by its question's label
// (with the id after it only where two labels are the same); it fails the
// test where that column shows a bare id in place of a label.
func fieldRows(t *testing.T, reg *survey.Registry, cell func(row, col int) string, rows int) map[string]int {
	t.Helper()
	in, ok := reg.Latest(survey.InstrumentCase)
	if !ok {
		t.Fatal("no case record instrument")
	}
	byName := map[string]int{}
	for r := 0; r < rows; r++ {
		byName[cell(r, 0)] = r
	}
	out := map[string]int{}
	for _, q := range in.Questions() {
		label := q.Label.IT
		if label == "" {
			continue
		}
		if _, bare := byName[q.ID]; bare && label != q.ID {
			t.Errorf("the field %s is named by its id, not by its label %q", q.ID, label)
		}
		if r, ok := byName[label]; ok {
			out[q.ID] = r
		} else if r, ok := byName[label+" ("+q.ID+")"]; ok {
			out[q.ID] = r
		}
	}
	return out
}

// tableText reads a table of labels as it shows them: a cell, a heading.
func tableText(table *widget.Table) (cell func(row, col int) string, header func(col int) string) {
	cell = func(row, col int) string {
		o := table.CreateCell()
		table.UpdateCell(widget.TableCellID{Row: row, Col: col}, o)
		return o.(*widget.Label).Text
	}
	header = func(col int) string {
		o := table.CreateHeader()
		table.UpdateHeader(widget.TableCellID{Row: -1, Col: col}, o)
		return o.(*widget.Label).Text
	}
	return cell, header
}

// TestVersionDiffDialogNamesInstruments: the differences dialog names the
// instruments by their titles, never by id, and proposes the one just
// published; the report is of the instrument chosen by its title.
func TestVersionDiffDialogNamesInstruments(t *testing.T) {
	report := filepath.Join(t.TempDir(), "differenze.html")
	var reportName string
	f, w := projectTab(t, func(d *coordinator.Deps) {
		d.OpenFile = func(pick func(string, []byte)) { pick("scheda-minore.v2.json", []byte(`{"id": "scheda-minore"}`)) }
		d.SaveFile = func(name string, write func(string) error) {
			reportName = name
			_ = write(report)
		}
	})
	instrumentChoice := func() *widget.Select {
		t.Helper()
		sel, ok := find(w.Canvas().Overlays().Top(), func(s *widget.Select) bool { return len(s.Options) == 2 })
		if !ok {
			t.Fatal("no choice of the instrument in the dialog")
		}
		return sel
	}
	tabs, _ := find(w.Canvas().Content(), func(*container.AppTabs) bool { return true })
	tabs.SelectIndex(2)
	test.Tap(button(t, w, "Differenze tra versioni…"))
	sel := instrumentChoice()
	if want := []string{"Questionario comunale (Scheda Comune)", "Scheda minore (set minimo di dati SINBA)"}; !slices.Equal(sel.Options, want) {
		t.Fatalf("instruments offered as %q, want %q", sel.Options, want)
	}
	if sel.Selected != sel.Options[0] || strings.Contains(overlayText(w), "scheda-comune") {
		t.Errorf("before any publication: %q proposed; dialog text %q", sel.Selected, overlayText(w))
	}
	press(w, fyne.KeyEscape)

	// Published from the Project tab: the dialog proposes that instrument.
	tabs.SelectIndex(5)
	test.Tap(button(t, w, "Pubblica nuova versione di uno strumento…"))
	press(w, fyne.KeyReturn)
	if len(f.published) != 1 {
		t.Fatalf("published %d, want 1", len(f.published))
	}
	tabs.SelectIndex(2)
	test.Tap(button(t, w, "Differenze tra versioni…"))
	if sel := instrumentChoice(); sel.Selected != "Scheda minore (set minimo di dati SINBA)" {
		t.Fatalf("after publishing scheda-minore the dialog proposes %q", sel.Selected)
	}
	press(w, fyne.KeyReturn)
	if reportName != "differenze-scheda-minore-v1-v2.html" {
		t.Fatalf("report of %q, want scheda-minore v1 to v2", reportName)
	}
	if _, err := os.Stat(report); err != nil {
		t.Fatal(err)
	}
}

// menuShortcut runs the main-menu item of the shortcut Ctrl+key, as the
// keyboard would (the test driver does not read the main menu).
func menuShortcut(t *testing.T, w fyne.Window, key fyne.KeyName) {
	t.Helper()
	for _, m := range w.MainMenu().Items {
		for _, it := range m.Items {
			if sc, ok := it.Shortcut.(*desktop.CustomShortcut); ok && sc.KeyName == key {
				it.Action()
				return
			}
		}
	}
	t.Fatalf("no menu shortcut Ctrl+%s", key)
}

// TestTabShortcutsInertBehindADialog: with a dialog open, Ctrl+1…Ctrl+6 and
// Ctrl+R leave the tab (and the dialog) as they are; once it is closed the
// tab shortcuts work again.
func TestTabShortcutsInertBehindADialog(t *testing.T) {
	ws, _, w := setup(t)
	ws.Tabs().SelectIndex(2)
	test.Tap(button(t, w, "Differenze tra versioni…"))
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("no dialog")
	}
	for _, k := range []fyne.KeyName{fyne.Key1, fyne.Key2, fyne.Key6, fyne.KeyR} {
		menuShortcut(t, w, k)
		if ws.Tabs().SelectedIndex() != 2 || len(w.Canvas().Overlays().List()) != 1 {
			t.Fatalf("Ctrl+%s behind the dialog: tab %d, %d dialogs; want tab 2 under its dialog", k, ws.Tabs().SelectedIndex(), len(w.Canvas().Overlays().List()))
		}
	}
	press(w, fyne.KeyEscape)
	if w.Canvas().Overlays().Top() != nil {
		t.Fatal("Escape left the dialog open")
	}
	menuShortcut(t, w, fyne.Key1)
	if ws.Tabs().SelectedIndex() != 0 {
		t.Fatalf("Ctrl+1 after the dialog: tab %d", ws.Tabs().SelectedIndex())
	}
}

// TestVersionDiffDialogEscapeFromAChoice: Escape cancels the differences
// dialog while one of its choice lists holds the focus, as it does from its
// buttons; the tab is free again for clicks and shortcuts.
func TestVersionDiffDialogEscapeFromAChoice(t *testing.T) {
	ws, _, w := setup(t)
	ws.Tabs().SelectIndex(2)
	test.Tap(button(t, w, "Differenze tra versioni…"))
	var choice fyne.Focusable
	find(w.Canvas().Overlays().Top(), func(o fyne.CanvasObject) bool {
		if _, ok := inner(o).(*widget.Select); ok {
			choice = o.(fyne.Focusable)
			return true
		}
		return false
	})
	if choice == nil {
		t.Fatal("no choice list in the dialog that takes the keys")
	}
	w.Canvas().Focus(choice)
	press(w, fyne.KeyEscape)
	if w.Canvas().Overlays().Top() != nil {
		t.Fatal("Escape on a choice list left the dialog open")
	}
}
