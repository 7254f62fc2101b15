// Package palette holds the colours both apps use beyond Fyne's own theme:
// a coordinator's comment, apart from a rule's warning (both were orange),
// and the answers of a record that is read but not edited (Fyne greys a
// disabled input out until it can hardly be read). Each is a theme override
// over whatever theme the app runs with, light or dark, so that the rest of
// the screen keeps the user's theme.
package palette

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// Colours, for the light and the dark variant. Each reads at a contrast of
// at least 4.5:1 (WCAG AA) on Fyne's background and input background of its
// variant (palette_test checks it).
var (
	// CommentLight and CommentDark are a coordinator's comment: violet, far
	// from the warning's orange, the error's red and the links' blue.
	CommentLight = color.NRGBA{R: 0x6a, G: 0x3d, B: 0xb8, A: 0xff}
	CommentDark  = color.NRGBA{R: 0xc4, G: 0xa6, B: 0xff, A: 0xff}
	// ReadOnlyLight and ReadOnlyDark are the text of a read-only answer.
	ReadOnlyLight = color.NRGBA{R: 0x4a, G: 0x4a, B: 0x4a, A: 0xff}
	ReadOnlyDark  = color.NRGBA{R: 0xd0, G: 0xd0, B: 0xd0, A: 0xff}
	// MarkedLight and MarkedDark are the background of the row a list
	// marks for the keyboard (the case list's), across the whole row: blue,
	// clearly apart from the background, the text reading on it.
	MarkedLight = color.NRGBA{R: 0xac, G: 0xce, B: 0xff, A: 0xff}
	MarkedDark  = color.NRGBA{R: 0x1e, G: 0x4b, B: 0x8f, A: 0xff}
)

// Marked is the background of a marked row in the variant.
func Marked(v fyne.ThemeVariant) color.Color { return Pick(MarkedLight, MarkedDark, v) }

// Pick returns the colour of a pair for the variant.
func Pick(light, dark color.Color, v fyne.ThemeVariant) color.Color {
	if v == theme.VariantDark {
		return dark
	}
	return light
}

// override is the app's theme with some colours replaced.
type override struct {
	colors map[fyne.ThemeColorName][2]color.Color // light, dark
}

func base() fyne.Theme {
	if a := fyne.CurrentApp(); a != nil && a.Settings().Theme() != nil {
		return a.Settings().Theme()
	}
	return theme.DefaultTheme()
}

func (o *override) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if c, ok := o.colors[n]; ok {
		return Pick(c[0], c[1], v)
	}
	return base().Color(n, v)
}

func (o *override) Font(s fyne.TextStyle) fyne.Resource     { return base().Font(s) }
func (o *override) Icon(n fyne.ThemeIconName) fyne.Resource { return base().Icon(n) }
func (o *override) Size(n fyne.ThemeSizeName) float32       { return base().Size(n) }

// CommentTheme shows what is drawn in the warning colour (a label of
// WarningImportance) in the comment colour.
var CommentTheme fyne.Theme = &override{colors: map[fyne.ThemeColorName][2]color.Color{
	theme.ColorNameWarning: {CommentLight, CommentDark},
}}

// ReadOnlyTheme draws disabled inputs' text, marks and borders legibly.
var ReadOnlyTheme fyne.Theme = &override{colors: map[fyne.ThemeColorName][2]color.Color{
	theme.ColorNameDisabled: {ReadOnlyLight, ReadOnlyDark},
}}

// Comment shows o (a label of WarningImportance, so that it stays a label
// tests and screen readers know) in the comment colour.
func Comment(o fyne.CanvasObject) *container.ThemeOverride {
	return container.NewThemeOverride(o, CommentTheme)
}

// ReadOnly is a region that is legible when its inputs are disabled: Set
// turns it on and off. Fyne applies a theme override to the widgets that
// are in the region when it is refreshed: content put in it later (another
// section of a form, a repeat group's rebuilt items) is drawn in the app's
// theme until Cover is called.
type ReadOnly struct {
	// Object is what goes on the screen in place of the region.
	Object *container.ThemeOverride
	on     bool
	used   bool // it has been on
}

// readOnlyTheme is a region's theme: the read-only colours while the region
// is on, the app's theme while it is off. Content that went into the region
// while it was read-only keeps this theme, so that it follows the region
// when the region is turned off.
type readOnlyTheme struct {
	override
	r *ReadOnly
}

func (t *readOnlyTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if t.r.on {
		return ReadOnlyTheme.Color(n, v)
	}
	return base().Color(n, v)
}

// NewReadOnly wraps o; it starts off (o's own theme).
func NewReadOnly(o fyne.CanvasObject) *ReadOnly {
	r := &ReadOnly{}
	r.Object = container.NewThemeOverride(o, &readOnlyTheme{r: r})
	return r
}

// Set says whether o is read-only.
func (r *ReadOnly) Set(on bool) {
	if on == r.on {
		return
	}
	r.on = on
	r.used = r.used || on
	r.Object.Refresh()
}

// Cover draws content put into the region since the last refresh (a page
// shown, items rebuilt) in the region's colours. It refreshes the region,
// so it does nothing in a region that has never been read-only: new content
// is drawn in the app's theme, as the region is. Once it has been, content
// shown again is refreshed too, so that nothing keeps what Fyne cached of
// the read-only colours (a check box's mark).
func (r *ReadOnly) Cover() {
	if r.used {
		r.Object.Refresh()
	}
}

// On reports whether the region is read-only.
func (r *ReadOnly) On() bool { return r.on }

// Tint draws a widget's primary colour (a progress bar's bar) in another
// colour of the app's theme.
type Tint struct {
	// Object is what goes on the screen in place of the widget.
	Object *container.ThemeOverride
	colour fyne.ThemeColorName
}

// NewTint wraps o; it starts with the primary colour.
func NewTint(o fyne.CanvasObject) *Tint {
	return &Tint{Object: container.NewThemeOverride(o, &override{}), colour: theme.ColorNamePrimary}
}

// Set draws the primary colour as name.
func (t *Tint) Set(name fyne.ThemeColorName) {
	if name == t.colour {
		return
	}
	t.colour = name
	t.Object.Theme = &tinted{name: name}
	t.Object.Refresh()
}

// Colour is the colour the primary colour is drawn as.
func (t *Tint) Colour() fyne.ThemeColorName { return t.colour }

// tinted is the app's theme with the primary colour as another of its own.
type tinted struct {
	override
	name fyne.ThemeColorName
}

func (t *tinted) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == theme.ColorNamePrimary {
		n = t.name
	}
	return base().Color(n, v)
}

// cardTitleSize is the size of a card's title: under the page's title
// (theme.SizeNameSubHeadingText, 18) and over the text (14). Fyne sets a
// card's title in its heading size, 24, larger than the page it sits on.
const cardTitleSize = 16

// appTheme is Fyne's theme, light or dark as the user prefers, with the
// card titles under the page titles.
type appTheme struct{ fyne.Theme }

func (t appTheme) Size(n fyne.ThemeSizeName) float32 {
	if n == theme.SizeNameHeadingText {
		return cardTitleSize
	}
	return t.Theme.Size(n)
}

// AppTheme is the theme both apps run with (cmd/sinba sets it).
func AppTheme() fyne.Theme { return appTheme{theme.DefaultTheme()} }
