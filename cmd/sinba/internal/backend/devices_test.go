package backend_test

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"sinba/cmd/sinba/internal/backend"
	"sinba/localdb"
	"sinba/sync/client"
	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/ui"
)

// teamHarness is the real app on a laptop that made its team's key on a
// real server, and a second laptop of the team whose code a coordinator
// made, enrolled and waiting for the key.
type teamHarness struct {
	*harness
	p        *synctest.Project
	newcomer *client.Client
	en       client.Enrolment
}

func newTeamHarness(t *testing.T) *teamHarness {
	t.Helper()
	ctx := context.Background()
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	dir := t.TempDir()
	st, _, err := localdb.CreateWith(dir, []byte(pass), storeOpts)
	if err != nil {
		t.Fatal(err)
	}
	holder := client.New(st, client.Options{})
	if _, err := holder.Enrol(ctx, p.URL, p.Code(t, p.TeamA)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, "ui"), localdb.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := holder.SyncOnce(ctx, nil); err != nil {
		t.Fatal(err)
	}
	st.Lock()

	code, _ := p.CoordinatorCode(t, p.TeamA, "coordinamento regionale")
	nc := client.New(synctest.Laptop(t, t.TempDir()), client.Options{})
	en, err := nc.Enrol(ctx, p.URL, code)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nc.SyncOnce(ctx, nil); err != nil {
		t.Fatal(err)
	}

	h := newHarness(t, dir)
	h.vault.Options = storeOpts
	h.ui = ui.New(h.win, ui.Options{Vault: h.vault, Instruments: instruments(t), Syncer: backend.NewSyncer, Translations: readTranslation})
	h.unlock()
	return &teamHarness{harness: h, p: p, newcomer: nc, en: en}
}

// hasKey reports whether the server holds a copy of the team key for the
// newcomer.
func (th *teamHarness) hasKey() bool {
	ds, err := th.p.Store.Devices(context.Background())
	if err != nil {
		th.t.Fatal(err)
	}
	for _, d := range ds {
		if d.ID == th.en.DeviceID {
			return d.HasTeamKey
		}
	}
	th.t.Fatal("newcomer not on the server")
	return false
}

func (th *teamHarness) label(t *testing.T, o fyne.CanvasObject, part string) *widget.Label {
	return find(t, o, func(l *widget.Label) bool { return strings.Contains(l.Text, part) })
}

// openDialog opens the confirmation of the waiting laptop and returns the
// dialog's content.
func (th *teamHarness) openDialog(t *testing.T) fyne.CanvasObject {
	t.Helper()
	waitFor(t, func() bool {
		return !th.ui.Busy() && find(t, th.win.Content(), func(b *widget.Button) bool { return b.Text == "Verifica e conferma…" }) != nil
	})
	th.tap("Verifica e conferma…")
	top := th.win.Canvas().Overlays().Top()
	if top == nil || th.label(t, top, "Consegnare la chiave della squadra?") == nil {
		t.Fatal("no confirmation dialog")
	}
	return top
}

