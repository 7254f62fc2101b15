package form

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sinba/survey"
)

// TestChoiceByTypedCode: on a closed list, typing a code chooses its
// option; a code that starts longer ones says so under the choice and waits
// for more digits; Backspace takes a digit back; a digit that fits no code
// starts again; Enter confirms and goes to the next question, past the
// marks; Tab still goes to the "not held" box.
func TestChoiceByTypedCode(t *testing.T) {
	rec := &survey.Record{Municipality: "063049"}
	f, w := openInstrument(t, survey.InstrumentCase, rec)
	c := w.Canvas()
	v := f.views["ValutazioneMinore"] // codes 1 to 13
	f.ShowPage(v.page)
	sel := v.focus.(*focusSelect)
	c.Focus(sel)
	c.Focused().TypedRune('1')
	if got := rec.Answers["ValutazioneMinore"]; got != "1" {
		t.Fatalf("typed 1: answer %v, want 1", got)
	}
	h := typedLine(t, v)
	if !h.Visible() || !strings.Contains(h.Text, "Scelto il codice «1»") || !strings.Contains(h.Text, "10 · ") || !strings.Contains(h.Text, "13 · ") {
		t.Errorf("typed 1: hint %q (shown %v), want the longer codes 10 to 13 named", h.Text, h.Visible())
	}
	c.Focused().TypedRune('2')
	if got := rec.Answers["ValutazioneMinore"]; got != "12" || h.Visible() {
		t.Errorf("typed 12: answer %v, hint %q shown %v; want 12 and no hint", got, h.Text, h.Visible())
	}
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	if got := rec.Answers["ValutazioneMinore"]; got != "1" {
		t.Errorf("Backspace after 12: answer %v, want 1", got)
	}
	// "15" is no code: the 5 starts a new one.
	c.Focused().TypedRune('5')
	if got := rec.Answers["ValutazioneMinore"]; got != "5" {
		t.Errorf("typed 1 then 5: answer %v, want 5", got)
	}
	c.Focused().TypedRune('9')
	c.Focused().TypedRune('9')
	if got := rec.Answers["ValutazioneMinore"]; got != "9" {
		t.Errorf("typed 5 9 9: answer %v, want 9 (99 is no code, the second 9 starts again)", got)
	}
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if next := f.views["ValutazioneFamigliaMinore"].focus; c.Focused() != next {
		t.Fatalf("Enter: focused %T, want the next question's choice", c.Focused())
	}
	if got := rec.Answers["ValutazioneMinore"]; got != "9" || h.Visible() {
		t.Errorf("after Enter: answer %v, hint shown %v", got, h.Visible())
	}
	// Tab from the choice still stops at its own "not held" box.
	c.Focus(sel)
	c.FocusNext()
	if c.Focused() != v.notHeld {
		t.Errorf("Tab from the choice: focused %T, want its not-held box", c.Focused())
	}
	// A code no option has is said so, and the choice stays.
	c.Focus(sel)
	c.Focused().TypedRune('0')
	if got := rec.Answers["ValutazioneMinore"]; got != "9" || !strings.Contains(h.Text, "Nessuna voce ha il codice «0»") {
		t.Errorf("typed 0: answer %v, hint %q", got, h.Text)
	}
	// Leaving the choice forgets what was typed.
	c.FocusNext()
	if h.Visible() {
		t.Errorf("after Tab the hint %q is still shown", h.Text)
	}
}

// TestYesNoByInitial: a yes/no question is answered with S or N (the
// instruments have none today; a Spec of one question stands for them).
func TestYesNoByInitial(t *testing.T) {
	openInstrument(t, survey.InstrumentMunicipality, &survey.Record{}) // the app and its words
	spec := &Spec{Pages: []Page{{ID: "p", Title: "P", Questions: []Question{{ID: "Sposato", Label: "Sposato", Kind: Bool}}}}}
	rec := &survey.Record{}
	f := New(spec, rec, nil)
	w := test.NewTempWindow(t, f.Object())
	c := w.Canvas()
	c.Focus(f.views["Sposato"].focus)
	c.Focused().TypedRune('s')
	if got := rec.Answers["Sposato"]; got != true {
		t.Errorf("typed s: answer %v, want true", got)
	}
	c.Focused().TypedRune('N')
	if got := rec.Answers["Sposato"]; got != false {
		t.Errorf("typed N: answer %v, want false", got)
	}
}

// typedLine is the line under a choice that shows what a typed code
// narrows to.
func typedLine(t *testing.T, v *questionView) *widget.Label {
	t.Helper()
	i := slices.Index(v.box.Objects, fyne.CanvasObject(v.typed))
	if v.typed == nil || i < 1 || v.box.Objects[i-1] != v.focus.(fyne.CanvasObject) {
		t.Fatal("no line under the choice")
	}
	return v.typed
}

// TestTabOrderFollowsTheEye: inside each question Tab goes as the eye reads
// it (the answer, then the "not held" box at the left of the row under it,
// then the note beside the box) and then to the next question, whatever the
// kind of answer; Shift+Tab comes back the same way.
func TestTabOrderFollowsTheEye(t *testing.T) {
	rec := &survey.Record{Municipality: "063049"}
	f, w := openInstrument(t, survey.InstrumentCase, rec)
	c := w.Canvas()
	f.ShowPage(f.views["IDBeneficiario"].page)
	ids := []string{"IDBeneficiario", "AnnoNascita", "FasciaEtaBeneficiario", "CodiceNazioneResidenza"} // text, integer, choice, lookup
	var want []fyne.Focusable
	for _, id := range ids {
		v := f.views[id]
		want = append(want, v.focus, v.notHeld, v.note)
	}
	c.Focus(want[0])
	for i := 1; i < len(want); i++ {
		c.FocusNext()
		if c.Focused() != want[i] {
			t.Fatalf("Tab %d: focused %T, want %T of %s", i, c.Focused(), want[i], ids[i/3])
		}
	}
	for i := len(want) - 2; i >= 0; i-- {
		c.FocusPrevious()
		if c.Focused() != want[i] {
			t.Fatalf("Shift+Tab to %d: focused %T, want %T of %s", i, c.Focused(), want[i], ids[i/3])
		}
	}
	// The box is left of the note on the same row, the row under the answer.
	v := f.views["AnnoNascita"]
	box, note, answer := abs(v.notHeld), abs(v.note), abs(v.focus.(fyne.CanvasObject))
	if !(answer.Y < box.Y && box.X < note.X && box.Y == note.Y) {
		t.Errorf("positions: answer %v, box %v, note %v; want the box under the answer, left of the note", answer, box, note)
	}
}

func abs(o fyne.CanvasObject) fyne.Position {
	return fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
}
