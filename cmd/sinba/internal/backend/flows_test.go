package backend_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sinba/localdb"
	"sinba/survey"
	"sinba/ui"
	"sinba/ui/form"
	"sinba/ui/loop"
)

// tickingClock advances a minute a reading from a fixed start, so that the
// fixtures sort in the order they were made and snapshots do not move.
func tickingClock() func() time.Time {
	t := time.Date(2025, 6, 30, 9, 30, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(time.Minute)
		return t
	}
}

var storeOpts = localdb.Options{KDF: cheapKDF}

// fixture makes a store with records in every state a researcher meets:
// drafts, finalised, returned with comments, and one in conflict.
func fixture(t testing.TB, dir string) {
	t.Helper()
	ctx := context.Background()
	o := storeOpts
	o.Now = tickingClock()
	st, _, err := localdb.CreateWith(dir, []byte(pass), o)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Lock()
	child := func(surname, name, cf string, year int) survey.Record {
		return survey.Record{Instrument: survey.InstrumentCase, Version: 1, Municipality: "063049",
			Identity: &survey.Identity{Surname: surname, Name: name, FiscalCode: cf},
			Answers:  survey.Answers{"IDBeneficiario": "P" + strings.ToUpper(surname), "AnnoNascita": year}}
	}
	save := func(rec survey.Record, status survey.Status) localdb.RecordInfo {
		info, err := st.Save(ctx, rec, localdb.SaveOptions{Status: status, Actor: "fixture"})
		if err != nil {
			t.Fatal(err)
		}
		return info
	}
	save(child("Bianchi", "Luca", "BNCLCU12A01F839X", 2012), survey.StatusDraft)
	save(child("Esposito", "Sara", "", 2015), survey.StatusFinal)
	save(survey.Record{Instrument: survey.InstrumentMunicipality, Version: 1, Municipality: "063049",
		Answers: survey.Answers{"Comune": "063049"}}, survey.StatusDraft)

	// Returned by a coordinator with a comment on the birth year.
	ret := save(child("Russo", "Anna", "", 2010), survey.StatusFinal)
	rec, _, _ := st.Get(ctx, ret.ID)
	if _, err := st.ApplyRemote(ctx, localdb.RemoteRevision{RecordID: ret.ID, Revision: "review-1", BaseRevision: ret.Revision,
		Status: survey.StatusReturned, Record: rec, Origin: localdb.OriginCoordinators,
		Comments: []survey.Comment{{Field: "AnnoNascita", Text: "L'anno non torna con la fascia d'età"}, {Text: "Controllare la data di segnalazione"}}}); err != nil {
		t.Fatal(err)
	}

	// Two edits of the same version: one here, one from a colleague.
	base := save(child("Romano", "Paolo", "", 2011), survey.StatusDraft)
	mine, _, _ := st.Get(ctx, base.ID)
	mine.Answers["LuogoVita"] = "1"
	save(mine, survey.StatusDraft)
	theirs, _, _ := st.Get(ctx, base.ID)
	theirs.Answers["LuogoVita"] = "3"
	theirs.Answers["AnnoNascita"] = 2012
	if _, err := st.ApplyRemote(ctx, localdb.RemoteRevision{RecordID: base.ID, Revision: "colleague-1", BaseRevision: base.Revision,
		Status: survey.StatusDraft, Record: theirs, Origin: "laptop-2"}); err != nil {
		t.Fatal(err)
	}
}

func (h *harness) unlock() {
	h.t.Helper()
	h.ui.Start()
	h.typeText(pass)
	h.tap("Apri")
	h.waitTitle("Panoramica")
}

func newFixtureHarness(t *testing.T) *harness {
	dir := t.TempDir()
	fixture(t, dir)
	h := newHarness(t, dir)
	h.vault.Options = storeOpts
	h.vault.Options.Now = tickingClock()
	return h
}

// newEmptyHarness is a harness over a store with nothing in it yet.
func newEmptyHarness(t *testing.T) *harness {
	t.Helper()
	dir := t.TempDir()
	st, _, err := localdb.CreateWith(dir, []byte(pass), storeOpts)
	if err != nil {
		t.Fatal(err)
	}
	st.Lock()
	h := newHarness(t, dir)
	h.vault.Options = storeOpts
	return h
}

