package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The rules of the case record (version 2), each with good and bad records,
// through sinba check and sinba flow; every flow that is written passes
// xmllint against INPS's schema.

// withAnswers returns validFlat with the answers of edit replaced or added
// (a nil value removes the answer).
func withAnswers(t *testing.T, edit map[string]any) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(validFlat), &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range edit {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checked runs sinba check on one record and returns its rules: "!rule" for
// an error, "rule" for a warning, space-separated in the order found.
func checked(t *testing.T, record string, args ...string) string {
	t.Helper()
	code, out, errs := runIn(t, record, append([]string{"check"}, args...)...)
	var line struct {
		Valid  bool `json:"valid"`
		Issues []struct {
			Rule, Severity, Message string
		} `json:"issues"`
	}
	if err := json.Unmarshal([]byte(out), &line); err != nil {
		t.Fatalf("check output %q (%s): %v", out, errs, err)
	}
	if line.Valid != (code == 0) {
		t.Errorf("check: valid %v but exit %d", line.Valid, code)
	}
	var rules []string
	for _, is := range line.Issues {
		r := is.Rule
		if is.Severity == "error" {
			r = "!" + r
		}
		rules = append(rules, r)
	}
	return strings.Join(rules, " ")
}

var flowArgs = []string{"flow", "--ente", "063049", "--belfiore", "F839", "--operator", "RSSMRA85T10A562S", "--date", "2025-06-30"}

// flowOf runs sinba flow; a flow written must validate against the schema.
func flowOf(t *testing.T, records ...string) (code int, out, errs string) {
	t.Helper()
	code, out, errs = runIn(t, strings.Join(records, "\n")+"\n", flowArgs...)
	if code == 0 {
		xmllintFlow(t, out)
	} else if out != "" {
		t.Errorf("a refused flow wrote %d bytes", len(out))
	}
	return code, out, errs
}

func xmllintFlow(t *testing.T, flow string) {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatal("xmllint not found: install libxml2-utils")
	}
	f := filepath.Join(t.TempDir(), "flow.xml")
	if err := os.WriteFile(f, []byte(flow), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(bin, "--noout", "--schema", "../../../../survey/testdata/SINBA.xsd", f).CombinedOutput(); err != nil {
		t.Fatalf("xmllint: %v %s\n%s", err, b, flow)
	}
}

func TestRuleOpenBenefitCodes(t *testing.T) {
	// A2.16-A2.18 are INPS's own example codes: known, no warning.
	inps := withAnswers(t, map[string]any{"CodicePrestazione": []any{"A2.16", "A2.17", "A2.18"}})
	if got := checked(t, inps, "--ref-date", "2025-06-30"); got != "" {
		t.Errorf("INPS's example codes: %s", got)
	}
	// Any other code of 5-10 characters is accepted with a warning, and
	// reaches the flow; so does a code given only in the intervention details.
	other := withAnswers(t, map[string]any{"CodicePrestazione": []any{"A1.01", "B7.123"},
		"DettaglioInterventi": []any{map[string]any{"CodicePrestazione": "REG-00042", "Descrizione": "Educativa di strada del Comune"}}})
	if got := checked(t, other, "--ref-date", "2025-06-30"); got != "code_unknown.CodicePrestazione code_unknown.DettaglioInterventi[1].CodicePrestazione" {
		t.Errorf("codes outside the known list: %s", got)
	}
	code, out, errs := flowOf(t, other)
	if code != 0 || !strings.Contains(out, "<CodicePrestazione>B7.123</CodicePrestazione>") || !strings.Contains(out, "<CodicePrestazione>REG-00042</CodicePrestazione>") {
		t.Errorf("flow with codes outside the list: exit %d %s\n%s", code, errs, out)
	}
	for _, bad := range []string{"A1.1", "A1.01.02.03", "A1 01"} {
		rec := withAnswers(t, map[string]any{"CodicePrestazione": []any{bad}})
		if got := checked(t, rec, "--ref-date", "2025-06-30"); got != "!code.CodicePrestazione" {
			t.Errorf("code %q: %s", bad, got)
		}
		if code, _, errs := flowOf(t, rec); code != 1 || !strings.Contains(errs, "code.CodicePrestazione") {
			t.Errorf("flow with code %q: exit %d %s", bad, code, errs)
		}
	}
}

func TestRuleFosterCareOutsideAFosterFamily(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit map[string]any
		want string
	}{
		{"day foster care of a child living with the family", map[string]any{"LuogoVita": "1", "FormaInterventoAffido": "1", "TipoInterventoAffido": "2", "DurataAffido": "1", "CarattereAffido": "2"}, ""},
		{"part-time foster care of a child living with the family", map[string]any{"LuogoVita": "1", "FormaInterventoAffido": "1", "TipoInterventoAffido": "2", "DurataAffido": "2", "CarattereAffido": "1"}, ""},
		{"kinship care of a child living with relatives", map[string]any{"LuogoVita": "2", "FormaInterventoAffido": "1", "TipoInterventoAffido": "1", "DurataAffido": "1", "CarattereAffido": "1"}, ""},
		{"full-time residential foster care of a child at home", map[string]any{"LuogoVita": "1", "FormaInterventoAffido": "1", "TipoInterventoAffido": "2", "DurataAffido": "1", "CarattereAffido": "1"}, "affido.luogo_vita"},
		{"foster care of a child in a residential facility", map[string]any{"LuogoVita": "4", "CarattereInserimentoResidenziale": "7", "FormaInserimentoResidenziale": "1", "TipoInserimentoResidenziale": "2", "DurataAffido": "2"}, "affido.luogo_vita"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := withAnswers(t, tt.edit)
			if got := checked(t, rec, "--ref-date", "2025-06-30"); got != tt.want {
				t.Errorf("check: %q, want %q", got, tt.want)
			}
			// A warning does not block: the foster-care answers reach the flow.
			code, out, errs := flowOf(t, rec)
			if code != 0 || !strings.Contains(out, `DurataAffido="`) {
				t.Errorf("flow: exit %d %s\n%s", code, errs, out)
			}
		})
	}
	// In a foster family the details are required.
	if got := checked(t, withAnswers(t, map[string]any{"LuogoVita": "3"}), "--ref-date", "2025-06-30"); got != "!required_if.FormaInterventoAffido !required_if.TipoInterventoAffido !required_if.DurataAffido !required_if.CarattereAffido" {
		t.Errorf("foster family without details: %s", got)
	}
}

