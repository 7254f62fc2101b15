package survey

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// xmllint validates a flow against the official schema in testdata.
func xmllint(t *testing.T, flow []byte) {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatal("xmllint not found: install it (Debian: apt-get install libxml2-utils); flows must be validated against SINBA.xsd")
	}
	f := filepath.Join(t.TempDir(), "flow.xml")
	if err := os.WriteFile(f, flow, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--noout", "--schema", "testdata/SINBA.xsd", f).CombinedOutput()
	if err != nil {
		t.Fatalf("the flow does not validate against SINBA.xsd: %v\n%s", err, out)
	}
}

var testHeader = FlowHeader{CodiceEnte: "063049", Denominazione: "Comune di Napoli", Belfiore: "F839",
	CFOperatore: "RSSMRA85T10A562S", Date: refDate, Seq: 3}

// complete fills the answers that others make required, so that a record
// built around one code has no error.
func complete(a Answers) {
	setIf := func(cond bool, kv ...string) {
		if !cond {
			return
		}
		for i := 0; i < len(kv); i += 2 {
			if _, ok := a[kv[i]]; !ok {
				a[kv[i]] = kv[i+1]
			}
		}
	}
	setIf(a["Disabilita"] == "1", "TipoDisabilita", "1", "InvCivCertificazioni", "1")
	setIf(a["SegnalazioneAutoritaGiudiziaria"] == "1", "DataSegnalazione", "05/2023")
	setIf(a["ProvvedimentoGiudiziario"] == "1", "DataProvvedimentoGiudiziario", "06/2023", "AutoritaProvvedimento", "2", "TipoProvvedimentoGiudiziario", "5")
	setIf(a["LuogoVita"] == "3", "FormaInterventoAffido", "1", "TipoInterventoAffido", "1", "DurataAffido", "1", "CarattereAffido", "1")
	setIf(a["LuogoVita"] == "4" || a["LuogoVita"] == "5", "CarattereInserimentoResidenziale", "1", "FormaInserimentoResidenziale", "1", "TipoInserimentoResidenziale", "1")
	setIf(a["MotivazioneChiusuraCarico"] != nil, "SituazioneChiusuraCarico", "1")
	if a["CodiceNazioneResidenza"] != "380" {
		delete(a, "CodiceRegioneResidenza")
	}
}

// prerequisites of the questions that apply only after another answer.
var prerequisites = map[string]Answers{
	"TipoDisabilita": {"Disabilita": "1"}, "InvCivCertificazioni": {"Disabilita": "1"},
	"AutoritaProvvedimento": {"ProvvedimentoGiudiziario": "1"}, "PotestaTutela": {"ProvvedimentoGiudiziario": "1"},
	"TipoProvvedimentoGiudiziario": {"ProvvedimentoGiudiziario": "1"},
	"FormaInterventoAffido":        {"LuogoVita": "3"}, "TipoInterventoAffido": {"LuogoVita": "3"},
	"DurataAffido": {"LuogoVita": "3"}, "CarattereAffido": {"LuogoVita": "3"},
	"CarattereInserimentoResidenziale": {"LuogoVita": "4"}, "FormaInserimentoResidenziale": {"LuogoVita": "4"},
	"TipoInserimentoResidenziale": {"LuogoVita": "5"}, "SituazioneChiusuraCarico": {"MotivazioneChiusuraCarico": "4"},
}

