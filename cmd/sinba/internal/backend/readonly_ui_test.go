package backend_test

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/ui"
	"sinba/ui/form"
	"sinba/ui/palette"
)

// TestFinalisedRecordIsLegible opens a finalised record: its answers are
// disabled but drawn in the read-only colour, not Fyne's grey for disabled
// text, in every section, and it offers no "Salva"; reopening it gives the
// inputs back their own colours and "Salva" back.
func TestFinalisedRecordIsLegible(t *testing.T) {
	h := newFixtureHarness(t)
	h.unlock()
	h.ui.Shortcut(ui.ShortcutSearch)
	h.typeText("Esposito")
	h.key(fyne.KeyReturn)
	h.waitTitle("Esposito")
	settle(t)
	// shown is the text s on the screen: an answer of the section shown.
	shown := func(s string) *canvas.Text {
		t.Helper()
		txt := find(t, h.win.Content(), func(x *canvas.Text) bool { return x.Text == s })
		if txt == nil {
			t.Fatalf("%q is not on the screen of the record", s)
		}
		return txt
	}
	answer := func() *canvas.Text { return shown("Esposito") } // section 1
	year := func() *canvas.Text { return shown("2015") }       // section 2
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
	noPlaceholders := func(where string) {
		t.Helper()
		for _, ph := range []string{"GG/MM/AAAA", "Scegli…", "Nota (facoltativa)"} {
			if txt := find(t, h.win.Content(), func(x *canvas.Text) bool { return strings.HasPrefix(x.Text, ph) }); txt != nil {
				t.Errorf("%s: a finalised record shows the placeholder %q", where, txt.Text)
			}
		}
	}
	noPlaceholders("section 1")
	// Every section is legible, not only the one shown when the record
	// opened: the next one by the keyboard, and the first one again.
	h.ui.Shortcut(ui.ShortcutNextPage)
	settle(t)
	if got := year().Color; got != want {
		t.Errorf("section 2: a finalised answer is drawn in %v, want the read-only colour %v (Fyne's disabled grey is %v)", got, want, grey)
	}
	noPlaceholders("section 2")
	h.ui.Shortcut(ui.ShortcutPrevPage)
	settle(t)
	if got := answer().Color; got != want {
		t.Errorf("section 1 again: a finalised answer is drawn in %v, want the read-only colour %v", got, want)
	}
	// Nothing to save in a record that cannot be edited: no "Salva".
	saveButton := func() *widget.Button {
		return find(t, h.win.Content(), func(b *widget.Button) bool { return b.Text == "Salva" })
	}
	if saveButton() != nil {
		t.Error("a finalised record shows \"Salva\", which has nothing to save")
	}
	h.tap("Riapri per modificare")
	h.press(fyne.KeyReturn) // the confirmation, if one is asked
	settle(t)
	if entry.Disabled() {
		t.Fatal("reopened, the surname is still disabled")
	}
	if saveButton() == nil {
		t.Error("reopened, the record has no \"Salva\"")
	}
	if got, fg := answer().Color, fyne.CurrentApp().Settings().Theme().Color(theme.ColorNameForeground, v); got != fg {
		t.Errorf("reopened, the answer is drawn in %v, want the foreground %v", got, fg)
	}
	if find(t, h.win.Content(), func(x *canvas.Text) bool { return x.Text == "GG/MM/AAAA" }) == nil {
		t.Error("reopened, the date has lost its placeholder")
	}
	// Reopened, the other sections have their own colours too.
	h.ui.Shortcut(ui.ShortcutNextPage)
	settle(t)
	if got, fg := year().Color, fyne.CurrentApp().Settings().Theme().Color(theme.ColorNameForeground, v); got != fg {
		t.Errorf("reopened, section 2: the answer is drawn in %v, want the foreground %v", got, fg)
	}
}
