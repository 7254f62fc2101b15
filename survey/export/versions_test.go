package export

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"sinba/survey"
	"sinba/survey/synth"
)

// registryV3 is the shipped instruments and the case record v3 of
// synth.CaseV3.
func registryV3(t testing.TB) *survey.Registry {
	t.Helper()
	reg, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synth.AddCaseV3(reg); err != nil {
		t.Fatalf("case record v3: %v", err)
	}
	return reg
}

// recordsV123 are case records of the three versions: v1 (na1), v2 (na2:
// the fields v3 renames, merges and drops answered, a note on the renamed
// field, an item's provider not held) and v3 (to3).
func recordsV123() []survey.Record {
	v1 := caseRecord("na1", napoli)
	v1.Answers["OccupazioneMadre"] = "1"
	v1.Answers["DettaglioInterventi"] = []any{map[string]any{"CodicePrestazione": "A1.01", "Erogatore": "Comune"}}
	v2 := caseRecord("na2", napoli)
	v2.Version = 2
	v2.Answers["DataRiferimento"] = "2025-06-30"
	v2.Answers["OccupazioneMadre"] = "7"
	v2.Answers["TitoloStudioMadre"] = "3"
	v2.Answers["TitoloStudioPadre"] = "5"
	v2.Answers["CollaborazioniInterventi"] = "1"
	v2.Answers["DettaglioInterventi"] = []any{map[string]any{"CodicePrestazione": "A2.01", "Descrizione": "sostegno", "Erogatore": "Coop Alfa"}, map[string]any{"CodicePrestazione": "A1.01"}}
	v2.Meta = map[string]survey.FieldMeta{"OccupazioneMadre": {Note: "nota sulla v2"},
		"DettaglioInterventi[2].Erogatore": {NotHeld: true, Reason: survey.ReasonOtherBody}}
	v3 := caseRecord("to3", torino)
	v3.Version = 3
	v3.Answers["DataRiferimento"] = "2025-06-30"
	v3.Answers["CondizioneOccupazionaleMadre"] = "9"
	v3.Answers["TitoloStudioGenitori"] = "6"
	v3.Answers["CanaleSegnalazione"] = "1"
	v3.Answers["DettaglioInterventi"] = []any{map[string]any{"CodicePrestazione": "A1.01", "EnteErogatore": "ASL", "Esito": "concluso"}}
	return []survey.Record{v1, v2, v3}
}