func TestWrongPassphraseShowsTheWayToTheRecoveryKey(t *testing.T) {
	h := newFixtureHarness(t)
	h.ui.Start()
	h.typeText("non è questa")
	h.tap("Apri")
	waitFor(t, func() bool { return !h.ui.Busy() })
	msg := find(t, h.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, "Frase segreta errata") })
	if msg == nil {
		t.Fatal("no message for a wrong passphrase")
	}
	if !strings.Contains(msg.Text, "chiave di recupero") {
		t.Errorf("the message %q does not point to the recovery key", msg.Text)
	}
	test.AssertRendersToMarkup(t, "unlock_wrong.xml", h.win.Canvas())
	if h.button("Ho dimenticato la frase segreta") == nil {
		t.Fatal("no way to the recovery key")
	}
}

func TestOverviewCountsAndAttention(t *testing.T) {
	h := newFixtureHarness(t)
	h.unlock()
	for _, want := range []string{"Schede in conflitto: 1", "restituite con commenti del coordinamento: 1", "non ancora inviate al server: 1"} {
		if find(t, h.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, want) }) == nil {
			t.Errorf("the overview does not say %q", want)
		}
	}
	test.AssertRendersToMarkup(t, "home.xml", h.win.Canvas())
}

func TestCaseListSearchFilterAndOpen(t *testing.T) {
	h := newFixtureHarness(t)
	h.unlock()
	h.ui.Shortcut(ui.ShortcutSearch)
	count := func() string {
		return find(t, h.win.Content(), func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "Schede trovate") }).Text
	}
	if got := count(); got != "Schede trovate: 4" {
		t.Errorf("case list: %q, want 4 case records", got)
	}
	test.AssertRendersToMarkup(t, "cases.xml", h.win.Canvas())
	// Search by codice fiscale, typed in lower case with a space.
	h.typeText("bnclcu12a01 f839x")
	if got := count(); got != "Schede trovate: 1" {
		t.Errorf("search by codice fiscale: %q, want 1", got)
	}
	h.focusedEntry().SetText("")
	// Filter by state.
	state := find(t, h.win.Content(), func(s *widget.Select) bool { return s.Selected == "Tutti gli stati" })
	state.SetSelected("Restituita con commenti")
	if got := count(); got != "Schede trovate: 1" {
		t.Errorf("filter returned: %q, want 1", got)
	}
	// Enter in the search opens the first match.
	h.win.Canvas().Focus(h.ui.SearchEntry())
	h.key(fyne.KeyReturn)
	h.waitTitle("Russo")
	if !strings.Contains(h.win.Title(), "Russo") {
		t.Fatalf("Enter opened %q, want Russo's record", h.win.Title())
	}
}

func TestReturnedRecordShowsCommentsBesideFields(t *testing.T) {
	h := newFixtureHarness(t)
	h.unlock()
	h.ui.Shortcut(ui.ShortcutSearch)
	h.typeText("russo")
	h.key(fyne.KeyReturn)
	h.waitTitle("Russo")
	if find(t, h.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, "Controllare la data di segnalazione") }) == nil {
		t.Error("the comment on the whole record is not shown")
	}
	// The banner says what the coordinators wrote on the field, not only
	// that they wrote something.
	banner := find(t, h.win.Content(), func(c *widget.Card) bool { return c.Title == "Restituita dal coordinamento" })
	if banner == nil || find(t, banner, func(l *widget.Label) bool { return strings.Contains(l.Text, "L'anno non torna con la fascia d'età") }) == nil {
		t.Error("the banner does not show the comment on the birth year")
	}
	// The comment on the birth year is on the page of that field.
	if find(t, h.win.Content(), func(b *widget.Button) bool { return strings.Contains(b.Text, "Anno di nascita") }) == nil {
		t.Fatal("no link to the commented field")
	}
	test.Tap(find(t, h.win.Content(), func(b *widget.Button) bool { return strings.Contains(b.Text, "Anno di nascita") }))
	if find(t, h.win.Content(), func(l *widget.Label) bool {
		return strings.Contains(l.Text, "Commento del coordinamento: L'anno non torna")
	}) == nil {
		t.Error("the comment is not beside its field")
	}
	test.AssertRendersToMarkup(t, "returned.xml", h.win.Canvas())
}

