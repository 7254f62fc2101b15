package form

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"sinba/survey"
)

// TestCheckboxesByKeyboard: in a multi-choice question, short (a column) or
// long (a grid), Space ticks the focused box and Enter goes on to the next
// question, as in the other fields, wherever the box stands in the list.
func TestCheckboxesByKeyboard(t *testing.T) {
	openInstrument(t, survey.InstrumentMunicipality, &survey.Record{}) // the app and its words
	opts := func(n int) []Option {
		var out []Option
		for i := 1; i <= n; i++ {
			out = append(out, Option{Code: fmt.Sprint(i), Label: fmt.Sprintf("Voce %d", i)})
		}
		return out
	}
	spec := &Spec{Pages: []Page{{ID: "p", Title: "P", Questions: []Question{
		{ID: "Poche", Label: "Poche", Kind: Multi, Options: opts(3)},
		{ID: "Molte", Label: "Molte", Kind: Multi, Options: opts(12)},
		{ID: "Dopo", Label: "Dopo", Kind: Text},
	}}}}
	rec := &survey.Record{}
	f := New(spec, rec, nil)
	w := test.NewTempWindow(t, f.Object())
	c := w.Canvas()
	for _, q := range []struct{ id, next string }{{"Poche", "Molte"}, {"Molte", "Dopo"}} {
		c.Focus(f.views[q.id].focus)
		c.FocusNext() // the second box
		c.Focused().TypedRune(' ')
		if got := fmt.Sprint(rec.Answers[q.id]); got != "[2]" {
			t.Errorf("%s: Space on the second box: answer %s, want [2]", q.id, got)
		}
		c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		if c.Focused() != f.views[q.next].focus {
			t.Errorf("%s: Enter on the second box: focused %T, want the first of %s", q.id, c.Focused(), q.next)
		}
	}
}
