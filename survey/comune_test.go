package survey

import (
	"regexp"
	"strings"
	"testing"
)

func municipalityV2(t *testing.T) *Instrument {
	t.Helper()
	reg, _ := load(t)
	in, ok := reg.Get(InstrumentMunicipality, 2)
	if !ok {
		t.Fatal("no municipality questionnaire v2")
	}
	if l, _ := reg.Latest(InstrumentMunicipality); l != in {
		t.Fatalf("the newest municipality questionnaire is v%d, want v2 for new records", l.Version)
	}
	return in
}

// validComuneV2 is a complete Scheda Comune v2 with no issue at refDate:
// every service offered but adoption, every grid field recorded always and
// electronically.
func validComuneV2(in *Instrument) *Record {
	rec := &Record{Instrument: InstrumentMunicipality, Version: 2, Municipality: "063049", Answers: Answers{
		"Comune": "063049", "Regione": "15", "DataRilevazione": "2025-06-15", "PeriodoInizio": "2024-01-01", "PeriodoFine": "2024-12-31",
		"Rispondenti":     []any{map[string]any{"Ruolo": "1"}, map[string]any{"Ruolo": "6", "Servizio": "Ufficio SIA"}},
		"MinoriResidenti": 150000, "FormaGestione": "2",
		"CartellaSociale": "3", "Software": "Cartella sociale regionale", "TitolareSoftware": "1",
		"ChiaveCodiceFiscale": "2", "DateInterventi": "1", "InvioINPS": "2", "InvioSINBA": false,
		"ScambiDati": []any{"1", "2", "8", "11"}, "ScambiModalita": "4",
		"PrivatoSociale": "3", "PrivatoSocialeDati": []any{"3", "5"},
		"MinoriInCarico": 4200, "MinoriFuoriFamiglia": 600, "MinoriInAffido": 250, "MinoriInStruttura": 350, "MinoriConProvvedimento": 900,
	}}
	for _, q := range in.Questions() {
		switch {
		case strings.HasPrefix(q.ID, "Servizio") && q.ID != "ServizioAdozione":
			rec.Answers[q.ID] = "2"
		case strings.HasPrefix(q.ID, "Minori") && q.RequiredIf != "" && q.ID != "MinoriAdozione":
			rec.Answers[q.ID] = 10
		case strings.HasPrefix(q.ID, "Registra"):
			rec.Answers[q.ID] = "1"
		}
	}
	rec.Answers["ServizioAdozione"] = "1"
	return rec
}

func TestMunicipalityQuestionnaireV2(t *testing.T) {
	in := municipalityV2(t)
	rec := validComuneV2(in)
	if got := rulesOf(ValidateAt(in, rec, refDate)); got != "" {
		t.Fatalf("valid questionnaire: %s", got)
	}
	tests := []struct {
		name string
		edit func(a Answers)
		want string
	}{
		{"software of another owner needs saying whose", func(a Answers) { a["TitolareSoftware"] = "5" }, "!required_if.TitolareSoftwareAltro"},
		{"a paper file has no software", func(a Answers) { a["CartellaSociale"] = "2" }, "not_relevant.Software not_relevant.TitolareSoftware"},
		{"an office sending to INPS says whether SINBA too", func(a Answers) { delete(a, "InvioSINBA") }, "!required_if.InvioSINBA"},
		{"an office not sending to INPS", func(a Answers) { a["InvioINPS"] = "4" }, "not_relevant.InvioSINBA"},
		{"exchanges with other bodies say which", func(a Answers) { a["ScambiDati"] = []any{"12"} }, "!required_if.ScambiDatiAltro"},
		{"no exchanges, no way of exchanging", func(a Answers) { a["ScambiDati"] = []any{"7"} }, "not_relevant.ScambiModalita"},
		{"none with others", func(a Answers) { a["ScambiDati"] = []any{"7", "11"} }, "!scambi.nessuno not_relevant.ScambiModalita"},
		{"the third sector's data", func(a Answers) { a["PrivatoSociale"] = "4" }, "not_relevant.PrivatoSocialeDati"},
		{"a service contracted out counts its children", func(a Answers) { a["ServizioAdozione"] = "3" }, "!required_if.MinoriAdozione"},
		{"a service not offered has no children", func(a Answers) { a["ServizioCentriDiurni"] = "1" }, "not_relevant.MinoriCentriDiurni"},
		{"children in foster care without foster care", func(a Answers) { a["ServizioAffidamentoFamiliare"] = "1"; delete(a, "MinoriAffidamentoFamiliare") },
			"servizi.affido_coerente"},
		{"unaccompanied minors received, the datum not applicable", func(a Answers) { a["RegistraMinoreStranieroNoAcc"] = "6" }, "servizi.msna_coerente"},
		{"a grid code of version 1", func(a Answers) { a["RegistraLuogoVita"] = "7" }, "!code.RegistraLuogoVita"},
	}
	for _, tc := range tests {
		r := validComuneV2(in)
		tc.edit(r.Answers)
		if got := rulesOf(ValidateAt(in, r, refDate)); got != tc.want {
			t.Errorf("%s: %s\nwant: %s", tc.name, got, tc.want)
		}
	}
	// The grid asks what an office holds: the codice fiscale and the date of
	// birth, not the pseudonym or the age band that only SINBA computes.
	for _, id := range []string{"RegistraCodiceFiscale", "RegistraDataNascita"} {
		if _, ok := in.Question(id); !ok {
			t.Errorf("no question %s", id)
		}
	}
	for _, id := range []string{"RegistraIDBeneficiario", "RegistraFasciaEtaBeneficiario", "RilevaIDBeneficiario"} {
		if _, ok := in.Question(id); ok {
			t.Errorf("question %s asks about a datum no office holds", id)
		}
	}
	reg := in.Codelist(mustQuestion(t, in, "RegistraLuogoVita"))
	for _, want := range []string{"Sempre, in formato elettronico", "Sempre, ma solo su carta", "Non pertinente per l'ufficio"} {
		found := false
		for _, c := range reg.Codes {
			found = found || c.Label.IT == want
		}
		if !found {
			t.Errorf("the grid offers no answer %q", want)
		}
	}
	// The exchange partners keep the codes of version 1.
	v1, _ := testReg.Get(InstrumentMunicipality, 1)
	old, now := v1.Codelists["ScambioDati"], in.Codelists["ScambioDati"]
	for _, c := range old.Codes {
		if n, ok := now.Get(c.Code); !ok || n.Label.IT != c.Label.IT && c.Code != "3" {
			t.Errorf("exchange code %s: v1 %q, v2 %q", c.Code, c.Label.IT, n.Label.IT)
		}
	}
	for _, want := range []string{"USSM", "Tribunale ordinario", "Giudice tutelare", "Questura", "Altri enti"} {
		found := false
		for _, c := range now.Codes {
			found = found || strings.Contains(c.Label.IT, want)
		}
		if !found {
			t.Errorf("no exchange partner %q", want)
		}
	}
}

