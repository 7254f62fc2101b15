package backend_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sinba/assets"
	"sinba/cmd/sinba/internal/backend"
	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/ui"
)

// The app over a real store enrolled with a real server: a version 3 of the
// case record, published while a version 1 draft is open, arrives with a
// background round and the open record says so without a restart; "Passa
// alla versione 3…" lists what will move, Escape leaves the record as it
// was, Enter moves it, and the record opens in version 3 with the move in
// its history. New records then take version 3.
func TestNewVersionReachesTheOpenRecordAndMovesIt(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir()) // version 1 published
	p.Serve(t, server.Config{})
	dir := t.TempDir()
	st, _, err := localdb.CreateWith(dir, []byte(pass), storeOpts)
	if err != nil {
		t.Fatal(err)
	}
	c := client.New(st, client.Options{})
	if _, err := c.Enrol(ctx, p.URL, p.Code(t, p.TeamA)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SyncOnce(ctx, nil); err != nil {
		t.Fatal(err)
	}
	draft, err := st.Save(ctx, survey.Record{Instrument: survey.InstrumentCase, Version: 1, Municipality: synctest.MunicipalityA,
		Identity: &survey.Identity{Surname: "Verdi", Name: "Marco"},
		Answers: survey.Answers{"IDBeneficiario": "PVERDI", "AnnoNascita": 2012, "NumeroComponentiISEE": 4,
			"TitoloStudioMadre": "3", "OccupazionePadre": "2"}}, localdb.SaveOptions{Actor: "rilevatore"})
	if err != nil {
		t.Fatal(err)
	}
	st.Lock()

	old := ui.BackgroundEvery
	ui.BackgroundEvery = time.Hour // rounds only at unlock and when kicked
	t.Cleanup(func() { ui.BackgroundEvery = old })
	ins, err := backend.LoadInstruments()
	if err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	if err := ui.LoadTranslations(readTranslation, "it"); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, app: a, vault: &backend.Vault{Dir: dir, Options: storeOpts, Instruments: ins}}
	h.win = test.NewTempWindow(t, widget.NewLabel(""))
	h.win.Resize(fyne.NewSize(1100, 760))
	var syncer *backend.Syncer
	var opened *backend.Store
	h.ui = ui.New(h.win, ui.Options{Vault: h.vault, Instruments: ins, Translations: readTranslation,
		Syncer: func(s ui.Store) ui.Syncer {
			opened, syncer = s.(*backend.Store), backend.NewSyncer(s).(*backend.Syncer)
			return syncer
		}})
	t.Cleanup(h.ui.Close)
	h.unlock()

	label := func(sub string) *widget.Label {
		return find(t, h.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, sub) })
	}
	h.ui.Shortcut(ui.ShortcutSearch)
	h.typeText("verdi")
	h.key(fyne.KeyReturn)
	h.waitTitle("Verdi")
	if label("Strumento: Scheda minore (set minimo di dati SINBA), versione 1") == nil {
		t.Fatal("the record screen does not say which version the record uses")
	}
	if label("È disponibile la versione") != nil {
		t.Fatal("a newer version is offered before one is published")
	}

	b2, err := assets.Instruments.ReadFile("instruments/scheda-minore.v2.json")
	if err != nil {
		t.Fatal(err)
	}
	p.PublishCase(t, 2, b2)
	p.PublishCase(t, 3, synctest.CaseV3(t))
	syncer.Kick()
	waitFor(t, func() bool { return label("È disponibile la versione 3") != nil })

	h.tap("Passa alla versione 3…")
	settle(t)
	text := h.topText()
	for _, want := range []string{"dalla versione 1 alla versione 3", "«Componenti del nucleo ISEE»: la risposta resta (4)",
		"«Titolo di studio più alto dei genitori»: riunisce le risposte a «Titolo di studio della madre», «Titolo di studio del padre» (3 · licenza media)",
		"«Condizione occupazionale del padre»: la risposta è tolta (2 · ", "«Disabilità certificata»: domanda nuova, risposta iniziale 2 · No",
		"resta nella sua cronologia"} {
		if !strings.Contains(text, want) {
			t.Errorf("the move dialog lacks %q:\n%s", want, text)
		}
	}
	for _, id := range []string{"NumeroComponentiISEE", synctest.V3Renamed, synctest.V3Merged, synctest.V3Dropped, synctest.V3Defaulted} {
		if strings.Contains(text, id) {
			t.Errorf("the move dialog names the field id %s:\n%s", id, text)
		}
	}
	h.press(fyne.KeyEscape)
	settle(t)
	if h.topText() != "" {
		t.Fatal("Escape does not close the move dialog")
	}
	if _, info, _ := opened.DB.Get(ctx, draft.ID); info.InstrumentVersion != 1 {
		t.Fatalf("after Escape the record is at version %d, want 1", info.InstrumentVersion)
	}

	h.tap("Passa alla versione 3…")
	settle(t)
	h.press(fyne.KeyReturn)
	waitFor(t, func() bool { return label("Strumento: Scheda minore (set minimo di dati SINBA), versione 3") != nil })
	if label("È disponibile la versione") != nil {
		t.Error("a record at the newest version is still offered a move")
	}
	if label("Scheda passata alla versione 3") == nil {
		t.Error("the record screen does not say it moved")
	}
	hist, err := opened.DB.History(ctx, draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].Record.Version != 1 || hist[1].Record.Version != 3 || !strings.HasPrefix(hist[1].Note.IT, "Passata dalla versione 1 alla 3") ||
		!strings.HasPrefix(hist[1].Note.EN, "Moved from version 1 to 3") {
		t.Fatalf("history: %d versions, last note %q", len(hist), hist[len(hist)-1].Note)
	}
	if v, published := ins.Current(survey.InstrumentCase); v != 3 || !published {
		t.Fatalf("new records take version %d (published %v), want 3", v, published)
	}
}

// A store whose list of published versions cannot be read still opens, with
// the built-in versions, and the app says why the published ones are
// missing rather than dropping them silently.
func TestUnreadablePublishedListIsSaid(t *testing.T) {
	dir := t.TempDir()
	st, _, err := localdb.CreateWith(dir, []byte(pass), storeOpts)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetSecret(context.Background(), "sync/instruments", []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	st.Lock()
	ins, err := backend.LoadInstruments()
	if err != nil {
		t.Fatal(err)
	}
	v := &backend.Vault{Dir: dir, Options: storeOpts, Instruments: ins}
	s, err := v.Open([]byte(pass))
	if err != nil {
		t.Fatalf("the store does not open: %v", err)
	}
	defer s.Lock()
	probs := ins.Problems()
	if len(probs) != 1 || !strings.Contains(probs[0].IT, "non sono state lette") || !strings.Contains(probs[0].EN, "could not be read") {
		t.Fatalf("problems %+v, want the unreadable list said", probs)
	}
	if v, published := ins.Current(survey.InstrumentCase); v != 2 || published {
		t.Fatalf("new records take %d (published %v), want the built-in 2", v, published)
	}
}
