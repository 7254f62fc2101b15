package ui

import (
	_ "embed"
	"math"
	"strings"
	"unicode"

	"github.com/trustelem/zxcvbn"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"sinba/survey"
	"sinba/ui/loop"
)

// MinPassphraseLength is the shortest passphrase the app accepts.
const MinPassphraseLength = survey.MinPassphraseLength

// commonWordsIT are the Italian words, names and places people put in
// passwords (common_words_it.txt says where they come from), for zxcvbn,
// whose own dictionaries are English.
//
//go:embed common_words_it.txt
var commonWordsFile string

var commonWordsIT = func() []string {
	var words []string
	for _, l := range strings.Split(commonWordsFile, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			words = append(words, l)
		}
	}
	return words
}()

// PassphraseStrength estimates the strength of p in bits. zxcvbn finds
// what a password cracker tries first: common passwords, words and names
// (English, and the Italian ones of common_words_it.txt), repeats (aaaa),
// sequences (1234, abcd), keyboard runs (qwerty), dates, l33t; each such
// part counts as the guesses it takes. The parts zxcvbn finds nothing in
// count as random characters of the kinds they use (zxcvbn counts them at
// ten guesses a character, which makes a random passphrase look weak).
// It is a guide for the person choosing it, not a guarantee.
func PassphraseStrength(p string) float64 {
	if p == "" {
		return 0
	}
	res := zxcvbn.PasswordStrength(p, commonWordsIT)
	// The order of the parts: log2 of their number's factorial, as zxcvbn.
	bits := 0.0
	for k := 2; k <= len(res.Sequence); k++ {
		bits += math.Log2(float64(k))
	}
	for _, m := range res.Sequence {
		if m.Pattern == "bruteforce" {
			bits += randomBits(m.Token)
		} else {
			bits += math.Log2(max(m.Guesses, 1))
		}
	}
	return bits
}

