package backend_test

import (
	"context"
	"fmt"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"sinba/localdb"
	"sinba/ui"
	"sinba/ui/form"
)

// newCaseAt opens a new case record of the newest version in a window of
// size, the screen of a municipal office's laptop.
func newCaseAt(t *testing.T, size fyne.Size) *harness {
	t.Helper()
	h := newFixtureHarness(t)
	h.win.Resize(size)
	h.screen = size
	h.unlock()
	h.sync.Enrol(context.Background(), "http://127.0.0.1:1", "X")
	h.ui.Shortcut(ui.ShortcutNewCase)
	h.waitTitle("Scheda minore")
	return h
}

// fits fails unless the screen's minimum size is within the window (the
// screen the test gave it): a larger
// one makes the window grow past the screen (and never shrink back).
func (h *harness) fits(when string) {
	h.t.Helper()
	settle(h.t)
	// The test window grows to what its content needs, as a real one
	// without a window manager does: compare with the screen it was given.
	min, size := h.win.Content().MinSize(), h.screen
	if size.IsZero() {
		size = h.win.Canvas().Size()
	}
	if min.Width > size.Width || min.Height > size.Height {
		h.t.Errorf("%s: the screen needs %v, the window is %v", when, min, size)
	}
}

// TestRecordScreenStaysWithinTheWindow: at 1280x800, a record whose
// finalising lists dozens of findings (every required answer missing, long
// messages) keeps the screen within the window on every section, the list
// of findings open beside the form: the long grid of benefit codes goes to
// one column, the state line and the findings wrap.
func TestRecordScreenStaysWithinTheWindow(t *testing.T) {
	h := newCaseAt(t, fyne.NewSize(1280, 800))
	h.fits("a new record")
	h.ui.Shortcut(ui.ShortcutFinalise)
	settle(t)
	card := find(t, h.win.Content(), func(c *widget.Card) bool { return c.Title == "Da correggere" })
	if card == nil {
		t.Fatal("no panel of findings")
	}
	if n := len(findLinks(t, card)); n < 12 {
		t.Fatalf("%d findings listed, want the many of an empty record", n)
	}
	for range 12 {
		h.ui.Shortcut(ui.ShortcutPrevPage)
	}
	pages := 0
	for {
		settle(t)
		h.fits("findings open, section " + sectionShown(h))
		pages++
		before := sectionShown(h)
		h.ui.Shortcut(ui.ShortcutNextPage)
		settle(t)
		if sectionShown(h) == before || pages > 20 {
			break
		}
	}
	if pages < 8 {
		t.Fatalf("%d sections visited, want every one", pages)
	}
}

// sectionShown is the form's "Sezione N di M".
func sectionShown(h *harness) string {
	l := find(h.t, h.win.Content(), func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "Sezione ") })
	if l == nil {
		h.t.Fatal("no section counter on the screen")
	}
	return l.Text
}

// answer focuses the question at path and types what the keyboard would.
func (h *harness) answer(path, typed string) {
	h.t.Helper()
	if !h.ui.FocusField(path) {
		h.t.Fatalf("no question %s on the screen", path)
	}
	h.typeText(typed)
}

// fillCase answers every required question of a new case record from the
// keyboard, the child born in year (the reference date is today's,
// 30/06/2025).
func (h *harness) fillCase(year string) {
	h.t.Helper()
	h.answer("identity.surname", "Russo")
	h.answer("identity.name", "Maria")
	h.answer("identity.sex", "F")
	h.answer("IDBeneficiario", "PSEUDO43")
	h.answer("AnnoNascita", year)
	h.ui.FocusField("CodiceNazioneResidenza")
	h.key(fyne.KeySpace) // the country's search
	h.typeText("Italia")
	h.key(fyne.KeyReturn)
	for path, code := range map[string]string{"MinoreStranieroNoAcc": "2", "CondizioneMinore": "1", "LuogoVita": "1",
		"ScuolaFrequentata": "7", "CondizioneLavoro": "1", "Disabilita": "2", "FonteSegnalazione": "1",
		"ValutazioneMinore": "1", "ValutazioneFamigliaMinore": "1", "SegnalazioneAutoritaGiudiziaria": "2",
		"ProvvedimentoGiudiziario": "2"} {
		h.answer(path, code)
	}
	h.answer("ComposizioneFamiglia", " ")
	h.answer("CodicePrestazione", " ")
	h.answer("DataPrimaSegnalazione", "03/2017")
	settle(h.t)
}

