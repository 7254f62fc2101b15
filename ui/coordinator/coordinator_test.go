package coordinator_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sinba/assets"
	"sinba/survey"
	"sinba/survey/export"
	"sinba/survey/instdiff"
	"sinba/survey/quality"
	"sinba/survey/synth"
	"sinba/ui/coordinator"
	"sinba/ui/dialogs"
)

var refDate = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	// The screens show times in local time; the snapshots are in UTC.
	time.Local = time.UTC
	os.Exit(m.Run())
}

// fake is an in-memory Backend: the records of a small synthetic pilot and
// what the screens asked of it.
type fake struct {
	entries  []quality.Entry
	reviews  []review
	exported []coordinator.ExportRequest
	planned  []coordinator.ExportRequest

	teams      []coordinator.Team
	codes      []string // researcher ids asked a code for
	published  [][]byte
	keyExports int
	histories  map[string][]coordinator.Version // by record id; else one version, the record itself
	registry   *survey.Registry
	noKey      bool     // the profile lacks the project key
	imported   []string // key files imported
}

type review struct {
	id       string
	decision survey.Status
	comments []survey.Comment
}

func (f *fake) Profile(context.Context) (coordinator.Profile, error) {
	return coordinator.Profile{Project: "Pilota", Server: "https://sinba.example", HasProjectKey: !f.noKey}, nil
}
func (f *fake) ImportKey(_ context.Context, data, pass []byte) error {
	if string(pass) != "frase del file" {
		return errors.New("passphrase del file della chiave errata, o file danneggiato / wrong passphrase for the key file, or damaged file")
	}
	f.imported = append(f.imported, string(data))
	f.noKey = false
	return nil
}
func (f *fake) Sync(context.Context) (coordinator.SyncSummary, error) {
	return coordinator.SyncSummary{Revisions: 3}, nil
}
func (f *fake) Entries(context.Context) ([]quality.Entry, error) { return f.entries, nil }
func (f *fake) History(_ context.Context, id string) ([]coordinator.Version, error) {
	if h, ok := f.histories[id]; ok {
		return h, nil
	}
	for _, e := range f.entries {
		if e.Record.ID == id {
			return []coordinator.Version{{Revision: "r1", Status: e.Status, At: e.Updated, Origin: "laptop-1", Record: e.Record}}, nil
		}
	}
	return nil, nil
}

// ReviewState reads the fake's history with the domain's own BuildReview.
func (f *fake) ReviewState(ctx context.Context, id string) (survey.ReviewState, error) {
	hist, _ := f.History(ctx, id)
	steps := make([]survey.ReviewStep, len(hist))
	for i, v := range hist {
		steps[i] = survey.ReviewStep{Revision: v.Revision, Status: v.Status, SavedAt: v.At, Record: v.Record, Comments: v.Comments}
		if v.Status.Decision() && !v.ByCoord {
			steps[i].Status = survey.StatusFinal // as localdb.ReviewSteps reads a laptop's claim
		}
		if i > 0 {
			steps[i].Base = hist[i-1].Revision
		}
	}
	return survey.BuildReview(f.registry, steps, ""), nil
}
func (f *fake) Review(_ context.Context, id string, d survey.Status, cs []survey.Comment) error {
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
	res := coordinator.ExportResult{Records: 4, Files: 3, Dir: req.Dir, Versions: []coordinator.ExportVersion{
		{Instrument: survey.InstrumentCase, Version: 1, Records: 1}, {Instrument: survey.InstrumentCase, Version: 2, Records: 3}},
		Manifest: "manifest-" + req.Format + "-20250630-120000.json"}
	if req.Format == "sinba" {
		res.Refused = f.left(req)
	}
	return res, nil
}

// PlanExport leaves out the case records not in the states asked for, as
// localdb/dataset does, and one more for a missing answer.
func (f *fake) PlanExport(_ context.Context, req coordinator.ExportRequest) (coordinator.ExportResult, error) {
	f.planned = append(f.planned, req)
	left := f.left(req)
	cases := 0
	for _, e := range f.entries {
		if e.Record.Instrument == survey.InstrumentCase {
			cases++
		}
	}
	return coordinator.ExportResult{Records: cases - len(left), Files: 2, Refused: left}, nil
}

func (f *fake) left(req coordinator.ExportRequest) []export.Refusal {
	var out []export.Refusal
	missing := false
	for _, e := range f.entries {
		if e.Record.Instrument != survey.InstrumentCase {
			continue
		}
		if !slices.Contains(req.Statuses, e.Status) {
			out = append(out, export.StateRefusal(e.Record, e.Status, req.Statuses))
		} else if !missing {
			missing = true
			out = append(out, export.Refusal{RecordID: e.Record.ID, Municipality: e.Record.Municipality, Issues: []survey.Issue{{
				Rule: "flow.required.FonteSegnalazione", Fields: []string{"FonteSegnalazione"},
				MessageIT: "Fonte della segnalazione: dato obbligatorio nel flusso SINBA, ma manca o l'ufficio non lo ha",
				MessageEN: "Source of the referral: required in a SINBA flow, but missing or not held by the office"}}})
		}
	}
	return out
}

func (f *fake) Instruments(context.Context) (*survey.Registry, error) { return f.registry, nil }

