// Package dialogs is the one way both apps ask and tell in a dialog: labels
// in the interface's language, a default button that Enter presses, and
// Escape to cancel, whatever of the dialog holds the focus (its buttons, its
// entries, or nothing).
package dialogs

import (
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/ui/loop"
)

// Spec describes a dialog.
type Spec struct {
	Title string
	Body  fyne.CanvasObject
	// Confirm labels the default button, which Enter presses; Cancel the
	// button Escape presses. Without Cancel the dialog has one button, and
	// Escape presses it too; without Confirm (a choice among the body's
	// buttons) only Cancel, and Enter presses the focused choice.
	Confirm, Cancel string
	// Importance of the default button (HighImportance if unset; Danger for
	// what cannot be taken back).
	Importance widget.Importance
	// OnConfirm runs after the dialog closes by its default button;
	// OnCancel after it closes any other way.
	OnConfirm, OnCancel func()
	// Focus gets the focus when the dialog opens (an entry); else the
	// default button does.
	Focus fyne.Focusable
	Size  fyne.Size
}

// minWidth is the width of a dialog that does not say its own.
const minWidth = 480

// Dialog is a dialog on screen.
type Dialog struct {
	d             *dialog.CustomDialog
	spec          Spec
	done          bool
	canvas        fyne.Canvas
	prev          func(*fyne.KeyEvent)
	focused       fyne.Focusable
	Default, Back *Button
}

// Show opens the dialog described by s over win.
func Show(win fyne.Window, s Spec) *Dialog {
	if s.Importance == widget.MediumImportance {
		s.Importance = widget.HighImportance
	}
	dl := &Dialog{spec: s, canvas: win.Canvas()}
	dl.focused = dl.canvas.Focused()
	icon := theme.ConfirmIcon()
	if s.Cancel == "" {
		icon = nil
	}
	var buttons []fyne.CanvasObject
	if s.Cancel != "" {
		dl.Back = NewButton(s.Cancel, theme.CancelIcon(), dl.Dismiss, dl.Dismiss)
		buttons = append(buttons, dl.Back)
	}
	if s.Confirm != "" {
		dl.Default = NewButton(s.Confirm, icon, dl.Confirm, dl.escape)
		dl.Default.Importance = s.Importance
		buttons = append(buttons, dl.Default)
	}
	hook(s.Body, dl.Confirm, dl.escape)
	dl.d = dialog.NewCustomWithoutButtons(s.Title, s.Body, win)
	dl.d.SetButtons(buttons)
	// With nothing focused the canvas hears the keys: Enter and Escape are
	// this dialog's while it is open, anything else goes where it went.
	dl.prev = dl.canvas.OnTypedKey()
	dl.canvas.SetOnTypedKey(func(k *fyne.KeyEvent) {
		switch k.Name {
		case fyne.KeyReturn, fyne.KeyEnter:
			if dl.Default != nil {
				dl.Confirm()
			}
		case fyne.KeyEscape:
			dl.escape()
		default:
			if dl.prev != nil {
				dl.prev(k)
			}
		}
	})
	dl.d.SetOnClosed(func() { dl.finish(false) })
	// A dialog is wide enough for a passphrase or a recovery key to be read
	// whole, and for its message to wrap in lines, not in words.
	size := s.Size
	if size.Width == 0 {
		size.Width = minWidth
	}
	dl.d.Resize(size)
	dl.d.Show()
	switch {
	case s.Focus != nil:
		dl.canvas.Focus(s.Focus)
	case dl.Default != nil:
		dl.canvas.Focus(dl.Default)
	default:
		dl.canvas.Focus(dl.Back)
	}
	return dl
}

// Confirm closes the dialog as its default button does.
func (dl *Dialog) Confirm() { dl.finish(true) }

// Dismiss closes the dialog as Escape does.
func (dl *Dialog) Dismiss() { dl.finish(false) }

func (dl *Dialog) escape() {
	if dl.spec.Cancel == "" {
		dl.finish(true)
		return
	}
	dl.finish(false)
}

