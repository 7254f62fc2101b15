package backend_test

import (
	"context"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sinba/cmd/sinba/internal/backend"
	"sinba/sync/coord"
	"sinba/sync/synctest"
	"sinba/ui"
	"sinba/ui/coordinator"
	"sinba/ui/loop"
)

// coordinatorWindow starts the coordinator profile of folder in a test
// window, with file choices answered by keyFile.
func coordinatorWindow(t *testing.T, folder string, keyFile *[]byte) (*backend.CoordinatorProfile, fyne.Window) {
	t.Helper()
	p := &backend.CoordinatorProfile{Folder: folder, Language: "it", Options: synctest.TestKDF, CoordOptions: coord.Options{}}
	t.Cleanup(p.Close)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1000, 700))
	coordinator.Start(w, "it", p, coordinator.StartOptions{
		Background: func(run func()) { run() },
		OpenFile:   func(pick func(string, []byte)) { pick("chiave-progetto.age", *keyFile) },
	})
	return p, w
}

// typeInto types s into the focused widget, as the keyboard does.
func typeInto(t *testing.T, w fyne.Window, s string) {
	t.Helper()
	f := w.Canvas().Focused()
	if f == nil {
		t.Fatalf("typing %q with nothing focused on %q", s, w.Title())
	}
	for _, r := range s {
		f.TypedRune(r)
	}
}

func wantTitle(t *testing.T, w fyne.Window, want string) {
	t.Helper()
	loop.RunQueued() // what the work run in place handed to the UI goroutine
	if !strings.Contains(w.Title(), want) {
		t.Fatalf("screen %q, want %q", w.Title(), want)
	}
}

