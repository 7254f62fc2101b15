package instfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"sinba/assets"
	"sinba/localdb/registry"
	"sinba/survey"
	"sinba/survey/instdiff"
	"sinba/survey/xlsform"
)

func shippedRegistry(t *testing.T) (*survey.Registry, *survey.Reference) {
	t.Helper()
	l, err := registry.NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	set := l.Builtin()
	return set.Registry, set.Reference
}

// TestCanonicalRoundTrip: the canonical JSON of a definition reads back as
// the same definition, and is its own canonical form.
func TestCanonicalRoundTrip(t *testing.T) {
	reg, ref := shippedRegistry(t)
	for _, id := range reg.IDs() {
		for _, v := range reg.Versions(id) {
			in, _ := reg.Get(id, v)
			body, err := Canonical(in)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Read(in.Key()+".json", body, ref)
			if err != nil {
				t.Fatalf("%s: the canonical JSON does not read back: %v", in.Key(), err)
			}
			again, _ := Canonical(back)
			if string(again) != string(body) {
				t.Errorf("%s: the canonical JSON changes when read back", in.Key())
			}
			if cs := instdiff.Diff(in, back); len(cs) != 0 {
				t.Errorf("%s: read back with changes %v", in.Key(), cs)
			}
		}
	}
}

// TestReadInstrumentLocatesErrors says where a JSON file is broken.
func TestReadInstrumentLocatesErrors(t *testing.T) {
	_, ref := shippedRegistry(t)
	cases := []struct {
		name, body, where, message string
	}{
		{"rotto.json", "{\n  \"id\": \"scheda-minore\",\n  \"version\": 2,,\n}", "riga 3, colonna 16", "JSON malformato"},
		{"tipo.json", "{\n  \"id\": \"scheda-minore\",\n  \"version\": \"due\"\n}", "riga 3, colonna 18", "valore del tipo sbagliato per version"},
		{"vuoto.json", `{"id": "scheda-minore", "version": 2, "title": {"it": "Prova"}, "sections": []}`, "", "no sections"},
	}
	for _, c := range cases {
		_, err := Read(c.name, []byte(c.body), ref)
		var inv *InvalidError
		if !errors.As(err, &inv) || len(inv.Problems) != 1 {
			t.Fatalf("%s: got %v, want one problem", c.name, err)
		}
		p := inv.Problems[0]
		if !strings.HasPrefix(p.Where, c.where) || !strings.Contains(p.Message.IT, c.message) || p.Message.EN == "" {
			t.Errorf("%s: got %q at %q, want %q at %q", c.name, p.Message, p.Where, c.message, c.where)
		}
		if !strings.HasPrefix(err.Error(), c.name+" non è una definizione valida") {
			t.Errorf("%s: error %q", c.name, err)
		}
		it, en := survey.ErrorText(err, "it"), survey.ErrorText(err, "en")
		if !strings.HasPrefix(it, c.name+" non è una definizione valida: "+strings.SplitN(c.where, " / ", 2)[0]) || !strings.HasPrefix(en, c.name+" is not a valid definition: ") ||
			strings.Contains(it, " / ") {
			t.Errorf("%s: in Italian %q, in English %q", c.name, it, en)
		}
	}
}