func (dl *Dialog) finish(ok bool) {
	if dl.done {
		return
	}
	dl.done = true
	dl.canvas.SetOnTypedKey(dl.prev)
	dl.d.Hide()
	// The focus goes back where it was; what the dialog did may move it.
	if dl.focused != nil {
		dl.canvas.Focus(dl.focused)
	}
	switch {
	case ok && dl.spec.OnConfirm != nil:
		dl.spec.OnConfirm()
	case !ok && dl.spec.OnCancel != nil:
		dl.spec.OnCancel()
	}
}

// Confirm asks before doing something: Enter or yes does it, Escape or
// cancel does not.
func Confirm(win fyne.Window, title, text, yes, cancel string, do func()) *Dialog {
	return Show(win, Spec{Title: title, Body: Text(text), Confirm: yes, Cancel: cancel, OnConfirm: do})
}

// Inform tells something; Enter or Escape closes it.
func Inform(win fyne.Window, title, text string) *Dialog {
	return Show(win, Spec{Title: title, Body: Text(text), Confirm: lang.L("OK")})
}

// Error tells what went wrong; Enter or Escape closes it.
func Error(win fyne.Window, text string) *Dialog {
	body := Text(text)
	body.Importance = widget.DangerImportance
	return Show(win, Spec{Title: lang.L("Error"), Body: container.NewBorder(nil, nil, widget.NewIcon(theme.ErrorIcon()), nil, body),
		Confirm: lang.L("OK"), Size: fyne.NewSize(480, 0)})
}

// Text is a dialog's wrapped message.
func Text(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// hook hands Enter and Escape to the entries of body made here (NewEntry,
// NewPasswordEntry), and Escape to its choice lists (NewSelect) and buttons
// (NewButton), wherever they sit in containers, forms and scrolls.
func hook(o fyne.CanvasObject, enter, escape func()) {
	switch v := o.(type) {
	case *Entry:
		v.onEnter, v.onEscape = enter, escape
	case *Select:
		v.onEscape = escape
	case *Button:
		if v.onEscape == nil {
			v.onEscape = escape
		}
	case *fyne.Container:
		for _, c := range v.Objects {
			hook(c, enter, escape)
		}
	case *widget.Form:
		for _, it := range v.Items {
			hook(it.Widget, enter, escape)
		}
	case *container.Scroll:
		hook(v.Content, enter, escape)
	}
}

// Button is a button that takes Enter as Space (its own action) and, in a
// dialog, Escape (cancel) while it holds the focus. The screens' buttons are
// Buttons too.
type Button struct {
	widget.Button
	onEscape func()
}

// NewButton returns a dialog button: tapped runs on a tap or Enter, escape
// on Escape.
func NewButton(label string, icon fyne.Resource, tapped, escape func()) *Button {
	b := &Button{onEscape: escape}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey implements fyne.Focusable.
func (b *Button) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if !b.Disabled() && b.OnTapped != nil {
			b.OnTapped()
		}
	case fyne.KeyEscape:
		if b.onEscape != nil {
			b.onEscape()
		}
	default:
		b.Button.TypedKey(k)
	}
}

// Entry is an entry of a dialog: Enter confirms the dialog (unless
// OnSubmitted says otherwise, or it has several lines), Escape cancels it.
type Entry struct {
	widget.Entry
	onEnter, onEscape func()
}

// NewEntry returns an entry for a dialog.
func NewEntry() *Entry {
	e := &Entry{}
	e.ExtendBaseWidget(e)
	return e
}

// NewPasswordEntry returns an entry for a dialog that hides what is typed.
func NewPasswordEntry() *Entry {
	e := NewEntry()
	e.Password = true
	return e
}

// NewMultiLineEntry returns an entry of several lines for a dialog: Enter
// starts a new line, Escape cancels the dialog.
func NewMultiLineEntry() *Entry {
	e := NewEntry()
	e.MultiLine = true
	e.Wrapping = fyne.TextWrapWord
	return e
}

