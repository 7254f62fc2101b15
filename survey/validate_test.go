package survey

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"
)

// rulesOf returns the sorted rule ids of the issues, with "!" before errors.
func rulesOf(issues []Issue) string {
	var s []string
	for _, is := range issues {
		r := is.Rule
		if is.Severity == SeverityError {
			r = "!" + r
		}
		s = append(s, r)
	}
	sort.Strings(s)
	return strings.Join(s, " ")
}

func TestCaseRules(t *testing.T) {
	in := caseInstrument(t)
	tests := []struct {
		name string
		edit func(a Answers, r *Record)
		want string
	}{
		{"valid", func(a Answers, r *Record) {}, ""},
		// Allegato C makes the certificate optional (version 2).
		{"disability needs its type", func(a Answers, r *Record) { a["Disabilita"] = "1" }, "!required_if.TipoDisabilita"},
		{"disability type without disability", func(a Answers, r *Record) { a["TipoDisabilita"] = "1" }, "not_relevant.TipoDisabilita"},
		{"not held counts as an answer", func(a Answers, r *Record) {
			a["Disabilita"] = "1"
			a["TipoDisabilita"] = "3"
			r.Meta = map[string]FieldMeta{"InvCivCertificazioni": {NotHeld: true, Note: "il dato è all'ASL"}}
		}, ""},
		{"answer and not held", func(a Answers, r *Record) {
			r.Meta = map[string]FieldMeta{"LuogoVita": {NotHeld: true}}
		}, "not_held.LuogoVita"},
		{"judicial referral needs its date", func(a Answers, r *Record) { a["SegnalazioneAutoritaGiudiziaria"] = "1" }, "!required_if.DataSegnalazione"},
		{"judicial measure needs its date", func(a Answers, r *Record) { a["ProvvedimentoGiudiziario"] = "1" },
			"!required_if.DataProvvedimentoGiudiziario required_if.AutoritaProvvedimento required_if.TipoProvvedimentoGiudiziario"},
		{"Italy needs a region", func(a Answers, r *Record) { delete(a, "CodiceRegioneResidenza") }, "!required_if.CodiceRegioneResidenza"},
		{"abroad has no region", func(a Answers, r *Record) { a["CodiceNazioneResidenza"] = "250" }, "not_relevant.CodiceRegioneResidenza"},
		{"age band against year of birth", func(a Answers, r *Record) { a["FasciaEtaBeneficiario"] = "2" }, "!eta.fascia_coerente"},
		{"age band at the boundary", func(a Answers, r *Record) { a["FasciaEtaBeneficiario"] = "5"; a["AnnoNascita"] = 2013 }, ""},
		{"born in the future", func(a Answers, r *Record) { a["AnnoNascita"] = 2026; a["FasciaEtaBeneficiario"] = "1" },
			"!data.prima_segnalazione_nascita !eta.anno_futuro !eta.fascia_coerente scuola.eta"},
		{"born later in the reference year", func(a Answers, r *Record) {
			a["AnnoNascita"] = 2025
			a["FasciaEtaBeneficiario"] = "1"
			a["ScuolaFrequentata"] = "1"
			a["DataPrimaSegnalazione"] = "01/2025"
			r.Identity = &Identity{BirthDate: "2025-08-01"}
		}, "!eta.fascia_coerente !eta.nato_dopo"},
		{"month-year in the future", func(a Answers, r *Record) { a["DataPrimaSegnalazione"] = "07/2025" }, "!not_future.DataPrimaSegnalazione"},
		{"month-year before birth", func(a Answers, r *Record) { a["DataPrimaSegnalazione"] = "12/2013" }, "!data.prima_segnalazione_nascita"},
		{"month-year format", func(a Answers, r *Record) { a["DataPrimaSegnalazione"] = "13/2020" }, "!required.DataPrimaSegnalazione !type.DataPrimaSegnalazione"},
		{"month-year as YYYY-MM", func(a Answers, r *Record) { a["DataPrimaSegnalazione"] = "2022-03" }, ""},
		{"foster care needs its details", func(a Answers, r *Record) { a["LuogoVita"] = "3" },
			"!required_if.CarattereAffido !required_if.DurataAffido !required_if.FormaInterventoAffido !required_if.TipoInterventoAffido"},
		{"part-time foster care of a child living with the family", func(a Answers, r *Record) { a["DurataAffido"] = "2" }, ""},
		{"full-time foster care of a child living with the family", func(a Answers, r *Record) { a["DurataAffido"] = "1" }, "affido.luogo_vita"},
		{"residential placement needs its details", func(a Answers, r *Record) { a["LuogoVita"] = "5" },
			"!required_if.CarattereInserimentoResidenziale !required_if.FormaInserimentoResidenziale !required_if.TipoInserimentoResidenziale"},
		{"closure needs the situation", func(a Answers, r *Record) { a["MotivazioneChiusuraCarico"] = "4" }, "!required_if.SituazioneChiusuraCarico"},
		{"orphan living with mother", func(a Answers, r *Record) { a["CondizioneMinore"] = "4" }, "famiglia.orfano_madre"},
		{"parents unknown hide parents' questions", func(a Answers, r *Record) {
			a["CondizioneMinore"] = "5"
			a["ComposizioneFamiglia"] = []any{"4"}
			a["TitoloStudioMadre"] = "3"
		}, "not_relevant.TitoloStudioMadre"},
		{"unaccompanied minor with a parent", func(a Answers, r *Record) { a["MinoreStranieroNoAcc"] = "1" }, "msna.famiglia"},
		{"no benefit", func(a Answers, r *Record) { delete(a, "CodicePrestazione") }, "!prestazioni.almeno_una"},
		{"unknown benefit code", func(a Answers, r *Record) { a["CodicePrestazione"] = []any{"A9.99"} }, "code_unknown.CodicePrestazione"},
		{"benefit code too short", func(a Answers, r *Record) { a["CodicePrestazione"] = []any{"A1.1"} }, "!code.CodicePrestazione"},
		{"code not in list", func(a Answers, r *Record) { a["LuogoVita"] = "9" }, "!code.LuogoVita"},
		{"code as a number", func(a Answers, r *Record) { a["LuogoVita"] = 1.0; a["CodiceRegioneResidenza"] = json.Number("5") }, ""},
		{"unknown country", func(a Answers, r *Record) { a["CodiceNazioneResidenza"] = "999" }, "!lookup.CodiceNazioneResidenza not_relevant.CodiceRegioneResidenza"},
		{"country not available", func(a Answers, r *Record) { a["CodiceNazioneResidenza"] = CountryNotAvailable }, "not_relevant.CodiceRegioneResidenza"},
		{"ISEE household range", func(a Answers, r *Record) { a["NumeroComponentiISEE"] = 12 }, "!range.NumeroComponentiISEE"},
		{"year not a number", func(a Answers, r *Record) { a["AnnoNascita"] = "duemila" }, "!required.AnnoNascita !type.AnnoNascita"},
		{"year as a string", func(a Answers, r *Record) { a["AnnoNascita"] = "2014" }, ""},
		{"codice fiscale as IDBeneficiario", func(a Answers, r *Record) { a["IDBeneficiario"] = "RSS-MRA 85" }, "!pattern.IDBeneficiario"},
		{"IDBeneficiario too long", func(a Answers, r *Record) { a["IDBeneficiario"] = strings.Repeat("A", 21) }, "!length.IDBeneficiario"},
		{"IDBeneficiario is a codice fiscale", func(a Answers, r *Record) { a["IDBeneficiario"] = "BNCLRA10A41H501K" }, "!idbeneficiario.non_codice_fiscale"},
		{"unknown field", func(a Answers, r *Record) { a["LuogoDiVita"] = "1" }, "unknown_field.LuogoDiVita"},
		{"intervention period", func(a Answers, r *Record) {
			a["DettaglioInterventi"] = []any{map[string]any{"CodicePrestazione": "A1.02", "MeseInizio": "05/2024", "MeseFine": "03/2024"}}
		}, "!interventi.periodo"},
		{"intervention item needs a code", func(a Answers, r *Record) {
			a["DettaglioInterventi"] = []any{map[string]any{"MeseInizio": "05/2024"}}
		}, "!required.DettaglioInterventi[1].CodicePrestazione"},
		{"young child at work", func(a Answers, r *Record) { a["CondizioneLavoro"] = "2" }, "lavoro.eta"},
		{"identity agrees", func(a Answers, r *Record) {
			a["AnnoNascita"] = 2010
			a["FasciaEtaBeneficiario"] = "6" // 15 on 30/06/2025, from the birth date
			r.Identity = &Identity{Surname: "Bianchi", Name: "Laura", Sex: "F", BirthDate: "2010-01-01", BirthPlace: "H501", FiscalCode: "BNCLRA10A41H501K"}
		}, ""},
		{"identity disagrees", func(a Answers, r *Record) {
			r.Identity = &Identity{Sex: "M", BirthDate: "2010-01-02", BirthPlace: "F205", FiscalCode: "BNCLRA10A41H501K"}
		}, "!identity.birth_date !identity.birth_year !identity.sex identity.birth_place"},
		{"identity with a bad codice fiscale", func(a Answers, r *Record) {
			r.Identity = &Identity{FiscalCode: "BNCLRA10A41H501X"}
		}, "!identity.fiscal_code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := validCase()
			tt.edit(rec.Answers, rec)
			got := rulesOf(ValidateAt(in, rec, refDate))
			if got != tt.want {
				t.Errorf("issues: %q\nwant:   %q", got, tt.want)
			}
		})
	}
}