// everyCodeRecords returns records that together use every code of every
// code list of the case record, every region and every country.
func everyCodeRecords(t *testing.T, in *Instrument) []Record {
	var recs []Record
	add := func(field string, v any) {
		rec := validCase()
		rec.ID = fmt.Sprintf("%s=%v", field, v)
		rec.Answers["IDBeneficiario"] = fmt.Sprintf("PSN%05d", len(recs)+1) // one child once in a flow
		for k, pv := range prerequisites[field] {
			rec.Answers[k] = pv
		}
		rec.Answers[field] = v
		if field == "FasciaEtaBeneficiario" {
			k := int(v.(string)[0] - '0')
			rec.Answers["AnnoNascita"] = refDate.Year() - (3*(k-1) + 1)
			rec.Answers["ScuolaFrequentata"] = "1"
			rec.Answers["DataPrimaSegnalazione"] = "01/2025"
		}
		if field == "MotivazioneChiusuraCarico" && v == "3" {
			rec.Answers["AnnoNascita"] = refDate.Year() - 17
			rec.Answers["FasciaEtaBeneficiario"] = "6"
		}
		complete(rec.Answers)
		recs = append(recs, *rec)
	}
	for _, q := range in.Questions() {
		switch q.Type {
		case TypeSingle:
			for _, c := range in.Codelist(q).Codes {
				add(q.ID, c.Code)
			}
		case TypeMulti:
			for _, c := range in.Codelist(q).Codes {
				add(q.ID, []any{c.Code})
			}
		case TypeLookup:
			for _, e := range in.LookupList(q).Entries() {
				add(q.ID, e.Code)
			}
		}
	}
	return recs
}

func TestFlowEveryCodeValidates(t *testing.T) {
	reg, _ := load(t)
	in := caseInstrument(t)
	recs := everyCodeRecords(t, in)
	if len(recs) < 500 {
		t.Fatalf("only %d records", len(recs))
	}
	for i := range recs {
		for _, is := range ValidateAt(in, &recs[i], refDate) {
			if is.Severity == SeverityError {
				t.Errorf("record %s: %+v", recs[i].ID, is)
			}
		}
	}
	flow, err := BuildFlow(reg, testHeader, recs)
	if err != nil {
		t.Fatal(err)
	}
	xmllint(t, flow)
	s := string(flow)
	if got := strings.Count(s, "<SINBA "); got != len(recs) {
		t.Errorf("%d SINBA elements, want %d", got, len(recs))
	}
	if !strings.Contains(s, `Nome="063049.SINBA.20250630.0000003"`) ||
		!strings.Contains(s, `<Ente Codice="063049" Denominazione="Comune di Napoli" Indirizzo="F839" CFOperatore="RSSMRA85T10A562S">`) {
		t.Errorf("identification of the flow:\n%.600s", s)
	}
	if !strings.Contains(s, `AnnoNascita="2014"`) {
		t.Error("AnnoNascita is not written as 4 digits")
	}
}

func TestFlowCollapsesInterventionDetails(t *testing.T) {
	reg, _ := load(t)
	in := caseInstrument(t)
	rec := validCase()
	rec.Answers["CodicePrestazione"] = []any{"A1.01", "A2.03"}
	rec.Answers["DettaglioInterventi"] = []any{
		map[string]any{"CodicePrestazione": "A2.03", "MeseInizio": "01/2023", "MeseFine": "06/2023", "Erogatore": "Cooperativa"},
		map[string]any{"CodicePrestazione": "Z9.99", "MeseInizio": "02/2024"},
	}
	if got := strings.Join(Prestazioni(in, rec), ","); got != "A1.01,A2.03,Z9.99" {
		t.Errorf("Prestazioni = %s", got)
	}
	// Details alone are enough.
	delete(rec.Answers, "CodicePrestazione")
	if issues := ValidateAt(in, rec, refDate); HasErrors(issues) {
		t.Fatalf("details alone: %+v", issues)
	}
	flow, err := BuildFlow(reg, testHeader, []Record{*rec})
	if err != nil {
		t.Fatal(err)
	}
	xmllint(t, flow)
	if !regexp.MustCompile(`(?s)<Prestazioni>\s*<CodicePrestazione>A2.03</CodicePrestazione>\s*<CodicePrestazione>Z9.99</CodicePrestazione>\s*</Prestazioni>`).Match(flow) {
		t.Errorf("benefit codes:\n%s", flow)
	}
	// Answers that do not apply stay out of the flow.
	rec.Answers["TipoDisabilita"] = "2"
	flow, _ = BuildFlow(reg, testHeader, []Record{*rec})
	if strings.Contains(string(flow), "TipoDisabilita") {
		t.Error("an answer that does not apply went into the flow")
	}
}