func TestRuleDateOrder(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit map[string]any
		want string
		flow bool // the flow is written
	}{
		{"referral to the court after the first referral", map[string]any{"SegnalazioneAutoritaGiudiziaria": "1", "DataSegnalazione": "04/2022"}, "", true},
		{"referral to the court before the first referral", map[string]any{"SegnalazioneAutoritaGiudiziaria": "1", "DataSegnalazione": "01/2022"}, "data.segnalazione_ag_prima", true},
		{"court measure before the first referral", map[string]any{"ProvvedimentoGiudiziario": "1", "DataProvvedimentoGiudiziario": "02/2022", "AutoritaProvvedimento": "2", "TipoProvvedimentoGiudiziario": "7"}, "data.provvedimento_prima", true},
		{"court measure in the month of the first referral", map[string]any{"ProvvedimentoGiudiziario": "1", "DataProvvedimentoGiudiziario": "03/2022", "AutoritaProvvedimento": "2", "TipoProvvedimentoGiudiziario": "7"}, "", true},
		{"intervention within the child's life", map[string]any{"DettaglioInterventi": []any{map[string]any{"CodicePrestazione": "A1.02", "MeseInizio": "01/2014", "MeseFine": "02/2024"}}}, "", true},
		{"intervention starting before the birth year", map[string]any{"DettaglioInterventi": []any{map[string]any{"CodicePrestazione": "A1.02", "MeseInizio": "12/2013"}}}, "!data.inizio_intervento_nascita", false},
		{"intervention ending before the birth year", map[string]any{"DettaglioInterventi": []any{map[string]any{"CodicePrestazione": "A1.02", "MeseFine": "06/2013"}}}, "!data.fine_intervento_nascita", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := withAnswers(t, tt.edit)
			if got := checked(t, rec, "--ref-date", "2025-06-30"); got != tt.want {
				t.Errorf("check: %q, want %q", got, tt.want)
			}
			if code, _, errs := flowOf(t, rec); (code == 0) != tt.flow {
				t.Errorf("flow: exit %d %s", code, errs)
			}
		})
	}
}

