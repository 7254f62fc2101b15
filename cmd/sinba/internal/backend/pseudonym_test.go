package backend_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"

	"sinba/cmd/sinba/internal/backend"
	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/ui"
)

// The laptop derives IDBeneficiario with the project secret that sync
// delivered; before it arrives it says so instead of inventing one.
func TestPseudonymFromTheProjectSecret(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	v := backend.NewVault(dir)
	v.Options = storeOpts
	st, _, err := v.Create([]byte(pass))
	if err != nil {
		t.Fatal(err)
	}
	ps, ok := st.(ui.Pseudonymizer)
	if !ok {
		t.Fatal("the laptop's store does not derive pseudonyms")
	}
	const cf = "RSSMRA80A01H501U"
	if _, err := ps.Pseudonym(cf); !errors.Is(err, client.ErrNoPseudonymSecret) {
		t.Fatalf("without the project secret: %v, want ErrNoPseudonymSecret", err)
	}

	secret := []byte("0123456789abcdef0123456789abcdef")
	db := st.(*backend.Store).DB
	if err := db.SetSecret(context.Background(), client.SecretPseudonym, secret); err != nil {
		t.Fatal(err)
	}
	got, err := ps.Pseudonym(cf)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := survey.Pseudonym(cf, secret)
	if got != want || len(got) != survey.PseudonymLength {
		t.Fatalf("pseudonym %q, want %q (%d characters)", got, want, survey.PseudonymLength)
	}
	// The omocodic form of the same code is the same child.
	if again, _ := ps.Pseudonym("RSSMRA80A01H5LMX"); again != got {
		t.Fatalf("omocodic form gives %q, want %q", again, got)
	}
}

