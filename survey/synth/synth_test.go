package synth

import (
	"bytes"
	"math"
	"os"
	"sync"
	"testing"
	"time"

	"sinba/survey"
)

var (
	loadOnce sync.Once
	testReg  *survey.Registry
	testRef  *survey.Reference
	loadErr  error
)

// load reads the shipped instruments and reference lists from the
// repository's assets folder.
func load(t testing.TB) (*survey.Registry, *survey.Reference) {
	t.Helper()
	loadOnce.Do(func() {
		testRef, loadErr = survey.LoadReference(os.DirFS("../../assets"))
		if loadErr == nil {
			testReg, loadErr = survey.LoadInstruments(os.DirFS("../../assets/instruments"), testRef)
		}
	})
	if loadErr != nil {
		t.Fatalf("loading assets: %v", loadErr)
	}
	return testReg, testRef
}

var refDate = time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)

func generate(t testing.TB, o Options) *Dataset {
	t.Helper()
	reg, ref := load(t)
	if o.RefDate.IsZero() {
		o.RefDate = refDate
	}
	ds, err := Generate(reg, ref, o)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestDeterministic(t *testing.T) {
	a := generate(t, Options{Seed: 7, Cases: 300, PlantErrors: 0.1})
	b := generate(t, Options{Seed: 7, Cases: 300, PlantErrors: 0.1})
	c := generate(t, Options{Seed: 8, Cases: 300, PlantErrors: 0.1})
	var ja, jb, jc bytes.Buffer
	for _, x := range []struct {
		d *Dataset
		w *bytes.Buffer
	}{{a, &ja}, {b, &jb}, {c, &jc}} {
		if err := x.d.WriteJSONL(x.w); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(ja.Bytes(), jb.Bytes()) {
		t.Error("the same seed gave different output")
	}
	if bytes.Equal(ja.Bytes(), jc.Bytes()) {
		t.Error("two seeds gave the same output")
	}
}

// TestValidWithoutPlantedErrors validates every record at the reference
// date after the JSON Lines round trip (what `sinba check` and `sinba
// import` read): no issue at all, warnings included.
func TestValidWithoutPlantedErrors(t *testing.T) {
	reg, _ := load(t)
	ds := generate(t, Options{Seed: 1, Cases: 5000, MunicipalityCount: 50})
	if ds.Cases != 5000 || ds.Questionnaires != 50 || len(ds.Records) != 5050 || len(ds.Planted) != 0 {
		t.Fatalf("cases %d, questionnaires %d, records %d, planted %d; want 5000, 50, 5050, 0",
			ds.Cases, ds.Questionnaires, len(ds.Records), len(ds.Planted))
	}
	var buf bytes.Buffer
	if err := ds.WriteJSONL(&buf); err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != len(ds.Records) {
		t.Fatalf("%d JSON lines for %d records", len(lines), len(ds.Records))
	}
	for i, l := range lines {
		rec, err := survey.DecodeRecordJSON(l, "")
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		in, err := reg.ForRecord(&rec)
		if err != nil {
			t.Fatal(err)
		}
		for _, is := range survey.ValidateAt(in, &rec, refDate) {
			t.Errorf("record %d (%s): %s %s %v: %s", i, rec.Instrument, is.Severity, is.Rule, is.Fields, is.MessageEN)
		}
		if t.Failed() && i > 50 {
			t.FailNow()
		}
	}
}

// TestPlantedErrorsExact: exactly the records Planted names have an error,
// and each has the error of its kind.
func TestPlantedErrorsExact(t *testing.T) {
	reg, _ := load(t)
	ds := generate(t, Options{Seed: 3, Cases: 2000, PlantErrors: 0.1})
	if n := len(ds.Planted); n < 150 || n > 250 {
		t.Errorf("%d planted errors in 2,000 records at rate 0.1", n)
	}
	byKind := ds.PlantedByKind()
	for _, k := range PlantKinds {
		if byKind[k] == 0 {
			t.Errorf("no error of kind %s planted", k)
		}
	}
	wantRule := map[string]string{
		"fascia_eta": "eta.fascia_coerente", "obbligatoria": "required.FonteSegnalazione",
		"codice": "code.ValutazioneFamigliaMinore", "prima_della_nascita": "data.prima_segnalazione_nascita",
		"data_futura": "not_future.DataPrimaSegnalazione", "disabilita": "required_if.TipoDisabilita",
		"codice_fiscale": "identity.fiscal_code", "nessuna_prestazione": "prestazioni.almeno_una",
		"fuori_intervallo": "range.NumeroComponentiISEE",
	}
	withErrors := 0
	for _, rec := range ds.Records {
		in, _ := reg.ForRecord(&rec)
		issues := survey.ValidateAt(in, &rec, refDate)
		kind, planted := ds.Planted[rec.ID]
		if survey.HasErrors(issues) {
			withErrors++
		}
		switch {
		case planted && !hasRule(issues, wantRule[kind]):
			t.Errorf("record %s planted with %s: no issue %s in %v", rec.ID, kind, wantRule[kind], issues)
		case !planted && survey.HasErrors(issues):
			t.Errorf("record %s not planted but has errors: %v", rec.ID, issues)
		}
		if planted && ds.Status(rec.ID) != survey.StatusDraft {
			t.Errorf("record %s with a planted error has status %s", rec.ID, ds.Status(rec.ID))
		}
	}
	if withErrors != len(ds.Planted) {
		t.Errorf("%d records with errors, %d planted", withErrors, len(ds.Planted))
	}
}

func hasRule(issues []survey.Issue, rule string) bool {
	for _, is := range issues {
		if is.Rule == rule && is.Severity == survey.SeverityError {
			return true
		}
	}
	return false
}

// TestFiscalCodes: every code decodes as valid, with the identity's sex,
// birth date and birthplace; unaccompanied minors without a code have a
// random pseudonym, the others the keyed one.
func TestFiscalCodes(t *testing.T) {
	_, ref := load(t)
	ds := generate(t, Options{Seed: 5, Cases: 3000})
	var withCF, without, foreignBorn int
	for _, rec := range ds.Records {
		if rec.Instrument != survey.InstrumentCase {
			continue
		}
		id := rec.Identity
		if id.FiscalCode == "" {
			without++
			if rec.Answers["MinoreStranieroNoAcc"] != "1" {
				t.Errorf("record %s: no codice fiscale but not an unaccompanied minor", rec.ID)
			}
			if p := rec.Answers["IDBeneficiario"].(string); len(p) != survey.PseudonymLength {
				t.Errorf("record %s: pseudonym %q", rec.ID, p)
			}
			continue
		}
		withCF++
		fc := survey.DecodeFiscalCodeAt(id.FiscalCode, ref, refDate)
		if !fc.Valid || fc.Sex != id.Sex || fc.BirthDate != id.BirthDate || fc.Birthplace != id.BirthPlace {
			t.Errorf("record %s: %s decodes as %+v; identity %+v", rec.ID, id.FiscalCode, fc, id)
		}
		if p, _ := survey.Pseudonym(id.FiscalCode, DefaultSecret); rec.Answers["IDBeneficiario"] != p {
			t.Errorf("record %s: IDBeneficiario %v, want %s", rec.ID, rec.Answers["IDBeneficiario"], p)
		}
		if id.BirthPlace[0] == 'Z' {
			foreignBorn++
		}
	}
	if without == 0 || foreignBorn == 0 || withCF < 2900 {
		t.Errorf("with codice fiscale %d, without %d, born abroad %d", withCF, without, foreignBorn)
	}
}

// TestKnownCodes checks the codice fiscale arithmetic on the textbook
// example, and name codes with spaces, apostrophes and few consonants
// against survey's own decoder.
func TestKnownCodes(t *testing.T) {
	_, ref := load(t)
	b, _ := time.Parse("2006-01-02", "1980-01-01")
	if got := fiscalCode("ROSSI", "MARIO", "M", b, "H501"); got != "RSSMRA80A01H501U" {
		t.Errorf("fiscalCode(ROSSI MARIO) = %s, want RSSMRA80A01H501U", got)
	}
	for _, c := range []struct {
		surname, name, sex, birth, place, prefix string
	}{
		{"DE LUCA", "GIULIA", "F", "2012-03-04", "F839", "DLCGLI12C44F839"},
		{"WANG", "LI NA", "F", "2010-07-15", "Z210", "WNGLNI10L55Z210"},
		{"D'ANGELO", "FEDERICO", "M", "2009-12-31", "A662", "DNGFRC09T31A662"},
		{"YAO", "ALI", "M", "2008-02-29", "Z313", "YAOLAI08B29Z313"},
	} {
		b, _ := time.Parse("2006-01-02", c.birth)
		got := fiscalCode(c.surname, c.name, c.sex, b, c.place)
		fc := survey.DecodeFiscalCodeAt(got, ref, refDate)
		if got[:15] != c.prefix || !fc.Valid || fc.BirthDate != c.birth || fc.Sex != c.sex {
			t.Errorf("fiscalCode(%s %s) = %s (%+v), want %s? valid", c.surname, c.name, got, fc, c.prefix)
		}
	}
}

// TestDistributions draws 20,000 records and compares the shares with the
// published figures in stats.go. Tolerances are about three standard errors
// of the sample.
func TestDistributions(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	ds := generate(t, Options{Seed: 11, Cases: 20000, NoQuestionnaires: true})
	var foster, resid, residMale, residForeign, residNonUASC, maltreated, maltreatedJudicial int
	ageClass := make([]int, len(residentialAges))
	for _, rec := range ds.Records {
		a := rec.Answers
		switch a["LuogoVita"] {
		case "3":
			foster++
		case "4", "5":
			if a["MinoreStranieroNoAcc"] == "1" {
				break
			}
			resid++
			birth, _ := time.Parse("2006-01-02", rec.Identity.BirthDate)
			age := refDate.Year() - birth.Year()
			if refDate.YearDay() < birth.YearDay() {
				age--
			}
			for i, c := range residentialAges {
				if age >= c.from && age <= c.to {
					ageClass[i]++
				}
			}
			if rec.Identity.Sex == "M" {
				residMale++
			}
			residNonUASC++
			if !italianChild(rec) {
				residForeign++
			}
		}
		if v := a["ValutazioneMinore"]; v == "6" || v == "7" {
			maltreated++
			if f := a["FonteSegnalazione"]; f == "10" || f == "11" {
				maltreatedJudicial++
			}
		}
	}
	n := float64(len(ds.Records))
	check := func(what string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol {
			t.Errorf("%s: %.3f, want %.3f ± %.3f", what, got, want, tol)
		} else {
			t.Logf("%s: %.3f (published %.3f)", what, got, want)
		}
	}
	check("foster share", float64(foster)/n, shareFoster, 0.005)
	check("residential share", float64(resid)/n, shareResidential, 0.005)
	total := 0.0
	for _, c := range residentialAges {
		total += c.w
	}
	for i, c := range residentialAges {
		check("residential ages "+itoa(c.from)+"-"+itoa(c.to), float64(ageClass[i])/float64(resid), c.w/total, 0.05)
	}
	check("residential male", float64(residMale)/float64(resid), residentialMale, 0.05)
	check("residential foreign", float64(residForeign)/float64(residNonUASC), residentialForeign, 0.05)
	check("maltreated referred by the judicial authority", float64(maltreatedJudicial)/float64(maltreated), maltreatedJudicialSource, 0.04)
}

// italianChild: Italian citizenship shows in the name lists; the record
// itself keeps the parents' citizenship, so the child's origin is read from
// the surname list.
func italianChild(rec survey.Record) bool {
	for _, s := range italianSurnames {
		if rec.Identity.Surname == s {
			return true
		}
	}
	return false
}

func itoa(i int) string { return string(rune('0'+i/10)) + string(rune('0'+i%10)) }

func TestNotHeldAndNotes(t *testing.T) {
	ds := generate(t, Options{Seed: 2, Cases: 4000, NotHeld: map[string]float64{"FasciaISEEBeneficiario": 0.5}, NoteRate: 0.2,
		NoQuestionnaires: true})
	var isee, iseeNH, notes, otherNH int
	for _, rec := range ds.Records {
		for f, m := range rec.Meta {
			if m.Note != "" && !m.NotHeld {
				notes++
			}
			if m.NotHeld && f != "FasciaISEEBeneficiario" && rec.Answers["MinoreStranieroNoAcc"] != "1" {
				otherNH++
			}
		}
		isee++
		if rec.Meta["FasciaISEEBeneficiario"].NotHeld {
			iseeNH++
			if _, ok := rec.Answers["FasciaISEEBeneficiario"]; ok {
				t.Errorf("record %s: answer and not-held mark together", rec.ID)
			}
		}
	}
	if r := float64(iseeNH) / float64(isee); math.Abs(r-0.5) > 0.04 {
		t.Errorf("ISEE not held in %.3f of records, want 0.5", r)
	}
	if r := float64(notes) / 4000; math.Abs(r-0.2) > 0.03 {
		t.Errorf("notes on %.3f of records, want 0.2", r)
	}
	if otherNH != 0 {
		t.Errorf("%d fields not held outside the given rates", otherNH)
	}
	reg, ref := load(t)
	if _, err := Generate(reg, ref, Options{Cases: 1, NotHeld: map[string]float64{"LuogoVita": 0.1}}); err == nil {
		t.Error("a not-held rate on a skip-logic field was accepted")
	}
}

// TestQuestionnairesMatchCases: the counts of each Scheda Comune are those of
// the municipality's case records.
func TestQuestionnairesMatchCases(t *testing.T) {
	ds := generate(t, Options{Seed: 4, Cases: 600, Municipalities: []string{"063049", "065116", "001272"}})
	if len(ds.Municipalities) != 3 || ds.Questionnaires != 3 {
		t.Fatalf("municipalities %v, questionnaires %d", ds.Municipalities, ds.Questionnaires)
	}
	count := map[string]int{}
	for _, r := range ds.Records {
		if r.Instrument == survey.InstrumentCase {
			count[r.Municipality]++
		}
	}
	for _, r := range ds.Records[:3] {
		if r.Instrument != survey.InstrumentMunicipality || r.Answers["MinoriInCarico"] != count[r.Municipality] {
			t.Errorf("questionnaire of %s: %v children in charge, %d case records", r.Municipality, r.Answers["MinoriInCarico"], count[r.Municipality])
		}
	}
}

func TestSpreadAcrossRegions(t *testing.T) {
	_, ref := load(t)
	ds := generate(t, Options{Seed: 9, Cases: 100, MunicipalityCount: 50})
	regions := map[string]int{}
	for _, m := range ds.Municipalities {
		mm, _ := ref.Municipality(m)
		regions[mm.Region]++
	}
	if len(ds.Municipalities) != 50 || len(regions) != 20 {
		t.Errorf("%d municipalities over %d regions; want 50 over 20", len(ds.Municipalities), len(regions))
	}
}

func BenchmarkGenerate(b *testing.B) {
	reg, ref := load(b)
	for b.Loop() {
		if _, err := Generate(reg, ref, Options{Seed: 1, Cases: 1000, RefDate: refDate}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestGridFollowsRecords: the Scheda Comune grid "does the office record
// this field" says what the municipality's case records show, on paper only
// where the case file is on paper.
func TestGridFollowsRecords(t *testing.T) {
	ds := generate(t, Options{Seed: 6, Cases: 2000, MunicipalityCount: 10})
	reg, _ := load(t)
	in, _ := reg.Latest(survey.InstrumentMunicipality)
	read := func(r survey.Record, id string) survey.GridAnswer {
		q, _ := in.Question(id)
		code, _ := r.Answers[id].(string)
		a, ok := survey.ReadGridAnswer(q, code)
		if !ok {
			t.Errorf("%s: %s = %v, not a grid answer", r.Municipality, id, r.Answers[id])
		}
		return a
	}
	var iseeSometimes, comuni int
	for _, r := range ds.Records {
		if r.Instrument != survey.InstrumentMunicipality {
			continue
		}
		comuni++
		if r.Version != in.Version {
			t.Fatalf("questionnaire of version %d, want the newest, %d", r.Version, in.Version)
		}
		if got := read(r, "RegistraLuogoVita"); got.Recording != survey.RecordsAlways {
			t.Errorf("%s: RegistraLuogoVita %+v, want always (always answered)", r.Municipality, got)
		} else if got.PaperOnly && r.Answers["CartellaSociale"] == "1" {
			t.Errorf("%s: on paper only with an electronic case file", r.Municipality)
		}
		if read(r, "RegistraFasciaISEEBeneficiario").Recording == survey.RecordsSometimes {
			iseeSometimes++
		}
	}
	if comuni != 10 || iseeSometimes < 8 {
		t.Errorf("%d of %d municipalities record the ISEE band sometimes; with 40%% not held, want nearly all", iseeSometimes, comuni)
	}
}
