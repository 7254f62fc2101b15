package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"sinba/survey"
)

const shippedDir = "../../../../assets/instruments/"

// TestInstrumentExportCheck exports the shipped instruments as spreadsheets
// and JSON, checks them back, and checks a spreadsheet with mistakes.
func TestInstrumentExportCheck(t *testing.T) {
	dir := t.TempDir()
	run := func(want int, args ...string) (string, string) {
		t.Helper()
		got, out, errs := runCmd(t, nil, append([]string{"coord", "instrument"}, args...)...)
		if got != want {
			t.Fatalf("sinba coord instrument %v: exit %d, want %d\n%s\n%s", args, got, want, out, errs)
		}
		return out, errs
	}
	for _, key := range []string{"scheda-minore@1", "scheda-minore@2", "scheda-comune@1", "scheda-comune@2"} {
		id, v, _ := strings.Cut(key, "@")
		xlsx := filepath.Join(dir, id+".v"+v+".xlsx")
		if out, _ := run(0, "export", "--instrument", key, "--out", xlsx); !strings.Contains(out, id+" v"+v+" scritto in") {
			t.Fatalf("export: %s", out)
		}
		out, _ := run(0, "check", "--file", xlsx)
		for _, w := range []string{id + " v" + v + ": già presente con lo stesso contenuto, inclusa nell'applicazione / already held with the same content, built into the application\n", "strumento / instrument: " + id + " v" + v, "sezioni / sections: ", "regole / rules: ", "migrazioni / migrations: 0"} {
			if !strings.Contains(out, w) {
				t.Fatalf("check %s: no %q in\n%s", xlsx, w, out)
			}
		}
		// The JSON written is the shipped definition's canonical form.
		js := filepath.Join(dir, id+".v"+v+".json")
		run(0, "export", "--instrument", key, "--out", js)
		got, err := os.ReadFile(js)
		if err != nil {
			t.Fatal(err)
		}
		shippedJSON, _ := os.ReadFile(shippedDir + id + ".v" + v + ".json")
		if a, b := canonicalJSON(t, got), canonicalJSON(t, shippedJSON); !bytes.Equal(a, b) {
			t.Fatalf("%s: the exported JSON is not the shipped definition", key)
		}
		run(0, "check", "--file", js)
	}
	out, _ := run(0, "check", "--file", shippedDir+"scheda-minore.v2.json")
	if !strings.Contains(out, "domande / questions: ") || !strings.Contains(out, "(+5 nei gruppi ripetuti") {
		t.Fatalf("summary:\n%s", out)
	}
	// The latest version by default; never over an existing file.
	latest := filepath.Join(dir, "ultima.xlsx")
	if out, _ := run(0, "export", "--instrument", "scheda-comune", "--out", latest); !strings.Contains(out, "scheda-comune v2") {
		t.Fatalf("latest: %s", out)
	}
	if _, errs := run(1, "export", "--instrument", "scheda-comune", "--out", latest); !strings.Contains(errs, "esiste già") {
		t.Fatalf("overwrite: %s", errs)
	}
	if _, errs := run(1, "export", "--instrument", "scheda-comune@9", "--out", filepath.Join(dir, "x.xlsx")); !strings.Contains(errs, "versioni disponibili: [1 2]") {
		t.Fatalf("unknown version: %s", errs)
	}
	run(1, "export", "--instrument", "scheda-comune", "--out", filepath.Join(dir, "x.csv"))
	run(1, "check")
	run(2, "check", "--file", latest, "avanzo")

	// Mistakes are reported at their cells, Italian first.
	f, err := excelize.OpenFile(filepath.Join(dir, "scheda-minore.v2.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStr("survey", "C3", ""); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStr("survey", "I4", "Inesistente == 1"); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "sbagliato.xlsx")
	if err := f.SaveAs(bad); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, errs := run(1, "check", "--file", bad)
	for _, w := range []string{
		"survey!C3 (label::Italiano (it)): manca l'etichetta in italiano / the Italian label is missing\n",
		"survey!I4 (relevant): nome sconosciuto Inesistente",
		"sinba: " + bad + ": 2 errori / 2 errors\n",
	} {
		if !strings.Contains(errs, w) {
			t.Fatalf("check of a bad workbook: no %q in\n%s", w, errs)
		}
	}
	// A different definition under a version already held is refused.
	changed := filepath.Join(dir, "cambiato.json")
	body, _ := os.ReadFile(shippedDir + "scheda-comune.v1.json")
	if err := os.WriteFile(changed, bytes.Replace(body, []byte(`"it": "Ruolo`), []byte(`"it": "Ruolo nel servizio`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, errs := run(1, "check", "--file", changed); !strings.Contains(errs, "la versione 1 di scheda-comune esiste già con un altro contenuto: una versione non cambia mai, dare al file la versione 3") {
		t.Fatalf("changed v1: %s", errs)
	}
}

// TestInstrumentExportPublished: a version published in the project, as the
// coordinator's store holds it after publishing, is exported and checked
// with --data, and its migration is checked against the version it starts
// from.
func TestInstrumentExportPublished(t *testing.T) {
	hs, code := coordServer(t)
	vars := map[string]string{"SINBA_PASSPHRASE": testPass}
	data := filepath.Join(t.TempDir(), "coord")
	run := func(want int, args ...string) (string, string) {
		t.Helper()
		got, out, errs := runCmd(t, vars, append([]string{"coord"}, args...)...)
		if got != want {
			t.Fatalf("sinba coord %v: exit %d, want %d\n%s\n%s", args, got, want, out, errs)
		}
		return out, errs
	}
	run(0, "init", "--data", data, "--server", hs.URL, "--code", code)

	// Version 3 of the municipality questionnaire: version 2 with a
	// migration from 2, first naming a question version 2 lacks.
	var def map[string]any
	body, _ := os.ReadFile(shippedDir + "scheda-comune.v2.json")
	if err := json.Unmarshal(body, &def); err != nil {
		t.Fatal(err)
	}
	def["version"] = 3
	def["migrations"] = []any{map[string]any{"from": 2, "dropped": []string{"Note"}}}
	dir := t.TempDir()
	v3 := filepath.Join(dir, "scheda-comune.v3.json")
	b, _ := json.Marshal(def)
	if err := os.WriteFile(v3, b, 0o600); err != nil {
		t.Fatal(err)
	}
	// Before it is published: checked against v2 (Note must exist there).
	if out, errs := run(1, "instrument", "check", "--data", data, "--file", v3); !strings.Contains(errs, "dropped Note: version 2 has no question Note") {
		t.Fatalf("migration of an unknown field: %s %s", out, errs)
	}
	def["migrations"] = []any{map[string]any{"from": 2}} // nothing to carry but the version
	b, _ = json.Marshal(def)
	if err := os.WriteFile(v3, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, _ := run(0, "instrument", "check", "--data", data, "--file", v3); !strings.Contains(out, "migrazioni / migrations: 1 (da / from v2)") {
		t.Fatalf("check v3: %s", out)
	}
	run(0, "publish", "--data", data, "--file", v3)

	xlsx := filepath.Join(dir, "v3.xlsx")
	run(1, "instrument", "export", "--instrument", "scheda-comune@3", "--out", xlsx) // not shipped
	if out, _ := run(0, "instrument", "export", "--data", data, "--instrument", "scheda-comune", "--out", xlsx); !strings.Contains(out, "scheda-comune v3") {
		t.Fatalf("export of the published version: %s", out)
	}
	out, _ := run(0, "instrument", "check", "--data", data, "--file", xlsx)
	if !strings.Contains(out, "scheda-comune v3: già pubblicata con lo stesso contenuto / already published with the same content\n") || !strings.Contains(out, "migrazioni / migrations: 1 (da / from v2)") {
		t.Fatalf("check of the exported v3: %s", out)
	}
	if out, _ := run(0, "instrument", "help"); !strings.Contains(out, "sinba coord instrument export") || !strings.Contains(out, "sinba coord instrument check") {
		t.Fatalf("help: %s", out)
	}
}

// canonicalJSON is a definition as survey.ParseInstrument reads it.
func canonicalJSON(t *testing.T, def []byte) []byte {
	t.Helper()
	d, err := loadDomain()
	if err != nil {
		t.Fatal(err)
	}
	in, err := survey.ParseInstrument(def, d.ref)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
