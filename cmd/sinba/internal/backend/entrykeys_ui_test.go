package backend_test

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"

	"sinba/ui"
	"sinba/ui/form"
)

// selected is the index of the option chosen in the focused choice, and
// false when the focus is not on a choice.
func (h *harness) selected() (int, bool) {
	h.t.Helper()
	settle(h.t)
	s, ok := h.win.Canvas().Focused().(interface{ SelectedIndex() int })
	if !ok {
		return -1, false
	}
	return s.SelectedIndex(), true
}

// entryWith is the entry of the form that shows text, nil when none does.
func (h *harness) entryWith(text string) fyne.CanvasObject {
	if e := find(h.t, h.win.Content(), func(e *form.FocusEntry) bool { return e.Text == text }); e != nil {
		return e
	}
	return nil
}

// TestEnterMovesToTheNextQuestion: Enter in a text, a date or a month field
// moves on to the next question, past the field's own "not held" box and
// note, as it does from a choice; Enter on the last question of a section
// reaches "Successiva", and Enter there shows the next section.
func TestEnterMovesToTheNextQuestion(t *testing.T) {
	h := newCaseAt(t, fyne.NewSize(1280, 800))
	if !h.ui.FocusField("identity.surname") {
		t.Fatal("no surname on the screen")
	}
	h.typeText("Rossi")
	h.key(fyne.KeyReturn)
	if got := h.focusedEntry().Text; got != "" {
		t.Fatalf("after Enter in the surname, the focused entry holds %q, want the empty name", got)
	}
	h.typeText("Maria")
	h.key(fyne.KeyReturn)
	if _, ok := h.selected(); !ok {
		t.Fatalf("after Enter in the name, focused %T, want the choice of sex", h.win.Canvas().Focused())
	}
	if h.entryWith("Rossi") == nil || h.entryWith("Maria") == nil {
		t.Error("the surname and the name did not land in their own fields")
	}
	h.key(fyne.KeyReturn) // past the sex, unanswered
	h.typeText("03/02/2011")
	h.key(fyne.KeyReturn)
	h.typeText("X")
	if h.entryWith("03/02/2011") == nil {
		t.Errorf("Enter in the date of birth did not move on: a character typed after it went into the date")
	}

	// Segnalazione: a month, then a choice, its last question.
	h.ui.FocusField("DataPrimaSegnalazione")
	if got := sectionShown(h); got != "Sezione 4 di 10" {
		t.Fatalf("the month of the first report is in %q, want section 4", got)
	}
	h.typeText("03/2020")
	h.key(fyne.KeyReturn)
	if _, ok := h.selected(); !ok {
		t.Fatalf("after Enter in the month, focused %T, want the source of the report", h.win.Canvas().Focused())
	}
	h.typeText("1")
	h.key(fyne.KeyReturn)
	h.key(fyne.KeyReturn) // on "Successiva"
	if got := sectionShown(h); got != "Sezione 5 di 10" {
		t.Errorf("Enter on the last question, then Enter again: %q, want the next section (5 of 10)", got)
	}
	if h.entryWith("03/2020") != nil {
		t.Error("the month typed is shown on the next section")
	}
	if _, ok := h.selected(); !ok {
		t.Errorf("in the next section, focused %T, want its first question (a choice)", h.win.Canvas().Focused())
	}
}

