package form

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"

	"sinba/assets"
	"sinba/survey"
)

var refDate = time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)

// open renders the newest Scheda Comune for rec in a test window, in
// Italian, with the app's own translations.
func open(t *testing.T, rec *survey.Record) (*Form, fyne.Window) {
	t.Helper()
	return openInstrument(t, survey.InstrumentMunicipality, rec)
}

// openInstrument renders the newest version of instrument for rec, as open.
func openInstrument(t *testing.T, instrument string, rec *survey.Record) (*Form, fyne.Window) {
	t.Helper()
	return openIn(t, instrument, rec, false)
}

// openIn renders the newest version of instrument for rec; inWindow gives
// the form its window, so that its searches open as dialogs.
func openIn(t *testing.T, instrument string, rec *survey.Record, inWindow bool) (*Form, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	data, err := assets.Translations.ReadFile("translations/it.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"it", "en", "en-US", "it-IT"} {
		if err := lang.AddTranslationsForLocale(data, fyne.Locale(l)); err != nil {
			t.Fatal(err)
		}
	}
	ref, err := survey.LoadReference(assets.Reference)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := survey.LoadInstruments(assets.Instruments, ref)
	if err != nil {
		t.Fatal(err)
	}
	in, _ := reg.Latest(instrument)
	rec.Instrument, rec.Version = in.ID, in.Version
	w := test.NewTempWindow(t, nil)
	var win fyne.Window
	if inWindow {
		win = w
	}
	f := New(FromSurvey(in, "it", func() time.Time { return refDate }), rec, win)
	w.SetContent(f.Object())
	w.Resize(fyne.NewSize(1100, 760))
	return f, w
}

func key(w fyne.Window, k fyne.KeyName) { w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: k}) }

// TestNotHeldReasonFromKeyboard: Tab to "the office does not hold this
// datum", Space checks it, Tab reaches the reason, Right and Left choose
// one; Space again unchecks and takes the reason back. Unchecked, the reason
// takes no stop of Tab, so the keyboard paths through a form stay as they
// were.
func TestNotHeldReasonFromKeyboard(t *testing.T) {
	rec := &survey.Record{Municipality: "063049"}
	f, w := open(t, rec)
	v := f.views["Comune"]
	c := w.Canvas()
	c.Focus(v.focus) // the first question, the municipality
	c.FocusNext()
	if c.Focused() != v.notHeld {
		t.Fatalf("after the question, focused %T, want its not-held box", c.Focused())
	}
	c.FocusNext()
	if c.Focused() != v.note {
		t.Fatalf("after the unchecked box, focused %T, want the note", c.Focused())
	}
	c.FocusPrevious()
	c.Focused().TypedRune(' ')
	if m := rec.Meta["Comune"]; !m.NotHeld || m.Reason != survey.ReasonNotGiven || !v.reason.Visible() {
		t.Fatalf("after Space: meta %+v, reason shown %v; want not held, no reason yet, the choice shown", m, v.reason.Visible())
	}
	c.FocusNext()
	if c.Focused() != v.reason {
		t.Fatalf("after the checked box, focused %T, want the choice of reason", c.Focused())
	}
	key(w, fyne.KeyRight)
	if got := rec.Meta["Comune"].Reason; got != survey.ReasonNotCollected || v.reason.Selected != "1 · L'ufficio non lo raccoglie" {
		t.Errorf("Right: reason %q shown %q, want %q", got, v.reason.Selected, survey.ReasonNotCollected)
	}
	key(w, fyne.KeyRight)
	key(w, fyne.KeyRight)
	if got := rec.Meta["Comune"].Reason; got != survey.ReasonOtherBody {
		t.Errorf("Right three times: reason %q, want %q", got, survey.ReasonOtherBody)
	}
	key(w, fyne.KeyLeft)
	if got := rec.Meta["Comune"].Reason; got != survey.ReasonPaperOnly || v.reason.Selected != "2 · Registrato solo su carta" {
		t.Errorf("Left: reason %q shown %q, want %q", got, v.reason.Selected, survey.ReasonPaperOnly)
	}
	// Left from the first reason wraps to the last option: no reason.
	key(w, fyne.KeyLeft)
	key(w, fyne.KeyLeft)
	if got := rec.Meta["Comune"]; got.Reason != survey.ReasonNotGiven || !got.NotHeld || v.reason.Selected != "6 · Motivo non indicato" {
		t.Errorf("back to no reason: meta %+v shown %q", got, v.reason.Selected)
	}
	key(w, fyne.KeyLeft)
	c.FocusNext()
	for _, r := range "in archivio" {
		c.Focused().TypedRune(r)
	}
	if m := rec.Meta["Comune"]; m.Note != "in archivio" || m.Reason != survey.ReasonOther {
		t.Errorf("note: meta %+v, want the note and the reason \"other\"", m)
	}
	// The form's own check sees the mark: no "required" finding on it.
	for _, is := range f.Spec.Check(rec, true).Issues {
		if is.Path == "Comune" {
			t.Errorf("finding on a datum marked not held: %+v", is)
		}
	}
	c.FocusPrevious()
	c.FocusPrevious()
	c.Focused().TypedRune(' ')
	if m := rec.Meta["Comune"]; m.NotHeld || m.Reason != survey.ReasonNotGiven || m.Note != "in archivio" || v.reason.Visible() {
		t.Errorf("unchecked: meta %+v, reason shown %v; want the note only", m, v.reason.Visible())
	}
	c.FocusNext()
	if c.Focused() != v.note {
		t.Errorf("after unchecking, focused %T, want the note", c.Focused())
	}
}

