package xlsform

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"sinba/survey"
)

// edit is a change made to the workbook of everyColumn before reading it.
type edit func(f *excelize.File) error

func set(sheet, cell, v string) edit {
	return func(f *excelize.File) error { return f.SetCellStr(sheet, cell, v) }
}

func malformed(t *testing.T, edits ...edit) []byte {
	t.Helper()
	f, err := openWorkbook(workbook(t, parse(t, everyColumn)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, e := range edits {
		if err := e(f); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestMalformedWorkbooks: each mistake is reported at its cell, Italian
// first and English second. The survey sheet of everyColumn has the section
// uno at row 2 (Nome 3, Peso 4, Quando 5, Mese 6, Vero 7, Scelta 8, Molte 9,
// Comune 10, the repeat Voci 11 with Cosa 12 and Quanti 13, end repeat 14,
// end group 15) and the section due at row 16 (Nuova 17, Unita 18, Testo 19,
// end group 20); columns A type, B name, C label::it, J relevant, K
// calculation, L min, R min_items.
func TestMalformedWorkbooks(t *testing.T) {
	cases := []struct {
		name  string
		edits []edit
		want  []string // each a line of the error, in order
	}{
		{"unknown type", []edit{set(SheetSurvey, "A3", "texte")},
			[]string{`survey!A3: type: tipo "texte" sconosciuto`}},
		{"sheet named in capitals", []edit{func(f *excelize.File) error { return f.SetSheetName(SheetSurvey, "Survey") }, set("Survey", "A3", "texte")},
			[]string{`Survey!A3: type: tipo "texte" sconosciuto`}},
		{"errors beside a header's", []edit{set(SheetSurvey, "U1", "appunti"), set(SheetSurvey, "A3", "texte")},
			[]string{`survey!U1: appunti: colonna sconosciuta`, `survey!A3: type: tipo "texte" sconosciuto`}},
		{"unknown list", []edit{set(SheetSurvey, "A8", "select_one Nessuno")},
			[]string{`survey!A8: type: l'elenco "Nessuno" non è nel foglio choices / list "Nessuno" is not in the choices sheet`}},
		{"unknown reference list", []edit{set(SheetSurvey, "A10", "lookup pianeti")},
			[]string{`survey!A10: type: elenco di riferimento "pianeti" sconosciuto (ci sono: comuni, `}},
		{"missing label", []edit{set(SheetSurvey, "C4", "")},
			[]string{`survey!C4: label::Italiano (it): manca l'etichetta in italiano / the Italian label is missing`}},
		{"duplicate name", []edit{set(SheetSurvey, "B5", "Nome")},
			[]string{`survey!B5: name: il nome Nome c'è già alla riga 3 / name Nome is already at row 3`}},
		{"duplicate item", []edit{set(SheetSurvey, "B13", "Cosa")},
			[]string{`survey!B13: name: Cosa c'è già nel gruppo ripetuto Voci (riga 12)`,
				`rules!C3: fields: Quanti non è una domanda`, `rules!F3: assert: nome sconosciuto Quanti`}},
		{"malformed name", []edit{set(SheetSurvey, "B5", "2quando")},
			[]string{`survey!B5: name: "2quando": lettere, cifre e _`}},
		{"end repeat missing", []edit{set(SheetSurvey, "A14", "")},
			[]string{`survey!A15: type: end group dentro il gruppo ripetuto Voci (riga 11): serve prima end repeat / end group inside repeat group Voci (row 11): end repeat comes first`}},
		{"end group missing", []edit{set(SheetSurvey, "A20", "")},
			[]string{`survey!A16: type: begin group due senza end group / begin group due without end group`}},
		{"nested sections", []edit{set(SheetSurvey, "A15", "")},
			[]string{`survey!A16: type: le sezioni non si annidano: manca end group della sezione uno (riga 2)`}},
		{"end without begin", []edit{set(SheetSurvey, "A21", "end repeat")},
			[]string{`survey!A21: type: end repeat senza begin repeat / end repeat without begin repeat`}},
		{"question outside a section", []edit{set(SheetSurvey, "A22", "text"), set(SheetSurvey, "B22", "Fuori"), set(SheetSurvey, "C22", "Fuori")},
			[]string{`survey!A22: type: domanda fuori da una sezione: prima serve begin group`}},
		{"bad expression", []edit{set(SheetSurvey, "J13", "Foo == 1")},
			[]string{`survey!J13: relevant: nome sconosciuto Foo (non è una domanda né una funzione del linguaggio) / unknown name Foo`}},
		{"item out of scope", []edit{set(SheetSurvey, "K8", "Cosa")},
			[]string{`survey!K8: calculation: nome sconosciuto Cosa`}},
		{"expression type", []edit{set(SheetSurvey, "J17", "Scelta == 1")},
			[]string{`survey!J17: relevant: espressione non valida: invalid operation: == (mismatched types string and int)`}},
		{"bad number", []edit{set(SheetSurvey, "L4", "molto")},
			[]string{`survey!L4: min: "molto": serve un numero / "molto": a number is expected`}},
		{"items on a question", []edit{set(SheetSurvey, "R3", "2")},
			[]string{`survey!R3: min_items: solo un gruppo ripetuto`}},
		{"bad pattern", []edit{set(SheetSurvey, "P3", "[a-")},
			[]string{`survey!P3: pattern: espressione regolare non valida`}},
		{"reserved name", []edit{set(SheetSurvey, "B5", "count")},
			[]string{`survey!B5: name: strumento non valido: question count: il nome è riservato al linguaggio delle espressioni / invalid instrument: question count: the id is reserved for the expression language`}},
		{"unknown column", []edit{set(SheetSurvey, "U1", "constraint")},
			[]string{`survey!U1: constraint: colonna sconosciuta nel foglio survey`}},
		{"unknown language", []edit{set(SheetChoices, "G1", "label::Français (fr)")},
			[]string{`choices!G1: label::Français (fr): lingua "Français (fr)": gli strumenti sono in italiano (it) e inglese (en)`}},
		{"value without header", []edit{set(SheetSurvey, "Z5", "dimenticato")},
			[]string{`survey!Z5: valore in una colonna senza intestazione`}},
		{"duplicate code", []edit{set(SheetChoices, "B3", "1")},
			[]string{`choices!B3: name: il codice "1" compare due volte nell'elenco SiNo`}},
		{"choice without label", []edit{set(SheetChoices, "C2", "")},
			[]string{`choices!C2: label::Italiano (it): manca l'etichetta in italiano (solo un elenco aperto`}},
		{"bad version", []edit{set(SheetSettings, "B2", "due")},
			[]string{`settings!B2: version: "due": serve un numero intero da 1 in su`}},
		{"no title", []edit{set(SheetSettings, "C2", "")},
			[]string{`settings!C2: form_title::Italiano (it): manca il titolo in italiano`}},
		{"bad rule", []edit{set(SheetRules, "B2", "grave"), set(SheetRules, "F3", "Cosa > Foo")},
			[]string{`rules!B2: severity: "grave": serve error`, `rules!F3: assert: nome sconosciuto Foo`}},
		{"rule field", []edit{set(SheetRules, "C2", "Peso Altezza")},
			[]string{`rules!C2: fields: Altezza non è una domanda del foglio survey / Altezza is not a question of the survey sheet`}},
		{"rule each", []edit{set(SheetRules, "D3", "Nome")},
			[]string{`rules!D3: each: Nome non è un gruppo ripetuto`, `rules!F3: assert: nome sconosciuto Quanti`}},
		{"migration target", []edit{set(SheetMigrations, "C4", "Inesistente")},
			[]string{`migrations!C4: field: Inesistente non è una domanda di questa versione / Inesistente is not a question of this version`}},
		{"migration change", []edit{set(SheetMigrations, "B7", "spostato")},
			[]string{`migrations!B7: change: "spostato": serve renamed, merged, dropped o default`}},
		{"migration from", []edit{set(SheetMigrations, "A13", "3")},
			[]string{`migrations!A13: from: 3: serve una versione precedente alla 3`}},
		{"migration merge value", []edit{set(SheetMigrations, "E5", "A +")},
			[]string{`migrations!E5: value: espressione non valida`}},
		{"migration default", []edit{set(SheetMigrations, "E10", "7")},
			[]string{`migrations!E10: value: strumento non valido: migration from 2: default for Nuova: 7 non è un codice di SiNo / invalid instrument: migration from 2: default for Nuova: 7 is not a code of SiNo`}},
		{"migration old name", []edit{set(SheetMigrations, "D7", "Via Anche")},
			[]string{`migrations!D7: old: "Via Anche": un solo nome / "Via Anche": one name only`}},
		{"migration column", []edit{set(SheetMigrations, "E7", "x")},
			[]string{`migrations!E7: value: non si usa per "dropped"`}},
		{"unknown sheet", []edit{func(f *excelize.File) error {
			if _, err := f.NewSheet("regole"); err != nil {
				return err
			}
			return f.SetCellStr("regole", "A1", "id")
		}}, []string{`foglio "regole" sconosciuto`}},
		{"notes sheet", []edit{func(f *excelize.File) error {
			if _, err := f.NewSheet("#appunti"); err != nil {
				return err
			}
			return f.SetCellStr("#appunti", "A1", "da rivedere")
		}}, nil},
		{"missing sheet", []edit{func(f *excelize.File) error { return f.DeleteSheet(SheetSettings) }},
			[]string{`manca il foglio settings / the settings sheet is missing`}},
	}
	ref := reference(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(malformed(t, c.edits...)), ref)
			if c.want == nil {
				if err != nil {
					t.Fatalf("want no error, got %v", err)
				}
				return
			}
			var es Errors
			if !errors.As(err, &es) {
				t.Fatalf("want Errors, got %T %v", err, err)
			}
			if len(es) != len(c.want) {
				t.Fatalf("%d errors, want %d:\n%v", len(es), len(c.want), err)
			}
			for i, w := range c.want {
				if got := es[i].Error(); !strings.HasPrefix(got, w) {
					t.Errorf("error %d:\n got %s\nwant %s...", i+1, got, w)
				}
				if es[i].Message.IT == "" || es[i].Message.EN == "" || es[i].Message.IT == es[i].Message.EN {
					t.Errorf("error %d is not bilingual: %+v", i+1, es[i].Message)
				}
			}
		})
	}
}

// TestNotAWorkbook: bytes that are no workbook give one error for the file.
func TestNotAWorkbook(t *testing.T) {
	_, err := Read(strings.NewReader("id,version\nscheda,1\n"), nil)
	var es Errors
	if !errors.As(err, &es) || len(es) != 1 || es[0].Sheet != "" || !strings.HasPrefix(err.Error(), "il file non è una cartella di lavoro .xlsx leggibile") {
		t.Fatalf("got %v", err)
	}
}

// TestTooManyErrors: the list stops at maxErrors, and says so last.
func TestTooManyErrors(t *testing.T) {
	var edits []edit
	for c := 30; c < 180; c++ {
		cell, _ := excelize.CoordinatesToCellName(c, 1)
		edits = append(edits, set(SheetSurvey, cell, fmt.Sprintf("colonna%d", c)))
	}
	_, err := Read(bytes.NewReader(malformed(t, edits...)), reference(t))
	var es Errors
	if !errors.As(err, &es) || len(es) != maxErrors+1 {
		t.Fatalf("want %d errors, got %d", maxErrors+1, len(es))
	}
	if en := survey.ErrorText(err, "en"); !strings.HasPrefix(en, "survey!AD1: colonna30: unknown column in the survey sheet") || strings.Contains(en, "sconosciuta") {
		t.Fatalf("English only: %.200s", en)
	}
	if es[0].Cell != "AD1" || !strings.HasPrefix(es[maxErrors].Error(), "più di 100 problemi: l'elenco si ferma qui / more than 100 problems") {
		t.Fatalf("first %v, last %v", es[0], es[maxErrors])
	}
}