func TestIssueMessagesBilingual(t *testing.T) {
	in := caseInstrument(t)
	rec := validCase()
	rec.Answers = Answers{"Disabilita": "1", "LuogoVita": "3", "AnnoNascita": "x"}
	issues := ValidateAt(in, rec, refDate)
	if len(issues) < 10 {
		t.Fatalf("only %d issues", len(issues))
	}
	for _, is := range issues {
		if is.MessageIT == "" || is.MessageEN == "" || is.MessageIT == is.MessageEN || len(is.Fields) == 0 {
			t.Errorf("issue %+v: want Italian and English messages and the fields", is)
		}
	}
}

func TestVisibleAndComputed(t *testing.T) {
	in := caseInstrument(t)
	rec := validCase()
	if VisibleAt(in, rec, "TipoDisabilita", refDate) {
		t.Error("TipoDisabilita visible with Disabilita = 2")
	}
	rec.Answers["Disabilita"] = "1"
	if !VisibleAt(in, rec, "TipoDisabilita", refDate) || !VisibleAt(in, rec, "LuogoVita", refDate) {
		t.Error("TipoDisabilita hidden with Disabilita = 1")
	}
	if !VisibleAt(in, rec, "DettaglioInterventi.MeseInizio", refDate) || !VisibleInItem(in, rec, "DettaglioInterventi", 0, "MeseFine") {
		t.Error("intervention details hidden")
	}
	rel := Relevance(in, rec, refDate)
	if rel["CarattereInserimentoResidenziale"] || !rel["AnnoNascita"] {
		t.Errorf("relevance %v", rel)
	}

	delete(rec.Answers, "FasciaEtaBeneficiario")
	for _, tt := range []struct {
		year int
		ref  string
		band string
	}{{2014, "2025-06-30", "4"}, {2014, "2025-07-01", "4"}, {2013, "2025-06-30", "4"}, {2013, "2025-12-31", "5"}, {2025, "2025-03-01", "1"}, {2007, "2025-12-31", "6"}, {2000, "2025-12-31", ""}} {
		rec.Answers["AnnoNascita"] = tt.year
		ref, _ := parseDay(tt.ref)
		got, _ := Computed(in, rec, ref)["FasciaEtaBeneficiario"].(string)
		if got != tt.band {
			t.Errorf("band for %d at %s = %v, want %s", tt.year, tt.ref, got, tt.band)
		}
	}
	// The birth date of the identification decides exactly.
	rec.Answers["AnnoNascita"] = 2013
	rec.Identity = &Identity{BirthDate: "2013-03-01"}
	ref, _ := parseDay("2025-05-01")
	if got := Computed(in, rec, ref)["FasciaEtaBeneficiario"]; got != "5" {
		t.Errorf("band with birth date = %v, want 5 (12 years old)", got)
	}
	// The record takes the day of the check as its own reference date, and
	// the band at that date.
	if filled := ApplyComputed(in, rec, ref); len(filled) != 2 || rec.Answers["FasciaEtaBeneficiario"] != "5" || rec.Answers[FieldRefDate] != "2025-05-01" {
		t.Errorf("ApplyComputed filled %v: %v %v", filled, rec.Answers["FasciaEtaBeneficiario"], rec.Answers[FieldRefDate])
	}
	rec.Answers["FasciaEtaBeneficiario"] = "4"
	if filled := ApplyComputed(in, rec, ref); len(filled) != 0 || rec.Answers["FasciaEtaBeneficiario"] != "4" {
		t.Error("ApplyComputed replaced an answer")
	}
}