func (f *fake) Teams(context.Context) ([]coordinator.Team, error) {
	// A copy, as from the server: the screen must not see later changes
	// before it asks again.
	out := make([]coordinator.Team, len(f.teams))
	for i, t := range f.teams {
		out[i] = coordinator.Team{ID: t.ID, Name: t.Name, Researchers: slices.Clone(t.Researchers), Municipalities: slices.Clone(t.Municipalities),
			Devices: slices.Clone(t.Devices)}
	}
	return out, nil
}
func (f *fake) CreateTeam(_ context.Context, name string) error {
	f.teams = append(f.teams, coordinator.Team{ID: fmt.Sprintf("t%d", len(f.teams)+1), Name: name})
	return nil
}
func (f *fake) team(id string) *coordinator.Team {
	for i := range f.teams {
		if f.teams[i].ID == id {
			return &f.teams[i]
		}
	}
	return nil
}
func (f *fake) CreateResearcher(_ context.Context, team, name string) error {
	t := f.team(team)
	if t == nil {
		return errors.New("squadra sconosciuta / unknown team")
	}
	t.Researchers = append(t.Researchers, coordinator.Researcher{ID: fmt.Sprintf("%s-r%d", team, len(t.Researchers)+1), Name: name})
	return nil
}
func (f *fake) EnrolmentCode(_ context.Context, researcher string) (coordinator.Code, error) {
	f.codes = append(f.codes, researcher)
	return coordinator.Code{Code: "KQ7M-2XPA-9TRD", Expires: refDate.Add(72 * time.Hour)}, nil
}
func (f *fake) Assign(_ context.Context, team, m string, remove bool) error {
	t := f.team(team)
	if t == nil {
		return errors.New("squadra sconosciuta / unknown team")
	}
	if remove {
		t.Municipalities = slices.DeleteFunc(t.Municipalities, func(x string) bool { return x == m })
	} else {
		t.Municipalities = append(t.Municipalities, m)
	}
	return nil
}
func (f *fake) CheckPublish(_ context.Context, name string, body []byte) (coordinator.PublishCheck, error) {
	if !json.Valid(body) {
		return coordinator.PublishCheck{Problems: []coordinator.Problem{{Where: "riga 1, colonna 8 / line 1, column 8",
			Message: survey.Text{IT: "JSON malformato", EN: "malformed JSON"}}}}, nil
	}
	v1, _ := f.registry.Get(survey.InstrumentCase, 1)
	v2, _ := f.registry.Get(survey.InstrumentCase, 2)
	added := instdiff.Change{Kind: instdiff.QuestionAdded, Field: "DataRiferimento", Label: survey.Text{IT: "Data di riferimento della scheda"}, New: survey.Text{IT: "data", EN: "date"}}
	return coordinator.PublishCheck{ID: "scheda-minore", Version: 2, Body: body, Previous: 1, PreviousPublished: true,
		Changes: []instdiff.Change{added, longRule}, Old: v1, New: v2}, nil
}

// longRule is a change whose line is longer than the dialog is wide.
var longRule = instdiff.Change{Kind: instdiff.RuleChanged, Rule: "affido.durata", Attr: "assert", Label: survey.Text{IT: "Durata dell'affido"},
	Old: survey.Text{IT: "DataFineAffido == '' || DataFineAffido >= DataInizioAffido"},
	New: survey.Text{IT: "DataFineAffido == '' || (DataFineAffido >= DataInizioAffido && months(DataInizioAffido, DataFineAffido) <= 240 && TipoAffido != '9')"}}

func (f *fake) Publish(_ context.Context, body []byte) (coordinator.Published, error) {
	f.published = append(f.published, body)
	if !json.Valid(body) {
		return coordinator.Published{}, survey.NewError("definizione dello strumento non valida: JSON malformato", "invalid instrument definition: malformed JSON")
	}
	return coordinator.Published{ID: "scheda-minore", Version: 2}, nil
}
func (f *fake) ExportKey(context.Context, []byte) ([]byte, error) {
	f.keyExports++
	return []byte("-----BEGIN AGE ENCRYPTED FILE-----"), nil
}

// instruments loads the shipped instruments and reference lists.
func instruments(t *testing.T) (*survey.Registry, *survey.Reference) {
	t.Helper()
	ref, err := survey.LoadReference(assets.Reference)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := survey.LoadInstruments(assets.Instruments, ref)
	if err != nil {
		t.Fatal(err)
	}
	return reg, ref
}

