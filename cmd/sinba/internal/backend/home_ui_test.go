package backend_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sinba/localdb"
	"sinba/survey"
	"sinba/ui"
	"sinba/ui/palette"
)

// TestOverviewLinesUp: in the overview's table of municipalities the counts
// and the dashes stand on the municipality's line and under their headings;
// with the app's theme the cards' titles are smaller than the page's.
func TestOverviewLinesUp(t *testing.T) {
	h := newFixtureHarness(t)
	fyne.CurrentApp().Settings().SetTheme(palette.AppTheme())
	h.unlock()
	d := fyne.CurrentApp().Driver()
	text := func(s string) *canvas.Text {
		t.Helper()
		x := find(t, h.win.Content(), func(c *canvas.Text) bool { return c.Text == s })
		if x == nil {
			t.Fatalf("no %q on the overview", s)
		}
		return x
	}
	pos := func(c *canvas.Text) fyne.Position { return d.AbsolutePositionForObject(c) }
	name := pos(text("Napoli (NA)"))
	for _, c := range []struct{ cell, heading string }{{"–", "Sincronizzata"}, {"1", "In conflitto"}} {
		var cell *canvas.Text
		for _, x := range findAll[*canvas.Text](t, h.win.Content()) {
			if x.Text == c.cell && math.Abs(float64(pos(x).X-pos(text(c.heading)).X)) < 60 {
				cell = x
			}
		}
		if cell == nil {
			t.Fatalf("no %q under %q", c.cell, c.heading)
		}
		if dy := pos(cell).Y - name.Y; math.Abs(float64(dy)) > 1 {
			t.Errorf("%q under %q stands %.0f points off the municipality's line", c.cell, c.heading, dy)
		}
		if dx := pos(cell).X - pos(text(c.heading)).X; math.Abs(float64(dx)) > 1 {
			t.Errorf("%q stands %.0f points off its heading %q", c.cell, dx, c.heading)
		}
	}
	card := find(t, h.win.Content(), func(c *widget.Card) bool { return c.Title == "Comuni della rilevazione" })
	if card == nil {
		t.Fatal("no card of the municipalities")
	}
	title := text("Comuni della rilevazione")
	page := text("Panoramica")
	if title.TextSize >= page.TextSize {
		t.Errorf("card title %.0f points, page title %.0f: want the card's smaller", title.TextSize, page.TextSize)
	}
	if title.TextSize <= theme.Size(theme.SizeNameText) {
		t.Errorf("card title %.0f points, no larger than the text", title.TextSize)
	}
}

// TestEmptyOverviewSaysWhatItWaitsFor: with no municipality yet, the
// overview asks a laptop not enrolled to enrol, and tells an enrolled one
// what it waits for: the team key from a colleague, or the coordinators'
// assignment.
func TestEmptyOverviewSaysWhatItWaitsFor(t *testing.T) {
	h := newEmptyHarness(t)
	h.unlock()
	says := func(want string) {
		t.Helper()
		h.ui.Shortcut(ui.ShortcutHome)
		settle(t)
		if find(t, h.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, want) }) == nil {
			t.Errorf("the empty overview does not say %q", want)
		}
	}
	says("Collega il computer al server")
	h.sync.enrolled, h.sync.waiting = true, true
	h.ui.Shortcut(ui.ShortcutSync)
	waitFor(t, func() bool { return !h.ui.Busy() })
	says("attende la chiave della squadra")
	if find(t, h.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, "Collega il computer") }) != nil {
		t.Error("an enrolled laptop is asked to enrol")
	}
	h.sync.waiting = false
	h.ui.Shortcut(ui.ShortcutSync)
	waitFor(t, func() bool { return !h.ui.Busy() })
	says("non ha ancora assegnato comuni alla squadra")
}