// TestMunicipalityQuestionnaire checks version 1, which records made with it
// are still validated against.
func TestMunicipalityQuestionnaire(t *testing.T) {
	reg, _ := load(t)
	in, ok := reg.Get(InstrumentMunicipality, 1)
	if !ok {
		t.Fatal("no municipality questionnaire v1")
	}
	rec := &Record{Instrument: InstrumentMunicipality, Version: 1, Municipality: "063049", Answers: Answers{
		"Comune": "063049", "DataRilevazione": "2025-06-15", "PeriodoInizio": "2024-01-01", "PeriodoFine": "2024-12-31",
		"Rispondenti":     []any{map[string]any{"Ruolo": "1"}, map[string]any{"Ruolo": "6", "Servizio": "Ufficio SIA"}},
		"MinoriResidenti": 150000, "FormaGestione": "1", "CartellaSociale": "3", "Software": "Cartella sociale regionale",
		"ScambiDati":     []any{"1", "2"},
		"MinoriInCarico": 4200, "MinoriFuoriFamiglia": 600, "MinoriInAffido": 250, "MinoriInStruttura": 350, "MinoriConProvvedimento": 900,
	}}
	for _, q := range in.Questions() {
		if strings.HasPrefix(q.ID, "Offre") {
			rec.Answers[q.ID] = q.ID != "OffreAdozione"
		}
		if strings.HasPrefix(q.ID, "Minori") && q.RequiredIf != "" && q.ID != "MinoriAdozione" {
			rec.Answers[q.ID] = 10
		}
		if strings.HasPrefix(q.ID, "Rileva") {
			rec.Answers[q.ID] = "1"
		}
	}
	if c := Computed(in, rec, refDate)["Regione"]; c != "15" {
		t.Errorf("computed region %v, want 15 (Campania)", c)
	}
	ApplyComputed(in, rec, refDate)
	if got := rulesOf(ValidateAt(in, rec, refDate)); got != "" {
		t.Fatalf("valid questionnaire: %s", got)
	}
	rec.Answers["MinoriFuoriFamiglia"] = 5000
	rec.Answers["Regione"] = "01"
	rec.Answers["PeriodoFine"] = "2023-12-31"
	rec.Answers["ScambiDati"] = []any{"1", "7"}
	rec.Answers["MinoriAdozione"] = 3
	delete(rec.Answers, "MinoriCentriDiurni")
	delete(rec.Answers, "Rispondenti")
	want := "!comune.regione !incarico.fuori_famiglia !periodo.ordine !required_if.MinoriCentriDiurni !scambi.nessuno not_relevant.MinoriAdozione"
	if got := rulesOf(ValidateAt(in, rec, refDate)); got != want {
		t.Errorf("issues: %s\nwant:   %s", got, want)
	}
}