func setup(t *testing.T, mods ...func(*coordinator.Deps)) (*coordinator.Workspace, *fake, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	reg, ref := instruments(t)
	d, err := synth.Generate(reg, ref, synth.Options{Seed: 5, Cases: 14, Municipalities: []string{"063049", "065116"}, RefDate: refDate})
	if err != nil {
		t.Fatal(err)
	}
	f := &fake{registry: reg}
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
	deps := coordinator.Deps{Backend: f, Registry: reg, Ref: ref, Language: "it", Now: func() time.Time { return refDate },
		Background: func(run func()) { run() }}
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
	// A dialog's buttons and entries are Fyne's, with its keys added.
	if x, ok := inner(o).(T); ok && match(x) {
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
	// The weeks read as days and months, not as ISO week numbers.
	var weeks []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			weeks = append(weeks, x.Text)
		case *fyne.Container:
			for _, k := range x.Objects {
				walk(k)
			}
		case fyne.Widget:
			for _, k := range test.WidgetRenderer(x).Objects() {
				walk(k)
			}
		}
	}
	walk(w.Canvas().Content())
	if !slices.Contains(weeks, "2 – 8 giu") || slices.ContainsFunc(weeks, func(s string) bool { return strings.Contains(s, "-W") }) {
		t.Errorf("the progress by week is labelled %q, want \"2 – 8 giu\" and no ISO week", weeks)
	}
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
	if msg, ok := label(w, func(s string) bool { return strings.Contains(s, "Fascia di età") }); !ok {
		t.Error("no row for the age band")
	} else if _, ok := label(w, func(s string) bool {
		return strings.HasPrefix(s, "5 · 12-15 anni") || strings.Contains(s, " · ") && strings.HasSuffix(s, "anni")
	}); !ok {
		t.Errorf("the age band is not shown as code · label (row %q)", msg.Text)
	}
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
	if slices.Contains(sel.Options, "FonteSegnalazione") || !slices.Contains(sel.Options, "Segnalazione › Fonte della segnalazione") {
		t.Fatalf("the field picker offers %q; want labels with their section, not ids", sel.Options)
	}
	sel.SetSelected("Segnalazione › Fonte della segnalazione")
	entry, _ := find(w.Canvas().Content(), func(e *widget.Entry) bool { return e.PlaceHolder == "Commento per il rilevatore" })
	test.Type(entry, "Manca la fonte")
	test.Tap(button(t, w, "Aggiungi commento"))
	test.Tap(button(t, w, "Restituisci con commenti"))
	// The decision waits for its confirmation, which says what will happen;
	// Escape cancels it, Enter confirms it.
	if msg := overlayText(w); len(f.reviews) != 0 || !strings.Contains(msg, "sarà restituita alla squadra con 1 commento:") {
		t.Fatalf("returning asked %q and sent %+v; want a confirmation first", msg, f.reviews)
	}
	press(w, fyne.KeyEscape)
	if len(f.reviews) != 0 || w.Canvas().Overlays().Top() != nil {
		t.Fatalf("Escape: reviews %+v, dialog still shown %v", f.reviews, w.Canvas().Overlays().Top() != nil)
	}
	test.Tap(button(t, w, "Restituisci con commenti"))
	press(w, fyne.KeyReturn)
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
	if msg := overlayText(w); !strings.Contains(msg, "sarà approvata") {
		t.Errorf("approving asked %q", msg)
	}
	press(w, fyne.KeyReturn)
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
	ws, f, w := setup(t)
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
	entry.SetText("3")
	screenshot(t, w, "coordinator-results")

	// Approved records only by default, and the table says so; every state
	// on request, and the table says that too.
	total := func() string {
		n := 0
		var last string
		for _, o := range test.WidgetRenderer(table).Objects() {
			walk(o, func(l *widget.Label) {
				if _, err := strconv.Atoi(l.Text); err == nil {
					n++
					last = l.Text
				}
			})
		}
		return fmt.Sprint(n, last)
	}
	cases, approved := 0, 0
	for _, e := range f.entries {
		if e.Record.Instrument == survey.InstrumentCase {
			cases++
			if e.Status == survey.StatusApproved {
				approved++
			}
		}
	}
	scope := fmt.Sprintf("Le tabelle contano le %d schede minore approvate, su %d ricevute.", approved, cases)
	if _, ok := label(w, func(s string) bool { return s == scope }); !ok {
		t.Errorf("the results do not say %q", scope)
	}
	onlyApproved := total()
	radio, _ := find(w.Canvas().Content(), func(r *widget.RadioGroup) bool { return slices.Contains(r.Options, "Solo approvate") })
	radio.SetSelected("Tutti gli stati (uso interno)")
	if _, ok := label(w, func(s string) bool {
		return strings.HasPrefix(s, fmt.Sprintf("Le tabelle contano tutte le %d schede minore ricevute", cases))
	}); !ok {
		t.Error("the results in every state do not say so")
	}
	if got := total(); got == onlyApproved {
		t.Errorf("the table is the same in every state as with approved records only (%s)", got)
	}
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
// format, to the folder the coordinator picked. SINBA flows ask for the
// operator's codice fiscale first (no example value stands in for it) and
// check it; then they say how many records would go in and which would be
// left out and why, by label, before the folder is chosen, and again after
// the export, with the manifest's name.
func TestExportGoesWhereChosen(t *testing.T) {
	dir := t.TempDir()
	ws, f, w := setup(t, func(d *coordinator.Deps) { d.ChooseFolder = func(pick func(string)) { pick(dir) } })
	ws.Tabs().SelectIndex(4)
	test.AssertRendersToMarkup(t, "exports.xml", w.Canvas())
	screenshot(t, w, "coordinator-exports")
	radio, _ := find(w.Canvas().Content(), func(*widget.RadioGroup) bool { return true })
	radio.SetSelected(radio.Options[4])
	op, ok := find(w.Canvas().Content(), func(e *widget.Entry) bool { return e.PlaceHolder == "16 caratteri (persona) o 11 cifre (ente)" })
	if !ok || op.Text != "" {
		t.Fatalf("the operator's field: found %v, holding %q; want it empty, with what it takes as its hint", ok, op.Text)
	}
	exportButton := button(t, w, "Scegli la cartella ed esporta…")
	for _, typed := range []string{"", "80078750588"} { // none; a wrong check digit
		op.SetText(typed)
		test.Tap(exportButton)
		msg := overlayText(w)
		if !strings.Contains(msg, "I flussi SINBA non si preparano senza il codice fiscale di chi li invia: ") || len(f.planned)+len(f.exported) != 0 {
			t.Fatalf("operator %q: the dialog says %q; plans %d, exports %d", typed, msg, len(f.planned), len(f.exported))
		}
		press(w, fyne.KeyEscape)
		if w.Canvas().Overlays().Top() != nil || w.Canvas().Focused() != op {
			t.Fatalf("operator %q: Escape left the dialog open or the operator's field without the focus", typed)
		}
	}
	if err := op.Validate(); err == nil || !strings.Contains(err.Error(), "cifra di controllo errata") {
		t.Errorf("the field does not say what is wrong with 80078750588: %v", err)
	}

	op.SetText("rssmra85t10a562s")
	test.Tap(exportButton)
	if len(f.planned) != 1 || len(f.exported) != 0 {
		t.Fatalf("plans %d, exports %d before the folder is chosen; want 1 and 0", len(f.planned), len(f.exported))
	}
	plan := overlayText(w)
	notApproved, byState := 0, map[survey.Status]int{}
	for _, e := range f.entries {
		if e.Record.Instrument == survey.InstrumentCase && e.Status != survey.StatusApproved {
			notApproved++
			byState[e.Status]++
		}
	}
	for _, want := range []string{"(flussi: 2, uno per ente). Resterebbero fuori: " + strconv.Itoa(notApproved+1) + ",",
		strconv.Itoa(byState[survey.StatusFinal]) + " × Non approvata (stato: Finalizzata)",
		strconv.Itoa(byState[survey.StatusReturned]) + " × Non approvata (stato: Restituita con commenti)",
		"1 × Fonte della segnalazione: dato obbligatorio nel flusso SINBA"} {
		if !strings.Contains(plan, want) {
			t.Errorf("before exporting, the plan lacks %q:\n%s", want, plan)
		}
	}
	if strings.Contains(plan, "FonteSegnalazione") {
		t.Errorf("the plan names a field by its id:\n%s", plan)
	}
	press(w, fyne.KeyReturn)
	if len(f.exported) != 1 {
		t.Fatalf("exports: %+v", f.exported)
	}
	got := f.exported[0]
	if got.Format != "sinba" || got.Dir != dir || got.CFOperatore != "RSSMRA85T10A562S" || len(got.Statuses) != 1 || got.Statuses[0] != survey.StatusApproved {
		t.Errorf("export request: %+v", got)
	}
	res, ok := find(w.Canvas().Content(), func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "Schede esportate: 4 ·") })
	if !ok {
		t.Fatal("the result of the export is not shown")
	}
	if !strings.Contains(res.Text, "\nPer versione dello strumento: ") || !strings.Contains(res.Text, " v1: 1 · ") ||
		!strings.Contains(res.Text, " v2: 3 (un solo dizionario)") {
		t.Errorf("the result does not count the records by version: %q", res.Text)
	}
	if !strings.Contains(res.Text, "manifest-sinba-20250630-120000.json") || !strings.Contains(res.Text, "Schede minore escluse dai flussi SINBA: "+strconv.Itoa(notApproved+1)) {
		t.Errorf("the result does not name the manifest or count the records left out: %q", res.Text)
	}
	if _, ok := label(w, func(s string) bool { return strings.Contains(s, " × Non approvata (stato: ") }); !ok {
		t.Error("after the export, the tab does not say why records were left out")
	}
}

