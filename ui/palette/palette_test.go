package palette

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// luminance is WCAG 2's relative luminance.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		s := float64(v) / 0xffff
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// TestColoursReadOnTheirBackgrounds checks each colour of the palette
// against the backgrounds it is drawn on, in both variants, and the comment
// against the warning it must not be taken for.
func TestColoursReadOnTheirBackgrounds(t *testing.T) {
	test.NewTempApp(t)
	def := theme.DefaultTheme()
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		for _, bg := range []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameInputBackground, theme.ColorNameDisabledButton} {
			back := def.Color(bg, v)
			for name, c := range map[string]color.Color{
				"comment":   CommentTheme.Color(theme.ColorNameWarning, v),
				"read-only": ReadOnlyTheme.Color(theme.ColorNameDisabled, v),
			} {
				if r := contrast(c, back); r < 4.5 {
					t.Errorf("variant %d: %s on %s: contrast %.2f, want at least 4.5", v, name, bg, r)
				}
			}
		}
		// A marked row stands out from the background, and its text reads.
		if r := contrast(Marked(v), def.Color(theme.ColorNameBackground, v)); r < 1.5 {
			t.Errorf("variant %d: marked row on the background: contrast %.2f, want at least 1.5", v, r)
		}
		if r := contrast(def.Color(theme.ColorNameForeground, v), Marked(v)); r < 4.5 {
			t.Errorf("variant %d: text on a marked row: contrast %.2f, want at least 4.5", v, r)
		}
		warn, comment := def.Color(theme.ColorNameWarning, v), CommentTheme.Color(theme.ColorNameWarning, v)
		wr, wg, wb, _ := warn.RGBA()
		cr, cg, cb, _ := comment.RGBA()
		d := math.Sqrt(math.Pow(float64(wr)-float64(cr), 2)+math.Pow(float64(wg)-float64(cg), 2)+math.Pow(float64(wb)-float64(cb), 2)) / 0xffff
		if d < 0.5 {
			t.Errorf("variant %d: comment %v too close to warning %v (distance %.2f)", v, comment, warn, d)
		}
		// Everything else is the app's theme.
		if got, want := ReadOnlyTheme.Color(theme.ColorNameForeground, v), fyne.CurrentApp().Settings().Theme().Color(theme.ColorNameForeground, v); got != want {
			t.Errorf("variant %d: foreground %v under the read-only theme, want the app theme's %v", v, got, want)
		}
	}
}