func withIdentity(t *testing.T, edit map[string]any, identity map[string]string) string {
	t.Helper()
	rec := withAnswers(t, edit)
	b, _ := json.Marshal(identity)
	return strings.TrimSuffix(rec, "}") + `,"identity":` + string(b) + "}"
}

func TestRuleAgeFromTheBirthDate(t *testing.T) {
	const born311219 = "BNCLRA19T71F839L" // a girl born on 31/12/2019 in Napoli
	for _, tt := range []struct {
		name     string
		edit     map[string]any
		identity map[string]string
		want     string
	}{
		// From the codice fiscale: 5 years old on 30/06/2025, band 2.
		{"born 31/12/2019, band 3 refused", map[string]any{"AnnoNascita": 2019, "FasciaEtaBeneficiario": "3", "ScuolaFrequentata": "4"}, map[string]string{"fiscal_code": born311219}, "!eta.fascia_coerente"},
		{"born 31/12/2019, band 2", map[string]any{"AnnoNascita": 2019, "FasciaEtaBeneficiario": "2", "ScuolaFrequentata": "4"}, map[string]string{"fiscal_code": born311219}, ""},
		// From the birth year only, 5 or 6: both bands pass.
		{"born in 2019, band 3, year only", map[string]any{"AnnoNascita": 2019, "FasciaEtaBeneficiario": "3", "ScuolaFrequentata": "4"}, nil, ""},
		// Band boundaries: the third birthday opens band 2.
		{"third birthday on the reference date", map[string]any{"AnnoNascita": 2022, "FasciaEtaBeneficiario": "2", "ScuolaFrequentata": "4", "DataPrimaSegnalazione": "01/2025"}, map[string]string{"birth_date": "2022-06-30"}, ""},
		{"third birthday the day after", map[string]any{"AnnoNascita": 2022, "FasciaEtaBeneficiario": "2", "ScuolaFrequentata": "4", "DataPrimaSegnalazione": "01/2025"}, map[string]string{"birth_date": "2022-07-01"}, "!eta.fascia_coerente"},
		{"15th birthday opens band 6", map[string]any{"AnnoNascita": 2010, "FasciaEtaBeneficiario": "6"}, map[string]string{"birth_date": "2010-06-30"}, ""},
		// 18 on the reference date: a warning; over 18: an error.
		{"18 years old", map[string]any{"AnnoNascita": 2007, "FasciaEtaBeneficiario": "6"}, map[string]string{"birth_date": "2007-06-01"}, "eta.maggiorenne"},
		{"25 years old", map[string]any{"AnnoNascita": 2000, "FasciaEtaBeneficiario": "6"}, nil, "!eta.fascia_coerente eta.maggiorenne !eta.oltre_18"},
		{"19 by the birth date", map[string]any{"AnnoNascita": 2006, "FasciaEtaBeneficiario": "6"}, map[string]string{"birth_date": "2006-01-10"}, "!eta.fascia_coerente eta.maggiorenne !eta.oltre_18"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := withAnswers(t, tt.edit)
			if tt.identity != nil {
				rec = withIdentity(t, tt.edit, tt.identity)
			}
			if got := checked(t, rec, "--ref-date", "2025-06-30"); got != tt.want {
				t.Errorf("check: %q, want %q", got, tt.want)
			}
			if code, _, errs := flowOf(t, rec); (code == 0) != !strings.Contains(tt.want, "!") {
				t.Errorf("flow: exit %d %s", code, errs)
			}
		})
	}
}