// TestPropose sets a file against what the coordinator holds.
func TestPropose(t *testing.T) {
	reg, ref := shippedRegistry(t)
	read := func(name string) *survey.Instrument {
		b, err := os.ReadFile("../../assets/instruments/" + name)
		if err != nil {
			t.Fatal(err)
		}
		in, err := Read(name, b, ref)
		if err != nil {
			t.Fatal(err)
		}
		return in
	}
	v2 := read("scheda-minore.v2.json")

	// The shipped v2, not yet published: compared with v1, to be sent.
	p, err := Propose("v2.json", v2, reg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.AlreadyPublished || p.Previous == nil || p.Previous.Version != 1 || p.PreviousPublished || len(p.Changes) == 0 {
		t.Fatalf("proposal of the shipped v2: %+v", p)
	}
	// Once published, nothing to send.
	p, err = Propose("v2.json", v2, reg, func(id string, v int) bool { return id == "scheda-minore" && (v == 1 || v == 2) })
	if err != nil || !p.AlreadyPublished || !p.PreviousPublished {
		t.Fatalf("proposal of the published v2: %+v, %v", p, err)
	}
	// Version 2 with other content: refused, with the version to use.
	v2.Title = survey.Text{IT: "Scheda cambiata"}
	_, err = Propose("v2.json", v2, reg, nil)
	var inv *InvalidError
	if !errors.As(err, &inv) || !strings.Contains(inv.Problems[0].Message.IT, "dare al file la versione 3") {
		t.Fatalf("other content under version 2: %v", err)
	}
	// Version 3: compared with v2.
	v2.Version = 3
	p, err = Propose("v3.json", v2, reg, nil)
	if err != nil || p.Previous.Version != 2 || len(p.Changes) != 0 {
		t.Fatalf("proposal of v3: %+v, %v", p, err)
	}
}

// TestReadSpreadsheet reads a workbook as its JSON, and locates what is
// wrong in one at its cell.
func TestReadSpreadsheet(t *testing.T) {
	reg, ref := shippedRegistry(t)
	in, _ := reg.Get("scheda-minore", 2)
	var buf bytes.Buffer
	if err := xlsform.Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	back, err := Read("scheda-minore.v2.xlsx", buf.Bytes(), ref)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := Canonical(in)
	b, _ := Canonical(back)
	if !bytes.Equal(a, b) {
		t.Fatal("the workbook does not give the JSON's canonical definition")
	}

	wb, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := wb.GetRows(xlsform.SheetSurvey)
	col := slices.Index(rows[0], "relevant")
	if col < 0 {
		t.Fatalf("no relevant column in %q", rows[0])
	}
	cell, _ := excelize.CoordinatesToCellName(col+1, 3)
	wb.SetCellValue(xlsform.SheetSurvey, cell, "NessunaDomanda == 1")
	var broken bytes.Buffer
	if err := wb.Write(&broken); err != nil {
		t.Fatal(err)
	}
	_, err = Read("rotto.xlsx", broken.Bytes(), ref)
	var inv *InvalidError
	if !errors.As(err, &inv) || len(inv.Problems) == 0 || !strings.HasPrefix(inv.Problems[0].Where, "survey!"+cell) || inv.Problems[0].Message.IT == "" {
		t.Fatalf("broken workbook: %v", err)
	}
}

// caseV2Renamed is the shipped case record v2 made version 3 with
// CondizioneLavoro, which the SINBA flow reads, renamed CondizioneLavorativa
// by its migration, and LuogoVita made a text.
func caseV2Renamed(t *testing.T) []byte {
	t.Helper()
	v2, err := assets.Instruments.ReadFile("instruments/scheda-minore.v2.json")
	if err != nil {
		t.Fatal(err)
	}
	body := regexp.MustCompile(`\bCondizioneLavoro\b`).ReplaceAll(v2, []byte("CondizioneLavorativa"))
	var def map[string]any
	if err := json.Unmarshal(body, &def); err != nil {
		t.Fatal(err)
	}
	def["version"] = 3
	def["migrations"] = []any{map[string]any{"from": 2, "renamed": map[string]any{"CondizioneLavoro": "CondizioneLavorativa"}}}
	for _, s := range def["sections"].([]any) {
		for _, q := range s.(map[string]any)["questions"].([]any) {
			if q := q.(map[string]any); q["id"] == "LuogoVita" {
				q["type"] = "text"
				delete(q, "codelist")
			}
		}
	}
	out, err := json.MarshalIndent(def, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCheckRefusesLostSINBAField: a version of the case record that renames
// a field the INPS flow reads, or changes its kind, is refused by the check,
// each problem at its question, in Italian first; in a spreadsheet too.
func TestCheckRefusesLostSINBAField(t *testing.T) {
	_, ref := shippedRegistry(t)
	body := caseV2Renamed(t)
	in, err := survey.ParseInstrument(body, ref)
	if err != nil {
		t.Fatalf("the test version does not even parse: %v", err)
	}
	_, err = Read("scheda-minore.v3.json", body, ref)
	var inv *InvalidError
	if !errors.As(err, &inv) {
		t.Fatalf("the check accepts a version that loses CondizioneLavoro: %v", err)
	}
	lines := strings.Split(string(body), "\n")
	at := func(id string) string {
		for i, l := range lines {
			if c := strings.Index(l, `"id": "`+id+`"`); c >= 0 {
				return fmt.Sprintf("riga %d, colonna %d", i+1, c+len(`"id": `)+1)
			}
		}
		return "?"
	}
	want := map[string]string{
		"il flusso SINBA per l'INPS ha bisogno del campo CondizioneLavoro: la migrazione lo rinomina in CondizioneLavorativa":                 at("CondizioneLavorativa"),
		"il flusso SINBA per l'INPS ha bisogno del campo LuogoVita: deve essere una scelta singola sulla lista LuogoVitaType, qui è un testo": at("LuogoVita"),
	}
	if len(inv.Problems) != len(want) {
		t.Fatalf("problems %v, want %d", inv.Problems, len(want))
	}
	for _, p := range inv.Problems {
		found := false
		for msg, where := range want {
			if strings.HasPrefix(p.Message.IT, msg) && strings.HasPrefix(p.Where, where+" /") && p.Message.EN != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("problem %q at %q, want one of %v", p.Message.IT, p.Where, want)
		}
	}
	if !strings.Contains(inv.Message("it"), "CondizioneLavoro") {
		t.Errorf("message %q", inv.Message("it"))
	}
	var xb bytes.Buffer
	if err := xlsform.Write(&xb, in); err != nil {
		t.Fatal(err)
	}
	_, err = Read("scheda-minore.v3.xlsx", xb.Bytes(), ref)
	if !errors.As(err, &inv) || len(inv.Problems) != 2 {
		t.Fatalf("the spreadsheet of the version: %v", err)
	}
	rows, err := excelize.OpenReader(bytes.NewReader(xb.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range inv.Problems {
		sheet, cell, _ := strings.Cut(p.Where, "!")
		v, _ := rows.GetCellValue(sheet, cell)
		if !strings.Contains(p.Message.IT, "il flusso SINBA per l'INPS ha bisogno del campo") || (v != "CondizioneLavorativa" && v != "LuogoVita") {
			t.Errorf("spreadsheet problem %q at %q (%q)", p.Message.IT, p.Where, v)
		}
	}
}