// dismiss closes the dialogs shown, and returns their texts joined.
func dismiss(w fyne.Window) string {
	var texts []string
	for _, o := range w.Canvas().Overlays().List() {
		walk(o, func(l *widget.Label) { texts = append(texts, l.Text) })
		if b, ok := find(o, func(b *widget.Button) bool { return b.Text == "OK" }); ok {
			test.Tap(b)
		}
	}
	return strings.Join(texts, "\n")
}

// overlayText is the text of the dialog shown on top.
func overlayText(w fyne.Window) string {
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	var texts []string
	walk(top, func(l *widget.Label) { texts = append(texts, l.Text) })
	return strings.Join(texts, "\n")
}

// press types a key as the keyboard does: to the focused widget.
func press(w fyne.Window, key fyne.KeyName) {
	if f := w.Canvas().Focused(); f != nil {
		f.TypedKey(&fyne.KeyEvent{Name: key})
		return
	}
	if h := w.Canvas().OnTypedKey(); h != nil {
		h(&fyne.KeyEvent{Name: key})
	}
}

func label(w fyne.Window, match func(string) bool) (*widget.Label, bool) {
	return find(w.Canvas().Content(), func(l *widget.Label) bool { return match(l.Text) })
}

// projectTab opens the project tab over a fake with one team.
func projectTab(t *testing.T, mods ...func(*coordinator.Deps)) (*fake, fyne.Window) {
	t.Helper()
	ws, f, w := setup(t, mods...)
	f.teams = []coordinator.Team{{ID: "t1", Name: "Squadra Campania", Researchers: []coordinator.Researcher{{ID: "t1-r1", Name: "Anna Esposito"}},
		Municipalities: []string{"063049"}, Devices: []coordinator.Device{
			{Label: "portatile-anna", Researcher: "Anna Esposito", EnrolledAt: refDate, HasTeamKey: true},
			{Label: "portatile-nuovo", Researcher: "Anna Esposito", EnrolledAt: refDate, ByCoordinator: true, Coordinator: "coordinamento Napoli"},
		}}}
	ws.Reload()
	ws.Tabs().SelectIndex(5)
	return f, w
}

