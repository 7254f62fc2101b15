package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sinba/assets"
	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

// sinba move: a version 1 draft moves to the newest published version (3,
// with its declared migration) after a dry run that saves nothing; a
// version not published is refused, and so is a finalised record.
func TestMoveRecord(t *testing.T) {
	ctx := context.Background()
	dir, _ := initStore(t)
	st := openTest(t, dir)
	draft, err := st.Save(ctx, survey.Record{Instrument: survey.InstrumentCase, Version: 1, Municipality: "063049",
		Answers: survey.Answers{"IDBeneficiario": "PMOVE", "NumeroComponentiISEE": 3, "OccupazionePadre": "2"}}, localdb.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	final, err := st.Save(ctx, survey.Record{Instrument: survey.InstrumentCase, Version: 1, Municipality: "063049",
		Answers: survey.Answers{"IDBeneficiario": "PFINAL"}}, localdb.SaveOptions{Status: survey.StatusFinal})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	args := func(a ...string) []string { return append([]string{"move", "--data", dir}, a...) }

	// Nothing published yet: version 2 is built in but not published.
	if code, _, errs := runCmd(t, withPass, args("--record", draft.ID, "--to", "2")...); code != 1 || !strings.Contains(errs, "non è stata pubblicata") {
		t.Fatalf("move to an unpublished version: exit %d, %s", code, errs)
	}

	publishInStore(t, dir)

	code, out, errs := runCmd(t, withPass, args("--record", draft.ID, "--dry-run")...)
	if code != 0 || !strings.Contains(out, "dalla versione 1 alla 3") || !strings.Contains(out, "«Condizione occupazionale del padre»: la risposta è tolta (2 · ") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, errs)
	}
	st = openTest(t, dir)
	if _, info, _ := st.Get(ctx, draft.ID); info.InstrumentVersion != 1 {
		t.Fatalf("a dry run moved the record to %d", info.InstrumentVersion)
	}
	st.Close()
	if !strings.HasPrefix(out, "La scheda passerebbe dalla versione 1 alla 3:\n") {
		t.Errorf("dry run: header\n%s\nwant the Italian sentence first", out)
	}
	code, out, errs = runCmd(t, withPass, args("--record", draft.ID)...)
	if code != 0 || !strings.Contains(out, "«Componenti del nucleo ISEE»: la risposta resta (") {
		t.Fatalf("move: exit %d\n%s\n%s", code, out, errs)
	}
	// The Italian lines, then the English ones; no line mixes them.
	it, en, ok := strings.Cut(out, "Record moved from version 1 to 3:\n")
	if !ok || !strings.HasPrefix(it, "Scheda passata dalla versione 1 alla 3:\n") || !strings.Contains(en, "  «") {
		t.Errorf("move printed\n%s\nwant the Italian header and lines, then the English ones", out)
	}
	if strings.Contains(it, " / ") || strings.Contains(it, "answer") || strings.Contains(en, "risposta") {
		t.Errorf("move printed a line mixing the languages:\n%s", out)
	}
	if code, _, errs := runCmd(t, withPass, args("--record", final.ID)...); code != 1 || !strings.Contains(errs, "solo una bozza") {
		t.Fatalf("moving a finalised record: exit %d, %s", code, errs)
	}
	st = openTest(t, dir)
	hist, err := st.History(ctx, draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := hist[len(hist)-1].Note; len(hist) != 2 || hist[1].Record.Version != 3 || !strings.HasPrefix(n.IT, "Passata dalla versione 1 alla 3;") ||
		!strings.HasPrefix(n.EN, "Moved from version 1 to 3;") || strings.Contains(n.IT, "Moved") {
		t.Fatalf("history: %d versions, note %+v", len(hist), n)
	}
}

// publishInStore stores in the store of dir what a sync round stores when
// versions 2 and 3 of the case record are published.
func publishInStore(t *testing.T, dir string) {
	t.Helper()
	v2, err := assets.Instruments.ReadFile("instruments/scheda-minore.v2.json")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal([]wire.Instrument{{ID: survey.InstrumentCase, Version: 2, Body: v2}, {ID: survey.InstrumentCase, Version: 3, Body: synctest.CaseV3(t)}})
	if err != nil {
		t.Fatal(err)
	}
	st := openTest(t, dir)
	if err := st.SetSecret(context.Background(), "sync/instruments", b); err != nil {
		t.Fatal(err)
	}
	st.Close()
}

// sinba check --data knows the versions the store received: a record of
// version 3 is unknown to the binary alone and checked with the store.
func TestCheckWithTheStoresVersions(t *testing.T) {
	dir, _ := initStore(t)
	publishInStore(t, dir)
	file := filepath.Join(t.TempDir(), "v3.jsonl")
	line := `{"instrument":"scheda-minore","version":3,"municipality":"063049","answers":{"IDBeneficiario":"PV3","` + synctest.V3Renamed + `":4}}`
	if err := os.WriteFile(file, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runCmd(t, withPass, "check", file); code != 1 || !strings.Contains(out, "versione 3 sconosciuto") {
		t.Fatalf("check without --data: exit %d\n%s", code, out)
	}
	code, out, errs := runCmd(t, withPass, "check", "--data", dir, file)
	if strings.Contains(out, "sconosciuto") || !strings.Contains(out, `"index":1`) {
		t.Fatalf("check --data: exit %d\n%s\n%s", code, out, errs)
	}
	if !strings.Contains(out, `"valid":false`) || !strings.Contains(out, "AnnoNascita") {
		t.Errorf("check --data does not check the record against version 3 (a required answer is missing):\n%s", out)
	}
}