// TestNotHeldReasonByItsNumber: the reason the office does not hold a
// datum is chosen by typing its number, as any choice by its code, and
// Enter moves on to the next question.
func TestNotHeldReasonByItsNumber(t *testing.T) {
	h := newCaseAt(t, fyne.NewSize(1280, 800))
	h.ui.FocusField("identity.surname")
	h.win.Canvas().FocusNext() // "not held"
	h.typeText(" ")
	h.win.Canvas().FocusNext() // its reason
	if i, ok := h.selected(); !ok || i != -1 {
		t.Fatalf("after the box, focused %T (choice %d), want the choice of reason, none chosen", h.win.Canvas().Focused(), i)
	}
	h.typeText("2")
	if i, _ := h.selected(); i != 1 {
		t.Errorf("typing 2 chose reason %d, want the second", i+1)
	}
	settle(t)
	if txt := find(t, h.win.Content(), func(x *canvas.Text) bool { return x.Text == "2 · Registrato solo su carta" }); txt == nil {
		t.Error(`the reason chosen does not read "2 · Registrato solo su carta"`)
	}
	h.key(fyne.KeyReturn)
	if got := h.focusedEntry().Text; got != "" {
		t.Fatalf("Enter on the reason: focused entry holds %q, want the empty name", got)
	}
	h.typeText("Maria")
	h.ui.Shortcut(ui.ShortcutSave)
	if h.entryWith("Maria") == nil {
		t.Error("the name typed after the reason is not in the name")
	}
}

// issueShown is the finding shown under a field that contains part.
func (h *harness) issueShown(part string) string {
	h.t.Helper()
	settle(h.t)
	l := find(h.t, h.win.Content(), func(l *widget.Label) bool {
		return l.Importance == widget.DangerImportance && strings.Contains(l.Text, part)
	})
	if l == nil {
		return ""
	}
	return l.Text
}

// TestFindingsWaitForTheFieldToBeLeft: a year typed digit by digit says
// nothing of its range while it is being typed; "2" left as it is shows
// that it is below the minimum; typed on to 2008, the message goes at once,
// before the field is left.
func TestFindingsWaitForTheFieldToBeLeft(t *testing.T) {
	h := newCaseAt(t, fyne.NewSize(1280, 800))
	h.ui.FocusField("AnnoNascita")
	year := h.win.Canvas().Focused()
	h.typeText("2")
	if msg := h.issueShown("minimo"); msg != "" {
		t.Errorf("while the year is typed (\"2\"), the field says %q", msg)
	}
	h.win.Canvas().FocusNext()
	if msg := h.issueShown("minimo"); msg == "" {
		t.Error(`the year "2" left: no message that it is below the minimum`)
	}
	h.win.Canvas().Focus(year)
	h.typeText("0")
	h.typeText("08")
	if msg := h.issueShown("minimo"); msg != "" {
		t.Errorf("the year typed on to 2008, still focused: the field says %q", msg)
	}
	h.win.Canvas().FocusNext()
	if msg := h.issueShown("minimo"); msg != "" {
		t.Errorf("2008 left: the field says %q", msg)
	}
}

// TestOpenCodeTypedShowsItsLabel: in an item of the interventions, the
// benefit code is typed; Tab goes from it to its "not held" box, as in
// every question (the drop-down's arrow is no Tab stop), and the known code
// typed is shown with its label once left.
func TestOpenCodeTypedShowsItsLabel(t *testing.T) {
	h := newCaseAt(t, fyne.NewSize(1280, 800))
	h.ui.FocusField("DettaglioInterventi") // its "Aggiungi"
	h.key(fyne.KeySpace)
	settle(t)
	h.key(fyne.KeyDown) // the list of known codes, from the keyboard
	settle(t)
	if h.win.Canvas().Overlays().Top() == nil {
		t.Error("Down in the code opens no list of known codes")
	}
	h.key(fyne.KeyEscape)
	settle(t)
	if top := h.win.Canvas().Overlays().Top(); top != nil {
		h.win.Canvas().Overlays().Remove(top)
	}
	h.ui.FocusField("DettaglioInterventi[1].CodicePrestazione")
	h.typeText("a2.16")
	h.win.Canvas().FocusNext()
	settle(t)
	focused := h.win.Canvas().Focused()
	if _, ok := focused.(interface{ SetChecked(bool) }); !ok {
		t.Errorf("Tab from the code: focused %T, want its \"not held\" box", focused)
	}
	const want = "A2.16 · Interventi di supporto per reperimento alloggi"
	item := find(t, h.win.Content(), func(c *widget.Card) bool { return c.Title == "" })
	if item == nil {
		t.Fatal("no item in the interventions after Aggiungi")
	}
	// In the item's card: the grid of benefit codes above it shows the
	// same text beside its checkbox.
	if txt := find(t, item, func(x *canvas.Text) bool { return x.Text == want }); txt == nil {
		t.Errorf("the code typed, left, is not shown as %q", want)
	}
}