// TestProjectTeamsAndCodes creates a team, adds a researcher to it and makes
// the enrolment code, which is shown large and selectable.
func TestProjectTeamsAndCodes(t *testing.T) {
	f, w := projectTab(t)
	list, _ := find(w.Canvas().Content(), func(*widget.List) bool { return true })
	list.Select(0)
	test.AssertRendersToMarkup(t, "project.xml", w.Canvas())
	screenshot(t, w, "coordinator-project")
	// A laptop whose code a coordinator made is marked as such, in red.
	if l, ok := label(w, func(s string) bool { return strings.HasPrefix(s, "portatile-nuovo") }); !ok ||
		!strings.Contains(l.Text, "codice creato da: COORDINATORE coordinamento Napoli") || !strings.Contains(l.Text, "in attesa della conferma") || l.Importance != widget.DangerImportance {
		t.Errorf("coordinator-made laptop shown as %+v", l)
	}
	if l, ok := label(w, func(s string) bool { return strings.HasPrefix(s, "portatile-anna") }); !ok ||
		!strings.Contains(l.Text, "amministratore del server") || !strings.Contains(l.Text, "ha la chiave") || l.Importance == widget.DangerImportance {
		t.Errorf("admin-made laptop shown as %+v", l)
	}

	name, _ := find(w.Canvas().Content(), func(e *widget.Entry) bool { return e.PlaceHolder == "Nome della nuova squadra" })
	test.Type(name, "Squadra Basilicata")
	test.Tap(button(t, w, "Crea squadra"))
	if len(f.teams) != 2 || f.teams[1].Name != "Squadra Basilicata" {
		t.Fatalf("teams after creating one: %+v", f.teams)
	}
	if _, ok := label(w, func(s string) bool { return strings.HasPrefix(s, "Squadra Basilicata · rilevatori: 0") }); !ok {
		t.Error("the new team is not in the list")
	}

	list.Select(1)
	person, _ := find(w.Canvas().Content(), func(e *widget.Entry) bool { return e.PlaceHolder == "Nome e cognome del rilevatore" })
	test.Type(person, "Rocco Santoro")
	test.Tap(button(t, w, "Aggiungi rilevatore"))
	if got := f.teams[1].Researchers; len(got) != 1 || got[0].Name != "Rocco Santoro" {
		t.Fatalf("researchers of the new team: %+v", got)
	}

	test.Tap(button(t, w, "Codice di iscrizione"))
	if len(f.codes) != 1 || f.codes[0] != "t2-r1" {
		t.Fatalf("codes asked for: %v, want the new researcher's", f.codes)
	}
	code, ok := label(w, func(s string) bool { return s == "KQ7M-2XPA-9TRD" })
	if !ok || !code.Selectable || code.SizeName != "headingText" || !code.Visible() {
		t.Fatalf("the code is not shown large and selectable: %+v", code)
	}
	if _, ok := label(w, func(s string) bool { return strings.Contains(s, "Rocco Santoro") && strings.Contains(s, "03/07/2025") }); !ok {
		t.Error("the code's researcher and expiry are not shown")
	}
}

// TestProjectAssignWithSearch finds a municipality by name, assigns it, then
// takes it away again.
func TestProjectAssignWithSearch(t *testing.T) {
	f, w := projectTab(t)
	list, _ := find(w.Canvas().Content(), func(*widget.List) bool { return true })
	list.Select(0)
	test.Tap(button(t, w, "Assegna alla squadra"))
	if msg := dismiss(w); !strings.Contains(msg, "Cercare un comune") {
		t.Errorf("assigning with no municipality chosen says %q", msg)
	}
	search, _ := find(w.Canvas().Content(), func(e *widget.Entry) bool { return e.PlaceHolder == "Cerca un comune per nome o codice ISTAT" })
	test.Type(search, "potenza")
	radio, _ := find(w.Canvas().Content(), func(*widget.RadioGroup) bool { return true })
	i := slices.IndexFunc(radio.Options, func(o string) bool { return strings.HasPrefix(o, "Potenza (076063)") })
	if i < 0 {
		t.Fatalf("search for potenza offers %q", radio.Options)
	}
	radio.SetSelected(radio.Options[i])
	test.Tap(button(t, w, "Assegna alla squadra"))
	if got := f.teams[0].Municipalities; !slices.Equal(got, []string{"063049", "076063"}) {
		t.Fatalf("municipalities after assigning: %v", got)
	}
	if _, ok := label(w, func(s string) bool { return s == "Potenza (076063)" }); !ok {
		t.Error("the assigned municipality is not shown")
	}

	// Remove the first one, after confirming.
	test.Tap(button(t, w, "Togli"))
	press(w, fyne.KeyEscape) // cancels
	if got := f.teams[0].Municipalities; !slices.Equal(got, []string{"063049", "076063"}) {
		t.Fatalf("municipalities after cancelling the removal: %v", got)
	}
	test.Tap(button(t, w, "Togli"))
	press(w, fyne.KeyReturn) // confirms
	if got := f.teams[0].Municipalities; !slices.Equal(got, []string{"076063"}) {
		t.Fatalf("municipalities after removing one: %v", got)
	}
}

