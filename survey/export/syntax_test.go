package export

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"sinba/survey"
)

var validName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,31}$`)

// csvHeader reads the variable names of a CSV file.
func csvHeader(t *testing.T, path string) []string {
	t.Helper()
	return readCSV(t, path)[0]
}

// stataNotHeldMV is the recoding of the "not held" codes.
const stataNotHeldMV = `-8=\.a \\ -7=\.b \\ -6=\.c \\ -5=\.d \\ -4=\.e \\ -3=\.f`

// stataCompound matches one compound-quoted string with no "' inside.
const stataCompound = "`\"((?:[^\"]|\"[^'])*)\"'"

var (
	stataImport = regexp.MustCompile("^import delimited using " + stataCompound +
		`, delimiters\(","\) varnames\(1\) case\(preserve\) encoding\("utf-8"\) bindquotes\(strict\)((?: stringcols\([0-9 ]+\))?)((?: numericcols\([0-9 ]+\))?) clear$`)
	stataVarLabel = regexp.MustCompile("^label variable ([A-Za-z0-9_]+) " + stataCompound + "$")
	stataMvdecode = regexp.MustCompile(`^mvdecode ([A-Za-z0-9_]+), mv\((?:` + stataNotHeldMV + `|` + stataNotHeldMV + ` \\ -9=\.v|-9=\.v)\)$`)
	stataVarNote  = regexp.MustCompile("^notes ([A-Za-z0-9_]+): [^`$\"]*$")
	stataDefine   = regexp.MustCompile(`^label define ([A-Za-z0-9_]+) (.*), replace$`)
	stataPair     = regexp.MustCompile("^ *(-?[0-9]+|\\.[a-fv]) " + stataCompound)
	stataValues   = regexp.MustCompile(`^label values ([A-Za-z0-9_]+) ([A-Za-z0-9_]+)$`)
	stataSimple   = regexp.MustCompile("^(version 14|clear|compress|cd " + stataCompound + "|label data " + stataCompound + "|notes _dta: [^`$\"]*)$")
)

// checkDo is a syntax check of the do-files WriteStata writes (there is no
// Stata here): every command is one of those it emits, well quoted, naming
// only variables of the CSV file it imports; label texts within Stata's
// limits; value labels on integer codes and .a to .f only.
func checkDo(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cmds []string
	cur := ""
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "*") || (cur == "" && strings.TrimSpace(line) == "") {
			continue
		}
		if strings.HasSuffix(line, " ///") {
			cur += strings.TrimSuffix(line, "///")
			continue
		}
		cmds = append(cmds, cur+line)
		cur = ""
	}
	vars := map[string]bool{}
	defined := map[string]bool{}
	imported := false
	for _, c := range cmds {
		switch {
		case stataImport.MatchString(c):
			m := stataImport.FindStringSubmatch(c)
			head := csvHeader(t, filepath.Join(filepath.Dir(path), m[1]))
			n := 0
			for _, list := range m[2:4] {
				if list != "" {
					n += len(strings.Fields(list[strings.Index(list, "(")+1 : len(list)-1]))
				}
			}
			if n != len(head) {
				t.Errorf("%s: stringcols and numericcols name %d columns, the CSV has %d", path, n, len(head))
			}
			for _, h := range head {
				if !validName.MatchString(h) {
					t.Errorf("%s: %q is not a Stata name", path, h)
				}
				vars[h] = true
			}
			imported = true
		case !imported:
			if !stataSimple.MatchString(c) {
				t.Errorf("%s: before import: %q", path, c)
			}
		case stataVarLabel.MatchString(c):
			m := stataVarLabel.FindStringSubmatch(c)
			if !vars[m[1]] || utf8.RuneCountInString(m[2]) > 80 {
				t.Errorf("%s: %q: unknown variable or label over 80 characters", path, c)
			}
		case stataMvdecode.MatchString(c):
			if m := stataMvdecode.FindStringSubmatch(c); !vars[m[1]] {
				t.Errorf("%s: %q: unknown variable", path, c)
			}
		case stataVarNote.MatchString(c):
			if m := stataVarNote.FindStringSubmatch(c); !vars[m[1]] && m[1] != "_dta" {
				t.Errorf("%s: %q: unknown variable", path, c)
			}
		case stataDefine.MatchString(c):
			m := stataDefine.FindStringSubmatch(c)
			rest := m[2]
			for rest != "" {
				p := stataPair.FindStringSubmatch(rest)
				if p == nil {
					t.Errorf("%s: label define %s: cannot read %q", path, m[1], rest)
					break
				}
				rest = strings.TrimLeft(rest[len(p[0]):], " ")
			}
			defined[m[1]] = true
		case stataValues.MatchString(c):
			m := stataValues.FindStringSubmatch(c)
			if !vars[m[1]] || !defined[m[2]] {
				t.Errorf("%s: %q: unknown variable or label", path, c)
			}
		case stataSimple.MatchString(c):
		default:
			t.Errorf("%s: unexpected command %q", path, c)
		}
	}
	if !imported {
		t.Errorf("%s imports nothing", path)
	}
}

