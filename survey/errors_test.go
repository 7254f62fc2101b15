package survey

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

func TestBilingualErrors(t *testing.T) {
	inner := NewError("archivio bloccato", "store locked")
	e := Errorf("apertura di %q: %w", "opening %q: %w", "dati", inner)
	if e.Message("it") != `apertura di "dati": archivio bloccato` || e.Message("en") != `opening "dati": store locked` {
		t.Errorf("halves: %q / %q", e.Message("it"), e.Message("en"))
	}
	if e.Error() != `apertura di "dati": archivio bloccato / opening "dati": store locked` {
		t.Errorf("Error() = %q", e.Error())
	}
	if !errors.Is(e, inner) {
		t.Error("%w does not wrap")
	}
	what := Text{IT: "squadra", EN: "team"}
	w := Errorf("%s %q: non esiste", "%s %q: does not exist", what, "Nord").Wrapping(fs.ErrNotExist)
	if w.Message("en") != `team "Nord": does not exist` || w.Message("it") != `squadra "Nord": non esiste` || !errors.Is(w, fs.ErrNotExist) {
		t.Errorf("a Text argument or Wrapping: %q %q %v", w.Message("it"), w.Message("en"), errors.Is(w, fs.ErrNotExist))
	}
	// Context added for logs around a bilingual error leaves the person's
	// message alone; a plain error is shown as it is.
	logged := fmt.Errorf("localdb: open: %w", inner)
	if ErrorText(logged, "en") != "store locked" || ErrorText(logged, "it") != "archivio bloccato" {
		t.Errorf("ErrorText through a wrap: %q", ErrorText(logged, "en"))
	}
	if ErrorText(errors.New("boom"), "it") != "boom" || ErrorText(nil, "it") != "" {
		t.Error("ErrorText of a plain error or nil")
	}
	if NewError("solo", "").Error() != "solo" {
		t.Error("a message with no English half")
	}
}
