// Package clocale makes the C locale with a character set ("C.UTF-8", the
// default of many Debian images and containers) read as the plain C locale
// before Fyne's lang package reads it at initialisation: Fyne would log
// three lines of "Error parsing user locale C" on standard error, in front
// of the output of every headless command. C.UTF-8 and C differ only in
// their character set, which Go does not use, so nothing else changes.
//
// cmd/sinba imports it first. It imports nothing but os on purpose: Go
// initialises a package as soon as its imports are, in import-path order, so
// a package that needs only os runs before fyne.io/fyne/v2/lang, which needs
// text/template and much else. TestHeadlessQuietUnderCUTF8 (cmd/sinba) runs
// the built binary under LANG=C.UTF-8 and fails if that stops being true.
package clocale

import "os"

func init() { Normalize(os.Getenv, os.Setenv) }

// Normalize rewrites the first locale variable that is set, in the order
// gettext and Fyne read them (LC_ALL, LC_MESSAGES, LANG), from "C.<charset>"
// or "POSIX.<charset>" to "C" or "POSIX".
func Normalize(getenv func(string) string, setenv func(string, string) error) {
	for _, name := range [...]string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(name)
		if v == "" {
			continue
		}
		for _, base := range [...]string{"C", "POSIX"} {
			if len(v) > len(base) && v[:len(base)] == base && (v[len(base)] == '.' || v[len(base)] == '@') {
				_ = setenv(name, base)
			}
		}
		return
	}
}