var (
	spssVar    = regexp.MustCompile(`^    ([A-Za-z][A-Za-z0-9_]*) (A[0-9]+|F[0-9]+\.[0-9]+)$`)
	spssQuoted = regexp.MustCompile(`'(?:[^']|'')*'`)
)

// checkSPS is a syntax check of the SPSS syntax WriteSPSS writes: commands
// end with a period, quotes are balanced, lines stay under 256 bytes, and
// GET DATA lists the CSV file's variables in order.
func checkSPS(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var vars []string
	inVars := false
	file := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if len(line) > 255 {
			t.Errorf("%s: line over 255 bytes: %q", path, line)
		}
		if !strings.HasPrefix(line, "*") && strings.Count(spssQuoted.ReplaceAllString(line, ""), "'") != 0 {
			t.Errorf("%s: unbalanced quotes: %q", path, line)
		}
		if strings.HasPrefix(line, "  /FILE=") {
			file = strings.Trim(strings.TrimPrefix(line, "  /FILE="), "'")
		}
		switch {
		case line == "  /VARIABLES=":
			inVars = true
		case inVars && line == ".":
			inVars = false
		case inVars:
			m := spssVar.FindStringSubmatch(line)
			if m == nil {
				t.Errorf("%s: variable line %q", path, line)
				continue
			}
			vars = append(vars, m[1])
		}
	}
	head := csvHeader(t, filepath.Join(filepath.Dir(path), file))
	if strings.Join(vars, " ") != strings.Join(head, " ") {
		t.Errorf("%s: GET DATA variables %v, CSV header %v", path, vars, head)
	}
	data, _ := os.ReadFile(path)
	if !strings.HasSuffix(string(data), "EXECUTE.\n") {
		t.Errorf("%s does not end with EXECUTE.", path)
	}
}

// runPSPP runs a syntax file for real with PSPP, with its dictionary, its
// variables' attributes and the frequencies of every variable, and fails on
// any error or warning; it returns what PSPP printed.
func runPSPP(t *testing.T, path string) string {
	t.Helper()
	wrapper := path + ".check"
	script := "INSERT FILE='" + path + "'.\nDISPLAY DICTIONARY.\nDISPLAY ATTRIBUTES.\nFREQUENCIES /VARIABLES=ALL /FORMAT=NOTABLE.\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pspp", "-O", "format=txt", wrapper).CombinedOutput()
	if err != nil || strings.Contains(string(out), "error:") || strings.Contains(string(out), "warning:") {
		t.Errorf("pspp %s: %v\n%s", filepath.Base(path), err, out)
	}
	return string(out)
}

