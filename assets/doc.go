// Package assets embeds the files the programs ship with: instrument
// definitions, reference code lists (each with its provenance), translations
// and icons. It holds declarations only, so that every package can read the
// same copy.
package assets
