package backend_test

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"sinba/ui"
	"sinba/ui/dialogs"
)

// topText is the text of the dialog on top, "" when none is open.
func (h *harness) topText() string {
	top := h.win.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	var b strings.Builder
	find(h.t, top, func(l *widget.Label) bool { b.WriteString(l.Text + "\n"); return false })
	return b.String()
}

// press types key where the keyboard sends it: to the focused widget, or to
// the window when nothing holds the focus.
func (h *harness) press(key fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: key}
	if f := h.win.Canvas().Focused(); f != nil {
		f.TypedKey(ev)
	} else if k := h.win.Canvas().OnTypedKey(); k != nil {
		k(ev)
	}
}

// The recovery-key check: the dialog opens with the focus in its field,
// Escape closes it without checking; Enter in the field checks, and the
// error that follows is in Italian and closes with Enter, giving the focus
// back to the settings.
func TestRecoveryCheckDialogFromTheKeyboard(t *testing.T) {
	h := newFixtureHarness(t)
	h.unlock()
	h.tap("Impostazioni")
	h.tap("Verifica la chiave di recupero")
	if _, ok := h.win.Canvas().Focused().(*dialogs.Entry); !ok || !strings.Contains(h.topText(), "Verifica la chiave di recupero") {
		t.Fatalf("focus on %T, dialog %q; want the recovery key's field", h.win.Canvas().Focused(), h.topText())
	}
	h.press(fyne.KeyEscape)
	if h.topText() != "" {
		t.Fatalf("Escape left %q open", h.topText())
	}
	h.tap("Verifica la chiave di recupero")
	h.typeText("AAAA-BBBB-CCCC-DDDD")
	h.press(fyne.KeyReturn)
	msg := h.topText()
	if !strings.Contains(msg, "Errore") || strings.Contains(msg, "La chiave di recupero apre questo archivio") {
		t.Fatalf("a wrong key checked with Enter showed %q; want an error, in Italian", msg)
	}
	if find(t, h.win.Canvas().Overlays().Top(), func(b *dialogs.Button) bool { return b.Text == "OK" }) == nil {
		t.Fatal("the error has no OK button")
	}
	h.press(fyne.KeyReturn)
	if h.topText() != "" {
		t.Fatalf("Enter left %q open", h.topText())
	}
	if !strings.Contains(h.win.Title(), "Impostazioni") {
		t.Fatalf("after the dialogs: screen %q", h.win.Title())
	}
}

// A message at finalising (here: the project secret has not arrived) closes
// with Escape or Enter, and the record stays a draft.
func TestFinaliseMessageClosesFromTheKeyboard(t *testing.T) {
	h := openDraftWithoutSecret(t)
	for _, key := range []fyne.KeyName{fyne.KeyEscape, fyne.KeyReturn} {
		h.ui.Shortcut(ui.ShortcutFinalise)
		if !strings.Contains(h.topText(), "segreto del progetto") {
			t.Fatalf("finalising showed %q", h.topText())
		}
		h.press(key)
		if h.topText() != "" {
			t.Fatalf("%s left %q open", key, h.topText())
		}
	}
	if b := h.button("Finalizza"); !b.Visible() {
		t.Error("the record was finalised")
	}
}

// The choice of the municipality for a new record: the focus on the first
// municipality, Escape leaves the screen as it was, Enter takes the focused
// municipality and opens the new record.
func TestMunicipalityChoiceFromTheKeyboard(t *testing.T) {
	h := newFixtureHarness(t)
	h.sync.assigned = []string{"063049", "065116"}
	h.unlock()
	title := h.win.Title()
	h.ui.Shortcut(ui.ShortcutNewCase)
	if !strings.Contains(h.topText(), "Comune della scheda") {
		t.Fatalf("new record: dialog %q, want the choice of the municipality", h.topText())
	}
	h.press(fyne.KeyEscape)
	if h.topText() != "" || h.win.Title() != title {
		t.Fatalf("Escape: dialog %q, screen %q; want none, %q", h.topText(), h.win.Title(), title)
	}
	h.ui.Shortcut(ui.ShortcutNewCase)
	b, ok := h.win.Canvas().Focused().(*dialogs.Button)
	if !ok {
		t.Fatalf("focus on %T, want the first municipality", h.win.Canvas().Focused())
	}
	h.press(fyne.KeyReturn)
	if h.topText() != "" || h.win.Title() == title {
		t.Fatalf("Enter on %q: dialog %q, screen %q; want the new record", b.Text, h.topText(), h.win.Title())
	}
}

// The screen shortcuts do nothing while a dialog is open: Ctrl+2, Ctrl+1,
// Ctrl+N, Ctrl+R behind a question would change the screen under it and
// leave the question acting on a form no longer shown. Once the dialog is
// closed they work again.
func TestScreenShortcutsAreInertBehindADialog(t *testing.T) {
	h := openDraftWithoutSecret(t)
	title := h.win.Title()
	h.ui.Shortcut(ui.ShortcutFinalise)
	msg := h.topText()
	if msg == "" {
		t.Fatal("finalising showed no dialog")
	}
	for _, sc := range []fyne.Shortcut{ui.ShortcutCases, ui.ShortcutHome, ui.ShortcutNewCase, ui.ShortcutSearch, ui.ShortcutSync, ui.ShortcutFinalise} {
		h.ui.Shortcut(sc)
		settle(t)
		if h.win.Title() != title || h.topText() != msg || len(h.win.Canvas().Overlays().List()) != 1 {
			t.Fatalf("%s behind the dialog: screen %q, dialogs %d on top %q; want %q under %q alone",
				sc.ShortcutName(), h.win.Title(), len(h.win.Canvas().Overlays().List()), h.topText(), title, msg)
		}
	}
	h.press(fyne.KeyEscape)
	h.ui.Shortcut(ui.ShortcutCases)
	h.waitTitle("Schede")
}

// A codice fiscale one character short at finalising is an error on its
// field, among the record's other errors: no dialog, no internal
// "pseudonym:" message.
func TestFinaliseWithAShortFiscalCodeIsAFieldError(t *testing.T) {
	h := openDraftWithFiscalCode(t, "VRDMRT12A41F839")
	h.ui.Shortcut(ui.ShortcutFinalise)
	settle(t)
	if msg := h.topText(); msg != "" {
		t.Fatalf("finalising showed the dialog %q; want the error on the field", msg)
	}
	var texts []string
	find(t, h.win.Content(), func(o fyne.CanvasObject) bool {
		switch v := o.(type) {
		case *widget.Label:
			texts = append(texts, v.Text)
		case *widget.Button:
			texts = append(texts, v.Text)
		case *widget.Hyperlink:
			texts = append(texts, v.Text)
		}
		return false
	})
	all := strings.Join(texts, "\n")
	if !strings.Contains(all, "Non valido: lunghezza 15: servono 16 caratteri") || strings.Contains(all, "pseudonym") ||
		strings.Contains(all, "characters are needed") {
		t.Fatalf("after finalising with 15 characters the screen says:\n%s", all)
	}
	if b := h.button("Finalizza"); !b.Visible() {
		t.Error("the record was finalised")
	}
}
