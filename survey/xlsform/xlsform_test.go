package xlsform

import (
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/xuri/excelize/v2"

	"sinba/assets"
	"sinba/survey"
)

var (
	refOnce sync.Once
	testRef *survey.Reference
	refErr  error
)

func reference(t testing.TB) *survey.Reference {
	t.Helper()
	refOnce.Do(func() { testRef, refErr = survey.LoadReference(assets.Reference) })
	if refErr != nil {
		t.Fatal(refErr)
	}
	return testRef
}

// shipped returns the instruments the app ships with, by file name.
func shipped(t testing.TB) map[string]*survey.Instrument {
	t.Helper()
	ref := reference(t)
	out := map[string]*survey.Instrument{}
	files, err := fs.Glob(assets.Instruments, "instruments/*.json")
	if err != nil || len(files) < 4 {
		t.Fatalf("shipped instruments: %v %v", files, err)
	}
	for _, f := range files {
		b, err := fs.ReadFile(assets.Instruments, f)
		if err != nil {
			t.Fatal(err)
		}
		in, err := survey.ParseInstrument(b, ref)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[filepath.Base(f)] = in
	}
	return out
}

func canonical(t testing.TB, in *survey.Instrument) []byte {
	t.Helper()
	b, err := json.MarshalIndent(in, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func workbook(t testing.TB, in *survey.Instrument) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatalf("write %s: %v", in.Key(), err)
	}
	return buf.Bytes()
}

// firstDiff shows where two texts part, for a failure message.
func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(la) && i < len(lb); i++ {
		if la[i] != lb[i] {
			return "line " + la[i] + "\n     vs " + lb[i]
		}
	}
	return "lengths differ"
}