func TestDecodeRecordJSON(t *testing.T) {
	in := caseInstrument(t)
	flat := `{"instrument":"scheda-minore","municipality":"063049","IDBeneficiario":"AAAA","AnnoNascita":2014,"ComposizioneFamiglia":["1"],"meta":{"LuogoVita":{"not_held":true,"note":"x"}}}`
	rec, err := DecodeRecordJSON([]byte(flat), "")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Instrument != InstrumentCase || rec.Municipality != "063049" || rec.Answers["IDBeneficiario"] != "AAAA" || !rec.Meta["LuogoVita"].NotHeld || len(rec.Answers) != 3 {
		t.Errorf("flat: %+v", rec)
	}
	env := `{"version":1,"answers":{"AnnoNascita":"2014","LuogoVita":1},"identity":{"fiscal_code":"X"}}`
	rec, err = DecodeRecordJSON([]byte(env), InstrumentCase)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Version != 1 || rec.Identity.FiscalCode != "X" || len(rec.Answers) != 2 {
		t.Errorf("envelope: %+v", rec)
	}
	ans, issues := Normalize(in, rec.Answers)
	if len(issues) != 0 || ans["AnnoNascita"] != 2014 || ans["LuogoVita"] != "1" {
		t.Errorf("normalized %v %v", ans, issues)
	}
	for _, bad := range []string{`{`, `[]`, `{"version":"x"}`, `{"version":-1}`, `{} {}`, `{"answers":3}`, `{"meta":[1]}`} {
		if _, err := DecodeRecordJSON([]byte(bad), ""); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}

func TestIdentificationFields(t *testing.T) {
	in := caseInstrument(t)
	f := strings.Join(IdentificationFields(in), " ")
	if !strings.Contains(f, "identity.fiscal_code") || !strings.Contains(f, "identity.surname") {
		t.Errorf("IdentificationFields = %s", f)
	}
	rec := validCase()
	rec.Identity = &Identity{FiscalCode: "BNCLRA10A41H501K"}
	out := StripIdentification(in, *rec)
	if out.Identity != nil || rec.Identity == nil || len(out.Answers) != len(rec.Answers) {
		t.Error("StripIdentification")
	}
}

// TestBirthYearAndRegionProposed: the year of birth is proposed from the
// birth date of the identification, else from the codice fiscale; the region
// of residence, for a child living in Italy, from the record's municipality.
// Both are proposals: an answer given stays.
func TestBirthYearAndRegionProposed(t *testing.T) {
	in := caseInstrument(t)
	rec := &Record{Instrument: in.ID, Version: in.Version, Municipality: "063049", Answers: Answers{}}
	c := Computed(in, rec, refDate)
	if _, ok := c["AnnoNascita"]; ok {
		t.Errorf("year proposed with no birth date and no codice fiscale: %v", c["AnnoNascita"])
	}
	if _, ok := c["CodiceRegioneResidenza"]; ok {
		t.Error("region proposed before the country of residence is Italy")
	}
	rec.Identity = &Identity{FiscalCode: "BNCLRA10A41H501K"}
	if got := Computed(in, rec, refDate)["AnnoNascita"]; got != 2010 {
		t.Errorf("year from the codice fiscale = %v, want 2010", got)
	}
	rec.Identity.BirthDate = "2011-02-03" // the identification decides
	if got := Computed(in, rec, refDate)["AnnoNascita"]; got != 2011 {
		t.Errorf("year from the birth date = %v, want 2011", got)
	}
	rec.Answers["CodiceNazioneResidenza"] = "380"
	if got := Computed(in, rec, refDate)["CodiceRegioneResidenza"]; got != "15" {
		t.Errorf("region from municipality 063049 = %v, want 15 (Campania)", got)
	}
	rec.Answers["AnnoNascita"] = 2012
	rec.Answers["CodiceRegioneResidenza"] = "12"
	if filled := ApplyComputed(in, rec, refDate); slices.Contains(filled, "AnnoNascita") || slices.Contains(filled, "CodiceRegioneResidenza") ||
		rec.Answers["AnnoNascita"] != 2012 || rec.Answers["CodiceRegioneResidenza"] != "12" {
		t.Errorf("ApplyComputed filled %v over given answers: %v %v", filled, rec.Answers["AnnoNascita"], rec.Answers["CodiceRegioneResidenza"])
	}
}

// A rule none of whose answers is given states what a complete record
// needs: its issue is Missing, and Pending like a required answer, so a
// screen holds it back while a draft is typed; once one of its answers is
// given or marked as not held, the rule's finding is about what was typed.
func TestRuleOnUntouchedAnswersIsPending(t *testing.T) {
	in := caseInstrument(t)
	ruleIssue := func(rec *Record, id string) *Issue {
		for _, is := range ValidateAt(in, rec, refDate) {
			if is.Rule == id {
				return &is
			}
		}
		return nil
	}
	const rule = "prestazioni.almeno_una"
	empty := &Record{Instrument: in.ID, Version: in.Version, Answers: Answers{}}
	is := ruleIssue(empty, rule)
	if is == nil || !is.Missing || !is.Pending() || is.Severity != SeverityError {
		t.Fatalf("empty record: %s is %+v, want an error, Missing and Pending", rule, is)
	}
	notHeld := &Record{Instrument: in.ID, Version: in.Version, Answers: Answers{},
		Meta: map[string]FieldMeta{"CodicePrestazione": {NotHeld: true}}}
	if is := ruleIssue(notHeld, rule); is == nil || is.Missing || is.Pending() {
		t.Errorf("benefits marked not held: %s is %+v, want a finding that is not pending", rule, is)
	}
	rec := validCase()
	delete(rec.Answers, "CodicePrestazione")
	rec.Answers["DettaglioInterventi"] = []any{map[string]any{"MeseInizio": "05/2024"}}
	if is := ruleIssue(rec, rule); is != nil {
		t.Errorf("one intervention given: %s still fires: %+v", rule, is)
	}
	// A rule that compares answers is not pending once they are given.
	rec = validCase()
	rec.Answers["FasciaEtaBeneficiario"] = "2"
	if is := ruleIssue(rec, "eta.fascia_coerente"); is == nil || is.Pending() {
		t.Errorf("eta.fascia_coerente on typed answers: %+v, want a finding not pending", is)
	}
	if (Issue{Rule: "required.AnnoNascita"}).Pending() != true {
		t.Error("a missing required answer is not pending")
	}
}