// A record valid at its own reference date is valid in a flow made later,
// and in sinba check today; without one, the flow's date applies.
func TestRuleTheRecordsOwnReferenceDate(t *testing.T) {
	edit := map[string]any{"AnnoNascita": 2013, "FasciaEtaBeneficiario": "4", "DataRiferimento": "2025-06-30"}
	own := withIdentity(t, edit, map[string]string{"birth_date": "2013-09-01"}) // 11 on 30/06/2025, 13 on 01/12/2026
	if got := checked(t, own); got != "" {
		t.Errorf("check today of a record of 30/06/2025: %s", got)
	}
	if got := checked(t, own, "--ref-date", "2026-12-01"); got != "" {
		t.Errorf("check at another date of a record with its own date: %s", got)
	}
	later := append(append([]string(nil), flowArgs[:len(flowArgs)-1]...), "2026-12-01")
	code, out, errs := runIn(t, own+"\n", later...)
	if code != 0 {
		t.Fatalf("flow of 01/12/2026 refused a record valid at 30/06/2025: %s", errs)
	}
	xmllintFlow(t, out)
	edit["DataRiferimento"] = nil
	without := withIdentity(t, edit, map[string]string{"birth_date": "2013-09-01"})
	if code, _, errs := runIn(t, without+"\n", later...); code != 1 || !strings.Contains(errs, "eta.fascia_coerente") {
		t.Errorf("without its own date the flow's applies: exit %d %s", code, errs)
	}
	if got := checked(t, withAnswers(t, map[string]any{"DataRiferimento": "30/06/2025"})); !strings.Contains(got, "!type.DataRiferimento") {
		t.Errorf("a reference date not in YYYY-MM-DD: %s", got)
	}
}

func TestRuleNoCodiceFiscaleAsIDBeneficiario(t *testing.T) {
	for _, id := range []string{
		"RSSMRA85T10A562S", // a codice fiscale
		"rssmra85t10a562s", // in lowercase
		"RSSMRA85T10A562T", // with a wrong check character
		"RSSMRA85T1OA562S", // mistyped: a letter O for a zero
		"RSSMRA85T10A562",  // the first 15 characters
		"80078750587",      // an 11-digit temporary code
		"X80078750581",     // a run of 11 digits
		"IDRSSMRA85T10A562S",
	} {
		rec := withAnswers(t, map[string]any{"IDBeneficiario": id})
		if got := checked(t, rec, "--ref-date", "2025-06-30"); !strings.Contains(got, "!idbeneficiario.non_codice_fiscale") {
			t.Errorf("IDBeneficiario %q: %s", id, got)
		}
		if code, _, errs := flowOf(t, rec); code != 1 || !strings.Contains(errs, "flow.idbeneficiario.codice_fiscale") {
			t.Errorf("flow with IDBeneficiario %q: exit %d %s", id, code, errs)
		}
	}
	// Version 1 had a weaker rule: its records are refused by the flow all the same.
	v1 := `{"instrument":"scheda-minore","version":1,"answers":` + strings.Replace(validFlat, "ABCDEFGHIJKLMNOPQRST", "RSSMRA85T10A562T", 1) + `}`
	if code, _, errs := flowOf(t, v1); code != 1 || !strings.Contains(errs, "flow.idbeneficiario.codice_fiscale") {
		t.Errorf("flow of a version 1 record with a mistyped codice fiscale: exit %d %s", code, errs)
	}
	for _, id := range []string{"ABCDEFGHIJKLMNOPQRST", "PSN2024000123", "MI2024A0042"} {
		if got := checked(t, withAnswers(t, map[string]any{"IDBeneficiario": id}), "--ref-date", "2025-06-30"); got != "" {
			t.Errorf("pseudonym %q refused: %s", id, got)
		}
	}
}

func TestRuleOneChildOnceInAFlow(t *testing.T) {
	other := withAnswers(t, map[string]any{"IDBeneficiario": "BBCDEFGHIJKLMNOPQRST"})
	if code, out, errs := flowOf(t, validFlat, other); code != 0 || strings.Count(out, "<SINBA ") != 2 {
		t.Errorf("two children: exit %d %s", code, errs)
	}
	code, _, errs := flowOf(t, validFlat, other, validFlat)
	if code != 1 || !strings.Contains(errs, "riga / line 3 [flow.idbeneficiario.duplicate]") || !strings.Contains(errs, "scheda 1") ||
		!strings.Contains(errs, "(1 scheda con errori /") {
		t.Errorf("the same IDBeneficiario twice: exit %d %s", code, errs)
	}
}

