package coordinator

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// keys is an invisible widget that holds the focus of a dialog, so that
// Enter confirms it and Escape cancels it. Tab moves on to its buttons.
type keys struct {
	widget.BaseWidget
	enter, escape func()
}

func newKeys(enter, escape func()) *keys {
	k := &keys{enter: enter, escape: escape}
	k.ExtendBaseWidget(k)
	return k
}

func (k *keys) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(nil))
}

func (k *keys) MinSize() fyne.Size { return fyne.Size{} }

// FocusGained implements fyne.Focusable.
func (k *keys) FocusGained() {}

// FocusLost implements fyne.Focusable.
func (k *keys) FocusLost() {}

// TypedRune implements fyne.Focusable.
func (k *keys) TypedRune(rune) {}

// TypedKey implements fyne.Focusable.
func (k *keys) TypedKey(e *fyne.KeyEvent) {
	switch e.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if k.enter != nil {
			k.enter()
		}
	case fyne.KeyEscape:
		if k.escape != nil {
			k.escape()
		}
	}
}

// confirm asks before doing something that cannot be taken back: the
// message says what will happen; Enter or the yes button does it, Escape or
// Annulla does not.
func (ws *Workspace) confirm(title, text, yes string, do func()) {
	var d *dialog.ConfirmDialog
	k := newKeys(func() { d.Confirm() }, func() { d.Dismiss() })
	body := widget.NewLabel(text)
	body.Wrapping = fyne.TextWrapWord
	d = dialog.NewCustomConfirm(title, yes, ws.tr("cancel"), container.NewStack(k, body), func(ok bool) {
		if ok {
			do()
		}
	}, ws.win)
	d.SetConfirmImportance(widget.HighImportance)
	d.Show()
	ws.win.Canvas().Focus(k)
}

// inform shows a message; Enter or Escape closes it.
func (ws *Workspace) inform(title, text string) {
	var d *dialog.CustomDialog
	k := newKeys(func() { d.Hide() }, func() { d.Hide() })
	body := widget.NewLabel(text)
	body.Wrapping = fyne.TextWrapWord
	d = dialog.NewCustom(title, "OK", container.NewStack(k, body), ws.win)
	d.Show()
	ws.win.Canvas().Focus(k)
}