func TestFlowRefused(t *testing.T) {
	reg, _ := load(t)
	good := *validCase()
	bad := *validCase()
	bad.Answers = Answers{}
	for k, v := range good.Answers {
		bad.Answers[k] = v
	}
	bad.Answers["Disabilita"] = "1" // without TipoDisabilita and InvCivCertificazioni
	bad.Answers["IDBeneficiario"] = "PSN2"
	notHeld := *validCase()
	notHeld.Answers = Answers{}
	for k, v := range good.Answers {
		if k != "FonteSegnalazione" {
			notHeld.Answers[k] = v
		}
	}
	notHeld.Meta = map[string]FieldMeta{"FonteSegnalazione": {NotHeld: true, Note: "non registrata"}}
	notHeld.Answers["IDBeneficiario"] = "PSN3"

	_, err := BuildFlow(reg, testHeader, []Record{good, bad, notHeld})
	var fe *FlowError
	if !errors.As(err, &fe) {
		t.Fatalf("want a FlowError, got %v", err)
	}
	if len(fe.Records) != 2 || fe.Records[0].Index != 1 || fe.Records[1].Index != 2 {
		t.Fatalf("refused records: %+v", fe.Records)
	}
	rules := func(r RecordIssues) string {
		var s []string
		for _, is := range r.Issues {
			s = append(s, is.Rule)
		}
		return strings.Join(s, " ")
	}
	if got := rules(fe.Records[0]); got != "required_if.TipoDisabilita" {
		t.Errorf("record 2: %s", got)
	}
	if got := rules(fe.Records[1]); got != "flow.required.FonteSegnalazione" {
		t.Errorf("record 3: %s", got)
	}
	if !strings.Contains(err.Error(), "scheda / record 2") {
		t.Errorf("message: %v", err)
	}
}

func TestFlowHeader(t *testing.T) {
	reg, _ := load(t)
	for _, tt := range []struct {
		name string
		edit func(*FlowHeader)
		rule string
	}{
		{"long body code", func(h *FlowHeader) { h.CodiceEnte = strings.Repeat("X", 28) }, "flow.header.ente"},
		{"bad Belfiore", func(h *FlowHeader) { h.Belfiore = "F83" }, "flow.header.belfiore"},
		{"unknown Belfiore", func(h *FlowHeader) { h.Belfiore = "D620" }, "flow.header.belfiore"},
		{"bad operator", func(h *FlowHeader) { h.CFOperatore = "RSSMRA85T10A562T" }, "flow.header.operatore"},
		{"sequence", func(h *FlowHeader) { h.Seq = 10000000 }, "flow.header.seq"},
	} {
		h := testHeader
		tt.edit(&h)
		_, err := BuildFlow(reg, h, []Record{*validCase()})
		var fe *FlowError
		if !errors.As(err, &fe) || len(fe.Header) != 1 || fe.Header[0].Rule != tt.rule {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	h := testHeader
	h.CodiceEnte = strings.Repeat("X", 27)
	h.CFOperatore = "12345678903"
	h.Denominazione = ""
	flow, err := BuildFlow(reg, h, []Record{*validCase()})
	if err != nil {
		t.Fatal(err)
	}
	xmllint(t, flow)
	if n := FlowName(h.CodiceEnte, time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), 12); n != strings.Repeat("X", 27)+".SINBA.20240102.0000012" || len(n) != 50 {
		t.Errorf("FlowName = %s (%d characters)", n, len(n))
	}
	if _, err := BuildFlow(reg, testHeader, nil); err == nil {
		t.Error("an empty flow was built")
	}
}
