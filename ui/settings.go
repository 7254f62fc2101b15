package ui

import (
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"sinba/ui/dialogs"
)

// IdleChoices are the idle lock delays offered, in minutes.
var IdleChoices = []int{5, 10, 15, 30, 60}

func (a *App) showSettings() {
	if !a.leaveRecord() {
		return
	}
	a.show(T("settings.title"), a.settingsContent, a.showSettings)
}

func (a *App) settingsContent() fyne.CanvasObject {
	// Language.
	cur, change := a.languageChoice(a.showSettings)
	language := widget.NewSelect(languageNames, nil)
	language.Selected = cur
	language.OnChanged = change

	// Idle lock.
	idleOpts := make([]string, len(IdleChoices))
	for i, m := range IdleChoices {
		idleOpts[i] = T("settings.minutes", map[string]any{"Count": m})
	}
	idle := widget.NewSelect(idleOpts, nil)
	for i, m := range IdleChoices {
		if m == a.idleMinutes() {
			idle.Selected = idleOpts[i]
		}
	}
	idle.OnChanged = func(s string) {
		for i, o := range idleOpts {
			if o == s {
				a.prefs.SetInt(PrefIdle, IdleChoices[i])
				a.applyIdle()
			}
		}
	}

	general := widget.NewForm(
		widget.NewFormItem(T("settings.language"), language),
		widget.NewFormItem(T("settings.idle"), idle),
	)

	// Server.
	server := wrapLabel(T("sync.not_enrolled"))
	enrol := newButton(T("enrol.title"), func() { a.showEnrol(false) })
	if a.syncer != nil {
		cx, cancel := ctx()
		if a.syncer.Enrolled(cx) {
			server.SetText(T("sync.server", map[string]any{"Server": a.syncer.Server(cx)}))
			// Enrolled once: a second code would only fail (a restored
			// laptop enrols again from its restore).
			enrol.Hide()
		}
		cancel()
	}

	security := container.NewVBox(
		newButton(T("settings.change_passphrase"), func() { a.showNewPassphrase(false) }),
		newButton(T("settings.check_recovery"), a.checkRecovery),
	)
	backup := container.NewVBox(
		wrapLabel(T("settings.backup_help")),
		container.NewHBox(
			newButton(T("settings.backup"), a.backup),
			newButton(T("settings.restore"), a.restore),
		),
	)
	body := container.NewVBox(
		widget.NewCard(T("settings.general"), "", general),
		widget.NewCard(T("settings.security"), "", security),
		widget.NewCard(T("settings.server"), "", container.NewVBox(server, container.NewHBox(enrol))),
		widget.NewCard(T("settings.backups"), "", backup),
	)
	return page(T("settings.title"), container.NewVScroll(body))
}

// setLanguage switches the interface language now and for the next start.
func (a *App) setLanguage(l string) {
	a.lang = l
	a.prefs.SetString(PrefLanguage, l)
	if a.opts.Translations != nil {
		_ = LoadTranslations(a.opts.Translations, l)
	}
	a.setMenu()
}