// EntryWidget returns the entry itself (tests type into it).
func (e *Entry) EntryWidget() *widget.Entry { return &e.Entry }

// TypedKey implements fyne.Focusable.
func (e *Entry) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyEscape:
		if e.onEscape != nil {
			e.onEscape()
			return
		}
	case fyne.KeyReturn, fyne.KeyEnter:
		if !e.MultiLine && e.OnSubmitted == nil && e.onEnter != nil {
			e.onEnter()
			return
		}
	}
	e.Entry.TypedKey(k)
}

// Select is a choice list of a dialog: Escape cancels the dialog while the
// list holds the focus (with its options open, Escape closes them first).
type Select struct {
	widget.Select
	onEscape func()
}

// NewSelect returns a choice list for a dialog.
func NewSelect(options []string, changed func(string)) *Select {
	s := &Select{}
	s.Options, s.OnChanged = options, changed
	s.ExtendBaseWidget(s)
	return s
}

// TypedKey implements fyne.Focusable.
func (s *Select) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyEscape && s.onEscape != nil {
		s.onEscape()
		return
	}
	s.Select.TypedKey(k)
}

// ShowFile shows one of Fyne's file or folder dialogs titled with what it
// is for ("Apri lo strumento da pubblicare"; Fyne's own is "Apri file"),
// with the keys of the app's own dialogs while nothing in it holds the
// focus: Enter presses its default button (Apri, Salva), when it can be
// pressed, also after a file was picked with the mouse (a click selects
// the file and leaves the focus where it was); Escape closes it choosing
// nothing. (Enter in a typed file name saves, as Fyne does.)
func ShowFile(win fyne.Window, title string, d *dialog.FileDialog) {
	if title != "" {
		d.SetTitleText(title)
	}
	c := win.Canvas()
	prev := c.OnTypedKey()
	c.SetOnTypedKey(func(k *fyne.KeyEvent) {
		switch k.Name {
		case fyne.KeyEscape:
			d.Dismiss()
			return
		case fyne.KeyReturn, fyne.KeyEnter:
			if b := defaultButton(c.Overlays().Top()); b != nil {
				b.OnTapped()
			}
			return
		}
		if prev != nil {
			prev(k)
		}
	})
	d.SetOnClosed(func() { c.SetOnTypedKey(prev) })
	d.Show()
	top := c.Overlays().Top()
	name := fileNameEntry(top)
	if name == nil {
		return // an Apri dialog: nothing in it takes the focus
	}
	// The file name and the cancel button are the app's, which take Escape
	// (Fyne's entry and buttons hear it only to ignore it); the name stays
	// Fyne's underneath, where the dialog reads it.
	own := NewEntry()
	own.Text, own.PlaceHolder = name.Text, name.PlaceHolder
	own.onEscape = d.Dismiss
	own.OnSubmitted = name.OnSubmitted
	own.OnChanged = func(s string) {
		if name.Text != s {
			name.SetText(s)
		}
	}
	changed := name.OnChanged
	name.OnChanged = func(s string) { // a file picked in the list names it
		if changed != nil {
			changed(s)
		}
		if own.Text != s {
			own.SetText(s)
		}
	}
	replace(top, name, own)
	if cancel := cancelButton(top); cancel != nil {
		replace(top, cancel, NewButton(cancel.Text, cancel.Icon, cancel.OnTapped, d.Dismiss))
	}
	// Fyne focused its file name. The key that opened the dialog (Space on
	// a button) still has its character to type, into whatever holds the
	// focus when this returns: the name gets the focus once that has passed,
	// so it cannot start with a space.
	c.Unfocus()
	loop.Do(func() {
		if c.Overlays().Top() == top && c.Focused() == nil {
			c.Focus(own)
		}
	})
}

