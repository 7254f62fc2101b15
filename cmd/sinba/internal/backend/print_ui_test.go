package backend_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"sinba/ui"
	"sinba/ui/dialogs"
)

// savingHarness is the app over a new store whose save dialogs choose out;
// asked is the file name the app proposed.
func savingHarness(t *testing.T, out string) (h *harness, asked *string) {
	h = newHarness(t, t.TempDir())
	asked = new(string)
	h.ui = ui.New(h.win, ui.Options{
		Vault:        h.vault,
		Instruments:  instruments(t),
		Syncer:       func(ui.Store) ui.Syncer { return h.sync },
		Translations: readTranslation,
		SaveFile:     func(name string, done func(string)) { *asked = name; done(out) },
	})
	return h, asked
}

// TestPrintRecordFromTheForm saves a case record as PDF from its screen:
// the dialog asks about the identification, Enter keeps it out, and the PDF
// written names the child by the pseudonym only.
func TestPrintRecordFromTheForm(t *testing.T) {
	out := filepath.Join(t.TempDir(), "stampa.pdf")
	h, asked := savingHarness(t, out)
	h.firstRun(pass)
	h.sync.Enrol(context.Background(), "http://127.0.0.1:1", "X")
	h.ui.Shortcut(ui.ShortcutNewCase)
	h.waitTitle("Scheda minore")
	h.typeText("Rossi")
	h.win.Canvas().FocusNext()
	h.win.Canvas().FocusNext()
	h.win.Canvas().FocusNext()
	h.typeText("Maria")
	h.ui.Shortcut(ui.ShortcutNextPage)
	h.typeText("PSEUDOSTAMPA1")
	h.ui.Shortcut(ui.ShortcutSave)

	h.tap("Stampa / salva PDF")
	settle(t)
	if top := h.topText(); !strings.Contains(top, "solo lo pseudonimo") {
		t.Fatalf("print dialog says %q, want the warning about the identification", top)
	}
	h.press(fyne.KeyReturn)
	deadline := time.Now().Add(20 * time.Second)
	for {
		settle(t)
		if _, err := os.Stat(out); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no PDF written")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.HasSuffix(*asked, ".pdf") {
		t.Errorf("file name proposed %q, want a .pdf", *asked)
	}
	b, err := exec.Command("pdftotext", "-enc", "UTF-8", out, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(b)), " ")
	if !strings.Contains(text, "PSEUDOSTAMPA1") || !strings.Contains(text, "Identificazione del minore omessa") {
		t.Errorf("PDF text lacks the pseudonym or the notice:\n%.400s", text)
	}
	if strings.Contains(text, "Rossi") || strings.Contains(text, "Maria") {
		t.Error("the PDF names the child, though the identification was not asked for")
	}
}

// TestPrintBlankFormFromTheOverview: "Modulo in bianco" on the overview
// offers both instruments; Enter takes the focused one (the case record),
// and the PDF saved has its questions and answers to tick, in Italian, with
// no answer filled in.
func TestPrintBlankFormFromTheOverview(t *testing.T) {
	out := filepath.Join(t.TempDir(), "modulo.pdf")
	h, asked := savingHarness(t, out)
	h.firstRun(pass)
	h.tap("Modulo in bianco")
	settle(t)
	top := h.topText()
	find(t, h.win.Canvas().Overlays().Top(), func(b *dialogs.Button) bool { top += b.Text + "\n"; return false })
	for _, want := range []string{"Scheda minore (versione", "Scheda Comune (versione", "compilarlo su carta"} {
		if !strings.Contains(top, want) {
			t.Fatalf("blank-form dialog says %q, want %q", top, want)
		}
	}
	h.press(fyne.KeyReturn)
	deadline := time.Now().Add(20 * time.Second)
	for {
		settle(t)
		if strings.Contains(h.topText(), "PDF salvato") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no PDF saved")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.HasPrefix(*asked, "scheda-minore-v") || !strings.HasSuffix(*asked, "-in-bianco.pdf") {
		t.Errorf("file name proposed %q, want the case record's blank form", *asked)
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the PDF: %v, mode %v; want it readable by its owner only", err, fi.Mode().Perm())
	}
	b, err := exec.Command("pdftotext", "-enc", "UTF-8", out, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(b)), " ")
	for _, want := range []string{"Scheda minore", "Anno di nascita", "Interventi"} {
		if !strings.Contains(text, want) {
			t.Errorf("the blank form lacks %q:\n%.400s", want, text)
		}
	}
	h.press(fyne.KeyEscape)
}