// counted is what one place of the screen says of the findings.
type counted struct {
	where            string
	errors, warnings int
}

// parseCounts reads "2 errori, 1 avviso".
func parseCounts(s string) (errs, warns int) {
	for _, part := range strings.Split(s, ", ") {
		var k int
		var what string
		if _, err := fmt.Sscan(part, &k, &what); err != nil {
			continue
		}
		if strings.HasPrefix(what, "error") {
			errs += k
		} else {
			warns += k
		}
	}
	return errs, warns
}

// screenCounts is what the sidebar's badges add up to and, while the list
// of findings is open, what its subtitle and its headings say.
func (h *harness) screenCounts() []counted {
	h.t.Helper()
	settle(h.t)
	side := counted{where: "sidebar"}
	for _, l := range findAll[*widget.Label](h.t, h.win.Content()) {
		if badge, ok := strings.CutPrefix(l.Text, "⚠ "); ok { // a section's badge
			e, w := parseCounts(badge)
			side.errors += e
			side.warnings += w
		}
	}
	out := []counted{side}
	card := find(h.t, h.win.Content(), func(c *widget.Card) bool { return c.Title == "Da correggere" })
	if card == nil {
		return out
	}
	sub := counted{where: "panel " + card.Subtitle}
	sub.errors, sub.warnings = parseCounts(card.Subtitle)
	heads := counted{where: "panel headings"}
	for _, l := range findAll[*widget.Label](h.t, card) {
		if _, c, ok := strings.Cut(l.Text, " · "); ok && l.TextStyle.Bold {
			e, w := parseCounts(c)
			heads.errors += e
			heads.warnings += w
		}
	}
	entries := counted{where: "panel entries"}
	for _, ic := range findAll[*widget.Icon](h.t, card) {
		switch ic.Resource.Name() {
		case theme.ErrorIcon().Name():
			entries.errors++
		case theme.WarningIcon().Name():
			entries.warnings++
		}
	}
	return append(out, sub, heads, entries)
}

// agree fails unless every place counts want.
func agree(t *testing.T, when string, got []counted, want counted) {
	t.Helper()
	for _, c := range got {
		if c.errors != want.errors || c.warnings != want.warnings {
			t.Errorf("%s: %s counts %d errors, %d warnings; want %d, %d (everywhere: %+v)", when, c.where, c.errors, c.warnings, want.errors, want.warnings, got)
		}
	}
}

// TestFindingsCountedAlikeEverywhere: the sidebar's badges, the list of
// findings (subtitle, headings, entries), the state line and the
// confirmation at finalising count the same findings: a record with only a
// warning (before and after it is confirmed and the record finalised), one
// with only errors, one with both.
func TestFindingsCountedAlikeEverywhere(t *testing.T) {
	t.Run("only a warning", func(t *testing.T) {
		h := newCaseAt(t, fyne.NewSize(1280, 800))
		h.fillCase("2007") // 17 or 18 at the reference date: a warning
		h.ui.Shortcut(ui.ShortcutFinalise)
		agree(t, "finalising", h.screenCounts(), counted{warnings: 1})
		top := h.win.Canvas().Overlays().Top()
		if top == nil || find(t, top, func(l *widget.Label) bool { return strings.Contains(l.Text, "avvisi da controllare (1)") }) == nil {
			t.Fatal("no confirmation of the one warning")
		}
		h.key(fyne.KeyReturn)
		waitFor(t, func() bool {
			return find(t, h.win.Content(), func(b *widget.Button) bool { return b.Text == "Riapri per modificare" }) != nil
		})
		agree(t, "finalised", h.screenCounts(), counted{warnings: 1})
		// The finalised record on screen is the record saved: reopened, its
		// age band (proposed from the year when it was typed) is kept.
		h.tap("Riapri per modificare")
		settle(t)
		h.ui.Shortcut(ui.ShortcutLock)
		st, err := localdb.OpenWith(h.vault.Dir, []byte(pass), storeOpts)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Lock()
		infos, _ := st.List(context.Background(), localdb.Filter{Query: "russo maria"})
		if len(infos) != 1 {
			t.Fatalf("%d records of Russo Maria in the store", len(infos))
		}
		rec, _, _ := st.Get(context.Background(), infos[0].ID)
		if got := rec.Answers["FasciaEtaBeneficiario"]; got != "6" {
			t.Errorf("reopened, the record holds the age band %#v, want 6 (15-18)", got)
		}
	})
	for _, tc := range []struct {
		name string
		year string
		edit func(h *harness)
		want counted
	}{
		{"only errors", "2012", clear("DataPrimaSegnalazione"), counted{errors: 1}},
		{"errors and a warning", "2007", clear("DataPrimaSegnalazione"), counted{errors: 1, warnings: 1}},
		// A rule about four fields in two sections (the place of living, the
		// foster care's type, length and character) is one warning.
		{"a rule about several fields", "2012", func(h *harness) { h.answer("TipoInterventoAffido", "1") }, counted{warnings: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newCaseAt(t, fyne.NewSize(1280, 800))
			h.fillCase(tc.year)
			tc.edit(h)
			h.ui.Shortcut(ui.ShortcutFinalise)
			agree(t, "finalising", h.screenCounts(), tc.want)
			if tc.want.errors > 0 {
				got := counted{where: "state line"}
				got.errors, got.warnings = parseCounts(stateCounts(h))
				agree(t, "finalising", []counted{got}, tc.want)
				return
			}
			top := h.win.Canvas().Overlays().Top()
			if top == nil || find(t, top, func(l *widget.Label) bool {
				return strings.Contains(l.Text, fmt.Sprintf("avvisi da controllare (%d)", tc.want.warnings))
			}) == nil {
				t.Fatalf("no confirmation of %d warnings", tc.want.warnings)
			}
		})
	}
}

