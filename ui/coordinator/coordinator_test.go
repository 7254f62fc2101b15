package coordinator_test

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sinba/assets"
	"sinba/survey"
	"sinba/survey/quality"
	"sinba/survey/synth"
	"sinba/ui/coordinator"
)

var refDate = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)

// fake is an in-memory Backend: the records of a small synthetic pilot and
// what the screens asked of it.
type fake struct {
	entries  []quality.Entry
	reviews  []review
	exported []coordinator.ExportRequest
}

type review struct {
	id       string
	decision survey.Status
	comments []coordinator.Comment
}

func (f *fake) Profile(context.Context) (coordinator.Profile, error) {
	return coordinator.Profile{Project: "Pilota", Server: "https://sinba.example", HasProjectKey: true}, nil
}
func (f *fake) Sync(context.Context) (coordinator.SyncSummary, error) {
	return coordinator.SyncSummary{Revisions: 3}, nil
}
func (f *fake) Entries(context.Context) ([]quality.Entry, error) { return f.entries, nil }
func (f *fake) History(_ context.Context, id string) ([]coordinator.Version, error) {
	return []coordinator.Version{{Revision: "r1", Status: survey.StatusFinal, At: refDate}}, nil
}
func (f *fake) Review(_ context.Context, id string, d survey.Status, cs []coordinator.Comment) error {
	f.reviews = append(f.reviews, review{id, d, cs})
	for i := range f.entries {
		if f.entries[i].Record.ID == id {
			f.entries[i].Status = d
		}
	}
	return nil
}
func (f *fake) Export(_ context.Context, req coordinator.ExportRequest) (coordinator.ExportResult, error) {
	f.exported = append(f.exported, req)
	return coordinator.ExportResult{Records: 4, Files: 3, Dir: req.Dir}, nil
}

func setup(t *testing.T, mods ...func(*coordinator.Deps)) (*coordinator.Workspace, *fake, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	ref, err := survey.LoadReference(assets.Reference)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := survey.LoadInstruments(assets.Instruments, ref)
	if err != nil {
		t.Fatal(err)
	}
	d, err := synth.Generate(reg, ref, synth.Options{Seed: 5, Cases: 14, Municipalities: []string{"063049", "065116"}, RefDate: refDate})
	if err != nil {
		t.Fatal(err)
	}
	f := &fake{}
	for i, r := range d.Records {
		st := []survey.Status{survey.StatusFinal, survey.StatusApproved, survey.StatusApproved, survey.StatusReturned}[i%4]
		team := "Squadra Campania"
		if r.Municipality == "065116" {
			team = "Squadra Basilicata"
		}
		at := refDate.AddDate(0, 0, -7*(i%5))
		f.entries = append(f.entries, quality.Entry{Record: r, Status: st, Team: team, Created: at, Updated: at.Add(time.Hour)})
	}
	w := test.NewWindow(nil)
	w.Resize(fyne.NewSize(1100, 760))
	deps := coordinator.Deps{Backend: f, Registry: reg, Ref: ref, Language: "it", Now: func() time.Time { return refDate }}
	for _, m := range mods {
		m(&deps)
	}
	ws := coordinator.New(w, deps)
	ws.Start()
	t.Cleanup(w.Close)
	return ws, f, w
}

// find returns the first object under o that match says is the one.
func find[T fyne.CanvasObject](o fyne.CanvasObject, match func(T) bool) (T, bool) {
	if x, ok := o.(T); ok && match(x) {
		return x, true
	}
	var kids []fyne.CanvasObject
	switch c := o.(type) {
	case *fyne.Container:
		kids = c.Objects
	case fyne.Widget:
		kids = test.WidgetRenderer(c).Objects()
	}
	for _, k := range kids {
		if x, ok := find(k, match); ok {
			return x, true
		}
	}
	var zero T
	return zero, false
}

func button(t *testing.T, w fyne.Window, label string) *widget.Button {
	t.Helper()
	b, ok := find(w.Canvas().Content(), func(b *widget.Button) bool { return b.Text == label })
	if !ok {
		t.Fatalf("no button %q", label)
	}
	return b
}

// screenshot saves what the window shows for the README when
// SINBA_SCREENSHOTS names a folder.
func screenshot(t *testing.T, w fyne.Window, name string) {
	dir := os.Getenv("SINBA_SCREENSHOTS")
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, w.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
}

func TestProgressScreen(t *testing.T) {
	ws, _, w := setup(t)
	ws.Tabs().SelectIndex(0)
	test.AssertRendersToMarkup(t, "progress.xml", w.Canvas())
	screenshot(t, w, "coordinator-progress")
}

