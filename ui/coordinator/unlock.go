package coordinator

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// Opener opens the coordinator profile's encrypted store with a passphrase
// and returns what the workspace needs; a wrong passphrase is an error whose
// text says so.
type Opener func(passphrase []byte) (Deps, error)

// ShowUnlock asks for the passphrase of the coordinator profile and, once the
// store opens, shows the workspace in the window.
func ShowUnlock(w fyne.Window, language string, open Opener) {
	ws := &Workspace{win: w, lang: language}
	w.SetTitle("sinba · " + ws.tr("unlock.title"))
	pass := widget.NewPasswordEntry()
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord
	intro := widget.NewLabel(ws.tr("unlock.intro"))
	intro.Wrapping = fyne.TextWrapWord
	openBtn := widget.NewButton(ws.tr("unlock.open"), nil)
	openBtn.Importance = widget.HighImportance
	openBtn.OnTapped = func() {
		openBtn.Disable()
		problem.SetText(ws.tr("unlock.working"))
		secret := []byte(pass.Text)
		// The key derivation takes about half a second: not on the UI goroutine.
		go func() {
			deps, err := open(secret)
			fyne.Do(func() {
				openBtn.Enable()
				if err != nil {
					problem.SetText(ws.errText(err))
					pass.SetText("")
					w.Canvas().Focus(pass)
					return
				}
				w.SetTitle("sinba · " + ws.tr("title"))
				New(w, deps).Start()
			})
		}()
	}
	pass.OnSubmitted = func(string) { openBtn.OnTapped() }
	heading := widget.NewLabelWithStyle(ws.tr("unlock.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	form := widget.NewForm(widget.NewFormItem(ws.tr("unlock.passphrase"), pass))
	w.SetContent(container.NewBorder(heading, container.NewHBox(layout.NewSpacer(), openBtn), nil, nil,
		container.NewVBox(intro, form, problem)))
	w.Canvas().Focus(pass)
}

// ShowMissingProfile says that this computer has no coordinator profile yet
// and how to create one.
func ShowMissingProfile(w fyne.Window, language, dir string) {
	ws := &Workspace{win: w, lang: language}
	w.SetTitle("sinba · " + ws.tr("title"))
	msg := widget.NewLabel(ws.tr("profile.missing", dir))
	msg.Wrapping = fyne.TextWrapWord
	cmd := widget.NewLabelWithStyle("sinba coord init --data "+dir+" --server URL --code CODICE", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	cmd.Selectable = true
	w.SetContent(container.NewVBox(widget.NewLabelWithStyle(ws.tr("title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), msg, cmd))
}
