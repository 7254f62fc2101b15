package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"sinba/survey"
)

// T returns the user-interface string for key in the chosen language.
func T(key string, data ...any) string { return lang.L(key, data...) }

// TN is T for a text that names count things: the translation's "one" or
// "other" form, so that no screen says "1 campi".
func TN(key string, count int, data map[string]any) string { return lang.N(key, count, data) }

// Languages are the languages of the interface, Italian first.
var Languages = []string{"it", "en"}

// LoadTranslations registers the interface strings of language ("it" or
// "en"; anything else means Italian). The chosen file is registered for both
// languages' locales, so the user's choice wins whatever language the
// operating system reports, and it can change while the app runs.
func LoadTranslations(read func(name string) ([]byte, error), language string) error {
	if language != "en" {
		language = "it"
	}
	data, err := read(language + ".json")
	if err != nil {
		return err
	}
	for _, l := range Languages {
		if err := lang.AddTranslationsForLocale(data, fyne.Locale(l)); err != nil {
			return err
		}
	}
	return nil
}

// errText is what a person is told about err: the half of a bilingual
// error (survey.Error, a server's refusal) in the interface's language.
func (a *App) errText(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrWrongPassphrase):
		return T("unlock.wrong")
	case errors.Is(err, ErrWrongRecoveryKey):
		return T("recovery.wrong")
	}
	return survey.ErrorText(err, a.lang)
}