// TestProjectPublishChecksFirst shows what is wrong with an invalid
// instrument file, where it is, and publishes nothing; a valid one is shown
// with its changes and published only when confirmed with Enter.
func TestProjectPublishChecksFirst(t *testing.T) {
	file := struct {
		name string
		body []byte
	}{"rotto.json", []byte(`{"id": `)}
	report := filepath.Join(t.TempDir(), "differenze.html")
	var reportName string
	f, w := projectTab(t, func(d *coordinator.Deps) {
		d.OpenFile = func(pick func(string, []byte)) { pick(file.name, file.body) }
		d.SaveFile = func(name string, write func(string) error) {
			reportName = name
			_ = write(report)
		}
	})
	test.Tap(button(t, w, "Pubblica nuova versione di uno strumento…"))
	if msg := overlayText(w); !strings.Contains(msg, "rotto.json non è stato pubblicato. Problemi trovati: 1.") ||
		!strings.Contains(msg, "riga 1, colonna 8: JSON malformato") || strings.Contains(msg, "malformed") {
		t.Errorf("problems shown as %q", msg)
	}
	press(w, fyne.KeyEscape)
	if len(f.published) != 0 || len(w.Canvas().Overlays().List()) != 0 {
		t.Fatalf("an invalid file: published %d, dialogs left %d", len(f.published), len(w.Canvas().Overlays().List()))
	}

	file.name, file.body = "scheda-minore.v2.json", []byte(`{"id": "scheda-minore"}`)
	test.Tap(button(t, w, "Pubblica nuova versione di uno strumento…"))
	msg := overlayText(w)
	for _, want := range []string{"Pubblicare scheda-minore versione 2?", "Controllo di scheda-minore.v2.json superato. scheda-minore versione 2 rispetto alla versione 1 pubblicata, cambiamenti: 2.",
		"Domanda aggiunta: DataRiferimento «Data di riferimento della scheda»: data"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the confirmation lacks %q:\n%s", want, msg)
		}
	}
	// A long change wraps, whole, in the dialog's width; the list scrolls.
	long, ok := find(w.Canvas().Overlays().Top(), func(l *widget.Label) bool {
		return strings.HasPrefix(l.Text, "Regola modificata: controllo: affido.durata")
	})
	if !ok {
		t.Fatal("the long change is not shown")
	}
	one := widget.NewLabel("x").MinSize().Height
	if !strings.HasSuffix(long.Text, "TipoAffido != '9')") || long.Truncation != fyne.TextTruncateOff || long.Wrapping != fyne.TextWrapWord ||
		long.Size().Height < 1.5*one || long.Size().Width > 900 {
		t.Errorf("the long change is not wrapped whole: truncation %v, wrapping %v, size %v (one line %v)", long.Truncation, long.Wrapping, long.Size(), one)
	}
	if _, ok := find(w.Canvas().Overlays().Top(), func(*container.Scroll) bool { return true }); !ok {
		t.Error("the changes do not scroll")
	}
	screenshot(t, w, "coordinator-publish-confirm")
	// The report for the meeting, before publishing: the file's changes
	// with the figures of the records of version 1.
	save, ok := find(w.Canvas().Overlays().Top(), func(b *widget.Button) bool {
		return b.Text == "Salva il rapporto delle differenze, con i punti critici (HTML)…"
	})
	if !ok {
		t.Fatal("no report button in the confirmation")
	}
	test.Tap(save)
	page, err := os.ReadFile(report)
	if err != nil || reportName != "differenze-scheda-minore-v1-v2.html" || !strings.Contains(string(page), "scheda-minore@1") ||
		!strings.Contains(string(page), "<b>DataRiferimento</b>") {
		t.Fatalf("report %q: %v\n%.300s", reportName, err, page)
	}
	if len(w.Canvas().Overlays().List()) != 1 {
		t.Fatal("saving the report closed the confirmation")
	}
	press(w, fyne.KeyEscape)
	if len(f.published) != 0 {
		t.Fatal("published after Escape")
	}
	test.Tap(button(t, w, "Pubblica nuova versione di uno strumento…"))
	press(w, fyne.KeyReturn)
	if len(f.published) != 1 {
		t.Fatalf("published %d after Enter, want 1", len(f.published))
	}
	if _, ok := label(w, func(s string) bool { return strings.HasPrefix(s, "Pubblicato scheda-minore versione 2") }); !ok {
		t.Error("the published version is not shown")
	}
}

// TestProjectKeyExportPassphrase refuses passphrases that differ or are too
// short, and writes the key file with a good one.
func TestProjectKeyExportPassphrase(t *testing.T) {
	out := filepath.Join(t.TempDir(), "chiave.age")
	f, w := projectTab(t, func(d *coordinator.Deps) {
		d.SaveFile = func(name string, write func(string) error) {
			if err := write(out); err != nil {
				t.Error(err)
			}
		}
	})
	for _, c := range []struct{ pass, again, want string }{
		{"una frase lunga", "una frase lunghissima", "Le due frasi segrete non coincidono"},
		{"breve", "breve", "troppo corta"},
		{"una frase lunga", "una frase lunga", ""},
	} {
		test.Tap(button(t, w, "Esporta la chiave per un altro coordinatore…"))
		var form fyne.CanvasObject
		for _, o := range w.Canvas().Overlays().List() {
			if _, ok := find(o, func(e *widget.Entry) bool { return e.Password }); ok {
				form = o
			}
		}
		if form == nil {
			t.Fatal("no passphrase dialog")
		}
		var entries []*widget.Entry
		walkEntries(form, func(e *widget.Entry) { entries = append(entries, e) })
		if len(entries) != 2 {
			t.Fatalf("passphrase entries: %d, want 2", len(entries))
		}
		test.Type(entries[0], c.pass)
		test.Type(entries[1], c.again)
		ok, _ := find(form, func(b *widget.Button) bool { return b.Text == "Scegli dove salvare…" })
		test.Tap(ok)
		msg := dismiss(w)
		if c.want != "" {
			if !strings.Contains(msg, c.want) || f.keyExports != 0 {
				t.Errorf("passphrases %q/%q: shown %q, exports %d; want %q and none", c.pass, c.again, msg, f.keyExports, c.want)
			}
			continue
		}
		if f.keyExports != 1 {
			t.Errorf("key exports: %d, want 1 (dialog said %q)", f.keyExports, msg)
		}
	}
	if data, err := os.ReadFile(out); err != nil || !strings.HasPrefix(string(data), "-----BEGIN AGE") {
		t.Errorf("key file: %q, %v", data, err)
	}
}