func mustQuestion(t *testing.T, in *Instrument, id string) *Question {
	t.Helper()
	q, ok := in.Question(id)
	if !ok {
		t.Fatalf("%s has no question %s", in.Key(), id)
	}
	return q
}

// sinbaIDs are the names of the SINBA data set: the ids of the case record's
// questions in every version, group items included.
func sinbaIDs(t *testing.T) map[string]bool {
	reg, _ := load(t)
	ids := map[string]bool{}
	for _, v := range reg.Versions(InstrumentCase) {
		in, _ := reg.Get(InstrumentCase, v)
		for id, q := range in.questions {
			if len(id) > 6 && q.Type != TypeGroup { // short ids (Erogatore) are Italian words
				ids[id] = true
			}
		}
	}
	return ids
}

var wordPattern = regexp.MustCompile(`[A-Za-z][A-Za-z0-9_]*`)

// rawIDs returns every text a person sees in the instrument (titles, labels,
// help, code labels, rule messages, in both languages) that names a SINBA
// variable by its id.
func rawIDs(in *Instrument, ids map[string]bool) []string {
	var bad []string
	look := func(where string, t Text) {
		for _, s := range []string{t.IT, t.EN} {
			for _, w := range wordPattern.FindAllString(s, -1) {
				if ids[w] {
					bad = append(bad, where+": "+s)
				}
			}
		}
	}
	look("title", in.Title)
	look("description", in.Description)
	for _, s := range in.Sections {
		look("section "+s.ID, s.Title)
		for _, q := range s.Questions {
			for _, x := range append([]*Question{q}, q.Items...) {
				look(x.ID, x.Label)
				look(x.ID+" help", x.Help)
			}
		}
	}
	for name, cl := range in.Codelists {
		for _, c := range cl.Codes {
			look("codelist "+name, c.Label)
		}
	}
	for _, r := range in.Rules {
		look("rule "+r.ID, r.Message)
	}
	return bad
}

// TestGridReadsAsItalianQuestions: no text of the Scheda Comune v2 shows a
// raw SINBA variable id, and every item of the grid is a question about the
// office. Version 1, which did, fails the same check.
func TestGridReadsAsItalianQuestions(t *testing.T) {
	in := municipalityV2(t)
	ids := sinbaIDs(t)
	for _, bad := range rawIDs(in, ids) {
		t.Errorf("raw SINBA variable id shown: %s", bad)
	}
	v1, _ := testReg.Get(InstrumentMunicipality, 1)
	if n := len(rawIDs(v1, ids)); n < 40 {
		t.Errorf("the check finds %d raw ids in version 1, which shows one in every grid item: it cannot fail", n)
	}
	grid := 0
	for _, q := range in.Questions() {
		switch {
		case strings.HasPrefix(q.ID, "Registra"):
			grid++
			if !strings.HasPrefix(q.Label.IT, "L'ufficio registra ") || !strings.HasSuffix(q.Label.IT, "?") ||
				!strings.HasPrefix(q.Label.EN, "Does the office record ") || !strings.HasSuffix(q.Label.EN, "?") {
				t.Errorf("%s: %q / %q is not a question about the office", q.ID, q.Label.IT, q.Label.EN)
			}
		case strings.HasPrefix(q.ID, "Servizio"):
			// An active sentence: the participle agrees with no noun.
			if !strings.HasPrefix(q.Label.IT, "Nel periodo di riferimento il Comune (o l'Ambito) ha offerto ") || !strings.HasSuffix(q.Label.IT, "?") {
				t.Errorf("%s: %q", q.ID, q.Label.IT)
			}
		}
		if strings.Contains(q.Label.IT, ": offert") {
			t.Errorf("%s: %q: the participle does not agree with every noun", q.ID, q.Label.IT)
		}
	}
	if grid != 47 {
		t.Errorf("%d grid items, want 47", grid)
	}
	for _, area := range []string{"CentriPerLeFamiglie", "ProntoInterventoSociale", "SostegnoEducativoScolastico", "CentriAggregazioneGiovanile", "AccoglienzaMSNA"} {
		mustQuestion(t, in, "Servizio"+area)
		mustQuestion(t, in, "Minori"+area)
	}
}
