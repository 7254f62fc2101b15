package form

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Fyne has no "focus changed" event, so the inputs of a form tell it
// themselves when they gain focus: the form then scrolls the question into
// view, which Fyne's scroll container does not do on Tab.

type focusHook func(fyne.CanvasObject)

// FocusEntry is an Entry that reports focus and lets Up and Down go to a
// handler (the lookup search moves through its results with them).
type FocusEntry struct {
	widget.Entry
	OnFocus  focusHook
	OnUpDown func(down bool)
}

// NewFocusEntry returns a single-line FocusEntry.
func NewFocusEntry() *FocusEntry {
	e := &FocusEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// FocusGained implements fyne.Focusable.
func (e *FocusEntry) FocusGained() {
	e.Entry.FocusGained()
	if e.OnFocus != nil {
		e.OnFocus(e)
	}
}

// TypedKey implements fyne.Focusable.
func (e *FocusEntry) TypedKey(k *fyne.KeyEvent) {
	if e.OnUpDown != nil && !e.MultiLine && (k.Name == fyne.KeyDown || k.Name == fyne.KeyUp) {
		e.OnUpDown(k.Name == fyne.KeyDown)
		return
	}
	e.Entry.TypedKey(k)
}

type focusSelect struct {
	widget.Select
	onFocus focusHook
	// fitOptions makes the choice wide enough for its longest option, where
	// it sits beside other widgets instead of filling a row.
	fitOptions bool
}

// MinSize implements fyne.Widget.
func (s *focusSelect) MinSize() fyne.Size {
	min := s.Select.MinSize()
	if !s.fitOptions {
		return min
	}
	longest := s.PlaceHolder
	for _, o := range s.Options {
		if len(o) > len(longest) {
			longest = o
		}
	}
	// The text, the padding either side and the drop-down icon.
	w := fyne.MeasureText(longest, theme.TextSize(), fyne.TextStyle{}).Width + 4*theme.Padding() + theme.IconInlineSize()
	return fyne.NewSize(max(min.Width, w), min.Height)
}

func newFocusSelect(options []string, changed func(string)) *focusSelect {
	s := &focusSelect{}
	s.Options = options
	s.OnChanged = changed
	s.ExtendBaseWidget(s)
	return s
}

func (s *focusSelect) FocusGained() {
	s.Select.FocusGained()
	if s.onFocus != nil {
		s.onFocus(s)
	}
}

type focusCheck struct {
	widget.Check
	onFocus focusHook
}

func newFocusCheck(label string, changed func(bool)) *focusCheck {
	c := &focusCheck{}
	c.Text = label
	c.OnChanged = changed
	c.ExtendBaseWidget(c)
	return c
}

func (c *focusCheck) FocusGained() {
	c.Check.FocusGained()
	if c.onFocus != nil {
		c.onFocus(c)
	}
}

type focusButton struct {
	widget.Button
	onFocus focusHook
}

func newFocusButton(label string, tapped func()) *focusButton {
	b := &focusButton{}
	b.Text = label
	b.OnTapped = tapped
	b.ExtendBaseWidget(b)
	return b
}

func (b *focusButton) FocusGained() {
	b.Button.FocusGained()
	if b.onFocus != nil {
		b.onFocus(b)
	}
}

type focusSelectEntry struct {
	widget.SelectEntry
	onFocus focusHook
}

func newFocusSelectEntry(options []string) *focusSelectEntry {
	e := &focusSelectEntry{}
	e.ExtendBaseWidget(e)
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.SetOptions(options)
	return e
}

func (e *focusSelectEntry) FocusGained() {
	e.SelectEntry.FocusGained()
	if e.onFocus != nil {
		e.onFocus(e)
	}
}
