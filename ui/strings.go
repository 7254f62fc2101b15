package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
)

// T returns the user-interface string for key in the chosen language.
func T(key string, data ...any) string { return lang.L(key, data...) }

// LoadTranslations registers the interface strings. The chosen language's
// file is registered for its own locale and as the fallback, so that the
// user's choice wins whatever language the operating system reports.
func LoadTranslations(read func(name string) ([]byte, error), language string) error {
	if language != "en" {
		language = "it"
	}
	data, err := read(language + ".json")
	if err != nil {
		return err
	}
	if err := lang.AddTranslationsForLocale(data, fyne.Locale(language)); err != nil {
		return err
	}
	if language != "en" {
		return lang.AddTranslationsForLocale(data, fyne.Locale("en"))
	}
	return nil
}

func layoutSpacer() fyne.CanvasObject { return layout.NewSpacer() }
