package coordinator

import (
	"io"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"sinba/ui/dialogs"
)

// confirm asks before doing something that cannot be taken back: the
// message says what will happen; Enter or the yes button does it, Escape or
// Annulla does not.
func (ws *Workspace) confirm(title, text, yes string, do func()) {
	dialogs.Confirm(ws.win, title, text, yes, ws.tr("cancel"), do)
}

// inform shows a message; Enter or Escape closes it.
func (ws *Workspace) inform(title, text string) {
	dialogs.Inform(ws.win, title, text)
}

// openFile asks for a file to read, in a dialog titled with what it is for:
// through custom when it is set (tests),
// else with Fyne's dialog, showing the files whose names end with one of
// exts (none: all). pick gets the file's name and contents; failed the name of a file
// that could not be read.
func openFile(win fyne.Window, title string, custom func(pick func(name string, data []byte)), exts []string, pick func(name string, data []byte), failed func(name string)) {
	if custom != nil {
		custom(pick)
		return
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		defer r.Close()
		body, err := io.ReadAll(io.LimitReader(r, maxFile))
		if err != nil {
			failed(r.URI().Name())
			return
		}
		pick(r.URI().Name(), body)
	}, win)
	if len(exts) > 0 {
		d.SetFilter(storage.NewExtensionFileFilter(exts))
	}
	dialogs.ShowFile(win, title, d)
}

// maxFile bounds what is read of a file chosen to open (an instrument
// definition, a key file).
const maxFile = 16 << 20

// tapIcon is an icon that does something when tapped, without a stop in the
// keyboard's Tab order (the comment button of every answer: from the
// keyboard, the field is picked in the composer).
type tapIcon struct {
	widget.BaseWidget
	icon  fyne.Resource
	onTap func()
}

func newTapIcon(icon fyne.Resource, onTap func()) *tapIcon {
	t := &tapIcon{icon: icon, onTap: onTap}
	t.ExtendBaseWidget(t)
	return t
}

func (t *tapIcon) CreateRenderer() fyne.WidgetRenderer {
	img := widget.NewIcon(t.icon)
	return widget.NewSimpleRenderer(container.NewPadded(img))
}

// Tapped implements fyne.Tappable.
func (t *tapIcon) Tapped(*fyne.PointEvent) {
	if t.onTap != nil {
		t.onTap()
	}
}