// clear empties the entry of the question at path.
func clear(path string) func(h *harness) {
	return func(h *harness) {
		h.ui.FocusField(path)
		h.focusedEntry().SetText("")
	}
}

// stateCounts is the state line's "errori N, avvisi M" as "N errori, M avvisi".
func stateCounts(h *harness) string {
	l := find(h.t, h.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, "non si può ancora finalizzare") })
	if l == nil {
		h.t.Fatal("no state line with the counts")
	}
	var e, w int
	i := strings.Index(l.Text, "errori ")
	fmt.Sscanf(l.Text[i:], "errori %d, avvisi %d", &e, &w)
	return fmt.Sprintf("%d errori, %d avvisi", e, w)
}

// formScroll is the scroll of the form's section, which holds o.
func (h *harness) formScroll(o fyne.CanvasObject) *container.Scroll {
	h.t.Helper()
	for _, sc := range findAll[*container.Scroll](h.t, h.win.Content()) {
		if find(h.t, sc.Content, func(x fyne.CanvasObject) bool { return x == o }) != nil {
			return sc
		}
	}
	return nil
}

// focusedInView reports where the focused widget is in its section and
// whether the section's scroll shows it whole.
func (h *harness) focusedInView() (fyne.CanvasObject, bool, string) {
	h.t.Helper()
	settle(h.t)
	o, _ := h.win.Canvas().Focused().(fyne.CanvasObject)
	if o == nil {
		h.t.Fatal("nothing focused")
	}
	sc := h.formScroll(o)
	if sc == nil {
		return o, true, "outside the form"
	}
	d := fyne.CurrentApp().Driver()
	y := d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(sc.Content).Y
	off, view := sc.Offset.Y, sc.Size().Height
	where := fmt.Sprintf("%T at %.0f-%.0f, the view %.0f-%.0f", o, y, y+o.Size().Height, off, off+view)
	return o, y >= off && y+o.Size().Height <= off+view, where
}