// The researcher edits a returned record: the banner, the comment beside its
// field and the home's count of returned records stay, the edited field's
// thread says it is corrected, and a reply to the record-wide comment is
// saved with the record; reopening the record shows the same.
func TestReturnedRecordKeepsCommentsThroughEdits(t *testing.T) {
	h := newFixtureHarness(t)
	h.unlock()
	open := func() {
		h.ui.Shortcut(ui.ShortcutSearch)
		h.focusedEntry().SetText("russo")
		h.key(fyne.KeyReturn)
		h.waitTitle("Russo")
	}
	label := func(sub string) *widget.Label {
		return find(t, h.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, sub) })
	}
	banner := func() *widget.Card {
		return find(t, h.win.Content(), func(c *widget.Card) bool { return c.Title == "Restituita dal coordinamento" })
	}
	open()
	if label("Letto") == nil {
		t.Error("opening the record does not mark its comments read")
	}
	test.Tap(find(t, h.win.Content(), func(b *widget.Button) bool { return strings.Contains(b.Text, "Anno di nascita") }))
	h.focusedEntry().SetText("2011")
	h.ui.Shortcut(ui.ShortcutSave)
	if banner() == nil {
		t.Fatal("the banner is gone after an edit")
	}
	if label("Commento del coordinamento: L'anno non torna") == nil {
		t.Fatal("the comment beside the field is gone after an edit")
	}
	if label("Corretto") == nil {
		t.Error("the edited field's thread is not marked corrected")
	}

	// A reply to the comment on the whole record, confirmed with Enter.
	test.Tap(findAll[*widget.Button](t, h.win.Content())[indexOf(t, h, "Rispondi")])
	h.typeText("La data è quella del protocollo")
	h.key(fyne.KeyReturn)
	if label("Tua risposta: La data è quella del protocollo") == nil {
		t.Fatal("the reply is not shown with its thread")
	}
	test.AssertRendersToMarkup(t, "returned_edited.xml", h.win.Canvas())

	h.ui.Shortcut(ui.ShortcutHome)
	h.waitTitle("Panoramica")
	if label("restituite con commenti del coordinamento: 1") == nil {
		t.Error("the home no longer counts the edited record as returned")
	}
	open()
	if banner() == nil || label("Tua risposta: La data è quella del protocollo") == nil || label("Corretto") == nil {
		t.Fatal("reopened, the record lost its banner, the reply or the thread's state")
	}
	test.Tap(find(t, h.win.Content(), func(b *widget.Button) bool { return strings.Contains(b.Text, "Anno di nascita") }))
	if label("Commento del coordinamento: L'anno non torna") == nil {
		t.Fatal("reopened, the comment beside the field is gone")
	}
}

// indexOf is the place of the first button labelled text among the screen's
// buttons.
func indexOf(t *testing.T, h *harness, text string) int {
	t.Helper()
	for i, b := range findAll[*widget.Button](t, h.win.Content()) {
		if b.Text == text {
			return i
		}
	}
	t.Fatalf("no button %q", text)
	return -1
}

