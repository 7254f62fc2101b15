package backend_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"

	"sinba/cmd/sinba/internal/backend"
	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/ui"
)

// The sync receipt after the background sync has sent everything: the sync
// screen says what the server holds of this laptop's work, lists the recent
// rounds with the coordinators' decisions they brought, and a round with
// nothing to do says so instead of "inviate 0… ricevute 0". A failed round
// joins the history in words. Real store, real server on loopback.
func TestSyncReceiptAfterBackgroundSync(t *testing.T) {
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	dir := t.TempDir()
	st, _, err := localdb.CreateWith(dir, []byte(pass), storeOpts)
	if err != nil {
		t.Fatal(err)
	}
	fast := client.Options{Backoff: client.Backoff{Base: time.Millisecond, Max: 10 * time.Millisecond, Attempts: 2}}
	c := client.New(st, fast)
	if _, err := c.Enrol(ctx, p.URL, p.Code(t, p.TeamA)); err != nil {
		t.Fatal(err)
	}
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
	if label("inviate 3 versioni di schede, tutte accettate dal server; ricevute 2 versioni degli strumenti") == nil {
		t.Error("the first round (3 sent, the instruments received) is not in the history")
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