// TestReviewReturnsWithFieldComments returns a record with a comment on one
// field; returning without a comment is refused, approving needs none.
func TestReviewReturnsWithFieldComments(t *testing.T) {
	ws, f, w := setup(t)
	var id string
	for _, e := range f.entries {
		if e.Status == survey.StatusFinal && e.Record.Instrument == survey.InstrumentCase {
			id = e.Record.ID
			break
		}
	}
	if !ws.SelectForReview(id) {
		t.Fatal("record not in the queue")
	}
	test.AssertRendersToMarkup(t, "review.xml", w.Canvas())
	screenshot(t, w, "coordinator-review")
	test.Tap(button(t, w, "Restituisci con commenti"))
	if len(f.reviews) != 0 {
		t.Fatal("a record was returned without comments")
	}
	for _, o := range w.Canvas().Overlays().List() {
		if b, ok := find(o, func(b *widget.Button) bool { return b.Text == "OK" }); ok {
			test.Tap(b)
		}
	}
	sel, _ := find(w.Canvas().Content(), func(s *widget.Select) bool { return len(s.Options) > 10 })
	sel.SetSelected("FonteSegnalazione")
	entry, _ := find(w.Canvas().Content(), func(e *widget.Entry) bool { return e.MultiLine })
	test.Type(entry, "Manca la fonte")
	test.Tap(button(t, w, "Aggiungi commento"))
	test.Tap(button(t, w, "Restituisci con commenti"))
	if len(f.reviews) != 1 || f.reviews[0].decision != survey.StatusReturned || len(f.reviews[0].comments) != 1 ||
		f.reviews[0].comments[0].Field != "FonteSegnalazione" || f.reviews[0].comments[0].Text != "Manca la fonte" {
		t.Fatalf("reviews: %+v", f.reviews)
	}
	// The record left the queue; approve the next one.
	var next string
	for _, e := range f.entries {
		if e.Status == survey.StatusFinal {
			next = e.Record.ID
			break
		}
	}
	if !ws.SelectForReview(next) || ws.SelectForReview(id) {
		t.Fatal("queue not updated after the decision")
	}
	test.Tap(button(t, w, "Approva"))
	if len(f.reviews) != 2 || f.reviews[1].decision != survey.StatusApproved || f.reviews[1].id != next {
		t.Fatalf("reviews: %+v", f.reviews)
	}
}

// TestCriticalPointsAndReport shows the critical points and writes the
// printable report where the coordinator chose.
func TestCriticalPointsAndReport(t *testing.T) {
	report := filepath.Join(t.TempDir(), "criticita.html")
	ws, _, w := setup(t, func(d *coordinator.Deps) {
		// Fyne's file chooser stands aside: the test is the person choosing.
		d.SaveFile = func(name string, write func(string) error) {
			if name != "criticita.html" {
				t.Errorf("proposed name %q", name)
			}
			if err := write(report); err != nil {
				t.Error(err)
			}
		}
	})
	ws.Tabs().SelectIndex(2)
	test.AssertRendersToMarkup(t, "quality.xml", w.Canvas())
	screenshot(t, w, "coordinator-critical-points")
	test.Tap(button(t, w, "Apri rapporto (HTML)…"))
	html, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "<html") || !strings.Contains(string(html), "FonteSegnalazione") {
		t.Errorf("report is not the critical-points page: %.200s", html)
	}
}

func TestResultsAreProtected(t *testing.T) {
	ws, _, w := setup(t)
	ws.Tabs().SelectIndex(3)
	entry, ok := find(w.Canvas().Content(), func(e *widget.Entry) bool { return !e.MultiLine && e.Text == "3" })
	if !ok {
		t.Fatal("no threshold entry with the default threshold")
	}
	table, _ := find(w.Canvas().Content(), func(*widget.Table) bool { return true })
	hidden := func() int {
		n := 0
		for _, o := range test.WidgetRenderer(table).Objects() {
			walk(o, func(l *widget.Label) {
				if l.Text == "·" {
					n++
				}
			})
		}
		return n
	}
	atThree := hidden()
	entry.SetText("30") // nearly everything is hidden
	if got := hidden(); got <= atThree {
		t.Errorf("hidden cells at threshold 30: %d, at 3: %d; want more", got, atThree)
	}
	screenshot(t, w, "coordinator-results")
}

func walk(o fyne.CanvasObject, fn func(*widget.Label)) {
	if l, ok := o.(*widget.Label); ok {
		fn(l)
	}
	switch c := o.(type) {
	case *fyne.Container:
		for _, k := range c.Objects {
			walk(k, fn)
		}
	case fyne.Widget:
		for _, k := range test.WidgetRenderer(c).Objects() {
			walk(k, fn)
		}
	}
}

// TestExportGoesWhereChosen exports approved records only, in the chosen
// format, to the folder the coordinator picked.
func TestExportGoesWhereChosen(t *testing.T) {
	dir := t.TempDir()
	ws, f, w := setup(t, func(d *coordinator.Deps) { d.ChooseFolder = func(pick func(string)) { pick(dir) } })
	ws.Tabs().SelectIndex(4)
	test.AssertRendersToMarkup(t, "exports.xml", w.Canvas())
	screenshot(t, w, "coordinator-exports")
	radio, _ := find(w.Canvas().Content(), func(*widget.RadioGroup) bool { return true })
	radio.SetSelected(radio.Options[4])
	op, _ := find(w.Canvas().Content(), func(e *widget.Entry) bool { return e.PlaceHolder == "80078750587" })
	test.Type(op, "80078750587")
	test.Tap(button(t, w, "Scegli la cartella ed esporta…"))
	if len(f.exported) != 1 {
		t.Fatalf("exports: %+v", f.exported)
	}
	got := f.exported[0]
	if got.Format != "sinba" || got.Dir != dir || got.CFOperatore != "80078750587" || len(got.Statuses) != 1 || got.Statuses[0] != survey.StatusApproved {
		t.Errorf("export request: %+v", got)
	}
	if _, ok := find(w.Canvas().Content(), func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "Esportate 4 schede") }); !ok {
		t.Error("the result of the export is not shown")
	}
}