func TestUnionOfVersions(t *testing.T) {
	reg := registryV3(t)
	u, err := reg.Union(survey.InstrumentCase)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		versions string
		earlier  string
		merged   string
		into     string
		dropped  int
	}
	for id, w := range map[string]want{
		"CondizioneOccupazionaleMadre": {versions: "[1 2 3]", earlier: "[OccupazioneMadre (v1)]"},
		"TitoloStudioGenitori":         {versions: "[3]", merged: "[TitoloStudioMadre (v2) TitoloStudioPadre (v2)]"},
		"TitoloStudioMadre":            {versions: "[1 2]", into: "TitoloStudioGenitori (v3)"},
		"CollaborazioniInterventi":     {versions: "[1 2]", dropped: 3},
		"CanaleSegnalazione":           {versions: "[3]"},
		"DataRiferimento":              {versions: "[2 3]"},
		"LuogoVita":                    {versions: "[1 2 3]"},
	} {
		var f *survey.UnionField
		for _, g := range u.Fields {
			if g.ID == id {
				f = g
			}
		}
		if f == nil {
			t.Errorf("no field %s in the union", id)
			continue
		}
		into := ""
		if f.MergedInto != nil {
			into = f.MergedInto.String()
		}
		got := want{fmt.Sprint(f.Versions), fmt.Sprint(f.EarlierIDs()), fmt.Sprint(f.MergedFrom), into, f.Dropped}
		if w.earlier == "" {
			w.earlier = "[]"
		}
		if w.merged == "" {
			w.merged = "[]"
		}
		if got != w {
			t.Errorf("%s: got %+v, want %+v", id, got, w)
		}
	}
	for _, f := range u.Fields {
		if f.ID == "OccupazioneMadre" {
			t.Error("the renamed field is two fields")
		}
	}
	// Page order: the newest version's, each older field after the one it
	// followed in its version.
	var order []string
	for _, f := range u.Fields {
		order = append(order, f.ID)
	}
	joined := strings.Join(order, " ")
	for _, seq := range []string{"CodiceRegioneResidenzaMadre TitoloStudioMadre TitoloStudioGenitori CondizioneOccupazionaleMadre",
		"CodiceRegioneResidenzaPadre TitoloStudioPadre OccupazionePadre", "FonteSegnalazione CanaleSegnalazione",
		"DettaglioInterventi CollaborazioniInterventi FormaInterventoAffido"} {
		if !strings.Contains(joined, seq) {
			t.Errorf("fields in order %q, want %q inside", joined, seq)
		}
	}
	g, _ := u.Field(3, "DettaglioInterventi")
	var items []string
	for _, it := range g.Items {
		items = append(items, it.ID+fmt.Sprint(it.Versions))
	}
	if got := strings.Join(items, " "); got != "CodicePrestazione[1 2 3] Descrizione[2 3] MeseInizio[1 2 3] MeseFine[1 2 3] EnteErogatore[1 2 3] Esito[3]" {
		t.Errorf("items of DettaglioInterventi: %s", got)
	}
	// The code lists of a field across versions: one set, with versions.
	f, _ := u.Field(3, "CondizioneOccupazionaleMadre")
	var codes []string
	for _, c := range u.Codes(f) {
		codes = append(codes, c.Code.Code+fmt.Sprint(c.Versions))
	}
	if got := strings.Join(codes, " "); got != "1[1 2 3] 2[1 2 3] 3[1 2 3] 4[1 2 3] 5[1 2 3] 6[1 2 3] 8[1 2 3] 9[3] 7[1 2]" {
		t.Errorf("codes of CondizioneOccupazionaleMadre: %s", got)
	}
	// Only some versions: the newest of them names the fields.
	u12, err := reg.Union(survey.InstrumentCase, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := u12.Field(2, "OccupazioneMadre"); !ok || u12.Latest().Version != 2 {
		t.Error("a union of v1 and v2 does not name the field as v2 does")
	}
	if _, err := reg.Union(survey.InstrumentCase, 9); err == nil {
		t.Error("a union of a version the registry lacks")
	}
}

