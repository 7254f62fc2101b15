package ui

import (
	"bytes"
	"io"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/survey/printout"
	"sinba/ui/dialogs"
	"sinba/ui/loop"
	"sinba/ui/palette"
)

// StrengthLevel grades a new passphrase: 0 too short, 1 weak, 2 fair,
// 3 strong.
func StrengthLevel(p string) int {
	if len([]rune(p)) < MinPassphraseLength {
		return 0
	}
	switch bits := PassphraseStrength(p); {
	case bits < 50:
		return 1
	case bits < 70:
		return 2
	}
	return 3
}

// StrengthMeter is the bar and the words that say how strong a new
// passphrase is; the bar is red while too short or weak, orange when fair,
// green when strong (the theme's error, warning and success colours).
type StrengthMeter struct {
	Object fyne.CanvasObject
	Bar    *widget.ProgressBar
	Text   *widget.Label
	tint   *palette.Tint
}

// NewStrengthMeter returns the meter of an empty passphrase.
func NewStrengthMeter() *StrengthMeter {
	m := &StrengthMeter{Bar: widget.NewProgressBar(), Text: widget.NewLabel("")}
	m.Bar.TextFormatter = func() string { return "" }
	m.tint = palette.NewTint(m.Bar)
	m.Object = container.NewVBox(m.tint.Object, m.Text)
	m.Set("")
	return m
}

// strengthColours are the bar's colours by StrengthLevel.
var strengthColours = []fyne.ThemeColorName{theme.ColorNameError, theme.ColorNameError, theme.ColorNameWarning, theme.ColorNameSuccess}

// Set shows the strength of p.
func (m *StrengthMeter) Set(p string) {
	m.Text.SetText(StrengthText(p))
	m.tint.Set(strengthColours[StrengthLevel(p)])
	m.Bar.SetValue(min(PassphraseStrength(p)/80, 1))
}

// Colour is the theme colour the bar is drawn in.
func (m *StrengthMeter) Colour() fyne.ThemeColorName { return m.tint.Colour() }

// KeyPrinter makes the page of a recovery key; the Instruments of cmd/sinba
// implement it.
type KeyPrinter interface {
	PrintRecoveryKey(w io.Writer, key, language string) error
}

// clipboardKeep is how long a recovery key copied stays in the clipboard.
const clipboardKeep = 60 * time.Second

// RecoveryKeyView is a recovery key shown once: on two lines that fit the
// box, selectable, with a button that copies it (and clears the clipboard
// a minute later if it still holds the key) and, with a printer, one that
// saves the page to print as PDF. save asks where (nil: Fyne's dialog).
//
// A PDF, not a text file: either leaves the secret on the disk until it is
// deleted, but the PDF is made to be printed at once, carries on the page
// what to do with the paper and that the file is to be deleted, and is not
// what a text editor or a desktop search opens by habit.
//
// The buttons' messages ("copiata…", "Salvata in…") are apart, in
// messages: the caller puts them under the confirmation that the key is
// written down, so that a message never pushes that confirmation down
// where the person is about to click.
func RecoveryKeyView(win fyne.Window, key, language string, printer KeyPrinter, save func(name, ext string, done func(path string))) (view, messages fyne.CanvasObject) {
	shown := widget.NewLabelWithStyle(strings.Join(printout.KeyLines(key), "\n"), fyne.TextAlignCenter, fyne.TextStyle{Monospace: true})
	shown.Selectable = true
	shown.SizeName = theme.SizeNameSubHeadingText
	status := widget.NewLabel("")
	status.Wrapping = fyne.TextWrapWord
	say := func(s string, imp widget.Importance) {
		status.Importance = imp
		status.SetText(s)
	}
	copyKey := newButtonWithIcon(T("recovery.copy"), theme.ContentCopyIcon(), func() {
		cb := fyne.CurrentApp().Clipboard()
		cb.SetContent(key)
		say(T("recovery.copied", map[string]any{"Seconds": int(clipboardKeep.Seconds())}), widget.MediumImportance)
		// A chore, not work the screen waits for: not loop.After.
		time.AfterFunc(clipboardKeep, func() {
			loop.Do(func() {
				if cb.Content() == key {
					cb.SetContent("")
				}
			})
		})
	})
	buttons := container.NewHBox(copyKey)
	if printer != nil {
		if save == nil {
			save = func(name, ext string, done func(string)) {
				dialogs.SaveFile(win, dialogs.FileSpec{Title: T("files.recovery_key"), Name: name, Ext: ext}, done)
			}
		}
		buttons.Add(newButtonWithIcon(T("recovery.print"), theme.DocumentPrintIcon(), func() {
			save("chiave-di-recupero.pdf", ".pdf", func(path string) {
				loop.Go(func() func() {
					var buf bytes.Buffer
					err := printer.PrintRecoveryKey(&buf, key, language)
					if err == nil {
						err = os.WriteFile(path, buf.Bytes(), 0o600)
					}
					return func() {
						if err != nil {
							say(T("recovery.print_failed", map[string]any{"Error": err.Error()}), widget.DangerImportance)
							return
						}
						say(T("recovery.printed", map[string]any{"Path": path}), widget.WarningImportance)
					}
				})
			})
		}))
	}
	return container.NewVBox(widget.NewCard("", "", shown), container.NewCenter(buttons)), status
}
