package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

func (a *App) showUnlock() {
	pass := widget.NewPasswordEntry()
	pass.SetPlaceHolder(T("passphrase.placeholder"))
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord

	open := widget.NewButton(T("unlock.open"), nil)
	open.Importance = widget.HighImportance
	open.OnTapped = func() {
		s, err := a.opts.Vault.Open([]byte(pass.Text))
		if err != nil {
			problem.SetText(err.Error())
			pass.SetText("")
			return
		}
		a.unlocked(s)
		a.showHome()
	}
	pass.OnSubmitted = func(string) { open.OnTapped() }
	recovery := widget.NewButton(T("unlock.use_recovery"), a.showRecoveryUnlock)
	recovery.Importance = widget.LowImportance

	a.setContent(T("unlock.title"), page(T("unlock.title"),
		container.NewVBox(widget.NewForm(widget.NewFormItem(T("passphrase.label"), pass)), problem),
		recovery, open))
	a.win.Canvas().Focus(pass)
}

func (a *App) showRecoveryUnlock() {
	key := widget.NewEntry()
	key.SetPlaceHolder(T("recovery.placeholder"))
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord
	intro := widget.NewLabel(T("recovery.unlock_intro"))
	intro.Wrapping = fyne.TextWrapWord
	open := widget.NewButton(T("unlock.open"), nil)
	open.Importance = widget.HighImportance
	open.OnTapped = func() {
		s, err := a.opts.Vault.OpenWithRecovery(key.Text)
		if err != nil {
			problem.SetText(err.Error())
			return
		}
		a.unlocked(s)
		a.showHome()
	}
	key.OnSubmitted = func(string) { open.OnTapped() }
	back := widget.NewButton(T("common.back"), a.showUnlock)
	a.setContent(T("recovery.unlock_title"), page(T("recovery.unlock_title"),
		container.NewVBox(intro, widget.NewForm(widget.NewFormItem(T("recovery.label"), key)), problem),
		back, open))
	a.win.Canvas().Focus(key)
}