func TestRuleCertificateOptional(t *testing.T) {
	none := withAnswers(t, map[string]any{"Disabilita": "1", "TipoDisabilita": "2"})
	if got := checked(t, none, "--ref-date", "2025-06-30"); got != "" {
		t.Errorf("a disability without certificate: %s", got)
	}
	code, out, errs := flowOf(t, none)
	if code != 0 || strings.Contains(out, "InvCivCertificazioni") || !strings.Contains(out, `TipoDisabilita="2"`) {
		t.Errorf("flow: exit %d %s\n%s", code, errs, out)
	}
	with := withAnswers(t, map[string]any{"Disabilita": "1", "TipoDisabilita": "2", "InvCivCertificazioni": "5"})
	if code, out, _ := flowOf(t, with); code != 0 || !strings.Contains(out, `InvCivCertificazioni="5"`) {
		t.Errorf("flow with a certificate: exit %d\n%s", code, out)
	}
}

func TestRuleHiddenAnswersAreNamed(t *testing.T) {
	hidden := withAnswers(t, map[string]any{"IDBeneficiario": "BBCDEFGHIJKLMNOPQRST", "TipoDisabilita": "1", "CodiceNazioneResidenza": "250"})
	if got := checked(t, hidden, "--ref-date", "2025-06-30"); got != "not_relevant.CodiceRegioneResidenza not_relevant.TipoDisabilita" {
		t.Errorf("check: %s", got)
	}
	code, out, errs := flowOf(t, validFlat, hidden)
	if code != 0 || strings.Contains(out, "TipoDisabilita") || strings.Count(out, "CodiceRegioneResidenza=") != 1 {
		t.Fatalf("flow: exit %d %s\n%s", code, errs, out)
	}
	if !strings.Contains(errs, "riga / line 2") || !strings.Contains(errs, "CodiceRegioneResidenza, TipoDisabilita") || strings.Contains(errs, "line 1") {
		t.Errorf("stderr does not name what was left out:\n%s", errs)
	}
}

func TestRuleCodiceFiscaleOfTheChild(t *testing.T) {
	spaced := withIdentity(t, map[string]any{"AnnoNascita": 2010, "FasciaEtaBeneficiario": "6"}, map[string]string{"fiscal_code": "BNC LRA 10A41 H501K"})
	if got := checked(t, spaced, "--ref-date", "2025-06-30"); got != "" {
		t.Errorf("a codice fiscale written with spaces: %s", got)
	}
	dashed := withIdentity(t, map[string]any{"AnnoNascita": 2010, "FasciaEtaBeneficiario": "6"}, map[string]string{"fiscal_code": "BNC-LRA-10A41-H501K"})
	if got := checked(t, dashed, "--ref-date", "2025-06-30"); got != "" {
		t.Errorf("a codice fiscale written with dashes: %s", got)
	}
	temporary := withIdentity(t, nil, map[string]string{"fiscal_code": "80078750587"})
	if got := checked(t, temporary, "--ref-date", "2025-06-30"); got != "" {
		t.Errorf("a temporary numeric code: %s", got)
	}
	wrongDigit := withIdentity(t, nil, map[string]string{"fiscal_code": "80078750588"})
	if got := checked(t, wrongDigit, "--ref-date", "2025-06-30"); got != "!identity.fiscal_code" {
		t.Errorf("a temporary code with a wrong check digit: %s", got)
	}
	// Born 2018 in Cassano Albese (C001), which ceased in 1928.
	ceased := withIdentity(t, map[string]any{"AnnoNascita": 2018, "FasciaEtaBeneficiario": "3", "ScuolaFrequentata": "5"}, map[string]string{"fiscal_code": "RSSMRA18A01C001S"})
	code, out, _ := runIn(t, ceased, "check", "--ref-date", "2025-06-30")
	if code != 1 || !strings.Contains(out, "identity.fiscal_code") || !strings.Contains(out, "01/01/2018") ||
		!strings.Contains(out, "dal 29/12/1862 al 22/09/1928") || strings.Contains(out, "(1918") {
		t.Errorf("ceased birthplace: exit %d %s", code, out)
	}
}