// inner is the Fyne widget inside a dialog's button or entry.
func inner(o fyne.CanvasObject) fyne.CanvasObject {
	switch v := o.(type) {
	case *dialogs.Button:
		return &v.Button
	case *dialogs.Entry:
		return &v.Entry
	case *dialogs.Select:
		return &v.Select
	}
	return nil
}

func walkEntries(o fyne.CanvasObject, fn func(*widget.Entry)) {
	if e, ok := inner(o).(*widget.Entry); ok {
		fn(e)
		return
	}
	if e, ok := o.(*widget.Entry); ok {
		fn(e)
		return
	}
	switch c := o.(type) {
	case *fyne.Container:
		for _, k := range c.Objects {
			walkEntries(k, fn)
		}
	case fyne.Widget:
		for _, k := range test.WidgetRenderer(c).Objects() {
			walkEntries(k, fn)
		}
	}
}

// TestReviewShowsWhatChanged opens a record corrected after being returned:
// the screen marks it, lists what changed since the return field by field
// with labels, marks the changed fields among the answers, and folds the
// history into sessions below them.
func TestReviewShowsWhatChanged(t *testing.T) {
	ws, f, w := setup(t)
	var e quality.Entry
	for _, x := range f.entries {
		if x.Status == survey.StatusFinal && x.Record.Instrument == survey.InstrumentCase {
			e = x
			break
		}
	}
	before := e.Record
	before.Answers = survey.Answers{}
	for k, v := range e.Record.Answers {
		before.Answers[k] = v
	}
	before.Answers["FasciaEtaBeneficiario"] = "1"
	before.Answers["ComposizioneFamiglia"] = []any{"1"}
	delete(before.Answers, "FonteSegnalazione")
	before.Meta = map[string]survey.FieldMeta{"FonteSegnalazione": {NotHeld: true}}
	at := e.Updated.Add(-72 * time.Hour)
	var hist []coordinator.Version
	for i := range 12 { // a morning of autosaves
		hist = append(hist, coordinator.Version{Revision: fmt.Sprintf("a%d", i), Status: survey.StatusDraft, At: at.Add(time.Duration(i) * 3 * time.Minute),
			Origin: "3f9c2a7e-laptop", Record: before})
	}
	hist = append(hist,
		coordinator.Version{Revision: "a12", Status: survey.StatusFinal, At: at.Add(40 * time.Minute), Origin: "3f9c2a7e-laptop", Record: before},
		coordinator.Version{Revision: "d1", Status: survey.StatusReturned, ByCoord: true, At: at.Add(24 * time.Hour), Record: before,
			Comments: []survey.Comment{{Field: "FasciaEtaBeneficiario", Text: "La fascia non corrisponde all'anno di nascita"}}},
		coordinator.Version{Revision: "b1", Status: survey.StatusDraft, At: e.Updated.Add(-10 * time.Minute), Origin: "3f9c2a7e-laptop", Record: e.Record},
		coordinator.Version{Revision: "b2", Status: survey.StatusFinal, At: e.Updated, Origin: "3f9c2a7e-laptop", Record: e.Record})
	f.histories = map[string][]coordinator.Version{e.Record.ID: hist}
	if !ws.SelectForReview(e.Record.ID) {
		t.Fatal("record not in the queue")
	}
	test.AssertRendersToMarkup(t, "review-changes.xml", w.Canvas())
	screenshot(t, w, "coordinator-review-changes")

	reg, _ := instruments(t)
	in, _ := reg.ForRecord(&e.Record)
	cl := in.Codelist(mustQuestion(t, in, "FasciaEtaBeneficiario"))
	was, _ := cl.Get("1")
	now, _ := cl.Get(e.Record.Answers["FasciaEtaBeneficiario"].(string))
	for _, want := range []string{
		"Corretta dopo la restituzione",
		"Minore › Fascia di età: 1 · " + was.Label.IT + " → " + now.Code + " · " + now.Label.IT,
		"Segnalazione › Fonte della segnalazione: L'ufficio non dispone del dato → ",
		"Prima: 1 · " + was.Label.IT,
		"Corretto e inviato di nuovo",                                  // the age band's thread
		"Coordinamento: La fascia non corrisponde all'anno di nascita", // its comment, beside the field
		"↺ corretta · ● ",                                              // the mark in the queue
	} {
		if _, ok := label(w, func(s string) bool { return strings.HasPrefix(s, want) }); !ok {
			t.Errorf("no line %q", want)
		}
	}
	// The history: twelve autosaves and the sending are two lines, the
	// return one with its comment under it, named by its label.
	acc, _ := find(w.Canvas().Content(), func(*widget.Accordion) bool { return true })
	acc.Open(0)
	var lines []string
	walk(acc, func(l *widget.Label) { lines = append(lines, l.Text) })
	want := []string{"13 salvataggi", "inviata per la revisione", "coordinamento: restituita, 1 commenti",
		"Minore › Fascia di età: La fascia non corrisponde", "2 salvataggi", "inviata di nuovo, corretta dopo la restituzione"}
	if len(lines) != len(want) {
		t.Fatalf("history lines %q, want %d", lines, len(want))
	}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("history line %d is %q, want it to say %q", i+1, lines[i], w)
		}
	}
}

