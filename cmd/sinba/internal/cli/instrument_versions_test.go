package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sinba/survey/xlsform"
)

const instrumentsDir = "../../../../assets/instruments/"

// plantedV3 writes the shipped scheda-minore v2 as version 3 with two
// changes planted: a question relabelled and a rule made a warning.
func plantedV3(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(instrumentsDir + "scheda-minore.v2.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["version"] = 3
	for _, s := range m["sections"].([]any) {
		for _, q := range s.(map[string]any)["questions"].([]any) {
			if q := q.(map[string]any); q["id"] == "FonteSegnalazione" {
				q["label"] = map[string]any{"it": "Chi ha segnalato il minore", "en": "Who reported the child"}
			}
		}
	}
	for _, r := range m["rules"].([]any) {
		if r := r.(map[string]any); r["id"] == "eta.fascia_coerente" {
			r["severity"] = "warning"
		}
	}
	b, _ = json.Marshal(m)
	path := filepath.Join(t.TempDir(), "scheda-minore.v3.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestInstrumentDiffFiles compares versions without a profile: shipped
// versions by ID@VERSION and files, as text and as the HTML report.
func TestInstrumentDiffFiles(t *testing.T) {
	code, out, errs := runCmd(t, nil, "coord", "instrument", "diff", "--old", "scheda-minore@1", "--new", "scheda-minore@2")
	if code != 0 || !strings.HasPrefix(out, "scheda-minore@1 → scheda-minore@2: ") ||
		!strings.Contains(out, "\n  Domanda aggiunta / Question added: DataRiferimento «Data di riferimento della scheda»: data / date\n") {
		t.Fatalf("diff of the shipped versions: exit %d\n%s\n%s", code, out, errs)
	}
	if strings.Contains(out, "punti critici") {
		t.Errorf("figures printed without records:\n%s", out)
	}
	report := filepath.Join(t.TempDir(), "differenze.html")
	code, out, errs = runCmd(t, nil, "coord", "instrument", "diff", "--old", instrumentsDir+"scheda-minore.v2.json", "--new", plantedV3(t), "--html", report)
	want := "scheda-minore@2 → scheda-minore@3: 2 cambiamenti / 2 changes\n" +
		"  Testo della domanda cambiato / Question text changed: FonteSegnalazione «Chi ha segnalato il minore»: Fonte della segnalazione / Source of the referral → Chi ha segnalato il minore / Who reported the child\n" +
		"  Regola modificata: gravità / Rule changed: severity: eta.fascia_coerente «La fascia di età non corrisponde all'età alla data di riferimento (dalla data di nascita, se nota, altrimenti dall'anno di nascita).»: errore / error → avviso / warning\n"
	if code != 0 || out != want {
		t.Fatalf("diff of two files: exit %d\n%s\nwant\n%s\n%s", code, out, want, errs)
	}
	page, err := os.ReadFile(report)
	if err != nil || !bytes.Contains(page, []byte("<b>FonteSegnalazione</b>")) || !bytes.Contains(page, []byte("eta.fascia_coerente")) {
		t.Fatalf("report: %v\n%.300s", err, page)
	}
	// A workbook of the shipped v2 is v2.
	d, err := loadDomain()
	if err != nil {
		t.Fatal(err)
	}
	v2, _ := d.reg.Get("scheda-minore", 2)
	book := filepath.Join(t.TempDir(), "scheda-minore.xlsx")
	if err := xlsform.WriteFile(book, v2); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runCmd(t, nil, "coord", "instrument", "diff", "--old", "scheda-minore@2", "--new", book); code != 0 || out != "scheda-minore@2 → scheda-minore@2: 0 cambiamenti / 0 changes\n" {
		t.Fatalf("diff with a workbook: exit %d\n%s\n%s", code, out, errs)
	}
	for _, args := range [][]string{
		{"--old", "scheda-minore@9", "--new", "scheda-minore@2"},
		{"--old", "nessun-file.json", "--new", "scheda-minore@2"},
		{"--new", "scheda-minore@2"},
	} {
		if code, _, errs := runCmd(t, nil, append([]string{"coord", "instrument", "diff"}, args...)...); code != 1 || !strings.HasPrefix(errs, "sinba: ") {
			t.Errorf("diff %v: exit %d, %q", args, code, errs)
		}
	}
}

// TestInstrumentPublish publishes through a real server on loopback: a
// broken file is refused with where it is broken, a new version shows its
// changes and waits for a yes, and the old "coord publish" still publishes
// without asking.
func TestInstrumentPublish(t *testing.T) {
	hs, pcode := coordServer(t)
	data := filepath.Join(t.TempDir(), "coord")
	run := func(stdin string, want int, args ...string) (string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		env := Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
			Getenv: func(k string) string { return map[string]string{"SINBA_PASSPHRASE": testPass}[k] }}
		if got := Run(env, append([]string{"coord"}, args...)); got != want {
			t.Fatalf("sinba coord %v: exit %d, want %d\n%s\n%s", args, got, want, out.String(), errb.String())
		}
		return out.String(), errb.String()
	}
	run("", 0, "init", "--data", data, "--server", hs.URL, "--code", pcode)

	broken := filepath.Join(t.TempDir(), "rotto.json")
	os.WriteFile(broken, []byte("{\n \"id\": \"scheda-minore\",\n \"version\": 3,,\n}"), 0o600)
	if _, errs := run("", 1, "instrument", "publish", "--data", data, "--file", broken); !strings.Contains(errs, "rotto.json non è una definizione valida") ||
		!strings.Contains(errs, "riga 3, colonna 15") || !strings.Contains(errs, "niente pubblicato") {
		t.Fatalf("broken file: %s", errs)
	}

	// The legacy command publishes without asking, and again is a no-op.
	if out, _ := run("", 0, "publish", "--data", data, "--file", instrumentsDir+"scheda-minore.v2.json"); !strings.Contains(out, "rispetto a / compared with scheda-minore@1 (nell'applicazione / in the app)") ||
		!strings.HasSuffix(out, "scheda-minore v2\n") {
		t.Fatalf("coord publish:\n%s", out)
	}
	again, _ := run("", 0, "publish", "--data", data, "--file", instrumentsDir+"scheda-minore.v2.json")
	same := "scheda-minore v2: già pubblicata con lo stesso contenuto / already published with the same content\n"
	if again != same {
		t.Fatalf("coord publish again:\n%s\nwant %q", again, same)
	}
	// check says it in the same words.
	if out, _ := run("", 0, "instrument", "check", "--data", data, "--file", instrumentsDir+"scheda-minore.v2.json"); !strings.HasPrefix(out, same) {
		t.Fatalf("check of the published version:\n%s\nwant it to open with %q", out, same)
	}

	v3 := plantedV3(t)
	out, errs := run("\n", 1, "instrument", "publish", "--data", data, "--file", v3)
	if !strings.Contains(out, "rispetto a / compared with scheda-minore@2 (pubblicata / published): 2 cambiamenti") ||
		!strings.Contains(out, "Regola modificata: gravità") || !strings.Contains(out, "Pubblicare scheda-minore versione 3") || !strings.Contains(errs, "non pubblicata") {
		t.Fatalf("publish without a yes:\n%s\n%s", out, errs)
	}
	if out, _ := run("", 0, "instrument", "diff", "--data", data, "--old", "scheda-minore@2", "--new", v3); !strings.Contains(out, "punti critici nella versione 2 (0 schede)") {
		t.Fatalf("diff over the profile:\n%s", out)
	}
	if out, _ := run("sì\n", 0, "instrument", "publish", "--data", data, "--file", v3); !strings.HasSuffix(out, "scheda-minore v3\n") {
		t.Fatalf("publish with a yes:\n%s", out)
	}
	// The published version is now known by ID@VERSION.
	if out, _ := run("", 0, "instrument", "diff", "--data", data, "--old", "scheda-minore@2", "--new", "scheda-minore@3"); !strings.Contains(out, "2 cambiamenti") {
		t.Fatalf("diff of published versions:\n%s", out)
	}
	if out, _ := run("", 0, "instrument", "publish", "--data", data, "--file", v3, "--yes"); !strings.Contains(out, "già pubblicata") {
		t.Fatalf("publish again:\n%s", out)
	}
	if out, _ := run("", 0, "instrument", "help"); !strings.Contains(out, "sinba coord instrument diff") || !strings.Contains(out, "sinba coord instrument publish") {
		t.Fatalf("help:\n%s", out)
	}
}
