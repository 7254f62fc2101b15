package backend_test

import (
	"context"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/ui"
)

// barColour is the colour the strength meter's bar is drawn in.
func (h *harness) barColour() color.Color {
	h.t.Helper()
	settle(h.t)
	bar := find(h.t, h.win.Content(), func(*widget.ProgressBar) bool { return true })
	if bar == nil {
		h.t.Fatal("no strength meter on the screen")
	}
	// The bar is drawn after its background, which a full bar hides.
	rects := findAll[*canvas.Rectangle](h.t, bar)
	if len(rects) == 0 || bar.Value == 0 {
		h.t.Fatalf("the meter (value %.2f) draws no bar", bar.Value)
	}
	return rects[len(rects)-1].FillColor
}

// TestFirstRunStrengthAndRecoveryKey types passphrases of growing strength
// (the meter turns from red to orange to green), then on the recovery key
// screen finds the key on two lines that fit their box, copies it and saves
// its page as PDF.
func TestFirstRunStrengthAndRecoveryKey(t *testing.T) {
	h := newHarness(t, t.TempDir())
	out := filepath.Join(t.TempDir(), "chiave.pdf")
	h.ui = ui.New(h.win, ui.Options{
		Vault:        h.vault,
		Instruments:  instruments(t),
		Syncer:       func(ui.Store) ui.Syncer { return h.sync },
		Translations: readTranslation,
		SaveFile:     func(name string, done func(string)) { done(out) },
	})
	h.ui.Start()
	h.tap("Continua")
	h.waitTitle("Benvenuto")
	th := fyne.CurrentApp().Settings().Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	entry := h.focusedEntry()
	for _, c := range []struct {
		pass   string
		colour fyne.ThemeColorName
	}{
		{"corta", theme.ColorNameError},
		{"abcdefghij", theme.ColorNameError},                     // weak: a sequence
		{"cane gatto topo", theme.ColorNameWarning},              // fair: common words
		{"quattro parole lunghe sicure", theme.ColorNameSuccess}, // strong
	} {
		entry.SetText(c.pass)
		if got, want := h.barColour(), th.Color(c.colour, v); got != want {
			t.Errorf("passphrase %q: bar %v, want %s %v", c.pass, got, c.colour, want)
		}
	}
	h.win.Canvas().FocusNext()
	h.typeText("quattro parole lunghe sicure")
	h.tap("Crea l'archivio cifrato")
	h.waitTitle("Chiave di recupero")

	// The key, on lines of seven groups, each within its card.
	var key *widget.Label
	key = find(t, h.win.Content(), func(l *widget.Label) bool { return strings.Count(l.Text, "-") >= 10 })
	if key == nil {
		t.Fatal("no recovery key on the screen")
	}
	lines := strings.Split(key.Text, "\n")
	if len(lines) != 2 || strings.Count(lines[0], "-") != 6 {
		t.Errorf("the key shows as %q, want two lines of seven and six groups", lines)
	}
	card := find(t, h.win.Content(), func(c *widget.Card) bool { return find(t, c, func(l *widget.Label) bool { return l == key }) != nil })
	if card == nil {
		t.Fatal("the key is not in its box")
	}
	if key.MinSize().Width > card.Size().Width {
		t.Errorf("the key needs %.0f points, its box is %.0f wide: it overflows", key.MinSize().Width, card.Size().Width)
	}
	whole := strings.ReplaceAll(key.Text, "\n", "-")
	// The messages below do not move the confirmation the person clicks next.
	check := find(t, h.win.Content(), func(c *widget.Check) bool { return true })
	if check == nil {
		t.Fatal("no confirmation that the key is written down")
	}
	d := fyne.CurrentApp().Driver()
	h.win.Content().Refresh() // laid out with the wrapped texts' heights
	at := d.AbsolutePositionForObject(check)
	stays := func(after string) {
		t.Helper()
		h.win.Content().Refresh() // laid out again, as the driver does when a size changes
		if now := d.AbsolutePositionForObject(check); now != at {
			t.Errorf("after %s the confirmation moved from %v to %v", after, at, now)
		}
	}

	h.tap("Copia")
	if got := fyne.CurrentApp().Clipboard().Content(); got != whole {
		t.Errorf("copied %q, want the key %q", got, whole)
	}
	if find(t, h.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, "verrà tolta dagli appunti") }) == nil {
		t.Error("copying does not say the clipboard will be cleared")
	}
	stays("the copy's message")

	h.tap("Stampa / salva PDF")
	waitFor(t, func() bool { _, err := os.Stat(out); return err == nil })
	info, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("the key's PDF has mode %v, want 0600", info.Mode().Perm())
	}
	b, err := exec.Command("pdftotext", "-enc", "UTF-8", out, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	if text := string(b); !strings.Contains(text, lines[0]) || !strings.Contains(text, lines[1]) {
		t.Errorf("the PDF lacks the key:\n%s", text)
	}
	waitFor(t, func() bool {
		return find(t, h.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, "cancella il file") }) != nil
	})
	stays("the saved PDF's message")

	// Continue as before: the key is marked as written.
	test.Tap(check)
	h.tap("Continua")
	h.waitTitle("Collega al server")
}

// TestEnrolOfferedOnlyBeforeEnrolment: settings and the sync screen offer
// "Collega al server" to a laptop not enrolled, and no longer once it is.
func TestEnrolOfferedOnlyBeforeEnrolment(t *testing.T) {
	h := newHarness(t, t.TempDir())
	h.firstRun(pass)
	offered := func() bool {
		settle(t)
		return find(t, h.win.Content(), func(b *widget.Button) bool { return b.Text == "Collega al server" }) != nil
	}
	screens := []func(){func() { h.tap("Impostazioni") }, func() { h.tap("Sincronizzazione") }}
	for _, open := range screens {
		open()
		if !offered() {
			t.Errorf("%s before enrolment: no \"Collega al server\"", h.win.Title())
		}
	}
	h.sync.Enrol(context.Background(), "http://127.0.0.1:1", "X")
	for _, open := range screens {
		open()
		if offered() {
			t.Errorf("%s after enrolment still offers \"Collega al server\"", h.win.Title())
		}
	}
}