// sidebarBadge is the badge beside the section titled title in the
// sidebar ("⚠ 2 errori", "" for none); ok is false when no row has that
// title.
func (h *harness) sidebarBadge(title string) (badge string, ok bool) {
	h.t.Helper()
	side := find(h.t, h.win.Content(), func(l *widget.List) bool { return true })
	if side == nil {
		h.t.Fatal("no sidebar")
	}
	d := fyne.CurrentApp().Driver()
	labels := findAll[*widget.Label](h.t, side)
	for _, row := range labels {
		if row.Text != title {
			continue
		}
		y := d.AbsolutePositionForObject(row).Y
		for _, l := range labels {
			if strings.HasPrefix(l.Text, "⚠ ") && d.AbsolutePositionForObject(l).Y == y {
				return l.Text, true
			}
		}
		return "", true
	}
	return "", false
}

// TestSidebarBadgesWhole: at 1280x800, the list of findings open beside
// the form after an attempt to finalise the municipality's questionnaire
// (long section titles), every section the list names shows in the
// sidebar its badge, whole, with the list's counts, on its own row.
func TestSidebarBadgesWhole(t *testing.T) {
	h := newFixtureHarness(t)
	h.win.Resize(fyne.NewSize(1280, 800))
	h.screen = fyne.NewSize(1280, 800)
	h.unlock()
	h.sync.Enrol(context.Background(), "http://127.0.0.1:1", "X")
	h.ui.Shortcut(ui.ShortcutHome)
	settle(t)
	h.tap("Bozza") // Napoli's questionnaire, a draft of the fixture
	h.waitTitle("Questionario")
	h.ui.Shortcut(ui.ShortcutFinalise)
	settle(t)
	card := find(t, h.win.Content(), func(c *widget.Card) bool { return c.Title == "Da correggere" })
	if card == nil {
		t.Fatal("no list of findings")
	}
	side := find(t, h.win.Content(), func(l *widget.List) bool { return true })
	if side == nil {
		t.Fatal("no sidebar")
	}
	d := fyne.CurrentApp().Driver()
	sideRight := d.AbsolutePositionForObject(side).X + side.Size().Width
	rows := findAll[*widget.Label](t, side)
	sections := 0
	for _, head := range findAll[*widget.Label](t, card) {
		title, counts, ok := strings.Cut(head.Text, " · ")
		if !ok || !head.TextStyle.Bold {
			continue
		}
		sections++
		number, _, _ := strings.Cut(title, " ")
		var row *widget.Label // the sidebar's label that starts the section's row
		for _, l := range rows {
			if strings.HasPrefix(l.Text, number+" ") {
				row = l
			}
		}
		if row == nil {
			t.Errorf("section %q is not in the sidebar", title)
			continue
		}
		y := d.AbsolutePositionForObject(row).Y
		badge := "⚠ " + counts
		var l *widget.Label
		for _, c := range rows {
			if strings.Contains(c.Text, badge) && d.AbsolutePositionForObject(c).Y == y {
				l = c
			}
		}
		switch {
		case l == nil:
			t.Errorf("section %q: its row in the sidebar shows no badge %q", title, badge)
		case l.MinSize().Width > l.Size().Width+1:
			t.Errorf("section %q: the sidebar's %q is cut (it needs %.0f, it has %.0f)", title, l.Text, l.MinSize().Width, l.Size().Width)
		case d.AbsolutePositionForObject(l).X+l.Size().Width > sideRight+1:
			t.Errorf("section %q: the badge %q goes past the sidebar", title, l.Text)
		}
	}
	if sections < 4 {
		t.Fatalf("the list names %d sections, want the many of an almost empty questionnaire", sections)
	}
}