// TestScrollFollowsTheFocus: Tab and Shift+Tab through the 39 benefit codes
// of section Interventi, and a focus set by the program, keep the focused
// checkbox in view; focusing one already in view moves nothing.
func TestScrollFollowsTheFocus(t *testing.T) {
	h := newCaseAt(t, fyne.NewSize(1280, 800))
	for range 6 {
		h.ui.Shortcut(ui.ShortcutNextPage)
	}
	if got := sectionShown(h); got != "Sezione 7 di 10" {
		t.Fatalf("%s, want Interventi, 7 of 10", got)
	}
	h.ui.FocusField("CodicePrestazione")
	first, ok, where := h.focusedInView()
	if !ok {
		t.Fatalf("the first benefit code is out of view: %s", where)
	}
	sc := h.formScroll(first)
	c := h.win.Canvas()
	moved := false
	var checks []fyne.CanvasObject
	for i := range 45 {
		c.FocusNext()
		o, ok, where := h.focusedInView()
		if !ok {
			t.Fatalf("Tab %d: %s", i+1, where)
		}
		if sc.Offset.Y > 0 {
			moved = true
		}
		checks = append(checks, o)
	}
	if !moved {
		t.Fatal("45 Tabs never scrolled: the grid does not go below the fold, the test shows nothing")
	}
	for i := range 45 {
		c.FocusPrevious()
		if _, ok, where := h.focusedInView(); !ok {
			t.Fatalf("Shift+Tab %d: %s", i+1, where)
		}
	}
	if c.Focused() != first.(fyne.Focusable) {
		t.Fatalf("45 Tabs and 45 Shift+Tabs focus %T, not the first code", c.Focused())
	}
	// A widget already in view: the scroll stays where it is.
	before := sc.Offset
	c.Focus(checks[2].(fyne.Focusable))
	if _, ok, where := h.focusedInView(); !ok || sc.Offset != before {
		t.Fatalf("focusing a code in view moved the scroll from %v to %v (%s)", before, sc.Offset, where)
	}
	// Far below the fold, by the program: brought into view.
	c.Focus(checks[36].(fyne.Focusable))
	if _, ok, where := h.focusedInView(); !ok {
		t.Fatalf("a code focused by the program is out of view: %s", where)
	}
}

// TestAddItemShortcut: Alt+A adds an item to the repeat group of the
// section, from the field before the group (the benefit codes) or from
// inside an item, as "Aggiungi" does: the focus on the new item's first
// field, in view. The shortcut is written beside the button.
func TestAddItemShortcut(t *testing.T) {
	h := newCaseAt(t, fyne.NewSize(1280, 800))
	for range 6 {
		h.ui.Shortcut(ui.ShortcutNextPage)
	}
	if find(t, h.win.Content(), func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "Alt+A") }) == nil {
		t.Error("the shortcut is not written beside Aggiungi")
	}
	h.ui.FocusField("CodicePrestazione")
	settle(t)
	c := h.win.Canvas()
	for i := range 2 {
		if !h.ui.Shortcut(ui.ShortcutAddItem) {
			t.Fatal("no shortcut to add an item")
		}
		o, ok, where := h.focusedInView()
		if !ok {
			t.Fatalf("item %d: the focus is out of view: %s", i+1, where)
		}
		first := form.ItemPath("DettaglioInterventi", i, "CodicePrestazione")
		if !h.ui.FocusField(first) {
			t.Fatalf("Alt+A %d times: no item %d", i+1, i+1)
		}
		if c.Focused() != o.(fyne.Focusable) {
			t.Fatalf("Alt+A focused %T, not the first field of item %d", o, i+1)
		}
		h.typeText("A1.09") // typed where the focus went, in the new item
	}
	if h.ui.FocusField(form.ItemPath("DettaglioInterventi", 2, "CodicePrestazione")) {
		t.Fatal("three items after Alt+A twice")
	}
}

// TestFindingsPanelKeepsTheView: the list of findings opening beside the
// form (the confirmation of a warning holding the focus) narrows the grid of
// benefit codes to one column, and the question the researcher was looking
// at below it stays where it was on the screen.
func TestFindingsPanelKeepsTheView(t *testing.T) {
	h := newCaseAt(t, fyne.NewSize(1280, 800))
	h.fillCase("2007") // a warning only: finalising asks to confirm
	h.ui.FocusField("CollaborazioniInterventi")
	o, ok, where := h.focusedInView()
	if !ok {
		t.Fatalf("the last question of Interventi is out of view: %s", where)
	}
	d := fyne.CurrentApp().Driver()
	sc := h.formScroll(o)
	y := func() float32 { return d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(sc).Y }
	before := y()
	h.ui.Shortcut(ui.ShortcutFinalise)
	settle(t)
	if h.win.Canvas().Overlays().Top() == nil {
		t.Fatal("no confirmation of the warning")
	}
	if find(t, h.win.Content(), func(c *widget.Card) bool { return c.Title == "Da correggere" }) == nil {
		t.Fatal("no list of findings")
	}
	if after := y(); after < before-1 || after > before+1 {
		t.Fatalf("the question looked at moved from %.0f to %.0f in the view when the findings opened", before, after)
	}
}
