package backend_test

import (
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