func TestStataAndSPSS(t *testing.T) {
	sets := Datasets(load(t), testRecords())
	dir := t.TempDir()
	ms, err := WriteStata(dir, sets...)
	if err != nil {
		t.Fatal(err)
	}
	checkManifest(t, ms, dir)
	mp, err := WriteSPSS(dir, sets...)
	if err != nil {
		t.Fatal(err)
	}
	checkManifest(t, mp, dir)
	dos, _ := filepath.Glob(filepath.Join(dir, "*.do"))
	spss, _ := filepath.Glob(filepath.Join(dir, "*.sps"))
	if len(dos) != 10 || len(spss) != 10 {
		t.Fatalf("%d do-files and %d syntax files, want 10 each", len(dos), len(spss))
	}
	for _, p := range dos {
		checkDo(t, p)
	}
	for _, p := range spss {
		checkSPS(t, p)
	}
	do, _ := os.ReadFile(filepath.Join(dir, "scheda-minore.do"))
	for _, want := range []string{
		"mvdecode LuogoVita, mv(-8=.a \\ -7=.b \\ -6=.c \\ -5=.d \\ -4=.e \\ -3=.f)\n",
		"label define LuogoVita 1 `\"nella sua famiglia\"' ///",
		"    .c `\"Dato non disponibile: registrato solo su carta\"' ///",
		"    .f `\"Dato non disponibile: altro motivo (da indicare nella nota)\"', replace\n",
		"label variable AnnoNascita `\"Anno di nascita\"'",
	} {
		if !strings.Contains(string(do), want) {
			t.Errorf("scheda-minore.do lacks %q", want)
		}
	}
	notesDo, _ := os.ReadFile(filepath.Join(dir, "scheda-minore.note.do"))
	if want := "label define motivo -8 `\"Dato non disponibile: motivo non indicato\"' ///"; !strings.Contains(string(notesDo), want) || strings.Contains(string(notesDo), "mvdecode motivo") {
		t.Errorf("scheda-minore.note.do: the reason is a labelled datum, not a missing value:\n%s", notesDo)
	}
	sps, _ := os.ReadFile(filepath.Join(dir, "scheda-minore.sps"))
	for _, want := range []string{
		"MISSING VALUES LuogoVita (-8 THRU -3).",
		"MISSING VALUES TitoloStudioMadre (-8 THRU -3).",
		"MISSING VALUES CodiceNazioneResidenza ('-8').",        // a string column, no mark: the code of no reason
		"MISSING VALUES CodiceCittadinanzaMadre ('-7', '-5').", // a string column: the codes it holds
		"  /LuogoVita\n    1 'nella sua famiglia'\n",
		"    -6 'Dato non disponibile: registrato solo su carta'\n    -5 'Dato non disponibile: lo detiene un altro ente'\n",
		"    CodiceNazioneResidenza A3\n", "    AnnoNascita F8.0\n",
		// Measurement levels: codes nominal, numbers and counts scale.
		"\n  /LuogoVita (NOMINAL)\n", "\n  /AnnoNascita (SCALE)\n", "\n  /FasciaEtaBeneficiario (NOMINAL)\n",
		"\n  /CodiceNazioneResidenza (NOMINAL)\n", "\n  /DettaglioInterventi_n (SCALE)\n"} {
		if !strings.Contains(string(sps), want) {
			t.Errorf("scheda-minore.sps lacks %q", want)
		}
	}
	notes, _ := os.ReadFile(filepath.Join(dir, "scheda-minore.note.sps"))
	if !strings.Contains(string(notes), "  /motivo\n    -8 'Dato non disponibile: motivo non indicato'\n") || strings.Contains(string(notes), "MISSING VALUES motivo") {
		t.Errorf("scheda-minore.note.sps: the reason is a labelled datum, not a missing value:\n%s", notes)
	}

	// Where PSPP is installed, run every syntax file for real.
	if _, err := exec.LookPath("pspp"); err != nil {
		t.Log("pspp not installed: SPSS syntax checked by the syntax check only")
		return
	}
	for _, p := range spss {
		out := runPSPP(t, p)
		if filepath.Base(p) == "scheda-minore.sps" && (!strings.Contains(string(out), "nella sua famiglia") ||
			!strings.Contains(string(out), "-6[a]|Dato non disponibile: registrato") || !strings.Contains(string(out), "-8 THRU")) {
			t.Errorf("pspp shows no value labels or no user-missing \"not held\" codes for scheda-minore:\n%s", out)
		}
		if filepath.Base(p) == "scheda-minore.sps" && !regexp.MustCompile(`LuogoVita\s*\|[^\n]*Nominal`).MatchString(out) {
			t.Errorf("pspp does not read LuogoVita as nominal:\n%s", out)
		}
	}
}

func TestXLSX(t *testing.T) {
	sets := Datasets(load(t), testRecords())
	path := filepath.Join(t.TempDir(), "pilota.xlsx")
	m, err := WriteXLSX(path, sets...)
	if err != nil {
		t.Fatal(err)
	}
	checkManifest(t, m, filepath.Dir(path))
	wb, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	want := []string{"comune", "comune.Rispondenti", "comune.ScambiDati", "comune.PrivatoSocialeDati", "comune.note",
		"minore", "minore.ComposizioneFamiglia",
		"minore.CodicePrestazione", "minore.DettaglioInterventi", "minore.note", CodebookSheet}
	if got := wb.GetSheetList(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("sheets: got %v, want %v", got, want)
	}
	if got := SheetName(sets, "scheda-minore.DettaglioInterventi"); got != "minore.DettaglioInterventi" {
		t.Errorf("SheetName: %q", got)
	}
	rows, err := wb.GetRows("minore")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 8 || rows[0][0] != ColID || rows[1][0] != "na1" {
		t.Fatalf("minore: %d rows, first %v", len(rows), rows[0][:3])
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	cell, _ := excelize.CoordinatesToCellName(col["AnnoNascita"]+1, 2)
	if typ, _ := wb.GetCellType("minore", cell); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("AnnoNascita is stored as %v, want a number", typ)
	}
	comune, _ := excelize.CoordinatesToCellName(col[ColComune]+1, 2)
	if v, _ := wb.GetCellValue("minore", comune); v != napoli {
		t.Errorf("scheda_comune: %q, want %q with its leading zero", v, napoli)
	}
	nd, _ := excelize.CoordinatesToCellName(col["TitoloStudioMadre"]+1, 3)
	if v, _ := wb.GetCellValue("minore", nd); v != NotHeldCode(survey.ReasonPaperOnly) {
		t.Errorf("TitoloStudioMadre of na2: %q, want %s", v, NotHeldCode(survey.ReasonPaperOnly))
	}
	book, _ := wb.GetRows(CodebookSheet)
	found := false
	for _, r := range book {
		if len(r) > 6 && r[0] == "minore" && r[1] == "LuogoVita" && strings.HasPrefix(r[6], "1 = nella sua famiglia") {
			found = true
		}
	}
	if !found {
		t.Error("the codebook has no value labels for LuogoVita")
	}
}