// TestOverviewCountsApprovedRecords: a case record the coordinators approved
// is counted on its municipality's line, under "Approvata", as every other
// state has its column.
func TestOverviewCountsApprovedRecords(t *testing.T) {
	dir := t.TempDir()
	fixture(t, dir)
	ctx := context.Background()
	st, err := localdb.OpenWith(dir, []byte(pass), storeOpts)
	if err != nil {
		t.Fatal(err)
	}
	rec := survey.Record{Instrument: survey.InstrumentCase, Version: 1, Municipality: "063049",
		Identity: &survey.Identity{Surname: "Greco", Name: "Marco"}, Answers: survey.Answers{"IDBeneficiario": "PGRECO", "AnnoNascita": 2013}}
	info, err := st.Save(ctx, rec, localdb.SaveOptions{Status: survey.StatusFinal})
	if err != nil {
		t.Fatal(err)
	}
	rec, _, _ = st.Get(ctx, info.ID)
	if _, err := st.ApplyRemote(ctx, localdb.RemoteRevision{RecordID: info.ID, Revision: "review-ok", BaseRevision: info.Revision,
		Status: survey.StatusApproved, Record: rec, Origin: localdb.OriginCoordinators}); err != nil {
		t.Fatal(err)
	}
	st.Lock()
	h := newHarness(t, dir)
	h.vault.Options = storeOpts
	h.unlock()
	d := fyne.CurrentApp().Driver()
	heading := find(t, h.win.Content(), func(c *canvas.Text) bool { return c.Text == "Approvata" })
	name := find(t, h.win.Content(), func(c *canvas.Text) bool { return c.Text == "Napoli (NA)" })
	if heading == nil || name == nil {
		t.Fatal("the overview has no column of approved records, or no line for Napoli")
	}
	at := func(c *canvas.Text) fyne.Position { return d.AbsolutePositionForObject(c) }
	var cell *canvas.Text
	for _, x := range findAll[*canvas.Text](t, h.win.Content()) {
		if math.Abs(float64(at(x).X-at(heading).X)) < 1 && math.Abs(float64(at(x).Y-at(name).Y)) < 1 {
			cell = x
		}
	}
	if cell == nil || cell.Text != "1" {
		t.Fatalf("under \"Approvata\" on Napoli's line: %v; want 1", cell)
	}
}

// TestQuestionnaireConflictOpensFromTheOverview: a municipality
// questionnaire in conflict has its own line among what to do first, and
// its "Risolvi" opens the questionnaire's two versions side by side; the
// line of the case records counts case records only, the ones the list it
// opens shows.
func TestQuestionnaireConflictOpensFromTheOverview(t *testing.T) {
	dir := t.TempDir()
	fixture(t, dir)
	ctx := context.Background()
	st, err := localdb.OpenWith(dir, []byte(pass), storeOpts)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := st.List(ctx, localdb.Filter{Instrument: survey.InstrumentMunicipality})
	if err != nil || len(rows) != 1 {
		t.Fatalf("the fixture's questionnaires: %v, %v", rows, err)
	}
	q := rows[0]
	mine, _, _ := st.Get(ctx, q.ID)
	mine.Answers["AmbitoTerritoriale"] = "Ambito N1"
	if _, err := st.Save(ctx, mine, localdb.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	theirs, _, _ := st.Get(ctx, q.ID)
	theirs.Answers["AmbitoTerritoriale"] = "Ambito N2"
	if _, err := st.ApplyRemote(ctx, localdb.RemoteRevision{RecordID: q.ID, Revision: "colleague-q", BaseRevision: q.Revision,
		Status: survey.StatusDraft, Record: theirs, Origin: "laptop-2"}); err != nil {
		t.Fatal(err)
	}
	st.Lock()
	h := newHarness(t, dir)
	h.vault.Options = storeOpts
	h.unlock()
	line := find(t, h.win.Content(), func(l *widget.Label) bool {
		return strings.HasPrefix(l.Text, "Questionario comunale di Napoli (NA) in conflitto")
	})
	if line == nil {
		t.Fatal("the overview has no line for the questionnaire in conflict")
	}
	if find(t, h.win.Content(), func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "Schede in conflitto: 1.") }) == nil {
		t.Error("the case records in conflict are not counted apart from the questionnaire")
	}
	row := find(t, h.win.Content(), func(c *fyne.Container) bool {
		return len(c.Objects) == 2 && c.Objects[0] == fyne.CanvasObject(line)
	})
	if row == nil {
		t.Fatal("the questionnaire's line has no button")
	}
	test.Tap(row.Objects[1].(fyne.Tappable))
	waitFor(t, func() bool { return !h.ui.Busy() })
	if !strings.Contains(h.win.Title(), "Conflitto") {
		t.Fatalf("Risolvi on the questionnaire's line shows %q", h.win.Title())
	}
}
