package backend_test

import (
	"context"
	"slices"
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
	"sinba/sync/coord"
	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/ui"
	"sinba/ui/coordinator"
	"sinba/ui/loop"
)

// reviewLoop is a real server on loopback, a coordinator's profile that
// created the project, and one researcher's laptop of its team, each a real
// encrypted store.
type reviewLoop struct {
	t      *testing.T
	ctx    context.Context
	url    string
	srv    *server.Store
	coord  *coord.Coordinator
	laptop *localdb.Store
	client *client.Client
}

func newReviewLoop(t *testing.T) *reviewLoop {
	t.Helper()
	ctx := context.Background()
	srv, url := loopbackServer(t)
	l := &reviewLoop{t: t, ctx: ctx, url: url, srv: srv}
	st, _, err := localdb.CreateWith(t.TempDir(), []byte("passphrase del coordinamento"), synctest.TestKDF)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	code, _, err := srv.CreateProjectCode(ctx, "Pilota S.In.Ba", time.Hour)
	l.must(err)
	l.coord = coord.New(st, coord.Options{})
	_, err = l.coord.Enrol(ctx, url, code)
	l.must(err)
	for _, name := range []string{"scheda-minore.v1.json", "scheda-comune.v1.json"} {
		body, err := assets.Instruments.ReadFile("instruments/" + name)
		l.must(err)
		_, err = l.coord.Publish(ctx, body)
		l.must(err)
	}
	_, err = l.coord.CreateTeam(ctx, "Squadra Campania")
	l.must(err)
	l.must(l.coord.Assign(ctx, "Squadra Campania", synctest.MunicipalityA, false))
	_, err = l.coord.CreateResearcher(ctx, "Squadra Campania", "Anna Esposito")
	l.must(err)
	c, err := l.coord.Code(ctx, "Anna Esposito", time.Hour)
	l.must(err)
	l.laptop = synctest.Laptop(t, t.TempDir())
	l.client = client.New(l.laptop, client.Options{})
	_, err = l.client.Enrol(ctx, url, c.Code)
	l.must(err)
	// The laptop makes the team key; the coordinator hands it the secret.
	l.syncLaptop()
	l.syncCoordinator()
	l.syncLaptop()
	return l
}

// workspace opens the coordinators' screens over the real adapter of the
// loop's coordinator, in Italian, with calls to the server run in place and
// their results shown before the call returns (TestMain has ui/loop queue
// them); mod changes the dependencies first.
func (l *reviewLoop) workspace(mod func(*coordinator.Deps)) (fyne.Window, *coordinator.Workspace, coordinator.Deps) {
	l.t.Helper()
	test.NewTempApp(l.t)
	l.must(ui.LoadTranslations(readTranslation, "it"))
	deps, err := backend.NewCoordinatorDeps(l.ctx, l.coord, "it")
	l.must(err)
	deps.Background = func(run func()) {
		run()
		loop.RunQueued()
	}
	if mod != nil {
		mod(&deps)
	}
	w := test.NewTempWindow(l.t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1100, 760))
	ws := coordinator.New(w, deps)
	ws.Start()
	settle(l.t)
	return w, ws, deps
}

func (l *reviewLoop) must(err error) {
	l.t.Helper()
	if err != nil {
		l.t.Fatal(err)
	}
}

func (l *reviewLoop) syncLaptop() {
	l.t.Helper()
	_, err := l.client.SyncOnce(l.ctx, nil)
	l.must(err)
}

func (l *reviewLoop) syncCoordinator() {
	l.t.Helper()
	_, err := l.coord.Sync(l.ctx)
	l.must(err)
}

// caseRecord is a case record as a researcher fills it in on the laptop.
func caseRecord() survey.Record {
	return survey.Record{Instrument: survey.InstrumentCase, Version: 1, Municipality: synctest.MunicipalityA,
		Answers: survey.Answers{
			"IDBeneficiario":         "Z6ZSHZMWJN32HMPOMTPT",
			"AnnoNascita":            2012,
			"FasciaEtaBeneficiario":  "5",
			"CodiceNazioneResidenza": "380",
			"CodiceRegioneResidenza": "15",
			"MinoreStranieroNoAcc":   "2",
			"CondizioneMinore":       "1",
			"LuogoVita":              "4",
			"ScuolaFrequentata":      "6",
			"ComposizioneFamiglia":   []any{"1", "2"},
			"DataPrimaSegnalazione":  "03/2023",
		},
		Meta: map[string]survey.FieldMeta{
			"FonteSegnalazione":      {NotHeld: true},
			"FasciaISEEBeneficiario": {NotHeld: true, Reason: survey.ReasonOtherBody, Note: "ISEE non trasmesso dall'INPS"},
		},
	}
}

