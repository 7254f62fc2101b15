package backend_test

import (
	"strings"
	"testing"
)

// TestFiscalCodeErrorInTheScreensLanguage: a codice fiscale with a wrong
// check character shows one message under its field, in Italian only, with a
// capital letter (the list of findings puts the field's label before it):
// the reason is a bilingual value, not two languages joined with " / ".
func TestFiscalCodeErrorInTheScreensLanguage(t *testing.T) {
	h := openDraftWithFiscalCode(t, "VRDMRT12A41F839X") // the check character is Y
	got := h.issueShown("carattere di controllo")
	want := `Non valido: carattere di controllo "X" errato: atteso "Y"`
	if got != want {
		t.Errorf("under the codice fiscale: %q, want %q", got, want)
	}
	if strings.Contains(got, " / ") || strings.Contains(got, "expected") {
		t.Errorf("the message mixes the languages: %q", got)
	}
}