// TestNotHeldReasonShown: a record marked with a reason opens with it
// chosen; one marked before reasons existed opens with none; a read-only
// form does not let either change.
func TestNotHeldReasonShown(t *testing.T) {
	rec := &survey.Record{Municipality: "063049", Meta: map[string]survey.FieldMeta{
		"Comune":          {NotHeld: true, Reason: survey.ReasonOtherBody},
		"DataRilevazione": {NotHeld: true},
	}}
	f, _ := open(t, rec)
	for id, want := range map[string]string{"Comune": "3 · Lo detiene un altro ente", "DataRilevazione": "", "AmbitoTerritoriale": ""} {
		v := f.views[id]
		if v.reason.Selected != want || v.reason.Visible() != rec.Meta[id].NotHeld {
			t.Errorf("%s: reason %q shown %v, want %q shown %v", id, v.reason.Selected, v.reason.Visible(), want, rec.Meta[id].NotHeld)
		}
	}
	f.SetReadOnly(true)
	if !f.views["Comune"].reason.Disabled() {
		t.Error("the reason can be changed in a read-only form")
	}
}

func TestNotHeldText(t *testing.T) {
	f, _ := open(t, &survey.Record{})
	for _, c := range []struct {
		m    survey.FieldMeta
		want string
	}{
		{survey.FieldMeta{}, ""},
		{survey.FieldMeta{Reason: survey.ReasonOther}, ""}, // a reason without its mark is no mark
		{survey.FieldMeta{NotHeld: true}, "Non ha il dato"},
		{survey.FieldMeta{NotHeld: true, Reason: survey.ReasonNotApplicable}, "Non ha il dato · Non pertinente per l'ufficio"},
		{survey.FieldMeta{NotHeld: true, Reason: "futuro"}, "Non ha il dato · futuro"},
	} {
		if got := f.Spec.NotHeldText(c.m, "Non ha il dato"); got != c.want {
			t.Errorf("NotHeldText(%+v) = %q, want %q", c.m, got, c.want)
		}
	}
}

// TestPluralForms: a text that counts things has its "one" form.
func TestPluralForms(t *testing.T) {
	open(t, &survey.Record{})
	one := lang.N("conflict.intro", 1, map[string]any{"Count": 1})
	two := lang.N("conflict.intro", 2, map[string]any{"Count": 2})
	if !strings.Contains(one, "differiscono in un campo:") || !strings.Contains(two, "differiscono in 2 campi:") {
		t.Errorf("conflict.intro: %q / %q", one, two)
	}
}