// storeWith creates a store in dir holding rec (and the pseudonym secret,
// when given) and locks it again.
func storeWith(t *testing.T, dir string, secret []byte, rec survey.Record) {
	t.Helper()
	st, _, err := localdb.CreateWith(dir, []byte(pass), storeOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Lock()
	ctx := context.Background()
	if secret != nil {
		if err := st.SetSecret(ctx, client.SecretPseudonym, secret); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Save(ctx, rec, localdb.SaveOptions{Status: survey.StatusDraft, Actor: "fixture"}); err != nil {
		t.Fatal(err)
	}
}

// openCase unlocks the app on the store in dir and opens the case record of
// the child called surname.
func openCase(t *testing.T, dir, surname string) *harness {
	t.Helper()
	h := newHarness(t, dir)
	h.vault.Options = storeOpts
	h.unlock()
	h.ui.Shortcut(ui.ShortcutSearch)
	h.typeText(strings.ToLower(surname))
	h.key(fyne.KeyReturn)
	h.waitTitle(surname)
	return h
}

// onlyRecord reads back the one record of the store in dir.
func onlyRecord(t *testing.T, dir string) survey.Record {
	t.Helper()
	st, err := localdb.OpenWith(dir, []byte(pass), storeOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Lock()
	infos, err := st.List(context.Background(), localdb.Filter{})
	if err != nil || len(infos) != 1 {
		t.Fatalf("records: %d %v", len(infos), err)
	}
	rec, _, err := st.Get(context.Background(), infos[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// A child first recorded without a codice fiscale gets a random pseudonym;
// when the codice fiscale is added later, finalising the record replaces it
// with the one derived from the code, the same on every laptop.
func TestPseudonymRecomputedWhenTheCodiceFiscaleArrives(t *testing.T) {
	dir := t.TempDir()
	secret := []byte("0123456789abcdef0123456789abcdef")
	const cf = "BNCLRA10A41H501K"
	random, _ := survey.RandomPseudonym()
	storeWith(t, dir, secret, survey.Record{Instrument: survey.InstrumentCase, Municipality: "063049",
		Identity: &survey.Identity{Surname: "Bianchi", Name: "Laura", FiscalCode: cf},
		Answers:  survey.Answers{"IDBeneficiario": random, "AnnoNascita": 2010}})
	h := openCase(t, dir, "Bianchi")
	h.ui.Shortcut(ui.ShortcutFinalise)
	h.ui.Shortcut(ui.ShortcutSave)
	h.ui.Shortcut(ui.ShortcutLock)
	rec := onlyRecord(t, dir)
	want, err := survey.Pseudonym(cf, secret)
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.Answers["IDBeneficiario"]; got != want {
		t.Errorf("IDBeneficiario %v, want %s derived from the codice fiscale (it was the random %s)", got, want, random)
	}
}

// Version 2 of the case record renders, and an intervention takes a code of
// the open list that the list does not know: typed, kept as typed, and
// described by the researcher.
func TestOpenBenefitCodeTypedInTheForm(t *testing.T) {
	dir := t.TempDir()
	storeWith(t, dir, nil, survey.Record{Instrument: survey.InstrumentCase, Version: 2, Municipality: "063049",
		Identity: &survey.Identity{Surname: "Colombo", Name: "Sara"},
		Answers:  survey.Answers{"IDBeneficiario": "PCOLOMBO", "AnnoNascita": 2014, "CodicePrestazione": []any{"A1.09", "B7.123"}}})
	h := openCase(t, dir, "Colombo")
	if !h.ui.FocusField("CodicePrestazione") {
		t.Fatal("no CodicePrestazione in the form")
	}
	// The known code shows its published name; a code without one shows as
	// the code; the code of the answer that the list does not know shows too.
	shown := map[string]bool{}
	for _, tx := range findAll[*canvas.Text](t, h.win.Content()) {
		shown[tx.Text] = true
	}
	for _, want := range []string{"A1.09 · Telesoccorso e teleassistenza", "A1.01", "B7.123"} {
		if !shown[want] {
			t.Errorf("benefit code %q not shown", want)
		}
	}
	if !h.ui.FocusField("DettaglioInterventi") {
		t.Fatal("no DettaglioInterventi in the form")
	}
	h.key(fyne.KeySpace) // adds an intervention; the cursor goes to its code
	h.typeText("REG-00042")
	h.win.Canvas().FocusNext() // its "not held" (the drop-down's arrow is no Tab stop)
	h.win.Canvas().FocusNext() // its note
	h.win.Canvas().FocusNext() // the description
	h.typeText("Educativa di strada")
	h.ui.Shortcut(ui.ShortcutSave)
	h.ui.Shortcut(ui.ShortcutLock)
	rec := onlyRecord(t, dir)
	items, _ := rec.Answers["DettaglioInterventi"].([]any)
	if len(items) != 1 {
		t.Fatalf("DettaglioInterventi = %#v", rec.Answers["DettaglioInterventi"])
	}
	it, _ := items[0].(map[string]any)
	if it["CodicePrestazione"] != "REG-00042" || it["Descrizione"] != "Educativa di strada" {
		t.Errorf("intervention %v", it)
	}
	if l, _ := rec.Answers["CodicePrestazione"].([]any); len(l) != 2 || l[1] != "B7.123" {
		t.Errorf("the unknown code was lost: %v", rec.Answers["CodicePrestazione"])
	}
}

// TestPseudonymFilledAsTheCodiceFiscaleIsTyped: with the project secret
// held, the child's pseudonym is derived as soon as the whole codice fiscale
// is typed, before finalising: an empty required "Codice pseudonimo" would
// invite typing one by hand.
func TestPseudonymFilledAsTheCodiceFiscaleIsTyped(t *testing.T) {
	dir := t.TempDir()
	secret := []byte("0123456789abcdef0123456789abcdef")
	const cf = "VRDLCU12A01F839R"
	storeWith(t, dir, secret, survey.Record{Instrument: survey.InstrumentCase, Municipality: "063049",
		Identity: &survey.Identity{Surname: "Verdi", Name: "Luca"}, Answers: survey.Answers{}})
	h := openCase(t, dir, "Verdi")
	if !h.ui.FocusField("identity.fiscal_code") {
		t.Fatal("no codice fiscale in the form")
	}
	h.typeText(cf)
	settle(t)
	h.ui.Shortcut(ui.ShortcutSave)
	h.ui.Shortcut(ui.ShortcutLock)
	want, err := survey.Pseudonym(cf, secret)
	if err != nil {
		t.Fatal(err)
	}
	if got := onlyRecord(t, dir).Answers["IDBeneficiario"]; got != want {
		t.Errorf("IDBeneficiario %v after typing the codice fiscale, want %s derived from it", got, want)
	}
}