func TestConflictSideBySide(t *testing.T) {
	h := newFixtureHarness(t)
	h.unlock()
	h.tap("Risolvi")
	h.win.Canvas().Focus(h.ui.SearchEntry())
	h.key(fyne.KeyReturn)
	if !strings.Contains(h.win.Title(), "Conflitto") {
		t.Fatalf("opening a record in conflict shows %q", h.win.Title())
	}
	test.AssertRendersToMarkup(t, "conflict.xml", h.win.Canvas())
	// Keep the colleague's place of living, and this laptop's birth year.
	radios := findAll[*widget.RadioGroup](t, h.win.Content())
	if len(radios) != 2 {
		t.Fatalf("%d differing fields, want 2 (LuogoVita, AnnoNascita)", len(radios))
	}
	radios[1].SetSelected("l'altra") // LuogoVita comes after AnnoNascita in the form
	h.tap("Unisci e continua")
	waitFor(t, func() bool { return !h.ui.Busy() })
	if strings.Contains(h.win.Title(), "Conflitto") {
		t.Fatalf("still in conflict after resolving: %q", h.win.Title())
	}
	h.ui.Shortcut(ui.ShortcutLock)
	st, err := localdb.OpenWith(h.vault.Dir, []byte(pass), storeOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Lock()
	infos, _ := st.List(context.Background(), localdb.Filter{Conflict: true})
	if len(infos) != 0 {
		t.Fatalf("%d records still in conflict", len(infos))
	}
	infos, _ = st.List(context.Background(), localdb.Filter{Query: "romano"})
	rec, _, _ := st.Get(context.Background(), infos[0].ID)
	if rec.Answers["LuogoVita"] != "3" || fmt.Sprint(rec.Answers["AnnoNascita"]) != "2011" {
		t.Errorf("merged LuogoVita=%v AnnoNascita=%v, want 3 and 2011", rec.Answers["LuogoVita"], rec.Answers["AnnoNascita"])
	}
}

// TestFinaliseListsEveryFindingAsALink: finalising a record with findings
// lists them in a scrollable panel, grouped by section under a heading that
// counts them as the sidebar does; each finding once, its field's label
// once, a link that shows the field's section and focuses it; the counts of
// the panel, the state line and the sidebar agree.
func TestFinaliseListsEveryFindingAsALink(t *testing.T) {
	h := newFixtureHarness(t)
	h.unlock()
	h.ui.Shortcut(ui.ShortcutSearch)
	h.typeText("bianchi")
	h.key(fyne.KeyReturn)
	h.waitTitle("Bianchi")
	h.ui.Shortcut(ui.ShortcutFinalise)

	card := find(t, h.win.Content(), func(c *widget.Card) bool { return c.Title == "Da correggere" })
	if card == nil {
		t.Fatal("no panel of findings")
	}
	if find(t, card, func(*container.Scroll) bool { return true }) == nil {
		t.Error("the panel of findings does not scroll")
	}
	links := findLinks(t, card)
	if len(links) < 5 {
		t.Fatalf("%d findings listed as links, want every missing required answer", len(links))
	}
	seen := map[string]bool{}
	for _, l := range links {
		if seen[l.Text] {
			t.Errorf("%q listed twice", l.Text)
		}
		seen[l.Text] = true
		label, msg, ok := strings.Cut(l.Text, ": ")
		if !ok || strings.Contains(msg, label+":") {
			t.Errorf("%q: not the label once, then the message", l.Text)
		}
	}
	// The headings: one a section, in order, with its counts, which the
	// sidebar repeats; together they are what the state line says.
	var total, errs, warns int
	last := 0
	for _, l := range findAll[*widget.Label](t, card) {
		n, title, ok := strings.Cut(l.Text, ". ")
		if !ok || !l.TextStyle.Bold {
			continue
		}
		var page int
		if _, err := fmt.Sscan(n, &page); err != nil {
			continue
		}
		if page <= last {
			t.Errorf("section %d listed after section %d", page, last)
		}
		last = page
		name, counts, _ := strings.Cut(title, " · ")
		if side, ok := h.sidebarBadge(n + ". " + name); !ok || side != "⚠ "+counts {
			t.Errorf("heading %q, sidebar badge %q (section found: %v)", l.Text, side, ok)
		}
		for _, part := range strings.Split(counts, ", ") {
			var k int
			var what string
			fmt.Sscan(part, &k, &what)
			total += k
			if strings.HasPrefix(what, "error") {
				errs += k
			} else {
				warns += k
			}
		}
	}
	if total != len(links) {
		t.Errorf("the headings count %d findings, the panel lists %d", total, len(links))
	}
	state := fmt.Sprintf("errori %d, avvisi %d", errs, warns)
	if find(t, h.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, state) }) == nil {
		t.Errorf("the state line does not say %q", state)
	}
	if want := form.CountText(errs, warns); card.Subtitle != want {
		t.Errorf("panel subtitle %q, want %q", card.Subtitle, want)
	}

	// A finding takes the researcher to its field.
	var target link
	for _, l := range links {
		if strings.HasPrefix(l.Text, "Fonte della segnalazione") {
			target = l
		}
	}
	if target.Focusable == nil {
		target = links[len(links)-1]
	}
	c := h.win.Canvas()
	c.Focus(target.Focusable)
	h.key(fyne.KeyReturn)
	field := c.Focused()
	if field == nil || field == target.Focusable {
		t.Fatalf("Enter on the link %q focused %T", target.Text, field)
	}
	c.Focus(links[0].Focusable)
	test.TapAt(target.Tappable, fyne.NewPos(12, 12))
	if got := c.Focused(); got != field {
		t.Fatalf("a click on the link %q focused %T, Enter focused %T", target.Text, got, field)
	}
	test.AssertRendersToMarkup(t, "finalise.xml", h.win.Canvas())
}

