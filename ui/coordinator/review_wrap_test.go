package coordinator_test

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sinba/survey"
)

// TestReviewQueueAndRowsShowWholeValues: the queue shows the whole
// pseudonym, and an answer that wraps onto several lines is as tall as its
// lines, not clipped at the bottom of its row.
func TestReviewQueueAndRowsShowWholeValues(t *testing.T) {
	ws, f, w := setup(t)
	var e *survey.Record
	for i := range f.entries {
		if f.entries[i].Status == survey.StatusFinal && f.entries[i].Record.Instrument == survey.InstrumentCase {
			e = &f.entries[i].Record
			break
		}
	}
	e.Answers["IDBeneficiario"] = "DEMO7FINALV2X2012A"
	e.Answers["CondizioneLavoro"] = "1" // the longest label of its list
	ws.Reload()
	w.Resize(fyne.NewSize(900, 700))
	ws.Tabs().SelectIndex(1)
	// First in its row, where the queue's width cannot cut it.
	row, ok := label(w, func(s string) bool { return strings.HasPrefix(s, "● DEMO7FINALV2X2012A · ") })
	if !ok {
		t.Fatal("the queue does not show the whole pseudonym first")
	}
	if shown := test.WidgetRenderer(row).Objects(); len(shown) == 0 {
		t.Fatal("the queue's row draws nothing")
	}
	if rt, ok := find(fyne.CanvasObject(row), func(*widget.RichText) bool { return true }); ok {
		if txt := richTextShown(rt); !strings.HasPrefix(txt, "● DEMO7FINALV2X2012A") {
			t.Errorf("the queue's row shows %q: the pseudonym is cut", txt)
		}
	}
	if !ws.SelectForReview(e.ID) {
		t.Fatal("record not in the queue")
	}
	w.Resize(fyne.NewSize(901, 700)) // lays the panel out as the window does
	checked := 0
	walk(w.Canvas().Content(), func(l *widget.Label) {
		if l.Wrapping != fyne.TextWrapWord || !l.Visible() || l.Size().Width == 0 {
			return
		}
		rt, ok := find(fyne.CanvasObject(l), func(*widget.RichText) bool { return true })
		if !ok {
			return
		}
		need := test.WidgetRenderer(rt).MinSize().Height
		if strings.Contains(l.Text, "inattivo") {
			checked++
		}
		if l.Size().Height+0.5 < need {
			t.Errorf("%q is %.0f high, its lines need %.0f", l.Text, l.Size().Height, need)
		}
	})
	if checked == 0 {
		t.Error("the long answer is not shown")
	}
}

// richTextShown is the text a rich text draws, after truncation.
func richTextShown(rt *widget.RichText) string {
	var b strings.Builder
	for _, o := range test.WidgetRenderer(rt).Objects() {
		if t, ok := o.(*canvas.Text); ok {
			b.WriteString(t.Text)
		}
	}
	return b.String()
}
