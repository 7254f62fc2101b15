package form

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"sinba/survey"
)

// TestBirthYearAndRegionProposedInForm: typing the codice fiscale proposes
// the year of birth, and the birth date, typed after, corrects it; the
// researcher's own year stays whatever is typed later. Choosing Italy as the
// country of residence proposes the region of the record's municipality.
func TestBirthYearAndRegionProposedInForm(t *testing.T) {
	rec := &survey.Record{Municipality: "063049"}
	f, w := openIn(t, survey.InstrumentCase, rec, true)
	c := w.Canvas()
	entry := func(id string) *FocusEntry { return f.views[id].focus.(*FocusEntry) }
	year := entry("AnnoNascita")

	f.ShowPage(f.views["identity.fiscal_code"].page)
	c.Focus(entry("identity.fiscal_code"))
	test.Type(c.Focused().(*FocusEntry), "BNCLRA10A41H501K")
	if got := rec.Answers["AnnoNascita"]; got != 2010 || year.Text != "2010" {
		t.Errorf("after the codice fiscale: year %v shown %q, want 2010", got, year.Text)
	}
	if got := rec.Answers["FasciaEtaBeneficiario"]; got != "6" {
		t.Errorf("age band %v, want 6 (15 years old at 30/06/2025)", got)
	}
	c.Focus(entry("identity.birth_date"))
	test.Type(c.Focused().(*FocusEntry), "03/02/2011")
	if got := rec.Answers["AnnoNascita"]; got != 2011 || year.Text != "2011" {
		t.Errorf("after the birth date: year %v shown %q, want 2011", got, year.Text)
	}
	// The researcher's year is theirs: later edits elsewhere keep it.
	// Emptied to type another year, the field does not take the proposal
	// back under the cursor.
	f.ShowPage(f.views["AnnoNascita"].page)
	c.Focus(year)
	year.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEnd})
	for range 4 {
		year.TypedKey(&fyne.KeyEvent{Name: fyne.KeyBackspace})
	}
	if got := rec.Answers["AnnoNascita"]; got != nil || year.Text != "" {
		t.Errorf("emptied: year %v shown %q, want it empty", got, year.Text)
	}
	test.Type(year, "2009")
	f.ShowPage(f.views["identity.surname"].page)
	c.Focus(entry("identity.surname"))
	test.Type(c.Focused().(*FocusEntry), "Bianchi")
	if got := rec.Answers["AnnoNascita"]; got != 2009 || year.Text != "2009" {
		t.Errorf("after typing 2009 and editing the surname: year %v shown %q, want 2009", got, year.Text)
	}

	// Italy as the country of residence, through its search.
	region := f.views["CodiceRegioneResidenza"]
	if !region.hidden {
		t.Error("region of residence shown before the country")
	}
	f.ShowPage(f.views["CodiceNazioneResidenza"].page)
	test.Tap(f.views["CodiceNazioneResidenza"].focus.(*focusButton))
	test.Type(c.Focused().(*FocusEntry), "Italia")
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if got := rec.Answers["CodiceNazioneResidenza"]; got != "380" {
		t.Fatalf("country %v, want 380", got)
	}
	if got, shown := rec.Answers["CodiceRegioneResidenza"], region.focus.(*focusButton).Text; got != "15" || shown != "15 · Campania" || region.hidden {
		t.Errorf("region %v shown %q (hidden %v), want 15 · Campania", got, shown, region.hidden)
	}
}

// TestRegionProposedAtOpen: a new municipality questionnaire shows the
// region of its municipality as soon as it opens; looked at read-only, a
// record shows only what it holds.
func TestRegionProposedAtOpen(t *testing.T) {
	rec := &survey.Record{Municipality: "063049", Answers: survey.Answers{"Comune": "063049"}}
	f, _ := open(t, rec)
	if got, shown := rec.Answers["Regione"], f.views["Regione"].focus.(*focusButton).Text; got != "15" || shown != "15 · Campania" {
		t.Errorf("region at open %v shown %q, want 15 · Campania", got, shown)
	}
	f.SetReadOnly(true)
	if got, shown := rec.Answers["Regione"], f.views["Regione"].focus.(*focusButton).Text; got != nil || shown == "15 · Campania" {
		t.Errorf("read-only: region %v shown %q, want none", got, shown)
	}
}
