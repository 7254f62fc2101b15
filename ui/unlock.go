package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"sinba/ui/dialogs"
	"sinba/ui/loop"
)

func (a *App) showUnlock() {
	a.refresh = nil
	// Nothing of the unlocked session stays on screen, dialogs included.
	ov := a.win.Canvas().Overlays()
	for top := ov.Top(); top != nil; top = ov.Top() {
		ov.Remove(top)
	}
	pass := widget.NewPasswordEntry()
	pass.SetPlaceHolder(T("unlock.placeholder"))
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord
	a.unlockMsg = problem

	recovery := newButton(T("unlock.use_recovery"), a.showRecoveryUnlock)
	recovery.Importance = widget.LowImportance
	open := newButton(T("unlock.open"), nil)
	open.Importance = widget.HighImportance
	open.OnTapped = func() {
		var s Store
		secret := []byte(pass.Text)
		pass.SetText("")
		a.inBackground(open, problem, T("unlock.working"), func() (err error) {
			s, err = a.opts.Vault.Open(secret)
			return err
		}, func(err error) {
			if err != nil {
				problem.Importance = widget.DangerImportance
				problem.SetText(a.errText(err))
				if errors.Is(err, ErrWrongPassphrase) {
					// The way out for a forgotten passphrase, one key away.
					recovery.Importance = widget.MediumImportance
					recovery.Refresh()
				}
				a.win.Canvas().Focus(pass)
				return
			}
			a.unlocked(s)
			a.showHome()
		})
	}
	pass.OnSubmitted = func(string) { open.OnTapped() }
	intro := widget.NewLabel(T("unlock.intro"))
	intro.Wrapping = fyne.TextWrapWord

	a.setContent(T("unlock.title"), page(T("unlock.title"),
		narrow(container.NewVBox(intro, widget.NewForm(widget.NewFormItem(T("passphrase.label"), pass)), problem)),
		recovery, open))
	a.win.Canvas().Focus(pass)
}

// unlockNotice shows a calm (not red) line on the unlock screen.
func (a *App) unlockNotice(msg string) {
	if a.unlockMsg != nil {
		a.unlockMsg.Importance = widget.MediumImportance
		a.unlockMsg.SetText(msg)
	}
}

func (a *App) showRecoveryUnlock() {
	key := widget.NewEntry()
	key.SetPlaceHolder(T("recovery.placeholder"))
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord
	intro := widget.NewLabel(T("recovery.unlock_intro"))
	intro.Wrapping = fyne.TextWrapWord
	open := newButton(T("unlock.open"), nil)
	open.Importance = widget.HighImportance
	open.OnTapped = func() {
		var s Store
		text := key.Text
		a.inBackground(open, problem, T("unlock.working"), func() (err error) {
			s, err = a.opts.Vault.OpenWithRecovery(text)
			return err
		}, func(err error) {
			if err != nil {
				problem.Importance = widget.DangerImportance
				problem.SetText(a.errText(err))
				return
			}
			a.unlocked(s)
			// Opened without the passphrase: choose a new one straight away.
			a.showNewPassphrase(true)
		})
	}
	key.OnSubmitted = func(string) { open.OnTapped() }
	back := newButton(T("common.back"), a.showUnlock)
	a.setContent(T("recovery.unlock_title"), page(T("recovery.unlock_title"),
		narrow(container.NewVBox(intro, widget.NewForm(widget.NewFormItem(T("recovery.label"), key)), problem)),
		back, open))
	a.win.Canvas().Focus(key)
}

// inBackground runs work off the UI goroutine (deriving a key from a
// passphrase takes about a second by design), with the button disabled and
// a calm message meanwhile; done runs on the UI goroutine.
func (a *App) inBackground(b *dialogs.Button, msg *widget.Label, working string, work func() error, done func(error)) {
	b.Disable()
	msg.Importance = widget.MediumImportance
	msg.SetText(working)
	loop.Go(func() func() {
		err := work()
		return func() {
			b.Enable()
			msg.SetText("")
			done(err)
		}
	})
}