// TestReviewScreenOverRealStores runs the review loop through the
// coordinators' screen over the real adapter, a real coordinator store, a
// real server and a real laptop store: the record shows labels, not codes;
// the coordinator returns it with a comment on a field picked by its label,
// after confirming; the researcher corrects it and sends it again; the
// screen marks it corrected and lists what changed, with labels; the
// coordinator approves it.
func TestReviewScreenOverRealStores(t *testing.T) {
	l := newReviewLoop(t)
	info, err := l.laptop.Save(l.ctx, caseRecord(), localdb.SaveOptions{Status: survey.StatusFinal, Actor: backend.Actor})
	l.must(err)
	l.syncLaptop()
	l.syncCoordinator()

	w, ws, _ := l.workspace(nil)
	if !ws.SelectForReview(info.ID) {
		t.Fatal("the record sent by the laptop is not in the review queue")
	}
	for _, want := range []string{"5 · 12-15 anni", "380 · Italia", "4 · in struttura residenziale sociale", "1 · Madre\n2 · Padre",
		"L'ufficio non dispone del dato", "L'ufficio non dispone del dato: " + survey.ReasonOtherBody.Label().IT + "\nNota: ISEE non trasmesso dall'INPS"} {
		if !hasLabel(w, func(s string) bool { return strings.HasPrefix(s, want) }) {
			t.Errorf("the review screen does not show %q", want)
		}
	}
	if hasLabel(w, func(s string) bool { return s == "5" || s == "380" || s == "FasciaEtaBeneficiario" }) {
		t.Error("the review screen shows a bare code or a technical id")
	}

	// Return, with a comment on the age band.
	pick := find(t, w.Canvas().Content(), func(s *widget.Select) bool { return len(s.Options) > 10 })
	if !slices.Contains(pick.Options, "Minore › Fascia di età") {
		t.Fatalf("the field picker offers %q", pick.Options)
	}
	pick.SetSelected("Minore › Fascia di età")
	text := find(t, w.Canvas().Content(), func(e *widget.Entry) bool { return e.PlaceHolder == "Commento per il rilevatore" })
	test.Type(text, "La fascia non corrisponde all'anno di nascita")
	test.Tap(buttonNamed(t, w, "Aggiungi commento"))
	test.Tap(buttonNamed(t, w, "Restituisci con commenti"))
	pressKey(w, fyne.KeyReturn)
	_, head, err := l.coord.Store().Get(l.ctx, info.ID)
	l.must(err)
	if head.Status != survey.StatusReturned {
		t.Fatalf("after confirming the return the record is %s", head.Status)
	}

	// The researcher gets the comment, corrects the age band and sends the
	// record again.
	l.syncLaptop()
	mine, mineInfo, err := l.laptop.Get(l.ctx, info.ID)
	l.must(err)
	mine.Answers["FasciaEtaBeneficiario"] = "4"
	mine.Meta["FonteSegnalazione"] = survey.FieldMeta{}
	mine.Answers["FonteSegnalazione"] = "2"
	_, err = l.laptop.Save(l.ctx, mine, localdb.SaveOptions{Status: survey.StatusFinal, Actor: backend.Actor, BaseRevision: mineInfo.Revision})
	l.must(err)
	l.syncLaptop()
	l.syncCoordinator()
	ws.Reload()
	settle(t)
	if !ws.SelectForReview(info.ID) {
		t.Fatal("the corrected record is not back in the queue")
	}
	for _, want := range []string{"Corretta dopo la restituzione",
		"Minore › Fascia di età: 5 · 12-15 anni → 4 · 9-12 anni",
		"Segnalazione › Fonte della segnalazione: L'ufficio non dispone del dato → 2 · altro servizio sociale",
		"Prima: 5 · 12-15 anni",
		"Corretto e inviato di nuovo",
		"Coordinamento: La fascia non corrisponde all'anno di nascita",
		"↺ corretta · "} {
		if !hasLabel(w, func(s string) bool { return strings.HasPrefix(s, want) }) {
			t.Errorf("the corrected record does not show %q", want)
		}
	}
	if hasLabel(w, func(s string) bool { return strings.HasPrefix(s, "Minore › Anno di nascita") }) {
		t.Error("a field that did not change is listed as changed")
	}

	test.Tap(buttonNamed(t, w, "Approva"))
	pressKey(w, fyne.KeyReturn)
	_, head, err = l.coord.Store().Get(l.ctx, info.ID)
	l.must(err)
	if head.Status != survey.StatusApproved {
		t.Fatalf("after confirming the approval the record is %s", head.Status)
	}
}

func hasLabel(w fyne.Window, match func(string) bool) bool {
	return find(nil, w.Canvas().Content(), func(l *widget.Label) bool { return match(l.Text) }) != nil
}

func buttonNamed(t *testing.T, w fyne.Window, name string) *widget.Button {
	t.Helper()
	b := find(t, w.Canvas().Content(), func(b *widget.Button) bool { return b.Text == name })
	if b == nil {
		t.Fatalf("no button %q", name)
	}
	return b
}

// pressKey types a key as the keyboard does: to the focused widget.
func pressKey(w fyne.Window, key fyne.KeyName) {
	if f := w.Canvas().Focused(); f != nil {
		f.TypedKey(&fyne.KeyEvent{Name: key})
	}
	loop.RunQueued() // what the key handed to the UI goroutine
}