// fileNameEntry is the file-name entry of a save dialog's pop-up, nil in
// an open dialog.
func fileNameEntry(o fyne.CanvasObject) *widget.Entry {
	var found *widget.Entry
	walk(o, func(x fyne.CanvasObject) bool {
		if e, ok := x.(*widget.Entry); ok && found == nil {
			found = e
		}
		return found == nil
	})
	return found
}

// cancelButton is a file dialog's cancel button: the plain button beside
// its default one (high importance) in the row at the bottom.
func cancelButton(o fyne.CanvasObject) *widget.Button {
	var found *widget.Button
	walk(o, func(x fyne.CanvasObject) bool {
		if c, ok := x.(*fyne.Container); ok && len(c.Objects) == 2 {
			def, ok := c.Objects[1].(*widget.Button)
			if ok && def.Importance == widget.HighImportance {
				found, _ = c.Objects[0].(*widget.Button)
			}
		}
		return found == nil
	})
	return found
}

// replace puts by where old is in o's containers and scrolls.
func replace(o, old, by fyne.CanvasObject) {
	walk(o, func(x fyne.CanvasObject) bool {
		switch v := x.(type) {
		case *container.Scroll:
			if v.Content == old {
				v.Content = by
				v.Refresh()
				return false
			}
		case *fyne.Container:
			for i, k := range v.Objects {
				if k == old {
					v.Objects[i] = by
					v.Refresh()
					return false
				}
			}
		}
		return true
	})
}

// walk visits o and what it holds (containers, pop-ups, splits, scrolls)
// while visit says to go on.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject) bool) bool {
	if o == nil || !visit(o) {
		return false
	}
	var kids []fyne.CanvasObject
	switch v := o.(type) {
	case *fyne.Container:
		kids = v.Objects
	case *widget.PopUp:
		kids = []fyne.CanvasObject{v.Content}
	case *container.Split:
		kids = []fyne.CanvasObject{v.Leading, v.Trailing}
	case *container.Scroll:
		kids = []fyne.CanvasObject{v.Content}
	}
	for _, k := range kids {
		if !walk(k, visit) {
			return false
		}
	}
	return true
}

// defaultButton is the enabled button of high importance in o, Fyne's way
// of marking a dialog's default: a file dialog has no other way to press it.
func defaultButton(o fyne.CanvasObject) *widget.Button {
	switch v := o.(type) {
	case nil:
		return nil
	case *widget.Button:
		if v.Importance == widget.HighImportance && !v.Disabled() && v.OnTapped != nil && v.Visible() {
			return v
		}
		return nil
	case *fyne.Container:
		for _, k := range v.Objects {
			if b := defaultButton(k); b != nil {
				return b
			}
		}
	case *widget.PopUp:
		return defaultButton(v.Content)
	case *container.Split:
		if b := defaultButton(v.Leading); b != nil {
			return b
		}
		return defaultButton(v.Trailing)
	case *container.Scroll:
		return defaultButton(v.Content)
	}
	return nil
}

// FileSpec describes a save dialog.
type FileSpec struct {
	Title string // what the file is ("Salva l'esportazione CSV")
	Name  string // the name proposed
	Ext   string // the files shown (".pdf")
	// Location is the folder shown first; nil: Fyne's choice.
	Location fyne.ListableURI
}

// SaveFile shows Fyne's save dialog (see ShowFile) as s says, and calls
// done with the path chosen; nothing when the dialog is closed without a
// choice. The file chosen is readable by its owner only.
func SaveFile(win fyne.Window, s FileSpec, done func(path string)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		w.Close()
		// The dialog has just created the file with the default mode, and
		// what the app saves (a record, a recovery key, a report) is for the
		// person who saves it only; a writer that replaces the file keeps
		// the mode.
		_ = os.Chmod(path, 0o600)
		done(path)
	}, win)
	d.SetFileName(s.Name)
	d.SetFilter(storage.NewExtensionFileFilter([]string{s.Ext}))
	if s.Location != nil {
		d.SetLocation(s.Location)
	}
	ShowFile(win, s.Title, d)
}
