package assets

import "embed"

// Translations holds the user interface strings, one go-i18n JSON file per
// language (it.json, en.json), loaded through Fyne's lang package.
//
//go:embed translations/*.json
var Translations embed.FS
