package backend_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"sinba/assets"
	"sinba/cmd/sinba/internal/backend"
	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/sync/server"
	"sinba/sync/session"
	"sinba/sync/synctest"
	"sinba/ui"
)

// fast retries for the tests' sync clients.
var fast = client.Options{Backoff: session.Backoff{Base: time.Millisecond, Max: 10 * time.Millisecond, Attempts: 2}}

// enrolledLaptop is a project on a real server on loopback and a laptop's
// store in dir, enrolled in its team A by the client c.
func enrolledLaptop(t *testing.T) (p *synctest.Project, dir string, st *localdb.Store, c *client.Client) {
	t.Helper()
	p = synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	dir = t.TempDir()
	st, _, err := localdb.CreateWith(dir, []byte(pass), storeOpts)
	if err != nil {
		t.Fatal(err)
	}
	c = client.New(st, fast)
	if _, err := c.Enrol(t.Context(), p.URL, p.Code(t, p.TeamA)); err != nil {
		t.Fatal(err)
	}
	return p, dir, st, c
}

// The sync receipt after the background sync has sent everything: the sync
// screen says what the server holds of this laptop's work, lists the recent
// rounds with the coordinators' decisions they brought, and a round with
// nothing to do says so instead of "inviate 0… ricevute 0". A failed round
// joins the history in words. Real store, real server on loopback.
func TestSyncReceiptAfterBackgroundSync(t *testing.T) {
	ctx := context.Background()
	p, dir, st, c := enrolledLaptop(t)
	var revs []string
	for range 3 {
		info, err := st.Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, "r"), localdb.SaveOptions{Status: survey.StatusFinal})
		if err != nil {
			t.Fatal(err)
		}
		revs = append(revs, info.Revision)
	}
	if _, err := c.SyncOnce(ctx, nil); err != nil {
		t.Fatal(err)
	}
	st.Lock()
	// The coordinators approve one record and send one back.
	if _, err := p.Store.AddReview(ctx, revs[0], survey.StatusApproved, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Store.AddReview(ctx, revs[1], survey.StatusReturned, []survey.Comment{{Field: "AnnoNascita", Text: "controllare", At: time.Now()}}); err != nil {
		t.Fatal(err)
	}

	h := newHarness(t, dir)
	h.vault.Options = storeOpts
	h.ui = ui.New(h.win, ui.Options{Vault: h.vault, Instruments: instruments(t), Translations: readTranslation,
		Syncer: func(s ui.Store) ui.Syncer { return &backend.Syncer{C: client.New(s.(*backend.Store).DB, fast)} }})
	h.unlock() // the background sync runs its first round at once: it brings the decisions
	label := func(part string) *widget.Label {
		return find(t, h.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, part) })
	}
	h.ui.Shortcut(ui.ShortcutSync)
	held := "Il server conserva 3 schede di questo computer, tutte all'ultima versione; nessuna in attesa di invio."
	decisions := "1 scheda approvata dal coordinamento; 1 scheda restituita con commenti"
	waitFor(t, func() bool { return !h.ui.Busy() && label(held) != nil && label(decisions) != nil })
	if label("inviate 3 versioni di schede, tutte accettate dal server; ricevute ") == nil || label("Scheda minore (set minimo di dati SINBA), versione 1") == nil {
		t.Error("the first round (3 sent, the instruments received, by name) is not in the history")
	}

	// A round with nothing to do says so.
	h.tap("Sincronizza ora")
	waitFor(t, func() bool { return !h.ui.Busy() && label("Sincronizzazione completata.") != nil })
	if l := label("Ultima sincronizzazione"); l == nil || !strings.Contains(l.Text, "niente di nuovo da inviare né da ricevere") ||
		strings.Contains(l.Text, "inviate 0") || strings.Contains(l.Text, "ricevute 0") {
		t.Errorf("receipt of an idle round: %v", l)
	}
	if l := label(held); l == nil {
		t.Error("what the server holds is no longer shown after the idle round")
	}
	h.ui.Shortcut(ui.ShortcutHome)
	if s := find(t, h.win.Content(), func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "Ultima sincronizzazione") }); s != nil &&
		strings.Contains(s.Text, " 0 ") {
		t.Errorf("status line %q counts zeros", s.Text)
	}

	// The server goes away: the round fails, and the history says so.
	p.HTTP.Close()
	h.ui.Shortcut(ui.ShortcutSync)
	waitFor(t, func() bool { return !h.ui.Busy() })
	h.tap("Sincronizza ora")
	waitFor(t, func() bool { return !h.ui.Busy() && label("non riuscita: server non raggiungibile") != nil })
	if l := label("non riuscita: server non raggiungibile"); l.Importance != widget.WarningImportance {
		t.Errorf("failed round shown with importance %v, want a warning", l.Importance)
	}
	if label(decisions) == nil {
		t.Error("the earlier rounds left the history")
	}
}

