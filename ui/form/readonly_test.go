package form

import (
	"image/color"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"sinba/survey"
	"sinba/ui/palette"
)

// shownText is the first text drawn as s under o (nil when none is shown).
func shownText(t *testing.T, o fyne.CanvasObject, s string) *canvas.Text {
	if o == nil || !o.Visible() {
		return nil
	}
	if x, ok := o.(*canvas.Text); ok && x.Text == s {
		return x
	}
	var kids []fyne.CanvasObject
	switch x := o.(type) {
	case *fyne.Container:
		kids = x.Objects
	case fyne.Widget:
		kids = test.TempWidgetRenderer(t, x).Objects()
	}
	for _, k := range kids {
		if x := shownText(t, k, s); x != nil {
			return x
		}
	}
	return nil
}

// readOnlyColours are the colours a read-only answer must be drawn in
// (palette's) and must not be (Fyne's disabled grey).
func readOnlyColours() (want, grey color.Color) {
	v := fyne.CurrentApp().Settings().ThemeVariant()
	return palette.Pick(palette.ReadOnlyLight, palette.ReadOnlyDark, v), fyne.CurrentApp().Settings().Theme().Color(theme.ColorNameDisabled, v)
}

// colourOf is the colour of the text s on w's screen.
func colourOf(t *testing.T, w fyne.Window, s string) color.Color {
	t.Helper()
	txt := shownText(t, w.Content(), s)
	if txt == nil {
		t.Fatalf("%q is not on the screen", s)
	}
	return txt.Color
}

// TestReadOnlyItemsRebuilt: a read-only form draws the items of a repeat
// group built again in the legible read-only colour. (A section shown after
// the form became read-only is checked on the app's screen, in
// cmd/sinba/internal/backend TestFinalisedRecordIsLegible: in a test window
// Fyne lays a page out under the override's theme and hides the fault.)
func TestReadOnlyItemsRebuilt(t *testing.T) {
	rec := &survey.Record{Municipality: "063049", Answers: survey.Answers{"Rispondenti": []any{
		map[string]any{"Servizio": "servizio A"}, map[string]any{"Servizio": "servizio B"}}}}
	f, w := open(t, rec)
	g := f.views["Rispondenti"].group
	f.ShowPage(g.qv.page)
	f.SetReadOnly(true)
	want, grey := readOnlyColours()
	if got := colourOf(t, w, "servizio A"); got != want {
		t.Errorf("a repeat group's items draw their answers in %v, want %v (Fyne's disabled grey is %v)", got, want, grey)
	}
	g.rebuild()
	if got := colourOf(t, w, "servizio A"); got != want {
		t.Errorf("a repeat group's items built again draw their answers in %v, want %v (Fyne's disabled grey is %v)", got, want, grey)
	}
}