// TestRoundTripShipped: every shipped instrument goes JSON -> workbook ->
// instrument with nothing lost (the canonical JSON of both is equal), and
// workbook -> instrument -> workbook gives the same sheets again.
func TestRoundTripShipped(t *testing.T) {
	ref := reference(t)
	for name, in := range shipped(t) {
		t.Run(name, func(t *testing.T) {
			want := canonical(t, in)
			wb := workbook(t, in)
			back, err := Read(bytes.NewReader(wb), ref)
			if err != nil {
				t.Fatalf("read back: %v", err)
			}
			if got := canonical(t, back); !bytes.Equal(got, want) {
				t.Fatalf("JSON -> workbook -> JSON differs: %s", firstDiff(want, got))
			}
			again, err := Read(bytes.NewReader(workbook(t, back)), ref)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(sheetsOf(t, wb), sheetsOf(t, workbook(t, again))) {
				t.Fatal("workbook -> JSON -> workbook changed the sheets")
			}
			// The canonical JSON is a definition survey.ParseInstrument takes.
			if _, err := survey.ParseInstrument(want, ref); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// sheetsOf is the cells of every sheet, as text.
func sheetsOf(t testing.TB, data []byte) []byte {
	t.Helper()
	f, err := openWorkbook(data)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b bytes.Buffer
	for _, name := range f.GetSheetList() {
		rows, err := f.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("## " + name + "\n")
		for _, r := range rows {
			b.WriteString(strings.Join(r, "\t") + "\n")
		}
	}
	return b.Bytes()
}

// TestRoundTripEveryColumn covers what the shipped instruments do not use:
// section relevance, identifying, required together with a condition,
// requiredSeverity warning, decimals, every kind of migration change, the
// legacy renamed map.
func TestRoundTripEveryColumn(t *testing.T) {
	ref := reference(t)
	in := parse(t, everyColumn)
	back, err := Read(bytes.NewReader(workbook(t, in)), ref)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := canonical(t, back), canonical(t, in); !bytes.Equal(got, want) {
		t.Fatalf("round trip differs: %s", firstDiff(want, got))
	}
}

func parse(t testing.TB, def string) *survey.Instrument {
	t.Helper()
	in, err := survey.ParseInstrument([]byte(def), reference(t))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

const everyColumn = `{
 "id": "prova-colonne", "version": 3,
 "title": {"it": "Prova", "en": "Test"},
 "description": {"it": "Tutte le colonne", "en": "Every column"},
 "source": "test",
 "codelists": {
  "SiNo": {"codes": [{"code": "1", "label": {"it": "Sì", "en": "Yes"}}, {"code": "2", "label": {"it": "No"}}]},
  "Aperto": {"open": true, "source": "known codes", "codes": [{"code": "A1.01", "label": {"it": ""}}, {"code": "9", "label": {"it": "Altro"}}]},
  "Inutile": {"codes": [{"code": "x", "label": {"it": "x"}}]}
 },
 "sections": [
  {"id": "uno", "title": {"it": "Uno", "en": "One"}, "questions": [
   {"id": "Nome", "type": "text", "label": {"it": "Nome"}, "identifying": true, "minLength": 2, "maxLength": 40, "pattern": "[A-Z].*",
    "help": {"it": "aiuto", "en": "help"}},
   {"id": "Peso", "type": "decimal", "label": {"it": "Peso"}, "min": 0.5, "max": 99.75, "required": true, "requiredIf": "Nome != ''", "requiredSeverity": "warning"},
   {"id": "Quando", "type": "date", "label": {"it": "Quando"}, "notFuture": true, "requiredIf": "answered(Nome)"},
   {"id": "Mese", "type": "monthyear", "label": {"it": "Mese"}},
   {"id": "Vero", "type": "yesno", "label": {"it": "Vero"}},
   {"id": "Scelta", "type": "single", "codelist": "SiNo", "label": {"it": "Scelta"}, "computed": "'1'"},
   {"id": "Molte", "type": "multi", "codelist": "Aperto", "label": {"it": "Molte"}},
   {"id": "Comune", "type": "lookup", "lookup": "comuni", "label": {"it": "Comune"}},
   {"id": "Voci", "type": "group", "label": {"it": "Voci"}, "minItems": 1, "maxItems": 5, "relevant": "Vero == true", "items": [
     {"id": "Cosa", "type": "text", "label": {"it": "Cosa"}},
     {"id": "Quanti", "type": "integer", "label": {"it": "Quanti"}, "relevant": "Cosa != ''", "min": -3}
   ]}
  ]},
  {"id": "due", "title": {"it": "Due"}, "relevant": "Scelta == '1'", "questions": [
   {"id": "Nuova", "type": "single", "codelist": "SiNo", "label": {"it": "Nuova"}},
   {"id": "Unita", "type": "text", "label": {"it": "Unita"}},
   {"id": "Testo", "type": "text", "label": {"it": "Testo"}}
  ]}
 ],
 "rules": [
  {"id": "r1", "severity": "warning", "fields": ["Peso", "Nome"], "when": "Vero", "assert": "Peso > 1", "message": {"it": "pesante", "en": "heavy"}},
  {"id": "r2", "severity": "error", "fields": ["Quanti"], "each": "Voci", "assert": "Quanti == nil || Quanti < 10", "message": {"it": "troppi", "en": "too many"}}
 ],
 "renamed": {"Vecchio": "Nome"},
 "migrations": [
  {"from": 2, "renamed": {"Prima": "Scelta", "Altra": "Cosa"}, "merged": [{"into": "Unita", "from": ["A", "B"], "value": "A + B"}, {"into": "Mese", "from": ["M"]}],
   "dropped": ["Via", "Anche"], "defaults": {"Nuova": "2", "Testo": "true", "Molte": ["9"], "Vero": false}},
  {"from": 1}
 ]
}`

func readBytes(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWriteFile writes a workbook in place and reads it back from disk.
func TestWriteFile(t *testing.T) {
	in := parse(t, everyColumn)
	path := filepath.Join(t.TempDir(), "prova.xlsx")
	if err := WriteFile(path, in); err != nil {
		t.Fatal(err)
	}
	back, err := ReadFile(path, reference(t))
	if err != nil {
		t.Fatal(err)
	}
	if back.Key() != "prova-colonne@3" || len(readBytes(t, path)) == 0 {
		t.Fatalf("read back %s", back.Key())
	}
	// The columns of a few values offer them as a drop-down list.
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dvs, err := f.GetDataValidations(SheetMigrations)
	if err != nil || len(dvs) != 1 || dvs[0].Sqref != "B2:B5000" || dvs[0].Formula1 != `"renamed,merged,dropped,default"` {
		t.Fatalf("drop-down lists of migrations: %v %+v", err, dvs)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "nessuno.xlsx"), nil); err == nil {
		t.Fatal("a missing file read")
	}
}

func openWorkbook(data []byte) (*excelize.File, error) {
	return excelize.OpenReader(bytes.NewReader(data))
}

// TestReadmeExample: the example of README.md is a valid instrument.
func TestReadmeExample(t *testing.T) {
	doc, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, example, ok := strings.Cut(string(doc), "\n## An example\n")
	if !ok {
		t.Fatal("README.md has no example")
	}
	example, _, _ = strings.Cut(example, "\n## ")
	f := excelize.NewFile()
	defer f.Close()
	sheet := ""
	row := 0
	for _, line := range strings.Split(example, "\n") {
		switch {
		case strings.HasPrefix(line, "`") && strings.HasSuffix(line, "`") && !strings.Contains(line, " "):
			sheet, row = strings.Trim(line, "`"), 0
			if _, err := f.NewSheet(sheet); err != nil {
				t.Fatal(err)
			}
		case sheet != "" && strings.HasPrefix(line, "|") && !strings.HasPrefix(line, "|---"):
			row++
			cells := strings.Split(strings.Trim(line, "|"), "|")
			for c, v := range cells {
				cell, _ := excelize.CoordinatesToCellName(c+1, row)
				if err := f.SetCellStr(sheet, cell, strings.TrimSpace(v)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := f.DeleteSheet("Sheet1"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	in, err := Read(&buf, reference(t))
	if err != nil {
		t.Fatalf("the README's example:\n%v", err)
	}
	if in.Key() != "scheda-prova@2" || len(in.Sections) != 2 || len(in.Rules) != 1 || len(in.Migrations) != 1 || in.Codelists["FasciaEta"].Source == "" {
		t.Fatalf("the README's example read as %s, %d sections, %d rules, %d migrations", in.Key(), len(in.Sections), len(in.Rules), len(in.Migrations))
	}
}

// TestTypedCells: cells typed as numbers and booleans, as a spreadsheet
// program stores what a person types, read as their text.
func TestTypedCells(t *testing.T) {
	data := malformed(t,
		func(f *excelize.File) error { return f.SetCellInt(SheetSettings, "B2", 3) },
		func(f *excelize.File) error { return f.SetCellFloat(SheetSurvey, "L4", 0.5, -1, 64) },
		func(f *excelize.File) error { return f.SetCellBool(SheetSurvey, "G3", true) },
		func(f *excelize.File) error { return f.SetCellBool(SheetSurvey, "T4", false) },
		func(f *excelize.File) error { return f.SetCellInt(SheetChoices, "B2", 1) },
		func(f *excelize.File) error { return f.SetCellInt(SheetMigrations, "E10", 2) },
	)
	in, err := Read(bytes.NewReader(data), reference(t))
	if err != nil {
		t.Fatal(err)
	}
	nome, _ := in.Question("Nome")
	peso, _ := in.Question("Peso")
	m, _ := in.MigrationFrom(2)
	if in.Version != 3 || !nome.Required || peso.Min == nil || *peso.Min != 0.5 || peso.Identifying || in.Codelists["SiNo"].Codes[0].Code != "1" || m.Defaults["Nuova"] != "2" {
		t.Fatalf("typed cells read as version %d, Nome required %v, Peso min %v identifying %v, code %q, default %v",
			in.Version, nome.Required, peso.Min, peso.Identifying, in.Codelists["SiNo"].Codes[0].Code, m.Defaults["Nuova"])
	}
}

// TestTextsAsTheyAre: texts a spreadsheet could take for something else
// come back as they were; a character no workbook can hold is refused by
// Write, never replaced.
func TestTextsAsTheyAre(t *testing.T) {
	for _, v := range []string{"a\r\nb", " davanti", "dietro ", "tab\tqui", "_x000D_", "a_x0041_b", "_x005F_", "=SOMMA(A1)", "'01"} {
		b, _ := json.Marshal(v)
		in := parse(t, strings.Replace(everyColumn, `"label": {"it": "Nome"}`, `"label": {"it": `+string(b)+`}`, 1))
		back, err := Read(bytes.NewReader(workbook(t, in)), reference(t))
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		if q, _ := back.Question("Nome"); q.Label.IT != v {
			t.Errorf("%q came back %q", v, q.Label.IT)
		}
	}
	in := parse(t, strings.Replace(everyColumn, `"label": {"it": "Nome"}`, `"label": {"it": "a\u0001b"}`, 1))
	if err := Write(io.Discard, in); err == nil || !strings.Contains(err.Error(), "survey!C3: il carattere U+0001 non può stare in un foglio di calcolo") {
		t.Fatalf("a control character: %v", err)
	}
	in = parse(t, strings.Replace(everyColumn, `"help": {"it": "aiuto"`, `"help": {"it": "`+strings.Repeat("lungo ", 6000)+`"`, 1))
	if err := Write(io.Discard, in); err == nil || !strings.Contains(err.Error(), "survey!E3: testo di 36000 caratteri, più dei 32767 che una cella tiene") {
		t.Fatalf("a text longer than a cell: %v", err)
	}
}
