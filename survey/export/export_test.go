package export

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"sinba/survey"
)

var (
	loadOnce sync.Once
	testReg  *survey.Registry
	loadErr  error
)

func load(t testing.TB) *survey.Registry {
	t.Helper()
	loadOnce.Do(func() { testReg, loadErr = loadAssets() })
	if loadErr != nil {
		t.Fatalf("loading assets: %v", loadErr)
	}
	return testReg
}

// loadAssets reads the shipped instruments into a registry of its own.
func loadAssets() (*survey.Registry, error) {
	ref, err := survey.LoadReference(os.DirFS("../../assets"))
	if err != nil {
		return nil, err
	}
	return survey.LoadInstruments(os.DirFS("../../assets/instruments"), ref)
}

func instrument(t testing.TB, id string) *survey.Instrument {
	in, ok := load(t).Latest(id)
	if !ok {
		t.Fatalf("no instrument %s", id)
	}
	return in
}

var refDate = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)

const (
	napoli = "063049"
	torino = "001272"
	roma   = "058091"
	// Identification planted in a record: no export may carry it.
	secretSurname = "ZZQUIRINOZZ"
	secretCF      = "RSSMRA85T10A562S"
	// operatorCF is the operator's code (a body's numeric codice fiscale),
	// which a flow does carry.
	operatorCF = "80078750587"
)

func caseRecord(id, municipality string) survey.Record {
	return survey.Record{ID: id, Instrument: survey.InstrumentCase, Version: 1, Municipality: municipality, Answers: survey.Answers{
		"IDBeneficiario": "PSEUDO" + strings.ToUpper(id), "AnnoNascita": 2014, "FasciaEtaBeneficiario": "4",
		"CodiceNazioneResidenza": "380", "CodiceRegioneResidenza": "15", "MinoreStranieroNoAcc": "2",
		"CondizioneMinore": "1", "LuogoVita": "1", "ScuolaFrequentata": "5", "CondizioneLavoro": "1",
		"Disabilita": "2", "ComposizioneFamiglia": []any{"1", "3"}, "DataPrimaSegnalazione": "03/2022",
		"FonteSegnalazione": "13", "ValutazioneMinore": "2", "ValutazioneFamigliaMinore": "2",
		"SegnalazioneAutoritaGiudiziaria": "2", "ProvvedimentoGiudiziario": "2", "CodicePrestazione": []any{"A1.01"},
	}}
}

const plantedNote = "nota, con \"virgolette\"\ne a capo"

// testRecords: Napoli na1 (with identification), na2 (repeat group, three
// household codes, a datum not held on paper only with a note), na3 (answer
// to a question that does not apply), na4 (a datum SINBA requires, not held,
// no reason given); Torino to1 (the mother's citizenship not held: another
// body holds it), to2 (an error: age band against year of birth); Roma rm1
// (the mother's citizenship not held: not collected); a Scheda Comune v1
// (Napoli) and a v2 (Torino).
func testRecords() []survey.Record {
	na1 := caseRecord("na1", napoli)
	na1.Identity = &survey.Identity{Surname: secretSurname, Name: "MARIO", FiscalCode: secretCF}
	na2 := caseRecord("na2", napoli)
	na2.Answers["ComposizioneFamiglia"] = []any{"1", "2", "3"}
	na2.Answers["DettaglioInterventi"] = []any{
		map[string]any{"CodicePrestazione": "A2.01", "MeseInizio": "01/2024", "MeseFine": "06/2024", "Erogatore": "Coop, \"Il Sole\""},
		map[string]any{"CodicePrestazione": "A1.01", "MeseInizio": "02/2024"},
	}
	na2.Meta = map[string]survey.FieldMeta{"TitoloStudioMadre": {NotHeld: true, Reason: survey.ReasonPaperOnly, Note: plantedNote}, "LuogoVita": {Note: "solo nota"}}
	na3 := caseRecord("na3", napoli)
	na3.Answers["CodiceNazioneResidenza"] = "642"
	na4 := caseRecord("na4", napoli)
	delete(na4.Answers, "FonteSegnalazione")
	na4.Meta = map[string]survey.FieldMeta{"FonteSegnalazione": {NotHeld: true}}
	to1 := caseRecord("to1", torino)
	to1.Meta = map[string]survey.FieldMeta{"CodiceCittadinanzaMadre": {NotHeld: true, Reason: survey.ReasonOtherBody}}
	rm1 := caseRecord("rm1", roma)
	rm1.Meta = map[string]survey.FieldMeta{"CodiceCittadinanzaMadre": {NotHeld: true, Reason: survey.ReasonNotCollected}}
	to2 := caseRecord("to2", torino)
	to2.Answers["FasciaEtaBeneficiario"] = "1"
	sc := survey.Record{ID: "sc1", Instrument: survey.InstrumentMunicipality, Version: 1, Municipality: napoli,
		Answers: survey.Answers{"Comune": napoli, "RilevaLuogoVita": "1", "OffreAdozione": true, "ScambiDati": []any{"1", "2"}}}
	sc2 := survey.Record{ID: "sc2", Instrument: survey.InstrumentMunicipality, Version: 2, Municipality: torino,
		Answers: survey.Answers{"Comune": torino, "RegistraLuogoVita": "2", "ServizioAdozione": "3", "MinoriAdozione": 2, "ScambiDati": []any{"8", "11"}},
		Meta:    map[string]survey.FieldMeta{"RegistraFonteSegnalazione": {NotHeld: true, Reason: survey.ReasonOther, Note: "non sanno"}}}
	return []survey.Record{na1, na2, na3, na4, to1, to2, rm1, sc, sc2}
}