// showNewPassphrase asks for a new passphrase; after opening with the
// recovery key the old one is not asked.
func (a *App) showNewPassphrase(recovered bool) {
	old := widget.NewPasswordEntry()
	pass := widget.NewPasswordEntry()
	confirm := widget.NewPasswordEntry()
	strength := NewStrengthMeter()
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord
	pass.OnChanged = strength.Set
	items := []*widget.FormItem{}
	if !recovered {
		items = append(items, widget.NewFormItem(T("settings.old_passphrase"), old))
	}
	items = append(items,
		widget.NewFormItem(T("settings.new_passphrase"), pass),
		widget.NewFormItem(T("passphrase.confirm_label"), confirm),
		widget.NewFormItem("", strength.Object))
	save := newButton(T("settings.change_passphrase"), nil)
	save.Importance = widget.HighImportance
	save.OnTapped = func() {
		if msg := PassphraseProblem(pass.Text, confirm.Text); msg != "" {
			problem.SetText(msg)
			return
		}
		if err := a.store.ChangePassphrase([]byte(old.Text), []byte(pass.Text)); err != nil {
			problem.SetText(a.errText(err))
			return
		}
		a.showHome()
		dialogs.Inform(a.win, T("settings.change_passphrase"), T("settings.passphrase_changed"))
	}
	confirm.OnSubmitted = func(string) { save.OnTapped() }
	intro := wrapLabel(T("settings.passphrase_intro"))
	if recovered {
		intro.SetText(T("settings.passphrase_after_recovery"))
	}
	var actions []fyne.CanvasObject
	if !recovered {
		actions = append(actions, newButton(T("common.back"), a.showSettings))
	}
	actions = append(actions, save)
	a.show(T("settings.change_passphrase"), func() fyne.CanvasObject {
		return page(T("settings.change_passphrase"),
			narrow(container.NewVBox(intro, widget.NewForm(items...), problem)), actions...)
	}, nil)
	if recovered {
		a.win.Canvas().Focus(pass)
	} else {
		a.win.Canvas().Focus(old)
	}
}

// checkRecovery lets the researcher check that the recovery key they wrote
// down opens this store, long before they need it.
func (a *App) checkRecovery() {
	key := dialogs.NewEntry()
	key.SetPlaceHolder(T("recovery.placeholder"))
	checker, ok := a.store.(RecoveryChecker)
	if !ok {
		dialogs.Inform(a.win, T("settings.check_recovery"), T("settings.recovery_unavailable"))
		return
	}
	dialogs.Show(a.win, dialogs.Spec{
		Title: T("settings.check_recovery"), Body: widget.NewForm(widget.NewFormItem(T("recovery.label"), key)),
		Confirm: T("settings.check"), Cancel: T("common.cancel"), Focus: key,
		OnConfirm: func() {
			if err := checker.CheckRecoveryKey(key.Text); err != nil {
				dialogs.Error(a.win, a.errText(err))
				return
			}
			dialogs.Inform(a.win, T("settings.check_recovery"), T("settings.recovery_ok"))
		},
	})
}

// backup writes an encrypted copy of the store into a folder the researcher
// chooses (a USB stick, say). The copy opens only with the passphrase.
func (a *App) backup() {
	dialogs.ShowFile(a.win, T("files.backup"), dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil || dir == nil {
			return
		}
		name := "sinba-backup-" + time.Now().Format("20060102-1504") + ".sinba"
		path := filepath.Join(dir.Path(), name)
		cx, cancel := ctx()
		err = a.store.Backup(cx, path)
		cancel()
		if err != nil {
			dialogs.Error(a.win, a.errText(err))
			return
		}
		dialogs.Inform(a.win, T("settings.backup"), T("settings.backup_done", map[string]any{"Path": path}))
	}, a.win))
}

// restore replaces the store with a backup, after a confirmation and the
// backup's passphrase.
func (a *App) restore() {
	dialogs.ShowFile(a.win, T("files.restore"), dialog.NewFileOpen(func(f fyne.URIReadCloser, err error) {
		if err != nil || f == nil {
			return
		}
		path := f.URI().Path()
		f.Close()
		pass := dialogs.NewPasswordEntry()
		dialogs.Show(a.win, dialogs.Spec{
			Title: T("settings.restore"),
			Body: widget.NewForm(
				widget.NewFormItem("", wrapLabel(T("settings.restore_warning"))),
				widget.NewFormItem(T("settings.backup_passphrase"), pass)),
			Confirm: T("settings.restore_confirm"), Cancel: T("common.cancel"), Importance: widget.DangerImportance, Focus: pass,
			OnConfirm: func() {
				a.Close()
				s, err := a.opts.Vault.Restore(path, []byte(pass.Text))
				if err != nil {
					a.showUnlock()
					dialogs.Error(a.win, a.errText(err))
					return
				}
				a.unlocked(s)
				a.showHome()
				dialogs.Inform(a.win, T("settings.restore"), T("settings.restore_done"))
			},
		})
	}, a.win))
}
