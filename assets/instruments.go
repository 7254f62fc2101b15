package assets

import "embed"

// Instruments holds the instrument definitions, instruments/<id>.v<version>.json,
// read by survey.LoadInstruments. They are the project's own definitions; the
// code lists of the case record come from INPS's SINBA.xsd (each code list
// names its source).
//
//go:embed instruments/*.json
var Instruments embed.FS

// Reference holds the reference lists, reference/*.csv, read by
// survey.LoadReference. Provenance: reference/PROVENANCE.md and the '#'
// lines at the top of each file.
//
//go:embed reference/*.csv reference/PROVENANCE.md
var Reference embed.FS

// Fonts holds the fonts embedded in PDF printouts, fonts/*.ttf, read by
// printout.LoadFonts. Provenance and licence: fonts/PROVENANCE.md and
// fonts/LICENSE.
//
//go:embed fonts/*.ttf fonts/LICENSE fonts/PROVENANCE.md
var Fonts embed.FS