// link is a link of the list of findings, with its text.
type link struct {
	fyne.Focusable
	fyne.Tappable
	Text string
}

// findLinks returns the links under o: focusable, tappable widgets drawn
// with a rich text (hyperlinks), in order.
func findLinks(t testing.TB, o fyne.CanvasObject) []link {
	var out []link
	for _, w := range findAll[fyne.Widget](t, o) {
		f, ok1 := w.(fyne.Focusable)
		tp, ok2 := w.(fyne.Tappable)
		if !ok1 || !ok2 {
			continue
		}
		if objs := test.WidgetRenderer(w).Objects(); len(objs) > 0 {
			if rt, ok := objs[0].(*widget.RichText); ok {
				out = append(out, link{f, tp, rt.String()})
			}
		}
	}
	return out
}

func TestSkipLogicShowsAndHidesQuestions(t *testing.T) {
	h := newFixtureHarness(t)
	h.unlock()
	h.ui.Shortcut(ui.ShortcutSearch)
	h.typeText("bianchi")
	h.key(fyne.KeyReturn)
	h.waitTitle("Bianchi")
	h.ui.Shortcut(ui.ShortcutNextPage)
	visible := func(label string) bool {
		return find(t, h.win.Content(), func(l *widget.Label) bool { return strings.HasPrefix(l.Text, label) }) != nil
	}
	if visible("Tipo di disabilità") {
		t.Fatal("the type of disability shows before the child is said to have one")
	}
	h.ui.FocusField("Disabilita")
	disab, ok := h.win.Canvas().Focused().(interface{ SetSelected(string) })
	if !ok {
		t.Fatalf("focused %T, want the Disabilita select", h.win.Canvas().Focused())
	}
	disab.SetSelected(disabilityYes(t))
	if !visible("Tipo di disabilità") {
		t.Error("the type of disability does not show when Disabilita = 1")
	}
}

func TestSyncShowsProgressAndReceipt(t *testing.T) {
	h := newFixtureHarness(t)
	h.sync.enrolled, h.sync.server = true, "https://sinba.example.org"
	h.unlock()
	h.ui.Shortcut(ui.ShortcutSync)
	waitFor(t, func() bool { return !h.ui.Busy() })
	if find(t, h.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, "Ricevuta n. ab12cd34") }) == nil {
		t.Error("the receipt is not shown in plain words")
	}
	test.AssertRendersToMarkup(t, "sync.xml", h.win.Canvas())

	h.sync.fail = ui.ErrOffline
	h.ui.Shortcut(ui.ShortcutSync)
	waitFor(t, func() bool { return !h.ui.Busy() })
	if find(t, h.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, "Controlla la connessione") }) == nil {
		t.Error("an unreachable server does not say what to do")
	}
}

func TestSettingsChangePassphraseAndLanguage(t *testing.T) {
	h := newFixtureHarness(t)
	h.unlock()
	h.tap("Impostazioni")
	test.AssertRendersToMarkup(t, "settings.xml", h.win.Canvas())
	h.tap("Cambia la frase segreta")
	h.typeText(pass)
	h.win.Canvas().FocusNext()
	h.typeText("un'altra frase segreta")
	h.win.Canvas().FocusNext()
	h.typeText("un'altra frase segreta")
	h.key(fyne.KeyReturn)
	if !strings.Contains(h.win.Title(), "Panoramica") {
		t.Fatalf("after the change: %q", h.win.Title())
	}
	h.ui.Shortcut(ui.ShortcutLock)
	h.typeText("un'altra frase segreta")
	h.tap("Apri")
	h.waitTitle("Panoramica")
	h.tap("Impostazioni")
	lang := find(t, h.win.Content(), func(s *widget.Select) bool { return s.Selected == "Italiano" })
	lang.SetSelected("English")
	if !strings.Contains(h.win.Title(), "Settings") {
		t.Fatalf("after switching to English: %q", h.win.Title())
	}
	if err := ui.LoadTranslations(readTranslation, "it"); err != nil {
		t.Fatal(err)
	}
}