// TestExportAcrossVersions exports records of versions 1, 2 and 3 into one
// codebook and checks every planted difference in the CSV files, the
// codebook, the manifest, the SPSS syntax (run by PSPP), the Stata do-files,
// the workbook, and that the SINBA flows still hold each record in its own
// version and validate.
func TestExportAcrossVersions(t *testing.T) {
	reg := registryV3(t)
	recs := recordsV123()
	sets := Datasets(reg, recs)
	if len(sets) != 1 || fmt.Sprint(sets[0].Union.VersionNumbers()) != "[1 2 3]" || sets[0].Records != 3 {
		t.Fatalf("datasets: %d, want one of versions 1, 2, 3", len(sets))
	}
	dir := t.TempDir()
	m, err := WriteSPSS(dir, sets...)
	if err != nil {
		t.Fatal(err)
	}
	checkManifest(t, m, dir)
	if got := fmt.Sprint(m.Versions); got != "[{scheda-minore 1 1} {scheda-minore 2 1} {scheda-minore 3 1}]" {
		t.Errorf("manifest versions: %s", got)
	}

	rows := readCSV(t, filepath.Join(dir, "scheda-minore.csv"))
	recsBy, col := byID(t, rows)
	for _, c := range []string{"OccupazioneMadre", "Erogatore", "TitoloStudioGenitori_v3"} {
		if _, ok := col[c]; ok {
			t.Errorf("wide table has column %s", c)
		}
	}
	for _, c := range []struct{ id, col, want string }{
		{"na1", "scheda_versione", "1"}, {"na2", "scheda_versione", "2"}, {"to3", "scheda_versione", "3"},
		// renamed: one variable under the newest id, each record's answer in it
		{"na1", "CondizioneOccupazionaleMadre", "1"}, {"na2", "CondizioneOccupazionaleMadre", "7"}, {"to3", "CondizioneOccupazionaleMadre", "9"},
		// merged: the sources as typed until v2, the merged field from v3, nothing made up
		{"na2", "TitoloStudioMadre", "3"}, {"na2", "TitoloStudioPadre", "5"}, {"na2", "TitoloStudioGenitori", NotInVersion},
		{"to3", "TitoloStudioMadre", NotInVersion}, {"to3", "TitoloStudioPadre", NotInVersion}, {"to3", "TitoloStudioGenitori", "6"},
		{"na1", "TitoloStudioMadre", ""}, // v1 has it, unanswered: missing, not "not in this version"
		// dropped
		{"na2", "CollaborazioniInterventi", "1"}, {"to3", "CollaborazioniInterventi", NotInVersion},
		// new, with a default for moved records only: an exported v2 record is not moved
		{"na1", "CanaleSegnalazione", NotInVersion}, {"na2", "CanaleSegnalazione", NotInVersion}, {"to3", "CanaleSegnalazione", "1"},
		// new in v2
		{"na1", "DataRiferimento", NotInVersion}, {"na2", "DataRiferimento", "2025-06-30"},
		{"to3", "DettaglioInterventi_n", "1"}, {"na2", "DettaglioInterventi_n", "2"},
	} {
		j, ok := col[c.col]
		if !ok {
			t.Errorf("no column %s", c.col)
			continue
		}
		if got := recsBy[c.id][j]; got != c.want {
			t.Errorf("%s.%s: got %q, want %q", c.id, c.col, got, c.want)
		}
	}
	long := readCSV(t, filepath.Join(dir, "scheda-minore.DettaglioInterventi.csv"))
	wantLong := [][]string{
		{"scheda_id", "scheda_versione", "voce", "CodicePrestazione", "Descrizione", "MeseInizio", "MeseFine", "EnteErogatore", "Esito"},
		{"na1", "1", "1", "A1.01", NotInVersion, "", "", "Comune", NotInVersion},
		{"na2", "2", "1", "A2.01", "sostegno", "", "", "Coop Alfa", NotInVersion},
		{"na2", "2", "2", "A1.01", "", "", "", "", NotInVersion},
		{"to3", "3", "1", "A1.01", "", "", "", "ASL", "concluso"},
	}
	if fmt.Sprintf("%q", long) != fmt.Sprintf("%q", wantLong) {
		t.Errorf("DettaglioInterventi:\n got %q\nwant %q", long, wantLong)
	}
	notes := readCSV(t, filepath.Join(dir, "scheda-minore.note.csv"))
	wantNotes := [][]string{{"scheda_id", "scheda_versione", "campo", "non_disponibile", "motivo", "nota"},
		{"na2", "2", "DettaglioInterventi[2].EnteErogatore", "1", NotHeldCode(survey.ReasonOtherBody), ""},
		{"na2", "2", "CondizioneOccupazionaleMadre", "0", "", "nota sulla v2"}}
	if fmt.Sprintf("%q", notes) != fmt.Sprintf("%q", wantNotes) {
		t.Errorf("notes:\n got %q\nwant %q", notes, wantNotes)
	}

	book := readCSV(t, filepath.Join(dir, CodebookName+".csv"))
	bc := map[string]int{}
	for i, h := range book[0] {
		bc[h] = i
	}
	entry := map[string][]string{}
	for _, r := range book[1:] {
		entry[r[bc["tabella"]]+"/"+r[bc["variabile"]]] = r
	}
	for _, c := range []struct{ key, col, want string }{
		{"scheda-minore/CondizioneOccupazionaleMadre", "versioni", "1, 2, 3"},
		{"scheda-minore/CondizioneOccupazionaleMadre", "nomi_precedenti", "OccupazioneMadre (v1)"},
		{"scheda-minore/TitoloStudioGenitori", "versioni", "3"},
		{"scheda-minore/TitoloStudioGenitori", "origine", "dalla versione 3 unisce TitoloStudioMadre (v2), TitoloStudioPadre (v2)"},
		{"scheda-minore/TitoloStudioGenitori", "origin", "from version 3 merges TitoloStudioMadre (v2), TitoloStudioPadre (v2)"},
		{"scheda-minore/TitoloStudioMadre", "origine", "dalla versione 3 unita in TitoloStudioGenitori"},
		{"scheda-minore/CollaborazioniInterventi", "origine", "eliminata dalla versione 3"},
		{"scheda-minore/CanaleSegnalazione", "versioni", "3"},
		{"scheda-minore.DettaglioInterventi/EnteErogatore", "nomi_precedenti", "Erogatore (v1)"},
		{"scheda-minore.DettaglioInterventi/Esito", "versioni", "3"},
		{"scheda-minore/LuogoVita", "versioni", "1, 2, 3"},
	} {
		r, ok := entry[c.key]
		if !ok {
			t.Errorf("codebook: no %s", c.key)
			continue
		}
		if got := r[bc[c.col]]; got != c.want {
			t.Errorf("codebook %s %s: got %q, want %q", c.key, c.col, got, c.want)
		}
	}
	occ := entry["scheda-minore/CondizioneOccupazionaleMadre"][bc["codici"]]
	for _, want := range []string{"1 = occupato;", "9 = in cassa integrazione (v3);", "7 = inabile al lavoro (v1, v2);", "8 = in altra condizione non professionale [v1, v2: in altra condizione];",
		"-8 = Dato non disponibile"} {
		if !strings.Contains(occ, want) {
			t.Errorf("codes of CondizioneOccupazionaleMadre lack %q: %s", want, occ)
		}
	}
	if ts := entry["scheda-minore/TitoloStudioMadre"][bc["codici"]]; !strings.Contains(ts, "; -9 = Non presente in questa versione dello strumento; -8 = ") {
		t.Errorf("codes of TitoloStudioMadre, not in v3: %s", ts)
	}
	if occ := entry["scheda-minore/CondizioneOccupazionaleMadre"][bc["codici"]]; strings.Contains(occ, "-9 =") {
		t.Errorf("codes of CondizioneOccupazionaleMadre, in every version: %s", occ)
	}
	if lv := entry["scheda-minore/LuogoVita"][bc["codici"]]; strings.Contains(lv, "(v") || strings.Contains(lv, "-9 =") {
		t.Errorf("codes of LuogoVita, in every version: %s", lv)
	}

	sps, _ := os.ReadFile(filepath.Join(dir, "scheda-minore.sps"))
	for _, want := range []string{
		"MISSING VALUES TitoloStudioMadre (-9 THRU -3).", "MISSING VALUES LuogoVita (-8 THRU -3).",
		"  /TitoloStudioMadre\n    1 'nessun titolo'\n", "    -9 'Non presente in questa versione dello strumento'\n    -8 'Dato non disponibile: motivo non indicato'\n",
		"VARIABLE ATTRIBUTE VARIABLES=", "  /VARIABLES=CondizioneOccupazionaleMadre ATTRIBUTE=Versioni('1, 2, 3')\n    NomiPrecedenti('OccupazioneMadre (v1)')\n",
		"  /VARIABLES=TitoloStudioGenitori ATTRIBUTE=Versioni('3')\n    Origine('dalla versione 3 unisce TitoloStudioMadre (v2), TitoloStudioPadre (v2)')\n",
	} {
		if !strings.Contains(string(sps), want) {
			t.Errorf("scheda-minore.sps lacks %q", want)
		}
	}
	long2, _ := os.ReadFile(filepath.Join(dir, "scheda-minore.DettaglioInterventi.sps"))
	if !strings.Contains(string(long2), "MISSING VALUES Esito ('-9').") {
		t.Errorf("DettaglioInterventi.sps: Esito not declared missing where not in the version:\n%s", long2)
	}
	spss, _ := filepath.Glob(filepath.Join(dir, "*.sps"))
	if len(spss) != 5 {
		t.Errorf("%d syntax files, want 5", len(spss))
	}
	for _, p := range spss {
		checkSPS(t, p)
	}
	if _, err := exec.LookPath("pspp"); err == nil {
		for _, p := range spss {
			out := runPSPP(t, p)
			if filepath.Base(p) == "scheda-minore.sps" && (!strings.Contains(string(out), "-9[a]|Non presente in questa versione") ||
				!strings.Contains(string(out), "OccupazioneMadre (v1)")) {
				t.Errorf("pspp shows no \"not in this version\" code or no earlier id for scheda-minore:\n%s", out)
			}
		}
	} else {
		t.Log("pspp not installed: SPSS syntax checked by the syntax check only")
	}

	sdir := t.TempDir()
	if _, err := WriteStata(sdir, sets...); err != nil {
		t.Fatal(err)
	}
	dos, _ := filepath.Glob(filepath.Join(sdir, "*.do"))
	for _, p := range dos {
		checkDo(t, p)
	}
	do, _ := os.ReadFile(filepath.Join(sdir, "scheda-minore.do"))
	for _, want := range []string{
		"mvdecode TitoloStudioMadre, mv(-8=.a \\ -7=.b \\ -6=.c \\ -5=.d \\ -4=.e \\ -3=.f \\ -9=.v)\n",
		"mvdecode LuogoVita, mv(-8=.a \\ -7=.b \\ -6=.c \\ -5=.d \\ -4=.e \\ -3=.f)\n",
		"    .v `\"Non presente in questa versione dello strumento\"', replace\nlabel values TitoloStudioMadre TitoloStudioMadre\n",
		"notes CondizioneOccupazionaleMadre: versioni / versions 1, 2, 3; nomi precedenti / earlier ids OccupazioneMadre (v1)\n",
		"notes _dta: -9 = .v non presente in questa versione dello strumento",
	} {
		if !strings.Contains(string(do), want) {
			t.Errorf("scheda-minore.do lacks %q", want)
		}
	}

	path := filepath.Join(t.TempDir(), "pilota.xlsx")
	if _, err := WriteXLSX(path, sets...); err != nil {
		t.Fatal(err)
	}
	wb, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	sheet, _ := wb.GetRows(CodebookSheet)
	found := false
	for _, r := range sheet {
		if len(r) > 9 && r[0] == "minore" && r[1] == "CondizioneOccupazionaleMadre" && r[8] == "1, 2, 3" && r[9] == "OccupazioneMadre (v1)" {
			found = true
		}
	}
	if !found || !strings.HasPrefix(sheet[0][8], "Versioni / Versions") {
		t.Errorf("the workbook's codebook has no versions and earlier ids: %q", sheet[:min(len(sheet), 2)])
	}

	// The SINBA flows stay per record in its own version, and valid.
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Fatal("xmllint is needed to validate SINBA flows against the schema (Debian: apt-get install libxml2-utils)")
	}
	fdir := t.TempDir()
	fm, err := WriteSINBA(fdir, reg, recs, SINBAOptions{Date: refDate, CFOperatore: operatorCF})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(fm.Versions); fm.Records != 2 || got != "[{scheda-minore 1 1} {scheda-minore 2 1}]" {
		t.Errorf("SINBA: %d records, versions %s; refused %+v", fm.Records, got, fm.Refused)
	}
	// Version 3 renames, merges and drops fields the flow reads: its record
	// is refused, each field named, rather than sent without those data.
	var rules []string
	for _, r := range fm.Refused {
		for _, is := range r.Issues {
			rules = append(rules, r.RecordID+" "+is.Rule)
		}
	}
	slices.Sort(rules)
	if got := strings.Join(rules, ", "); got != "to3 flow.field.CollaborazioniInterventi, to3 flow.field.OccupazioneMadre, to3 flow.field.TitoloStudioMadre, to3 flow.field.TitoloStudioPadre" {
		t.Errorf("SINBA refusals: %s", got)
	}
	for _, f := range fm.Files {
		out, err := exec.Command("xmllint", "--noout", "--schema", "../testdata/SINBA.xsd", filepath.Join(fdir, f.Name)).CombinedOutput()
		if err != nil {
			t.Errorf("%s does not validate against SINBA.xsd: %v\n%s", f.Name, err, out)
		}
	}
	flow, _ := os.ReadFile(filepath.Join(fdir, "063049.SINBA.20250630.0000001.xml"))
	if !strings.Contains(string(flow), `TitoloStudioMadre="3"`) || !strings.Contains(string(flow), `OccupazioneMadre="7"`) {
		t.Errorf("the v2 record's flow lacks its own answers:\n%s", flow)
	}
}
