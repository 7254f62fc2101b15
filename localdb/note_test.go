package localdb_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"sinba/localdb"
	"sinba/survey"
)

// A version's note is a survey.Text: saved in both languages, read back in
// both, each whole.
func TestNoteIsBilingual(t *testing.T) {
	ctx := context.Background()
	st, _, err := localdb.CreateWith(t.TempDir(), []byte("una frase segreta lunga"), localdb.Options{KDF: localdb.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Lock()
	rec := survey.Record{Instrument: survey.InstrumentCase, Version: 1, Municipality: "063049", Answers: survey.Answers{"AnnoNascita": 2012}}
	info, err := st.Save(ctx, rec, localdb.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rec.ID, rec.Version = info.ID, 2
	note := survey.Text{IT: "Passata dalla versione 1 alla 2; «Padre / madre»: la risposta è tolta (2 · No)",
		EN: "Moved from version 1 to 2; «Father / mother»: the answer is removed (2 · No)"}
	if _, err := st.Save(ctx, rec, localdb.SaveOptions{BaseRevision: info.Revision, Note: note}); err != nil {
		t.Fatal(err)
	}
	hist, err := st.History(ctx, info.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 2 || hist[0].Note != (survey.Text{}) || hist[1].Note != note {
		t.Fatalf("history notes %+v, want none then %+v", hist, note)
	}
}

// A store written before notes were a Text kept a move's note as one string
// "Italiano / English". testdata/legacy-move-note/sinba.db is such a store,
// written by the release before the change (passphrase "una frase segreta
// lunga"): record legacy-move-1 saved at version 1, then moved to 2 with the
// note below. It opens, and its history reads the note in each language,
// the slash inside a question label kept.
func TestLegacyNoteReads(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "legacy-move-note", "sinba.db"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir() // opening migrates the file in place: work on a copy
	if err := os.WriteFile(filepath.Join(dir, "sinba.db"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := localdb.OpenWith(dir, []byte("una frase segreta lunga"), localdb.Options{})
	if err != nil {
		t.Fatalf("the store written before the change does not open: %v", err)
	}
	defer st.Lock()
	hist, err := st.History(context.Background(), "legacy-move-1")
	if err != nil {
		t.Fatal(err)
	}
	want := survey.Text{
		IT: "Passata dalla versione 1 alla 2; «Anno di nascita»: la risposta resta (2012); «Padre / madre»: la risposta è tolta (2 · No)",
		EN: "Moved from version 1 to 2; «Year of birth»: the answer stays (2012); «Father / mother»: the answer is removed (2 · No)"}
	if len(hist) != 2 || hist[0].Note != (survey.Text{}) || hist[1].Note != want {
		t.Fatalf("history of the old store: %d versions, notes %+v\nwant none, then %+v", len(hist), notes(hist), want)
	}
	if hist[1].Record.Version != 2 || hist[1].Record.Identity == nil || hist[1].Record.Identity.Surname != "Esposito" {
		t.Errorf("moved version %+v", hist[1].Record)
	}
}

func notes(h []localdb.Revision) []survey.Text {
	out := make([]survey.Text, len(h))
	for i, r := range h {
		out[i] = r.Note
	}
	return out
}
