package form

import (
	"strings"
	"unicode"

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
	// OnBlur is called when the entry loses the focus.
	OnBlur func()

	hasFocus bool

	heldPlaceHolder string // while disabled
}

// NewFocusEntry returns a single-line FocusEntry.
func NewFocusEntry() *FocusEntry {
	e := &FocusEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// FocusGained implements fyne.Focusable.
func (e *FocusEntry) FocusGained() {
	e.hasFocus = true
	e.Entry.FocusGained()
	if e.OnFocus != nil {
		e.OnFocus(e)
	}
}

// FocusLost implements fyne.Focusable.
func (e *FocusEntry) FocusLost() {
	e.hasFocus = false
	e.Entry.FocusLost()
	if e.OnBlur != nil {
		e.OnBlur()
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
	// keys, when set, lets the keyboard choose an option by typing its code
	// (or the start of its label): one entry per option, none for options
	// that typing never picks (see TypedRune).
	keys    []typeKey
	typed   string
	onTyped func(typed string, matches []int) // the narrowing, to show
	onEnter func()                            // Enter with keys: move on (default: as Tab)

	heldPlaceHolder string // while disabled
}

// typeKey is what typing matches in one option: its code, else its label.
type typeKey struct{ code, label string }

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

// FocusLost implements fyne.Focusable: what was typed is forgotten.
func (s *focusSelect) FocusLost() {
	s.setTyped("", nil)
	s.Select.FocusLost()
}

// TypedRune implements fyne.Focusable: with keys, the characters typed
// make a code, which chooses its option as soon as it is a whole code, or
// the only one it starts. A character that fits no code starts a new one,
// so "2" after "1" on a list without "12" chooses 2.
func (s *focusSelect) TypedRune(r rune) {
	if s.keys == nil || s.Disabled() || unicode.IsSpace(r) {
		s.Select.TypedRune(r)
		return
	}
	typed := s.typed + string(r)
	matches := s.match(typed)
	if len(matches) == 0 && s.typed != "" {
		typed = string(r)
		matches = s.match(typed)
	}
	s.choose(typed, matches)
}

// TypedKey implements fyne.Focusable: Backspace takes back the last typed
// character, Enter confirms the choice and moves on as Tab does, Escape
// forgets what was typed.
func (s *focusSelect) TypedKey(k *fyne.KeyEvent) {
	if s.keys != nil && !s.Disabled() {
		switch k.Name {
		case fyne.KeyBackspace:
			if s.typed != "" {
				typed := string([]rune(s.typed)[:len([]rune(s.typed))-1])
				s.choose(typed, s.match(typed))
			}
			return
		case fyne.KeyReturn, fyne.KeyEnter:
			s.setTyped("", nil)
			if s.onEnter != nil {
				s.onEnter()
			} else if c := fyne.CurrentApp().Driver().CanvasForObject(s); c != nil {
				c.FocusNext()
			}
			return
		case fyne.KeyEscape:
			if s.typed != "" {
				s.setTyped("", nil)
				return
			}
		}
	}
	s.Select.TypedKey(k)
}

// choose picks the option whose code is typed, or the only one it starts.
func (s *focusSelect) choose(typed string, matches []int) {
	pick := -1
	for _, i := range matches {
		if strings.EqualFold(s.keys[i].code, typed) {
			pick = i
		}
	}
	if pick < 0 && len(matches) == 1 {
		pick = matches[0]
	}
	if pick >= 0 && pick != s.SelectedIndex() {
		s.SetSelectedIndex(pick)
	}
	s.setTyped(typed, matches)
}

func (s *focusSelect) setTyped(typed string, matches []int) {
	if typed == s.typed && typed == "" {
		return
	}
	s.typed = typed
	if s.onTyped != nil {
		s.onTyped(typed, matches)
	}
}

// match returns the options whose code starts with typed; when none does,
// those whose label starts with it (Sì and No, which have no code to type).
func (s *focusSelect) match(typed string) []int {
	if typed == "" {
		return nil
	}
	var out []int
	for i, k := range s.keys {
		if k.code != "" && hasPrefixFold(k.code, typed) {
			out = append(out, i)
		}
	}
	if len(out) > 0 {
		return out
	}
	for i, k := range s.keys {
		if k.label != "" && hasPrefixFold(k.label, typed) {
			out = append(out, i)
		}
	}
	return out
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

type focusCheck struct {
	widget.Check
	onFocus focusHook
	onEnter func() // Enter: move on to the next question (nil: the check's own keys)
}

// TypedKey implements fyne.Focusable: Enter moves on where onEnter says
// so; Space ticks the box, as Fyne's check does.
func (c *focusCheck) TypedKey(k *fyne.KeyEvent) {
	if (k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter) && c.onEnter != nil {
		c.onEnter()
		return
	}
	c.Check.TypedKey(k)
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
	onEnter func() // Enter: move on (a lookup), or press it (nil)
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

// TypedKey implements fyne.Focusable: Enter moves on where onEnter says so,
// else presses the button, as Space does.
func (b *focusButton) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyReturn || k.Name == fyne.KeyEnter {
		if b.onEnter != nil {
			b.onEnter()
		} else if !b.Disabled() && b.OnTapped != nil {
			b.OnTapped()
		}
		return
	}
	b.Button.TypedKey(k)
}

type focusSelectEntry struct {
	widget.SelectEntry
	onFocus  focusHook
	onBlur   func()
	hasFocus bool

	heldPlaceHolder string // while disabled
}

func newFocusSelectEntry(options []string) *focusSelectEntry {
	e := &focusSelectEntry{}
	e.ExtendBaseWidget(e)
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.SetOptions(options)
	// Fyne's drop-down arrow is a button, a Tab stop of its own between
	// the code and its "not held" box: the arrow opens the list when
	// clicked, and Tab goes from the code to the box as in every question.
	if b, ok := e.ActionItem.(*widget.Button); ok {
		e.ActionItem = newDropArrow(b)
	}
	return e
}

// dropArrow is a drop-down arrow that is clicked but never focused.
type dropArrow struct {
	widget.DisableableWidget
	button *widget.Button
}

func newDropArrow(b *widget.Button) *dropArrow {
	a := &dropArrow{button: b}
	a.ExtendBaseWidget(a)
	return a
}

// CreateRenderer implements fyne.Widget: the button's look, without its
// focus.
func (a *dropArrow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(widget.NewIcon(a.button.Icon))
}

// MinSize implements fyne.Widget: the size of Fyne's arrow button.
func (a *dropArrow) MinSize() fyne.Size { return a.button.MinSize() }

// Tapped implements fyne.Tappable.
func (a *dropArrow) Tapped(*fyne.PointEvent) {
	if !a.Disabled() && a.button.OnTapped != nil {
		a.button.OnTapped()
	}
}

func (e *focusSelectEntry) FocusGained() {
	e.hasFocus = true
	e.SelectEntry.FocusGained()
	if e.onFocus != nil {
		e.onFocus(e)
	}
}

// TypedKey implements fyne.Focusable: Down opens the list of known codes,
// which the arrow, no Tab stop, opens with the mouse.
func (e *focusSelectEntry) TypedKey(k *fyne.KeyEvent) {
	if a, ok := e.ActionItem.(*dropArrow); ok && k.Name == fyne.KeyDown && !e.Disabled() {
		a.Tapped(nil)
		return
	}
	e.SelectEntry.TypedKey(k)
}

func (e *focusSelectEntry) FocusLost() {
	e.hasFocus = false
	e.SelectEntry.FocusLost()
	if e.onBlur != nil {
		e.onBlur()
	}
}

// A disabled input (a finalised record, read-only) shows no placeholder:
// drawn in the legible read-only colour, "GG/MM/AAAA" or "Scegli…" would
// read as an answer.

// Disable implements fyne.Disableable.
func (e *FocusEntry) Disable() {
	if !e.Disabled() {
		e.heldPlaceHolder, e.PlaceHolder = e.PlaceHolder, ""
	}
	e.Entry.Disable()
}

// Enable implements fyne.Disableable.
func (e *FocusEntry) Enable() {
	if e.Disabled() {
		e.PlaceHolder = e.heldPlaceHolder
	}
	e.Entry.Enable()
}

func (s *focusSelect) Disable() {
	if !s.Disabled() {
		// " ": an empty placeholder is Fyne's "(Select one)".
		s.heldPlaceHolder, s.PlaceHolder = s.PlaceHolder, " "
	}
	s.Select.Disable()
}

func (s *focusSelect) Enable() {
	if s.Disabled() {
		s.PlaceHolder = s.heldPlaceHolder
	}
	s.Select.Enable()
}

func (e *focusSelectEntry) Disable() {
	if !e.Disabled() {
		e.heldPlaceHolder, e.PlaceHolder = e.PlaceHolder, ""
	}
	e.SelectEntry.Disable()
}

func (e *focusSelectEntry) Enable() {
	if e.Disabled() {
		e.PlaceHolder = e.heldPlaceHolder
	}
	e.SelectEntry.Enable()
}
