package ui

import (
	"math"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// MinPassphraseLength is the shortest passphrase the app accepts.
const MinPassphraseLength = 10

// PassphraseStrength estimates the strength of p in bits, from its length and
// the kinds of character it uses. It is a guide for the person choosing it,
// not a guarantee.
func PassphraseStrength(p string) float64 {
	var lower, upper, digit, other bool
	n := 0
	for _, r := range p {
		n++
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	pool := 0
	for _, c := range []struct {
		on   bool
		size int
	}{{lower, 26}, {upper, 26}, {digit, 10}, {other, 33}} {
		if c.on {
			pool += c.size
		}
	}
	if pool == 0 {
		return 0
	}
	return float64(n) * math.Log2(float64(pool))
}

func strengthText(p string) string {
	if len([]rune(p)) < MinPassphraseLength {
		return T("passphrase.too_short", map[string]any{"Min": MinPassphraseLength})
	}
	switch bits := PassphraseStrength(p); {
	case bits < 50:
		return T("passphrase.weak")
	case bits < 70:
		return T("passphrase.fair")
	default:
		return T("passphrase.strong")
	}
}

func (a *App) showFirstRun() {
	pass := widget.NewPasswordEntry()
	pass.SetPlaceHolder(T("passphrase.placeholder"))
	confirm := widget.NewPasswordEntry()
	confirm.SetPlaceHolder(T("passphrase.confirm_placeholder"))
	strength := widget.NewLabel(strengthText(""))
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord

	create := widget.NewButton(T("firstrun.create"), nil)
	create.Importance = widget.HighImportance
	create.OnTapped = func() {
		switch {
		case len([]rune(pass.Text)) < MinPassphraseLength:
			problem.SetText(T("passphrase.too_short", map[string]any{"Min": MinPassphraseLength}))
			return
		case pass.Text != confirm.Text:
			problem.SetText(T("passphrase.mismatch"))
			return
		}
		store, recovery, err := a.opts.Vault.Create([]byte(pass.Text))
		if err != nil {
			problem.SetText(err.Error())
			return
		}
		a.unlocked(store)
		a.showRecoveryKey(recovery)
	}
	pass.OnChanged = func(s string) { strength.SetText(strengthText(s)) }
	confirm.OnSubmitted = func(string) { create.OnTapped() }

	intro := widget.NewLabel(T("firstrun.intro"))
	intro.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem(T("passphrase.label"), pass),
		widget.NewFormItem(T("passphrase.confirm_label"), confirm),
		widget.NewFormItem("", strength),
	)
	a.setContent(T("firstrun.title"), page(T("firstrun.title"),
		container.NewVBox(intro, form, problem), create))
	a.win.Canvas().Focus(pass)
}

// showRecoveryKey shows the recovery key once; the researcher must confirm
// that it is written down before going on.
func (a *App) showRecoveryKey(key string) {
	intro := widget.NewLabel(T("recovery.intro"))
	intro.Wrapping = fyne.TextWrapWord
	keyLabel := widget.NewLabelWithStyle(key, fyne.TextAlignCenter, fyne.TextStyle{Monospace: true, Bold: true})
	keyLabel.Selectable = true
	next := widget.NewButton(T("common.continue"), func() { a.showEnrol(true) })
	next.Importance = widget.HighImportance
	next.Disable()
	written := widget.NewCheck(T("recovery.written"), func(on bool) {
		if on {
			next.Enable()
		} else {
			next.Disable()
		}
	})
	a.setContent(T("recovery.title"), page(T("recovery.title"),
		container.NewVBox(intro, keyLabel, written), next))
}

// showEnrol asks for the server address and the enrolment code. Enrolment can
// wait: the app works fully offline before it.
func (a *App) showEnrol(firstRun bool) {
	server := widget.NewEntry()
	server.SetPlaceHolder("https://…")
	server.SetText(a.opts.ServerURL)
	code := widget.NewEntry()
	code.SetPlaceHolder(T("enrol.code_placeholder"))
	code.SetText(a.opts.EnrolCode)
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord
	intro := widget.NewLabel(T("enrol.intro"))
	intro.Wrapping = fyne.TextWrapWord

	later := widget.NewButton(T("enrol.later"), a.showHome)
	enrol := widget.NewButton(T("enrol.enrol"), nil)
	enrol.Importance = widget.HighImportance
	enrol.OnTapped = func() {
		if a.syncer == nil {
			problem.SetText(T("sync.unavailable"))
			return
		}
		enrol.Disable()
		problem.SetText(T("enrol.working"))
		s, c := server.Text, code.Text
		go func() {
			cx, cancel := ctx()
			defer cancel()
			err := a.syncer.Enrol(cx, s, c)
			fyne.Do(func() {
				enrol.Enable()
				if err != nil {
					problem.SetText(err.Error())
					return
				}
				a.showHome()
			})
		}()
	}
	code.OnSubmitted = func(string) { enrol.OnTapped() }
	form := widget.NewForm(
		widget.NewFormItem(T("enrol.server"), server),
		widget.NewFormItem(T("enrol.code"), code),
	)
	a.setContent(T("enrol.title"), page(T("enrol.title"),
		container.NewVBox(intro, form, problem), later, enrol))
	a.win.Canvas().Focus(server)
}