// The idle lock is armed with a short unit only once the store is open, by
// choosing a delay in the settings, so that a slow unlock cannot race it.
func TestIdleLock(t *testing.T) {
	h := newFixtureHarness(t)
	h.unlock()
	ui.IdleUnit = time.Millisecond
	defer func() { ui.IdleUnit = time.Minute }()
	h.tap("Impostazioni")
	idle := find(t, h.win.Content(), func(s *widget.Select) bool { return strings.Contains(s.Selected, "minuti") })
	if idle == nil {
		t.Fatal("the settings have no idle delay")
	}
	idle.SetSelected(idle.Options[0])
	// The lock comes from the store's timer, through the app's loop: wait
	// for the unlock screen and its notice.
	notice := func() bool {
		return find(t, h.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, "inattività") }) != nil
	}
	waitFor(t, func() bool { return strings.Contains(h.win.Title(), "Apri") && notice() })
}

func findAll[T fyne.CanvasObject](t testing.TB, o fyne.CanvasObject) []T {
	var out []T
	find(t, o, func(v T) bool { out = append(out, v); return false })
	return out
}

// waitFor waits until ok holds, running meanwhile, on the test goroutine,
// what the app hands to the UI goroutine (package loop): results of
// background work, delayed focus, autosave, the idle lock.
func waitFor(t testing.TB, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for loop.RunQueued(); !ok(); loop.RunQueued() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// settle waits until the app has shown the results of what it started
// (ui.App.Busy): tests call it before they read or type into the screen
// after an action that scheduled work.
func settle(t testing.TB) {
	t.Helper()
	if !loop.Settle(10 * time.Second) {
		t.Fatal("the app is still busy after 10s")
	}
}

// disabilityYes is the option text of Disabilita = 1, from the definition.
// disabilityYes is the text of Disabilita = 1 in the form of the fixture's
// records, which are of version 1 of the case record.
func disabilityYes(t *testing.T) string {
	spec, err := instruments(t).Form(survey.InstrumentCase, 1, "it")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range spec.Pages {
		for _, q := range p.Questions {
			if q.ID == "Disabilita" {
				for _, o := range q.Options {
					if o.Code == "1" {
						return o.Text()
					}
				}
			}
		}
	}
	t.Fatal("no Disabilita = 1 in the case record")
	return ""
}

// openDraftWithoutSecret opens a case record on a laptop that has not yet
// received the project's pseudonym secret.
func openDraftWithoutSecret(t *testing.T) *harness {
	return openDraftWithFiscalCode(t, "VRDMRT12A41F839Y")
}

// openDraftWithFiscalCode is openDraftWithoutSecret with the codice fiscale
// fc in the draft's identification.
func openDraftWithFiscalCode(t *testing.T, fc string) *harness {
	dir := t.TempDir()
	fixture(t, dir)
	o := storeOpts
	o.Now = tickingClock()
	st, err := localdb.OpenWith(dir, []byte(pass), o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Save(context.Background(), survey.Record{Instrument: survey.InstrumentCase, Version: 1, Municipality: "063049",
		Identity: &survey.Identity{Surname: "Verdi", Name: "Marta", FiscalCode: fc},
		Answers:  survey.Answers{"AnnoNascita": 2012}}, localdb.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	st.Lock()
	h := newHarness(t, dir)
	h.vault.Options = storeOpts
	h.vault.Options.Now = tickingClock()
	h.unlock()
	h.ui.Shortcut(ui.ShortcutSearch)
	h.focusedEntry().SetText("verdi")
	h.key(fyne.KeyReturn)
	h.waitTitle("Verdi")
	return h
}

// A case with a codice fiscale on a laptop that has not received the
// project's pseudonym secret: finalising says exactly that, and what to do,
// instead of "required", and the record stays a draft.
func TestFinaliseWithoutTheProjectSecretSaysSo(t *testing.T) {
	h := openDraftWithoutSecret(t)
	h.ui.Shortcut(ui.ShortcutFinalise)
	top := h.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no message when the pseudonym cannot be computed")
	}
	if find(t, top, func(l *widget.Label) bool {
		return strings.Contains(l.Text, "non ha ancora ricevuto il segreto del progetto")
	}) == nil {
		t.Fatal("the message does not say the project secret is missing")
	}
	if find(t, h.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, "risposta obbligatoria") }) != nil {
		t.Error("the screen still says the pseudonym is a required answer")
	}
	if b := h.button("Finalizza"); !b.Visible() {
		t.Error("the record was finalised without its pseudonym")
	}
}
