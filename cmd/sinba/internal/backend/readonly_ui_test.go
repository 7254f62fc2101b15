package backend_test

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"

	"sinba/ui"
	"sinba/ui/form"
	"sinba/ui/palette"
)

// TestFinalisedRecordIsLegible opens a finalised record: its answers are
// disabled but drawn in the read-only colour, not Fyne's grey for disabled
// text; reopening it gives the inputs back their own colours.
func TestFinalisedRecordIsLegible(t *testing.T) {
	h := newFixtureHarness(t)
	h.unlock()
	h.ui.Shortcut(ui.ShortcutSearch)
	h.typeText("Esposito")
	h.key(fyne.KeyReturn)
	h.waitTitle("Esposito")
	settle(t)
	answer := func() *canvas.Text {
		t.Helper()
		txt := find(t, h.win.Content(), func(x *canvas.Text) bool { return x.Text == "Esposito" })
		if txt == nil {
			t.Fatal("the surname is not on the screen of the record")
		}
		return txt
	}
	entry := find(t, h.win.Content(), func(e *form.FocusEntry) bool { return e.Text == "Esposito" })
	if entry == nil || !entry.Disabled() {
		t.Fatal("the surname of a finalised record is not a disabled entry")
	}
	v := fyne.CurrentApp().Settings().ThemeVariant()
	want := palette.Pick(palette.ReadOnlyLight, palette.ReadOnlyDark, v)
	grey := fyne.CurrentApp().Settings().Theme().Color(theme.ColorNameDisabled, v)
	if got := answer().Color; got != want {
		t.Errorf("a finalised answer is drawn in %v, want the read-only colour %v (Fyne's disabled grey is %v)", got, want, grey)
	}
	// An empty answer shows no placeholder: in the legible colour it would
	// read as an answer.
	for _, ph := range []string{"GG/MM/AAAA", "Scegli…", "Nota (facoltativa)"} {
		if txt := find(t, h.win.Content(), func(x *canvas.Text) bool { return strings.HasPrefix(x.Text, ph) }); txt != nil {
			t.Errorf("a finalised record shows the placeholder %q", txt.Text)
		}
	}
	h.tap("Riapri per modificare")
	h.press(fyne.KeyReturn) // the confirmation, if one is asked
	settle(t)
	if entry.Disabled() {
		t.Fatal("reopened, the surname is still disabled")
	}
	if got, fg := answer().Color, fyne.CurrentApp().Settings().Theme().Color(theme.ColorNameForeground, v); got != fg {
		t.Errorf("reopened, the answer is drawn in %v, want the foreground %v", got, fg)
	}
	if find(t, h.win.Content(), func(x *canvas.Text) bool { return x.Text == "GG/MM/AAAA" }) == nil {
		t.Error("reopened, the date has lost its placeholder")
	}
}