func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return rows
}

// byID indexes a CSV's rows by their first column and a column by name.
func byID(t *testing.T, rows [][]string) (map[string][]string, map[string]int) {
	t.Helper()
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	out := map[string][]string{}
	for _, r := range rows[1:] {
		out[r[0]] = r
	}
	return out, col
}

// checkManifest compares the manifest with the files on disk.
func checkManifest(t *testing.T, m Manifest, dir string) {
	t.Helper()
	for _, f := range m.Files {
		data, err := os.ReadFile(filepath.Join(dir, f.Name))
		if err != nil {
			t.Fatalf("manifest names %s: %v", f.Name, err)
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != f.SHA256 || int64(len(data)) != f.Bytes {
			t.Errorf("%s: manifest says %d bytes %s, file has %d bytes %x", f.Name, f.Bytes, f.SHA256, len(data), sum)
		}
		for _, secret := range []string{secretSurname, secretCF} {
			if strings.Contains(string(data), secret) {
				t.Errorf("%s carries the identification %q", f.Name, secret)
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

func TestCSV(t *testing.T) {
	reg := load(t)
	dir := t.TempDir()
	sets := Datasets(reg, testRecords())
	// One codebook per instrument for the versions of its records and its
	// newest: the questionnaires of v1 and v2 share one table.
	if len(sets) != 2 || sets[0].Instrument.Key() != "scheda-comune@2" || fmt.Sprint(sets[0].Union.VersionNumbers()) != "[1 2]" ||
		sets[0].Records != 2 || sets[1].Records != 7 || fmt.Sprint(sets[1].Union.VersionNumbers()) != "[1 2]" {
		t.Fatalf("datasets: %d, want the municipality questionnaires v1 and v2 in one, then 7 case records of v1 in a codebook of v1 and v2", len(sets))
	}
	m, err := WriteCSV(dir, sets...)
	if err != nil {
		t.Fatal(err)
	}
	if m.Format != FormatCSV || m.Records != 9 || len(m.Files) != 5+5+1 {
		t.Errorf("manifest: %+v", m)
	}
	if got := fmt.Sprint(m.Versions); got != "[{scheda-comune 1 1} {scheda-comune 2 1} {scheda-minore 1 7}]" {
		t.Errorf("manifest versions: %s", got)
	}
	if got := fmt.Sprint(m.Instruments); got != "[scheda-comune@1 scheda-comune@2 scheda-minore@1 scheda-minore@2]" {
		t.Errorf("manifest instruments: %s", got)
	}
	checkManifest(t, m, dir)
	if got := fmt.Sprint(m.Omitted); got != "[{na3 "+napoli+" [CodiceRegioneResidenza]}]" {
		t.Errorf("omitted answers in the CSV manifest: %s", got)
	}

	rows := readCSV(t, filepath.Join(dir, "scheda-minore.csv"))
	if len(rows) != 8 {
		t.Fatalf("scheda-minore.csv: %d rows, want header and 7", len(rows))
	}
	recs, col := byID(t, rows)
	if got := rows[0][:4]; fmt.Sprint(got) != "[scheda_id scheda_comune scheda_versione IDBeneficiario]" {
		t.Errorf("header starts %v", got)
	}
	for _, c := range []string{"surname", "fiscal_code", "identity", "DettaglioInterventi", "CodicePrestazione"} {
		if _, ok := col[c]; ok {
			t.Errorf("wide table has column %s", c)
		}
	}
	checks := []struct{ id, col, want string }{
		{"na1", "scheda_comune", napoli},
		{"na1", "AnnoNascita", "2014"},
		{"na1", "LuogoVita", "1"},
		{"na1", "ComposizioneFamiglia_n", "2"},
		{"na1", "CodicePrestazione_n", "1"},
		{"na1", "DettaglioInterventi_n", "0"},       // applies, no item: a count of 0, not a missing answer
		{"na1", "DataPrimaSegnalazione", "2022-03"}, // a month and year in ISO 8601, as every date
		{"na1", "TipoDisabilita", ""},               // does not apply
		{"na2", "TitoloStudioMadre", "-6"},          // not held: paper only
		{"na2", "ComposizioneFamiglia_n", "3"},
		{"na2", "DettaglioInterventi_n", "2"},
		{"na3", "CodiceNazioneResidenza", "642"},
		{"na3", "CodiceRegioneResidenza", ""}, // answered, but does not apply
		{"na4", "FonteSegnalazione", "-8"},    // not held, no reason given
		{"to1", "CodiceCittadinanzaMadre", "-5"},
		{"rm1", "CodiceCittadinanzaMadre", "-7"},
		{"to2", "FasciaEtaBeneficiario", "1"},
		{"na1", "scheda_versione", "1"},
		{"na1", "DataRiferimento", NotInVersion}, // new in v2: not in the record's version
	}
	for _, c := range checks {
		if got := recs[c.id][col[c.col]]; got != c.want {
			t.Errorf("%s.%s: got %q, want %q", c.id, c.col, got, c.want)
		}
	}

	long := readCSV(t, filepath.Join(dir, "scheda-minore.DettaglioInterventi.csv"))
	want := [][]string{
		{"scheda_id", "scheda_versione", "voce", "CodicePrestazione", "Descrizione", "MeseInizio", "MeseFine", "Erogatore"},
		// The description of an intervention is new in v2: not in v1.
		{"na2", "1", "1", "A2.01", NotInVersion, "2024-01", "2024-06", "Coop, \"Il Sole\""},
		{"na2", "1", "2", "A1.01", NotInVersion, "2024-02", "", ""},
	}
	if fmt.Sprintf("%q", long) != fmt.Sprintf("%q", want) {
		t.Errorf("DettaglioInterventi:\n got %q\nwant %q", long, want)
	}
	fam := readCSV(t, filepath.Join(dir, "scheda-minore.ComposizioneFamiglia.csv"))
	if len(fam) != 1+2*6+3 || fmt.Sprint(fam[3]) != "[na2 1 1 1]" || fmt.Sprint(fam[5]) != "[na2 1 3 3]" {
		t.Errorf("ComposizioneFamiglia: %q", fam)
	}
	notes := readCSV(t, filepath.Join(dir, "scheda-minore.note.csv"))
	wantNotes := [][]string{{"scheda_id", "scheda_versione", "campo", "non_disponibile", "motivo", "nota"},
		{"na2", "1", "LuogoVita", "0", "", "solo nota"},
		{"na2", "1", "TitoloStudioMadre", "1", "-6", "nota, con \"virgolette\" e a capo"},
		{"na4", "1", "FonteSegnalazione", "1", "-8", ""},
		{"to1", "1", "CodiceCittadinanzaMadre", "1", "-5", ""},
		{"rm1", "1", "CodiceCittadinanzaMadre", "1", "-7", ""}}
	if fmt.Sprintf("%q", notes) != fmt.Sprintf("%q", wantNotes) {
		t.Errorf("notes:\n got %q\nwant %q", notes, wantNotes)
	}
	// The questionnaires of both versions in one table: v1's grid beside
	// v2's, each "not in this version" for the other's records.
	sc := readCSV(t, filepath.Join(dir, "scheda-comune.csv"))
	scr, scc := byID(t, sc)
	for _, c := range []struct{ id, col, want string }{
		{"sc1", "scheda_versione", "1"}, {"sc1", "OffreAdozione", "1"}, {"sc1", "RilevaLuogoVita", "1"}, {"sc1", "ScambiDati_n", "2"},
		{"sc1", "Comune", napoli}, {"sc1", "ServizioAdozione", NotInVersion}, {"sc1", "RegistraLuogoVita", NotInVersion},
		{"sc2", "scheda_versione", "2"}, {"sc2", "ServizioAdozione", "3"}, {"sc2", "MinoriAdozione", "2"}, {"sc2", "RegistraLuogoVita", "2"},
		{"sc2", "RegistraFonteSegnalazione", NotHeldCode(survey.ReasonOther)}, {"sc2", "OffreAdozione", NotInVersion},
		{"sc2", "RilevaLuogoVita", NotInVersion}, {"sc2", "ScambiDati_n", "2"},
		// Counts: 0 where the question applies and has no item; empty
		// where it does not apply (PrivatoSociale is not answered).
		{"sc2", "Rispondenti_n", "0"}, {"sc2", "PrivatoSocialeDati_n", ""},
	} {
		if len(sc) != 3 {
			t.Fatalf("scheda-comune: %q", sc)
		}
		if j, ok := scc[c.col]; !ok || scr[c.id][j] != c.want {
			t.Errorf("scheda-comune %s.%s: got %q, want %q", c.id, c.col, scr[c.id][scc[c.col]], c.want)
		}
	}
	// One variable ScambiDati, whose code list grew in v2: its codebook
	// line gives the versions of every code that not both have.
	book := readCSV(t, filepath.Join(dir, CodebookName+".csv"))
	bk, bc := map[string][]string{}, map[string]int{}
	for i, h := range book[0] {
		bc[h] = i
	}
	for _, r := range book[1:] {
		bk[r[0]+"/"+r[1]] = r
	}
	if r := bk["scheda-comune.ScambiDati/ScambiDati"]; r == nil || r[bc["versioni"]] != "1, 2" || !strings.Contains(r[bc["codici"]], "; 8 = Ufficio di servizio sociale per i minorenni (USSM) (v2);") || !strings.Contains(r[bc["codici"]], "; 7 = Nessuno") {
		t.Errorf("codebook of ScambiDati: %q", r)
	}
	if r := bk["scheda-comune/OffreAdozione"]; r == nil || r[bc["versioni"]] != "1" || !strings.Contains(r[bc["codici"]], "-9 = Non presente in questa versione") {
		t.Errorf("codebook of OffreAdozione: %q", r)
	}
	if r := bk["scheda-minore/DataPrimaSegnalazione"]; r == nil || r[bc["tipo"]] != "data / date AAAA-MM (ISO 8601)" {
		t.Errorf("codebook of DataPrimaSegnalazione: %q", r)
	}
	if r := bk["scheda-minore/DataRiferimento"]; r == nil || r[bc["tipo"]] != "data / date AAAA-MM-GG (ISO 8601)" {
		t.Errorf("codebook of DataRiferimento: %q", r)
	}
	if r := bk["scheda-minore/LuogoVita"]; r == nil || r[bc["versioni"]] != "1, 2" || strings.Contains(r[bc["codici"]], "-9 =") {
		t.Errorf("codebook of LuogoVita: %q", r)
	}
}

func TestCSVSingleWriter(t *testing.T) {
	var b strings.Builder
	u, err := load(t).Union(survey.InstrumentCase)
	if err != nil {
		t.Fatal(err)
	}
	if err := CSV(&b, u, testRecords()); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil || len(rows) != 8 {
		t.Fatalf("CSV: %d rows, %v", len(rows), err)
	}
}

func TestNames(t *testing.T) {
	n := names{}
	cases := []struct{ in, want string }{
		{"LuogoVita", "LuogoVita"},
		{"luogovita", "luogovita2"},
		{"CarattereInserimentoResidenziale", "CarattereInserimentoResidenziale"},
		{"CarattereInserimentoResidenziale_n", "CarattereInserimentoResidenzial2"},
		{"1abc", "v1abc"},
		{"in", "in_v"},
		{"str12", "str12_v"},
		{"a-b.c", "a_b_c"},
		{"età", "et_"},
	}
	for _, c := range cases {
		if got := n.name(c.in); got != c.want {
			t.Errorf("name(%q): got %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSINBA(t *testing.T) {
	xsd := "../testdata/SINBA.xsd"
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Fatal("xmllint is needed to validate SINBA flows against the schema (Debian: apt-get install libxml2-utils)")
	}
	reg := load(t)
	dir := t.TempDir()
	opts := SINBAOptions{Date: refDate, CFOperatore: operatorCF, Enti: map[string]Ente{
		torino: {Codice: "AMBITO_X", Denominazione: "Ambito X", Belfiore: "L219"},
		roma:   {Codice: "AMBITO_X", Denominazione: "Ambito X", Belfiore: "L219"},
	}}
	m, err := WriteSINBA(dir, reg, testRecords(), opts)
	if err != nil {
		t.Fatal(err)
	}
	checkManifest(t, m, dir)
	// na3's region of residence, answered for a child living abroad, is not
	// in its flow: the manifest says so.
	if got := fmt.Sprint(m.Omitted); got != "[{na3 "+napoli+" [CodiceRegioneResidenza]}]" {
		t.Errorf("omitted answers in the SINBA manifest: %s", got)
	}
	var names []string
	for _, f := range m.Files {
		names = append(names, fmt.Sprintf("%s:%d", f.Name, f.Rows))
		out, err := exec.Command("xmllint", "--noout", "--schema", xsd, filepath.Join(dir, f.Name)).CombinedOutput()
		if err != nil {
			t.Errorf("%s does not validate against SINBA.xsd: %v\n%s", f.Name, err, out)
		}
	}
	want := "[063049.SINBA.20250630.0000001.xml:3 AMBITO_X.SINBA.20250630.0000001.xml:2]"
	if fmt.Sprint(names) != want {
		t.Errorf("flows: got %v, want %v", names, want)
	}
	if m.Records != 5 || len(m.Refused) != 2 {
		t.Fatalf("records %d, refused %+v; want 5 and 2", m.Records, m.Refused)
	}
	refused := map[string]string{}
	for _, r := range m.Refused {
		var rules []string
		for _, is := range r.Issues {
			rules = append(rules, is.Rule)
		}
		refused[r.RecordID] = r.Ente + " " + strings.Join(rules, ",")
	}
	if refused["na4"] != "063049 flow.required.FonteSegnalazione" || refused["to2"] != "AMBITO_X eta.fascia_coerente" {
		t.Errorf("refusals: %v", refused)
	}
	data, err := os.ReadFile(filepath.Join(dir, "063049.SINBA.20250630.0000001.xml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`Codice="063049"`, `Denominazione="Comune di Napoli"`, `Indirizzo="F839"`, `IDBeneficiario="PSEUDONA2"`,
		"<CodicePrestazione>A2.01</CodicePrestazione>"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("Napoli flow lacks %s", want)
		}
	}
	if strings.Contains(string(data), `CodiceRegioneResidenza="15" CodiceNazioneResidenza="642"`) {
		t.Error("an answer that does not apply went into the flow")
	}

	// One child twice: the second record is left out, with the reason; the
	// other records of its Ente still make their flow.
	twice := append(testRecords(), caseRecord("na1bis", napoli))
	twice[len(twice)-1].Answers["IDBeneficiario"] = "PSEUDONA1"
	m, err = WriteSINBA(t.TempDir(), reg, twice, opts)
	if err != nil {
		t.Fatal(err)
	}
	if m.Records != 5 || len(m.Refused) != 3 {
		t.Fatalf("with a child twice: records %d, refused %+v; want 5 and 3", m.Records, m.Refused)
	}
	if r := m.Refused[len(m.Refused)-1]; r.RecordID != "na1bis" || r.Issues[0].Rule != "flow.idbeneficiario.duplicate" {
		t.Errorf("the second record of one child: %+v", r)
	}

	// No operator: every record of every Ente is refused, with the reason.
	m, err = WriteSINBA(t.TempDir(), reg, testRecords(), SINBAOptions{Date: refDate})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Files) != 0 || len(m.Refused) != 7 {
		t.Fatalf("without an operator: %d files, %d refused; want 0 and 7", len(m.Files), len(m.Refused))
	}
	if r := m.Refused[len(m.Refused)-1]; r.Issues[0].Rule != "flow.header.operatore" {
		t.Errorf("refusal without an operator: %+v", r)
	}
}

func TestMissingFolder(t *testing.T) {
	sets := Datasets(load(t), testRecords())
	missing := filepath.Join(t.TempDir(), "nope")
	if _, err := WriteCSV(missing, sets...); err == nil {
		t.Error("WriteCSV into a folder that does not exist succeeded")
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("the folder was created")
	}
}