// TestCoordinatorFirstRunInTheApp creates two coordinator profiles through
// the screens, over real stores and a real server: the first creates the
// project (its key made in the app), the second joins it and imports the
// key file the first exported, after a wrong passphrase is refused; then
// the first profile opens again with its passphrase.
func TestCoordinatorFirstRunInTheApp(t *testing.T) {
	ctx := context.Background()
	srv, url := loopbackServer(t)
	test.NewTempApp(t)
	if err := ui.LoadTranslations(readTranslation, "it"); err != nil {
		t.Fatal(err)
	}
	// The screens name the profile's folder: a relative one keeps the
	// snapshots stable, and they are read from the package's testdata.
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	t.Chdir(tmp)
	snapshot := func(w fyne.Window, name string) {
		t.Helper()
		if err := os.Chdir(wd); err != nil {
			t.Fatal(err)
		}
		test.AssertRendersToMarkup(t, name, w.Canvas())
		if dir := os.Getenv("SINBA_SCREENSHOTS"); dir != "" {
			f, err := os.Create(filepath.Join(dir, "coordinator-"+strings.TrimSuffix(strings.TrimPrefix(name, "coordinator_"), ".xml")+".png"))
			if err != nil {
				t.Fatal(err)
			}
			if err := errors.Join(png.Encode(f, w.Canvas().Capture()), f.Close()); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chdir(tmp); err != nil {
			t.Fatal(err)
		}
	}

	// The first coordinator: passphrase twice, recovery key, a project code.
	var keyFile []byte
	first, w := coordinatorWindow(t, "coordinamento", &keyFile)
	wantTitle(t, w, "Nuovo profilo di coordinamento")
	snapshot(w, "coordinator_firstrun.xml")
	typeInto(t, w, "una frase")
	pressKey(w, fyne.KeyReturn)
	typeInto(t, w, "una frase")
	pressKey(w, fyne.KeyReturn)
	if !hasLabel(w, func(s string) bool { return strings.HasPrefix(s, "Troppo corta") }) {
		t.Error("a passphrase of 9 characters was not refused")
	}
	pass := find(t, w.Canvas().Content(), func(e *widget.Entry) bool { return e.Password })
	pass.SetText("una frase lunga del coordinamento")
	w.Canvas().Focus(pass)
	pressKey(w, fyne.KeyReturn)
	typeInto(t, w, "una frase diversa del coordinamento")
	pressKey(w, fyne.KeyReturn)
	if !hasLabel(w, func(s string) bool { return strings.Contains(s, "non coincidono") }) {
		t.Error("two different passphrases were not refused")
	}
	confirm := find(t, w.Canvas().Content(), func(e *widget.Entry) bool { return e.Password && e.Text != pass.Text })
	confirm.SetText(pass.Text)
	w.Canvas().Focus(confirm)
	pressKey(w, fyne.KeyReturn)
	wantTitle(t, w, "Chiave di recupero")
	if !first.Exists() {
		t.Fatal("no store after the passphrase screen")
	}
	if b := buttonNamed(t, w, "Continua"); !b.Disabled() {
		t.Error("the recovery key screen goes on before the key is marked as written")
	}
	test.Tap(find(t, w.Canvas().Content(), func(c *widget.Check) bool { return true }))
	test.Tap(buttonNamed(t, w, "Continua"))
	wantTitle(t, w, "Iscrizione al server")
	snapshot(w, "coordinator_enrol.xml")

	projectCode, _, err := srv.CreateProjectCode(ctx, "Pilota S.In.Ba", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	typeInto(t, w, url)
	pressKey(w, fyne.KeyReturn)
	typeInto(t, w, "CODICE-SBAGLIATO")
	pressKey(w, fyne.KeyReturn)
	wantTitle(t, w, "Iscrizione al server")
	if !hasLabel(w, func(s string) bool { return strings.Contains(s, "codice") && !strings.Contains(s, " / ") }) {
		t.Error("a wrong code is not explained in Italian")
	}
	code := find(t, w.Canvas().Content(), func(e *widget.Entry) bool { return e.Text == "CODICE-SBAGLIATO" })
	code.SetText(projectCode)
	w.Canvas().Focus(code)
	pressKey(w, fyne.KeyReturn)
	wantTitle(t, w, "Progetto creato")
	snapshot(w, "coordinator_created.xml")
	if !hasLabel(w, func(s string) bool { return strings.HasPrefix(s, "Progetto Pilota S.In.Ba creato su questo computer") }) {
		t.Error("the new project is not announced")
	}
	test.Tap(buttonNamed(t, w, "Apri il coordinamento"))
	wantTitle(t, w, "Coordinamento")
	if hasLabel(w, func(s string) bool { return strings.Contains(s, "Manca la chiave") }) {
		t.Error("the profile that created the project says its key is missing")
	}

	// The second coordinator joins with a code for the project and imports
	// the key file the first one exported.
	joinCode, _, err := srv.CreateCoordinatorCode(ctx, "Pilota S.In.Ba", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c, err := first.Deps(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if keyFile, err = c.Backend.ExportKey(ctx, []byte("frase del file della chiave")); err != nil {
		t.Fatal(err)
	}
	second, w2 := coordinatorWindow(t, "coordinamento-2", &keyFile)
	typeInto(t, w2, "la frase del secondo coordinatore")
	pressKey(w2, fyne.KeyReturn)
	typeInto(t, w2, "la frase del secondo coordinatore")
	pressKey(w2, fyne.KeyReturn)
	test.Tap(find(t, w2.Canvas().Content(), func(c *widget.Check) bool { return true }))
	test.Tap(buttonNamed(t, w2, "Continua"))
	radio := find(t, w2.Canvas().Content(), func(*widget.RadioGroup) bool { return true })
	radio.SetSelected("Progetto esistente: ho il file della chiave")
	typeInto(t, w2, url)
	pressKey(w2, fyne.KeyReturn)
	typeInto(t, w2, joinCode)
	pressKey(w2, fyne.KeyReturn)
	wantTitle(t, w2, "Chiave del progetto")
	snapshot(w2, "coordinator_key.xml")
	if !hasLabel(w2, func(s string) bool { return strings.HasPrefix(s, "Iscritto al progetto Pilota S.In.Ba") }) {
		t.Error("the project joined is not named")
	}
	test.Tap(buttonNamed(t, w2, "Scegli il file…"))
	if !hasLabel(w2, func(s string) bool { return s == "chiave-progetto.age" }) {
		t.Error("the chosen file is not shown")
	}
	typeInto(t, w2, "frase sbagliata")
	pressKey(w2, fyne.KeyReturn)
	wantTitle(t, w2, "Chiave del progetto")
	if !hasLabel(w2, func(s string) bool { return strings.HasPrefix(s, "passphrase del file della chiave errata") }) {
		t.Error("a wrong passphrase of the key file is not explained")
	}
	typeInto(t, w2, "frase del file della chiave")
	pressKey(w2, fyne.KeyReturn)
	wantTitle(t, w2, "Coordinamento")
	if e, err := second.Enrolment(ctx); err != nil || !e.HasProjectKey {
		t.Fatalf("second profile after the import: %+v, %v", e, err)
	}

	// The first profile opens again with its passphrase.
	first.Close()
	_, w3 := coordinatorWindow(t, "coordinamento", &keyFile)
	wantTitle(t, w3, "Apri il profilo di coordinamento")
	typeInto(t, w3, "una frase sbagliata")
	pressKey(w3, fyne.KeyReturn)
	if !hasLabel(w3, func(s string) bool { return strings.HasPrefix(s, "passphrase errata") }) {
		t.Error("a wrong passphrase is not explained")
	}
	typeInto(t, w3, "una frase lunga del coordinamento")
	pressKey(w3, fyne.KeyReturn)
	wantTitle(t, w3, "Coordinamento")
}