// randomBits is the strength of s as random characters: its length times
// log2 of the characters of the kinds it uses.
func randomBits(s string) float64 {
	var lower, upper, digit, other bool
	n := 0
	for _, r := range s {
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

// PassphraseProblem says what is wrong with a new passphrase and its
// confirmation, or "" when they can be used.
func PassphraseProblem(pass, confirm string) string {
	switch {
	case len([]rune(pass)) < MinPassphraseLength:
		return T("passphrase.too_short", map[string]any{"Min": MinPassphraseLength})
	case pass != confirm:
		return T("passphrase.mismatch")
	}
	return ""
}

// languageNames are the languages as their speakers call them, in the
// order of Languages.
var languageNames = []string{"Italiano", "English"}

// languageChoice returns the language name of the interface and a function
// that switches to the language of a name when it is another one.
func (a *App) languageChoice(then func()) (string, func(string)) {
	cur := languageNames[0]
	if a.lang == "en" {
		cur = languageNames[1]
	}
	return cur, func(name string) {
		for i, n := range languageNames {
			if n == name && Languages[i] != a.lang {
				a.setLanguage(Languages[i])
				then()
			}
		}
	}
}

// StrengthText says how strong a new passphrase is, or that it is too short.
func StrengthText(p string) string {
	switch StrengthLevel(p) {
	case 0:
		return T("passphrase.too_short", map[string]any{"Min": MinPassphraseLength})
	case 1:
		return T("passphrase.weak")
	case 2:
		return T("passphrase.fair")
	}
	return T("passphrase.strong")
}

// showLanguage is the first screen on a new laptop: the language of the
// interface, Italian by default.
func (a *App) showLanguage() {
	cur, change := a.languageChoice(a.showLanguage)
	choice := widget.NewRadioGroup(languageNames, change)
	choice.Required = true
	choice.Selected = cur
	next := newButton(T("common.continue"), a.showFirstRun)
	next.Importance = widget.HighImportance
	intro := widget.NewLabel(T("language.intro"))
	intro.Wrapping = fyne.TextWrapWord
	a.setContent(T("language.title"), page(T("language.title"),
		narrow(container.NewVBox(intro, choice)), next))
	a.win.Canvas().Focus(next)
}

func (a *App) showFirstRun() {
	pass := widget.NewPasswordEntry()
	pass.SetPlaceHolder(T("passphrase.placeholder"))
	confirm := widget.NewPasswordEntry()
	confirm.SetPlaceHolder(T("passphrase.confirm_placeholder"))
	meter := NewStrengthMeter()
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	problem.Wrapping = fyne.TextWrapWord

	create := newButton(T("firstrun.create"), nil)
	create.Importance = widget.HighImportance
	create.OnTapped = func() {
		if msg := PassphraseProblem(pass.Text, confirm.Text); msg != "" {
			problem.SetText(msg)
			return
		}
		var store Store
		var recovery string
		secret := []byte(pass.Text)
		a.inBackground(create, problem, T("firstrun.working"), func() (err error) {
			store, recovery, err = a.opts.Vault.Create(secret)
			return err
		}, func(err error) {
			if err != nil {
				problem.Importance = widget.DangerImportance
				problem.SetText(a.errText(err))
				return
			}
			a.unlocked(store)
			a.showRecoveryKey(recovery)
		})
	}
	pass.OnChanged = meter.Set
	// Enter goes on: from the passphrase to its confirmation, then creates.
	pass.OnSubmitted = func(string) { a.win.Canvas().Focus(confirm) }
	confirm.OnSubmitted = func(string) { create.OnTapped() }

	intro := widget.NewLabel(T("firstrun.intro"))
	intro.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem(T("passphrase.label"), pass),
		widget.NewFormItem(T("passphrase.confirm_label"), confirm),
		widget.NewFormItem("", meter.Object),
	)
	back := newButton(T("common.back"), a.showLanguage)
	a.setContent(T("firstrun.title"), page(T("firstrun.title"),
		narrow(container.NewVBox(intro, form, problem)), back, create))
	a.focusSoon(pass)
}

// showRecoveryKey shows the recovery key once; the researcher must confirm
// that it is written down before going on.
func (a *App) showRecoveryKey(key string) {
	intro := widget.NewLabel(T("recovery.intro"))
	intro.Wrapping = fyne.TextWrapWord
	printer, _ := a.opts.Instruments.(KeyPrinter)
	var save func(name, ext string, done func(string))
	if a.opts.SaveFile != nil {
		save = func(name, _ string, done func(string)) { a.opts.SaveFile(name, done) }
	}
	shown, messages := RecoveryKeyView(a.win, key, a.lang, printer, save)
	next := newButton(T("common.continue"), func() { a.showEnrol(true) })
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
		narrow(container.NewVBox(intro, shown, written, messages)), next))
	a.win.Canvas().Focus(written)
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

	done := a.showHome
	if !firstRun {
		done = a.showSync
	}
	later := newButton(T("enrol.later"), done)
	enrol := newButton(T("enrol.enrol"), nil)
	enrol.Importance = widget.HighImportance
	enrol.OnTapped = func() {
		if a.syncer == nil {
			problem.SetText(T("sync.unavailable"))
			return
		}
		enrol.Disable()
		problem.SetText(T("enrol.working"))
		s, c, syncer := server.Text, code.Text, a.syncer
		loop.Go(func() func() {
			cx, cancel := ctx()
			defer cancel()
			err := syncer.Enrol(cx, s, c)
			return func() {
				enrol.Enable()
				if err != nil {
					problem.SetText(a.errText(err))
					return
				}
				a.startBackgroundSync()
				done()
			}
		})
	}
	code.OnSubmitted = func(string) { enrol.OnTapped() }
	form := widget.NewForm(
		widget.NewFormItem(T("enrol.server"), server),
		widget.NewFormItem(T("enrol.code"), code),
	)
	a.setContent(T("enrol.title"), page(T("enrol.title"),
		narrow(container.NewVBox(intro, form, problem)), later, enrol))
	a.focusSoon(server)
}
