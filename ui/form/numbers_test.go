package form

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"sinba/survey"
)

// TestItalianNumbersTyped: integers and decimals take the Italian
// thousands point and decimal comma; what reads two ways or groups badly is
// kept as typed, with a message beside the field once it is left, and
// nothing else changes.
func TestItalianNumbersTyped(t *testing.T) {
	rec := &survey.Record{Municipality: "063049"}
	f, w := open(t, rec)
	c := w.Canvas()
	typeInto := func(id, s string) *questionView {
		t.Helper()
		v := f.views[id]
		if v == nil {
			t.Fatalf("no question %s", id)
		}
		f.ShowPage(v.page)
		e := v.focus.(*FocusEntry)
		e.SetText("")
		c.Focus(e)
		test.Type(e, s)
		c.Unfocus() // the field left: its findings show
		return v
	}
	v := typeInto("MinoriResidenti", "180.000")
	if got := rec.Answers["MinoriResidenti"]; got != 180000 || v.issue.Visible() {
		t.Errorf("180.000: answer %v (%T), message %q; want 180000 and no message", got, got, v.issue.Text)
	}
	if ph := v.focus.(*FocusEntry).PlaceHolder; !strings.Contains(ph, "180.000") {
		t.Errorf("integer placeholder %q does not say the point is accepted", ph)
	}
	v = typeInto("MinoriResidenti", "1.23.4")
	if got := rec.Answers["MinoriResidenti"]; got != "1.23.4" || !v.issue.Visible() || !strings.Contains(v.issue.Text, "gruppi di tre cifre") {
		t.Errorf("1.23.4: answer %v, message %q (shown %v); want it kept as typed with the grouping explained", got, v.issue.Text, v.issue.Visible())
	}
	v = typeInto("PersonaleAssistentiSociali", "1.234,5")
	if got := rec.Answers["PersonaleAssistentiSociali"]; got != 1234.5 || v.issue.Visible() {
		t.Errorf("1.234,5: answer %v, message %q; want 1234.5", got, v.issue.Text)
	}
	v = typeInto("PersonaleAssistentiSociali", "2.5")
	if got := rec.Answers["PersonaleAssistentiSociali"]; got != 2.5 || v.issue.Visible() {
		t.Errorf("2.5: answer %v, message %q; want 2.5", got, v.issue.Text)
	}
	v = typeInto("PersonaleAssistentiSociali", "1.234")
	if got := rec.Answers["PersonaleAssistentiSociali"]; got != "1.234" || !strings.Contains(v.issue.Text, "si legge in due modi") {
		t.Errorf("1.234 in a decimal: answer %v, message %q; want it kept and the two readings named", got, v.issue.Text)
	}
	// Corrected, the message goes.
	v = typeInto("PersonaleAssistentiSociali", "1,234")
	if got := rec.Answers["PersonaleAssistentiSociali"]; got != 1.234 || v.issue.Visible() {
		t.Errorf("1,234: answer %v, message %q shown %v", got, v.issue.Text, v.issue.Visible())
	}
}

// TestYearPlaceholderHasNoThousands: a year (an integer of four digits at
// most) shows a placeholder without a thousands point, which would invite
// "2.014"; a count keeps the one that says the point is accepted.
func TestYearPlaceholderHasNoThousands(t *testing.T) {
	f, _ := openInstrument(t, survey.InstrumentCase, &survey.Record{Municipality: "063049"})
	v := f.views["AnnoNascita"]
	if v == nil {
		t.Fatal("no AnnoNascita in the case record")
	}
	ph := v.focus.(*FocusEntry).PlaceHolder
	if strings.Contains(ph, ".") || strings.Contains(ph, "180") || !strings.Contains(ph, "Anno") {
		t.Errorf("the year of birth's placeholder is %q; want a year's, without a thousands point", ph)
	}
	c, _ := open(t, &survey.Record{Municipality: "063049"})
	if ph := c.views["MinoriResidenti"].focus.(*FocusEntry).PlaceHolder; !strings.Contains(ph, "180.000") {
		t.Errorf("a count's placeholder is %q; want the one with the thousands point", ph)
	}
}