func mustQuestion(t *testing.T, in *survey.Instrument, id string) *survey.Question {
	t.Helper()
	q, ok := in.Question(id)
	if !ok {
		t.Fatalf("no question %s", id)
	}
	return q
}

// TestReviewInEnglish shows the record with the instrument's English labels
// when the app is in English.
func TestReviewInEnglish(t *testing.T) {
	ws, f, w := setup(t, func(d *coordinator.Deps) { d.Language = "en" })
	for _, e := range f.entries {
		if e.Status != survey.StatusFinal || e.Record.Instrument != survey.InstrumentCase {
			continue
		}
		if !ws.SelectForReview(e.Record.ID) {
			t.Fatal("record not in the queue")
		}
		reg, _ := instruments(t)
		in, _ := reg.ForRecord(&e.Record)
		q := mustQuestion(t, in, "FasciaEtaBeneficiario")
		c, _ := in.Codelist(q).Get(e.Record.Answers["FasciaEtaBeneficiario"].(string))
		for _, want := range []string{q.Label.EN, c.Code + " · " + c.Label.EN} {
			if _, ok := label(w, func(s string) bool { return s == want }); !ok {
				t.Errorf("no %q on the English review screen", want)
			}
		}
		sel, _ := find(w.Canvas().Content(), func(s *widget.Select) bool { return len(s.Options) > 10 })
		if !slices.ContainsFunc(sel.Options, func(o string) bool { return strings.HasSuffix(o, " › "+q.Label.EN) }) {
			t.Errorf("the field picker offers %q", sel.Options)
		}
		test.Tap(button(t, w, "Approve"))
		if msg := overlayText(w); !strings.Contains(msg, "will be approved") {
			t.Errorf("the confirmation in English says %q", msg)
		}
		return
	}
	t.Fatal("no case record to review")
}

// TestImportKeyFromTheWorkspace imports the project key a profile lacks from
// the workspace: a wrong passphrase is explained, the right one imports it
// and the button goes away.
func TestImportKeyFromTheWorkspace(t *testing.T) {
	ws, f, w := setup(t, func(d *coordinator.Deps) {
		d.OpenFile = func(pick func(string, []byte)) { pick("chiave.age", []byte("-----BEGIN AGE ENCRYPTED FILE-----")) }
	})
	f.noKey = true
	ws.Reload()
	if _, ok := label(w, func(s string) bool { return strings.Contains(s, "Manca la chiave del progetto") }); !ok {
		t.Error("the missing key is not said")
	}
	for _, c := range []struct{ pass, want string }{{"sbagliata", "passphrase del file della chiave errata"}, {"frase del file", ""}} {
		test.Tap(button(t, w, "Importa la chiave del progetto…"))
		pass, ok := w.Canvas().Focused().(*dialogs.Entry)
		if !ok || !pass.Password {
			t.Fatalf("focus on %T, want the passphrase", w.Canvas().Focused())
		}
		test.Type(pass, c.pass)
		press(w, fyne.KeyReturn)
		if c.want != "" {
			if msg := dismiss(w); !strings.Contains(strings.ToLower(msg), c.want) || len(f.imported) != 0 {
				t.Errorf("wrong passphrase: shown %q, imported %v", msg, f.imported)
			}
			continue
		}
	}
	if len(f.imported) != 1 || f.imported[0] != "-----BEGIN AGE ENCRYPTED FILE-----" {
		t.Fatalf("imported %q", f.imported)
	}
	if b := button(t, w, "Importa la chiave del progetto…"); b.Visible() {
		t.Error("the import button is still shown with the key in the profile")
	}
}

// TestHeaderKeepsTheProjectAfterDownload: after "Scarica dal server" the
// header still names the project, and the download's summary shows on the
// line of messages under it, which is hidden until there is one.
func TestHeaderKeepsTheProjectAfterDownload(t *testing.T) {
	ws, _, w := setup(t)
	project := func(s string) bool { return s == "Progetto Pilota · https://sinba.example" }
	summary := func(s string) bool { return strings.HasPrefix(s, "Versioni ricevute: 3 ·") }
	if _, ok := label(w, project); !ok {
		t.Fatal("the header does not name the project")
	}
	messages, ok := find(w.Canvas().Content(), func(l *widget.Label) bool { return l.Text == "" && !l.Visible() })
	if !ok {
		t.Fatal("no hidden line of messages before there is one")
	}
	ws.Sync()
	if _, ok := label(w, project); !ok {
		t.Error("after the download the header no longer names the project")
	}
	if !summary(messages.Text) || !messages.Visible() {
		t.Errorf("the download's summary is not on the line of messages: %q (shown %v)", messages.Text, messages.Visible())
	}
}
