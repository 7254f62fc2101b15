package backend_test

import (
	"context"
	"fmt"
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
	"sinba/ui"
	"sinba/ui/dialogs"
	"sinba/ui/form"
)

// cheapKDF keeps the tests fast; the app uses localdb.DefaultKDF.
var cheapKDF = localdb.KDFParams{Time: 1, Memory: 64, Threads: 1}

var (
	loaded     *backend.Instruments
	loadedOnce = make(chan struct{})
)

func instruments(t testing.TB) *backend.Instruments {
	t.Helper()
	select {
	case <-loadedOnce:
	default:
		in, err := backend.LoadInstruments()
		if err != nil {
			t.Fatalf("loading the instruments: %v", err)
		}
		in.Now = func() time.Time { return time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC) }
		loaded = in
		close(loadedOnce)
	}
	return loaded
}

func readTranslation(name string) ([]byte, error) {
	return assets.Translations.ReadFile("translations/" + name)
}

// harness is the real user interface over a real store in a temporary
// folder, in the test driver's window.
type harness struct {
	t     testing.TB
	app   fyne.App
	win   fyne.Window
	ui    *ui.App
	vault *backend.Vault
	sync  *fakeSyncer
	// screen is the size the test gave the window, which fits checks
	// the screens against (the test window grows to its content).
	screen fyne.Size
}

func newHarness(t testing.TB, dir string) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	if err := ui.LoadTranslations(readTranslation, "it"); err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, app: a, vault: &backend.Vault{Dir: dir, Options: localdb.Options{KDF: cheapKDF}, Instruments: instruments(t)}, sync: &fakeSyncer{}}
	h.win = test.NewTempWindow(t, widget.NewLabel(""))
	h.win.Resize(fyne.NewSize(1100, 760))
	h.ui = ui.New(h.win, ui.Options{
		Vault:        h.vault,
		Instruments:  instruments(t),
		Syncer:       func(ui.Store) ui.Syncer { return h.sync },
		Translations: readTranslation,
	})
	return h
}

// fakeSyncer stands in for the network only.
type fakeSyncer struct {
	enrolled bool
	server   string
	assigned []string
	rounds   int
	fail     error
	waiting  bool          // the rounds wait for the team key
	messages []survey.Text // the rounds' refusals and notices
}

func (f *fakeSyncer) Enrolled(context.Context) bool        { return f.enrolled }
func (f *fakeSyncer) Server(context.Context) string        { return f.server }
func (f *fakeSyncer) Assignments(context.Context) []string { return f.assigned }
func (f *fakeSyncer) LastReport(context.Context) (*ui.SyncReport, error) {
	return nil, nil
}
func (f *fakeSyncer) Enrol(_ context.Context, server, code string) error {
	f.enrolled, f.server = true, server
	f.assigned = []string{"063049"}
	return nil
}
func (f *fakeSyncer) SyncOnce(_ context.Context, progress func(done, total int)) (ui.SyncReport, error) {
	f.rounds++
	if f.fail != nil {
		return ui.SyncReport{}, f.fail
	}
	progress(1, 2)
	progress(2, 2)
	return ui.SyncReport{Sent: 2, Accepted: 2, ReceiptID: "ab12cd34", At: time.Date(2025, 6, 30, 10, 0, 0, 0, time.UTC), WaitingTeamKey: f.waiting, Messages: f.messages}, nil
}

// find returns the first object of type T under o for which ok is true.
func find[T fyne.CanvasObject](t testing.TB, o fyne.CanvasObject, ok func(T) bool) T {
	var zero T
	var walk func(fyne.CanvasObject) (T, bool)
	walk = func(o fyne.CanvasObject) (T, bool) {
		if o == nil || !o.Visible() {
			return zero, false
		}
		if v, is := o.(T); is && ok(v) {
			return v, true
		}
		if b, is := o.(*dialogs.Button); is { // the screens' buttons are found as buttons too
			if v, is := any(&b.Button).(T); is && ok(v) {
				return v, true
			}
		}
		var kids []fyne.CanvasObject
		switch x := o.(type) {
		case *fyne.Container:
			kids = x.Objects
		case fyne.Widget:
			kids = test.WidgetRenderer(x).Objects() //nolint:staticcheck // also for benchmarks, which have no *testing.T
		}
		for _, k := range kids {
			if v, found := walk(k); found {
				return v, true
			}
		}
		return zero, false
	}
	v, _ := walk(o)
	return v
}

func (h *harness) button(label string) *widget.Button {
	h.t.Helper()
	b := find(h.t, h.win.Content(), func(b *widget.Button) bool { return b.Text == label })
	if b == nil {
		h.t.Fatalf("no button %q on the screen %q", label, h.win.Title())
	}
	return b
}