// The receipt says which instrument versions a round brought, by name and
// version, never contradicts the history of rounds (Ctrl+R right after the
// background round that brought a version says nothing new, and what the
// round before brought), and says whether this laptop holds every version
// the coordinators have published: a version this app cannot read is named,
// with the reason. Real store, real server on loopback.
func TestSyncReceiptNamesInstrumentVersions(t *testing.T) {
	ctx := context.Background()
	p, dir, st, c := enrolledLaptop(t) // the project publishes version 1 of each instrument
	if _, err := c.SyncOnce(ctx, nil); err != nil {
		t.Fatal(err)
	}
	st.Lock()
	v2, err := assets.Instruments.ReadFile("instruments/scheda-minore.v2.json")
	if err != nil {
		t.Fatal(err)
	}
	p.PublishCase(t, 2, v2)

	h := newHarness(t, dir)
	h.vault.Options = storeOpts
	h.ui = ui.New(h.win, ui.Options{Vault: h.vault, Instruments: instruments(t), Translations: readTranslation,
		Syncer: func(s ui.Store) ui.Syncer { return &backend.Syncer{C: client.New(s.(*backend.Store).DB, fast)} }})
	label := func(part string) *widget.Label {
		return find(t, h.win.Content(), func(l *widget.Label) bool { return strings.Contains(l.Text, part) })
	}
	const minore = "Scheda minore (set minimo di dati SINBA)"
	brought := "ricevuta " + minore + ", versione 2"
	h.unlock()                                               // the background round brings version 2
	waitFor(t, func() bool { return label(brought) != nil }) // in the status line
	h.ui.Shortcut(ui.ShortcutSync)                           // Ctrl+R right after it: nothing new
	receipt := func() *widget.Label {
		return find(t, h.win.Content(), func(l *widget.Label) bool {
			return strings.HasPrefix(l.Text, "Ultima sincronizzazione") && l.Wrapping != fyne.TextWrapOff
		})
	}
	waitFor(t, func() bool {
		r := receipt()
		return !h.ui.Busy() && label("Sincronizzazione completata.") != nil && r != nil && strings.Contains(r.Text, "niente di nuovo")
	})
	var history *widget.Label
	waitFor(t, func() bool {
		history = find(t, h.win.Content(), func(l *widget.Label) bool {
			return strings.HasSuffix(l.Text, " · "+brought)
		})
		return history != nil
	})
	r := receipt().Text
	// The round before, as the history lists it, is in the receipt.
	at, _, _ := strings.Cut(history.Text, " · ")
	if !strings.Contains(r, "La precedente, "+at+": "+brought+".") {
		t.Errorf("receipt of the idle round after the background one:\n%s\nwant it to say what the round of %s brought, as the history does:\n%s", r, at, history.Text)
	}
	all := "questo computer ha tutte quelle pubblicate dal coordinamento (Questionario comunale (Scheda Comune), versione 1, e " + minore + ", versioni 1 e 2)"
	if !strings.Contains(r, all) {
		t.Errorf("receipt:\n%s\nwant %q", r, all)
	}

	// A version this app cannot read: the receipt names it, and why.
	p.PublishCase(t, 4, []byte(`{"id":"scheda-minore","version":4,"sections":"not a list"}`))
	h.tap("Sincronizza ora")
	missing := "Manca " + minore + ", versione 4: il coordinamento l'ha pubblicata, ma questa applicazione non la sa leggere ("
	waitFor(t, func() bool { r := receipt(); return !h.ui.Busy() && r != nil && strings.Contains(r.Text, missing) })
	r = receipt().Text
	if !strings.Contains(r, "ricevuta "+minore+", versione 4") || strings.Contains(r, "tutte quelle pubblicate") ||
		!strings.Contains(r, "Aggiorna l'applicazione") || strings.Contains(r, "scheda-minore") {
		t.Errorf("receipt after an unreadable version:\n%s", r)
	}
	if label("· ricevuta "+minore+", versione 4") == nil {
		t.Error("the history does not name the version received")
	}
}