// The sync screen lists the laptop waiting for the team key, its code made
// by a coordinator; the dialog shows its verification code and says to
// check it with the researcher; Escape
// hands nothing over; Enter hands the key over, and the laptop opens the
// team's records at its next sync.
func TestTeamKeyConfirmationDialog(t *testing.T) {
	th := newTeamHarness(t)
	th.ui.Shortcut(ui.ShortcutSync)
	const byCoordinator = "codice creato da: un coordinatore (coordinamento regionale)"
	waitFor(t, func() bool {
		return !th.ui.Busy() && th.label(t, th.win.Content(), byCoordinator) != nil
	})
	// A coordinator making a researcher's code is the usual way: the list
	// says who made it, in plain words, not as an alarm.
	row := th.label(t, th.win.Content(), byCoordinator)
	if row.Importance == widget.DangerImportance || !strings.Contains(row.Text, th.en.Person) {
		t.Fatalf("waiting laptop shown as %q (importance %v); want its researcher and who made its code, not in red", row.Text, row.Importance)
	}
	if l := th.label(t, th.win.Content(), "Codice di verifica di questo computer:"); l == nil || !strings.Contains(l.Text, "Codice della chiave della squadra: ") {
		t.Error("the sync screen does not show this laptop's own verification code and its key codes")
	}
	if o := th.label(t, th.win.Content(), "Chiave della squadra creata da"); o == nil || !strings.Contains(o.Text, "amministratore del server") || o.Importance == widget.DangerImportance {
		t.Errorf("the sync screen shows the team key's origin as %+v; want the first laptop, its code by the administrator, not in red", o)
	}

	d := th.openDialog(t)
	if th.label(t, d, th.en.Fingerprint) == nil {
		t.Fatalf("the dialog does not show the newcomer's verification code %s", th.en.Fingerprint)
	}
	// The dialog says in one sentence what to check, and with whom: the
	// verification code, with the researcher, in person or by phone.
	check := "l'ha creato un coordinatore (coordinamento regionale): prima di confermare, verifica con " + th.en.Person + ", di persona o al telefono, che il suo computer mostri questo stesso codice di verifica."
	if w := th.label(t, d, check); w == nil || w.Importance == widget.DangerImportance {
		t.Fatalf("the dialog says %+v; want %q, not in red", w, check)
	}
	if w := th.label(t, d, "COORDINATORE"); w != nil {
		t.Errorf("the dialog shouts %q", w.Text)
	}
	for _, l := range findAll[*widget.Label](t, d) {
		if l.Importance == widget.DangerImportance {
			t.Errorf("the dialog shows %q in red", l.Text)
		}
	}
	th.key(fyne.KeyEscape)
	if th.win.Canvas().Overlays().Top() != nil {
		t.Fatal("Escape left the dialog open")
	}
	waitFor(t, func() bool { return !th.ui.Busy() })
	if th.hasKey() {
		t.Fatal("Escape handed the key over")
	}

	// Escape with nothing focused (the person clicked elsewhere) too.
	th.openDialog(t)
	th.win.Canvas().Unfocus()
	th.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if th.win.Canvas().Overlays().Top() != nil || th.hasKey() {
		t.Fatal("Escape on the canvas did not cancel")
	}
	// The newcomer's screens are told what it waits for, in one wording.
	if rep, err := (&backend.Syncer{C: th.newcomer}).SyncOnce(context.Background(), nil); err != nil || !rep.WaitingTeamKey ||
		len(rep.Messages) == 0 || !strings.HasPrefix(rep.Messages[len(rep.Messages)-1].IT, "In attesa della chiave della squadra") {
		t.Fatalf("newcomer after two cancellations: %+v %v; want it still waiting, and a notice that says so", rep, err)
	}

	th.openDialog(t)
	th.key(fyne.KeyReturn)
	waitFor(t, func() bool {
		top := th.win.Canvas().Overlays().Top()
		return !th.ui.Busy() && top != nil && th.label(t, top, "Chiave della squadra consegnata") != nil
	})
	if !th.hasKey() {
		t.Fatal("Enter did not hand the key over")
	}
	rep, err := th.newcomer.SyncOnce(context.Background(), nil)
	if err != nil || rep.WaitingTeamKey || rep.Received != 1 {
		t.Fatalf("newcomer after the confirmation: %+v %v; want the key and the team's record", rep, err)
	}
	th.win.Canvas().Overlays().Top().Hide()
	waitFor(t, func() bool {
		return !th.ui.Busy() && find(t, th.win.Content(), func(b *widget.Button) bool { return b.Text == "Verifica e conferma…" }) == nil
	})
}

// The status line counts the laptops waiting for the team key, and a laptop
// handed the key here leaves the count at once, not at the next round.
func TestGrantUpdatesTheWaitingCount(t *testing.T) {
	th := newTeamHarness(t)
	th.ui.Shortcut(ui.ShortcutSync)
	waitFor(t, func() bool { return !th.ui.Busy() })
	th.tap("Sincronizza ora")
	const waiting = "della squadra in attesa della chiave"
	waitFor(t, func() bool { return !th.ui.Busy() && th.label(t, th.win.Content(), waiting) != nil })

	th.openDialog(t)
	th.key(fyne.KeyReturn)
	waitFor(t, func() bool {
		top := th.win.Canvas().Overlays().Top()
		return !th.ui.Busy() && top != nil && th.label(t, top, "Chiave della squadra consegnata") != nil
	})
	th.win.Canvas().Overlays().Top().Hide()
	waitFor(t, func() bool { return !th.ui.Busy() })
	if l := th.label(t, th.win.Content(), waiting); l != nil {
		t.Fatalf("after the key was handed over the screen still says %q", l.Text)
	}
}
