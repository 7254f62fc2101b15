package coordinator_test

import (
	"strconv"
	"testing"

	"fyne.io/fyne/v2/widget"

	"sinba/assets"
	"sinba/survey"
)

// TestCriticalPointsByReason: the critical-points tab counts, for each field
// of the case record and in the municipality chosen, the "not held" marks by
// reason, as the records carry them.
func TestCriticalPointsByReason(t *testing.T) {
	ws, f, w := setup(t)
	ws.Tabs().SelectIndex(2)
	table, ok := find(w.Canvas().Content(), func(*widget.Table) bool { return true })
	if !ok {
		t.Fatal("no table of critical points")
	}
	pick, ok := find(w.Canvas().Content(), func(s *widget.Select) bool { return len(s.Options) > 0 && s.Options[0] == "Tutti i comuni" })
	if !ok {
		t.Fatal("no choice of municipality")
	}
	ref, err := survey.LoadReference(assets.Reference)
	if err != nil {
		t.Fatal(err)
	}
	cell, header := tableText(table)
	// The columns of the reasons, by their headings.
	col := map[survey.NotHeldReason]int{}
	rows, cols := table.Length()
	for c := 0; c < cols; c++ {
		for _, r := range survey.NotHeldReasons {
			if header(c) == r.Short().IT {
				col[r] = c
			}
		}
	}
	if len(col) != len(survey.NotHeldReasons) {
		t.Fatalf("reason columns %v, want one per reason", col)
	}
	rowOf := fieldRows(t, f.registry, cell, rows)

	for _, code := range []string{"063049", "065116"} {
		m, _ := ref.Municipality(code)
		pick.SetSelected(m.Name)
		// What the records say: marks on fields left unanswered.
		want := map[string]survey.ReasonCounts{}
		for _, e := range f.entries {
			rec := e.Record
			if rec.Instrument != survey.InstrumentCase || rec.Municipality != code {
				continue
			}
			for field, meta := range rec.Meta {
				if _, answered := rec.Answers[field]; meta.NotHeld && !answered {
					c := want[field]
					c.Add(meta.Reason)
					want[field] = c
				}
			}
		}
		if len(want) == 0 {
			t.Fatalf("%s: the data has no mark \"not held\": the check is empty", code)
		}
		reasons := map[survey.NotHeldReason]bool{}
		for field, counts := range want {
			r, ok := rowOf[field]
			if !ok {
				t.Errorf("no row for %s", field)
				continue
			}
			for _, reason := range survey.NotHeldReasons {
				if got := cell(r, col[reason]); got != strconv.Itoa(counts.Of(reason)) {
					t.Errorf("%s in %s, %q: %s, want %d", field, code, reason.Short().IT, got, counts.Of(reason))
				}
				if counts.Of(reason) > 0 {
					reasons[reason] = true
				}
			}
		}
		if len(reasons) < 2 {
			t.Errorf("%s: only the reasons %v occur; the check needs more", code, reasons)
		}
	}
}