func (h *harness) tap(label string) { test.Tap(h.button(label)) }

func (h *harness) focusedEntry() *widget.Entry {
	h.t.Helper()
	settle(h.t)
	switch e := h.win.Canvas().Focused().(type) {
	case *widget.Entry:
		return e
	case *form.FocusEntry:
		return &e.Entry
	case interface{ EntryWidget() *widget.Entry }:
		return e.EntryWidget()
	}
	h.t.Fatalf("focused is %T, want an entry", h.win.Canvas().Focused())
	return nil
}

// typeText types into the focused widget, as the keyboard does.
func (h *harness) typeText(s string) {
	h.t.Helper()
	settle(h.t)
	f := h.win.Canvas().Focused()
	if f == nil {
		h.t.Fatalf("typing %q with nothing focused on %q", s, h.win.Title())
	}
	for _, r := range s {
		f.TypedRune(r)
	}
}

func (h *harness) key(k fyne.KeyName) {
	h.t.Helper()
	settle(h.t)
	h.win.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: k})
}

// waitTitle waits for the screen whose title contains want: opening the
// store runs off the UI goroutine.
func (h *harness) waitTitle(want string) {
	h.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for settle(h.t); !strings.Contains(h.win.Title(), want); settle(h.t) {
		if time.Now().After(deadline) {
			h.t.Fatalf("screen %q, want %q", h.win.Title(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (h *harness) firstRun(pass string) {
	h.t.Helper()
	h.ui.Start()
	if !strings.Contains(h.win.Title(), "Lingua") {
		h.t.Fatalf("first screen %q, want the language choice", h.win.Title())
	}
	h.tap("Continua")
	h.waitTitle("Benvenuto")
	h.typeText(pass)
	h.win.Canvas().FocusNext()
	h.typeText(pass)
	h.tap("Crea l'archivio cifrato")
	h.waitTitle("Chiave di recupero")
	cont := h.button("Continua")
	if !cont.Disabled() {
		h.t.Fatal("Continue is enabled before the recovery key is confirmed")
	}
	test.Tap(find(h.t, h.win.Content(), func(c *widget.Check) bool { return true }))
	test.Tap(cont)
	h.tap("Più tardi")
	if !strings.Contains(h.win.Title(), "Panoramica") {
		h.t.Fatalf("after first run: screen %q, want the overview", h.win.Title())
	}
}

const pass = "una frase segreta lunga"

func TestFirstRunAndCaseRecordByKeyboard(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir)
	h.firstRun(pass)
	h.sync.Enrol(context.Background(), "http://127.0.0.1:1", "X")

	h.ui.Shortcut(ui.ShortcutNewCase)
	h.waitTitle("Scheda minore")
	// The cursor starts in the first field; Tab follows the form.
	h.typeText("Rossi")
	h.win.Canvas().FocusNext() // "not held" of the surname
	h.win.Canvas().FocusNext() // its note
	h.win.Canvas().FocusNext() // the name
	h.typeText("Maria")
	h.ui.Shortcut(ui.ShortcutNextPage)
	// Section "Minore": IDBeneficiario first, then the birth year.
	h.typeText("PSEUDO1")
	for i := 0; i < 3; i++ {
		h.win.Canvas().FocusNext()
	}
	h.typeText("2012")
	h.ui.Shortcut(ui.ShortcutSave)

	h.ui.Shortcut(ui.ShortcutLock)
	if !strings.Contains(h.win.Title(), "Apri") {
		t.Fatalf("after lock: %q", h.win.Title())
	}
	st, err := localdb.OpenWith(dir, []byte(pass), localdb.Options{KDF: cheapKDF})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Lock()
	infos, err := st.List(context.Background(), localdb.Filter{})
	if err != nil || len(infos) != 1 {
		t.Fatalf("records in the store: %d (%v), want 1", len(infos), err)
	}
	rec, _, err := st.Get(context.Background(), infos[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Identity == nil || rec.Identity.Surname != "Rossi" || rec.Identity.Name != "Maria" {
		t.Errorf("identity %+v, want Rossi Maria", rec.Identity)
	}
	if got := fmt.Sprint(rec.Answers["AnnoNascita"]); got != "2012" {
		t.Errorf("AnnoNascita = %#v, want 2012", got)
	}
	if got := rec.Answers["FasciaEtaBeneficiario"]; got == nil {
		t.Errorf("the age band was not computed from the birth year")
	}
	if rec.Municipality != "063049" || rec.Instrument != survey.InstrumentCase {
		t.Errorf("record %s in %q, want a case record in 063049", rec.Instrument, rec.Municipality)
	}
}
