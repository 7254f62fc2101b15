package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sinba/localdb"
	"sinba/survey"
)

func TestImportJSONLinesAndCSV(t *testing.T) {
	dir, _ := initStore(t)
	tmp := t.TempDir()
	jsonl := filepath.Join(tmp, "casi.jsonl")
	os.WriteFile(jsonl, []byte(`{"id":"a1","instrument":"scheda-minore","version":1,"municipality":"063049","answers":{"IDBeneficiario":"PSN1","NumeroComponentiISEE":4,"CodicePrestazione":["A1.01"]},"identity":{"surname":"Esposito","name":"Ciro","fiscal_code":"SPSCRI10A01F839X"}}

{"instrument":"scheda-minore","municipality":"063049","status":"final","answers":{"IDBeneficiario":"PSN2"},"meta":{"Disabilita":{"not_held":true,"note":"non registrato"}}}
`), 0o600)
	code, out, errs := runCmd(t, withPass, "import", "--data", dir, jsonl)
	if code != 0 || !strings.Contains(out, "2 nuovi") {
		t.Fatalf("import jsonl: %d %s %s", code, out, errs)
	}
	// Importing the same file again adds nothing.
	if code, out, _ := runCmd(t, withPass, "import", "--data", dir, jsonl); code != 0 || !strings.Contains(out, "2 invariati") {
		t.Fatalf("import twice: %d %s", code, out)
	}

	csvFile := filepath.Join(tmp, "comune.csv")
	os.WriteFile(csvFile, []byte("\ufeffIDBeneficiario;identity.surname;identity.fiscal_code;CodicePrestazione;Disabilita.not_held;Disabilita.note;municipality;AnnoNascita\n"+
		"PSN3;Russo;RSSGNN11B02F839Y;A1.01|A2.03;sì;chiedere all'ASL;063049;2011\n"+
		"PSN1;Esposito;SPSCRI10A01F839X;A1.02;;;063049;\n"), 0o600)
	code, out, errs = runCmd(t, withPass, "import", "--data", dir, "--instrument", survey.InstrumentCase, csvFile)
	if code != 0 || !strings.Contains(out, "1 nuovo /") || !strings.Contains(out, "1 aggiornato /") {
		t.Fatalf("import csv: %d %s %s", code, out, errs)
	}

	st := openTest(t, dir)
	ctx := context.Background()
	found, _ := st.Lookup(ctx, "rssgnn11b02f839y")
	if len(found) != 1 {
		t.Fatalf("Lookup of the CSV child: %+v", found)
	}
	rec, _, err := st.Get(ctx, found[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if l, ok := rec.Answers["CodicePrestazione"].([]any); !ok || len(l) != 2 || l[1] != "A2.03" {
		t.Errorf("repeatable field = %#v", rec.Answers["CodicePrestazione"])
	}
	// A CSV cell is text; the record stores the answer as its question does.
	if y, isText := rec.Answers["AnnoNascita"].(string); isText || fmt.Sprint(rec.Answers["AnnoNascita"]) != "2011" {
		t.Errorf("AnnoNascita from the CSV = %#v (text %v), want the number 2011", rec.Answers["AnnoNascita"], y)
	}
	if m := rec.Meta["Disabilita"]; !m.NotHeld || m.Note != "chiedere all'ASL" {
		t.Errorf("meta = %+v", m)
	}
	// The CSV row for Esposito updated record a1 (same codice fiscale).
	h, err := st.History(ctx, "a1")
	if err != nil || len(h) != 2 {
		t.Fatalf("history of a1 = %d revisions, %v", len(h), err)
	}
	// A repeatable field is a list even when the cell holds one code.
	if l, ok := h[1].Record.Answers["CodicePrestazione"].([]any); !ok || len(l) != 1 || l[0] != "A1.02" {
		t.Errorf("updated answers = %v", h[1].Record.Answers)
	}
}

// A value its question cannot read refuses the whole file, with the line.
func TestImportRefusesAnUnreadableValue(t *testing.T) {
	dir, _ := initStore(t)
	f := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(f, []byte("IDBeneficiario,AnnoNascita,municipality\nPSN9,duemila,063049\n"), 0o600)
	code, _, errs := runCmd(t, withPass, "import", "--data", dir, "--instrument", survey.InstrumentCase, f)
	if code != 1 || !strings.Contains(errs, "line 2") || !strings.Contains(errs, "nulla è stato scritto") {
		t.Fatalf("unreadable year: %d %s", code, errs)
	}
	if l, _ := openTest(t, dir).List(context.Background(), localdb.Filter{}); len(l) != 0 {
		t.Fatalf("a rejected file wrote %d records", len(l))
	}
}

func TestImportRejectsABadFileWhole(t *testing.T) {
	dir, _ := initStore(t)
	f := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(f, []byte(`{"instrument":"scheda-minore","answers":{}}
{"instrument":"scheda-minore","answers":{}, "colour":"red"}
{"answers":{}}
`), 0o600)
	code, _, errs := runCmd(t, withPass, "import", "--data", dir, f)
	if code != 1 || !strings.Contains(errs, "line 2") || !strings.Contains(errs, "nulla è stato scritto") {
		t.Fatalf("bad file: %d %s", code, errs)
	}
	if l, _ := openTest(t, dir).List(context.Background(), localdb.Filter{}); len(l) != 0 {
		t.Fatalf("a rejected file wrote %d records", len(l))
	}
}

// sinba import reads every record sinba check and sinba flow read: the flat
// JSON Lines of field ids as well as the envelope, with one reader.
func TestImportReadsWhatCheckReads(t *testing.T) {
	flatFinal := strings.Replace(validFlat, `{"IDBeneficiario":"ABCDEFGHIJKLMNOPQRST"`, `{"status":"final","municipality":"063049","IDBeneficiario":"BBCDEFGHIJKLMNOPQRST"`, 1)
	envelope := strings.Replace(validEnvelope, "ABCDEFGHIJKLMNOPQRST", "CBCDEFGHIJKLMNOPQRST", 1)
	input := validFlat + "\n" + envelope + "\n" + flatFinal + "\n"
	if code, out, errs := runIn(t, input, "check", "--ref-date", "2025-06-30"); code != 0 || strings.Count(out, `"valid":true`) != 3 {
		t.Fatalf("check: exit %d\n%s%s", code, out, errs)
	}
	dir, _ := initStore(t)
	f := filepath.Join(t.TempDir(), "casi.jsonl")
	os.WriteFile(f, []byte(input), 0o600)
	code, out, errs := runCmd(t, withPass, "import", "--data", dir, f)
	if code != 0 || !strings.Contains(out, "3 nuovi") {
		t.Fatalf("import of the records check reads: exit %d %s %s", code, out, errs)
	}
	recs, err := openTest(t, dir).List(context.Background(), localdb.Filter{})
	if err != nil || len(recs) != 3 {
		t.Fatalf("stored %d records, %v", len(recs), err)
	}
	latest, _ := mustDomain(t).reg.Latest(survey.InstrumentCase)
	final, newest := 0, 0
	for _, r := range recs {
		if r.Status == survey.StatusFinal {
			final++
		}
		if r.InstrumentVersion == latest.Version {
			newest++
		}
	}
	// The envelope says version 1; the flat lines name none and take the latest.
	if newest < 2 {
		t.Errorf("%d records of %s, want the two flat ones at least", newest, latest.Key())
	}
	if final != 1 {
		t.Errorf("%d final records, want the one the line says is final", final)
	}
	// An unknown status is refused by the reader, for all three commands.
	bad := strings.Replace(flatFinal, `"status":"final"`, `"status":"finito"`, 1)
	if code, out, _ := runIn(t, bad, "check"); code != 1 || !strings.Contains(out, "finito") {
		t.Errorf("check of an unknown status: exit %d %s", code, out)
	}
	os.WriteFile(f, []byte(bad+"\n"), 0o600)
	if code, _, errs := runCmd(t, withPass, "import", "--data", dir, f); code != 1 || !strings.Contains(errs, "finito") {
		t.Errorf("import of an unknown status: exit %d %s", code, errs)
	}
}

func mustDomain(t *testing.T) domain {
	t.Helper()
	d, err := loadDomain()
	if err != nil {
		t.Fatal(err)
	}
	return d
}
