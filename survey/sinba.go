package survey

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// SINBANamespace is the namespace of SINBA.xsd.
const SINBANamespace = "http://inps.it/Casellario"

// sinbaAttributes are the attributes of SinbaType in the order of SINBA.xsd,
// with whether the schema requires them and the question of the case record
// the flow reads each from: its id is the attribute's name, Type its kind,
// List the code list (single) or the reference list (lookup) its codes come
// from. A test checks this list against the schema.
var sinbaAttributes = []sinbaField{
	{"IDBeneficiario", true, TypeText, ""}, {"MinoreStranieroNoAcc", true, TypeSingle, "MinoreStranieroNoAccType"},
	{"CondizioneMinore", true, TypeSingle, "CondizioneMinoreType"}, {"LuogoVita", true, TypeSingle, "LuogoVitaType"},
	{"ScuolaFrequentata", true, TypeSingle, "ScuolaFrequentataType"}, {"CondizioneLavoro", true, TypeSingle, "CondizioneLavoroType"},
	{"Disabilita", true, TypeSingle, "DisabilitaType"}, {"TipoDisabilita", false, TypeSingle, "TipoDisabilitaType"},
	{"InvCivCertificazioni", false, TypeSingle, "InvCivCertificazioniType"},
	{"CodiceCittadinanzaPadre", false, TypeLookup, "paesi"}, {"CodiceCittadinanzaMadre", false, TypeLookup, "paesi"},
	{"CodiceRegioneResidenzaPadre", false, TypeLookup, "regioni"}, {"CodiceRegioneResidenzaMadre", false, TypeLookup, "regioni"},
	{"TitoloStudioPadre", false, TypeSingle, "TitoloStudioType"}, {"TitoloStudioMadre", false, TypeSingle, "TitoloStudioType"},
	{"OccupazionePadre", false, TypeSingle, "OccupazioneType"}, {"OccupazioneMadre", false, TypeSingle, "OccupazioneType"},
	{"DataPrimaSegnalazione", true, TypeMonthYear, ""}, {"FonteSegnalazione", true, TypeSingle, "FonteSegnalazioneType"},
	{"ValutazioneMinore", true, TypeSingle, "ValutazioneMinoreType"},
	{"ValutazioneFamigliaMinore", true, TypeSingle, "ValutazioneFamigliaMinoreType"},
	{"SegnalazioneAutoritaGiudiziaria", true, TypeSingle, "SegnalazioneAutoritaGiudiziariaType"},
	{"DataSegnalazione", false, TypeMonthYear, ""}, {"ProvvedimentoGiudiziario", true, TypeSingle, "ProvvedimentoGiudiziarioType"},
	{"DataProvvedimentoGiudiziario", false, TypeMonthYear, ""}, {"AutoritaProvvedimento", false, TypeSingle, "AutoritaProvvedimentoType"},
	{"PotestaTutela", false, TypeSingle, "PotestaTutelaType"},
	{"TipoProvvedimentoGiudiziario", false, TypeSingle, "TipoProvvedimentoGiudiziarioType"},
	{"FormaInterventoAffido", false, TypeSingle, "FormaInterventoAffidoType"},
	{"TipoInterventoAffido", false, TypeSingle, "TipoInterventoAffidoType"}, {"DurataAffido", false, TypeSingle, "DurataAffidoType"},
	{"CarattereAffido", false, TypeSingle, "CarattereAffidoType"}, {"EsitoAffido", false, TypeSingle, "EsitoAffidoType"},
	{"CarattereInserimentoResidenziale", false, TypeSingle, "CarattereInserimentoResidenzialeType"},
	{"FormaInserimentoResidenziale", false, TypeSingle, "FormaInserimentoResidenzialeType"},
	{"TipoInserimentoResidenziale", false, TypeSingle, "TipoInserimentoResidenzialeType"},
	{"EsitoInserimentoStruttura", false, TypeSingle, "EsitoInserimentoStrutturaType"},
	{"MotivazioneChiusuraCarico", false, TypeSingle, "MotivazioneChiusuraCaricoType"},
	{"SituazioneChiusuraCarico", false, TypeSingle, "SituazioneChiusuraCaricoType"},
	{"CollaborazioniInterventi", false, TypeSingle, "CollaborazioniInterventiType"},
	{"NumeroComponentiISEE", false, TypeInteger, ""}, {"FasciaEtaBeneficiario", true, TypeSingle, "FasciaEtaBeneficiarioType"},
	{"FasciaISEEBeneficiario", false, TypeSingle, "FasciaISEEBeneficiarioType"}, {"AnnoNascita", true, TypeInteger, ""},
	{"CodiceRegioneResidenza", false, TypeLookup, "regioni"}, {"CodiceNazioneResidenza", true, TypeLookup, "paesi"},
}

// sinbaField is a question of the case record a SINBA flow reads.
type sinbaField struct {
	Name     string
	Required bool
	Type     QuestionType
	List     string // Codelist of a single or multiple choice, Lookup of a lookup
}

// The SINBA elements of the case record: the benefit codes and the household.
const (
	FieldPrestazioni         = "CodicePrestazione"
	FieldFamiglia            = "ComposizioneFamiglia"
	FieldDettaglioInterventi = "DettaglioInterventi"
)

// sinbaElements are the questions the flow reads its repeated elements
// from: the benefit codes (also from the items of the intervention details)
// and the household. Every version must have them (Required is the
// schema's, unused here).
var sinbaElements = []sinbaField{
	{FieldPrestazioni, true, TypeMulti, "CodicePrestazione"},
	{FieldFamiglia, true, TypeMulti, "ComposizioneFamigliaType"},
	{FieldDettaglioInterventi, false, TypeGroup, ""},
}

// sinbaItem is the question of each item of the intervention details that
// the flow reads a benefit code from.
var sinbaItem = sinbaField{FieldPrestazioni, false, TypeSingle, "CodicePrestazione"}

// FieldProblem is a question a SINBA flow reads that an instrument version
// of the case record lacks, or has of another kind: the flow would leave the
// datum out of every record of that version.
type FieldProblem struct {
	// Field is the field the flow reads ("CondizioneLavoro"; an item of the
	// intervention details is "DettaglioInterventi.CodicePrestazione").
	Field string
	// Question is the question the problem is located at: Field when the
	// version has it of another kind, the new id when a migration of the
	// version renames Field, "" when the version does not have it.
	Question string
	Message  Text
}

// SINBAFieldProblems lists, for a version of the case record, every field a
// SINBA flow for INPS reads that the version does not have, under that id,
// of the kind and over the list the flow expects. Nothing for another
// instrument.
func SINBAFieldProblems(in *Instrument) []FieldProblem {
	if in == nil || in.ID != InstrumentCase {
		return nil
	}
	renamed := map[string]string{} // old id -> new id, by the version's migrations
	merged := map[string]bool{}    // of those, the ones merged with others
	for _, m := range in.Migrations {
		for old, nu := range m.Renamed {
			renamed[old] = nu
		}
		for _, mg := range m.Merged {
			for _, old := range mg.From {
				if old != mg.Into {
					renamed[old], merged[old] = mg.Into, true
				}
			}
		}
	}
	top := map[string]*Question{} // the flow reads top-level questions only
	for _, q := range in.order {
		top[q.ID] = q
	}
	var out []FieldProblem
	check := func(f sinbaField, name string, q *Question, ok bool) {
		need := "il flusso SINBA per l'INPS ha bisogno del campo " + name + ": "
		needEN := "the INPS SINBA flow needs field " + name + ": "
		switch {
		case !ok && renamed[f.Name] != "":
			nu := renamed[f.Name]
			verb, verbEN := "rinomina", "renames"
			if merged[f.Name] {
				verb, verbEN = "unisce ad altri", "merges with others into"
			}
			p := FieldProblem{Field: name, Message: Text{
				IT: need + fmt.Sprintf("la migrazione lo %s in %s, ma il flusso lo cerca come %s e lo lascerebbe fuori; tenere l'identificativo %s (si può cambiare l'etichetta)", verb, nu, f.Name, f.Name),
				EN: needEN + fmt.Sprintf("the migration %s it %s, but the flow reads it as %s and would leave it out; keep the id %s (the label may change)", verbEN, nu, f.Name, f.Name)}}
			if _, has := top[nu]; has {
				p.Question = nu
			}
			out = append(out, p)
		case !ok:
			out = append(out, FieldProblem{Field: name, Message: Text{
				IT: need + "questa versione non ha una domanda " + f.Name + " e il flusso lascerebbe fuori il dato",
				EN: needEN + "this version has no question " + f.Name + " and the flow would leave the datum out"}})
		case q.Type != f.Type || (f.Type == TypeLookup && q.Lookup != f.List) || ((f.Type == TypeSingle || f.Type == TypeMulti) && q.Codelist != f.List):
			want, wantEN := fieldKind(f.Type, f.List)
			got, gotEN := fieldKind(q.Type, q.Codelist+q.Lookup)
			out = append(out, FieldProblem{Field: name, Question: q.ID, Message: Text{
				IT: need + "deve essere " + want + ", qui è " + got,
				EN: needEN + "it must be " + wantEN + ", here it is " + gotEN}})
		}
	}
	for _, f := range sinbaAttributes {
		q, ok := top[f.Name]
		check(f, f.Name, q, ok)
	}
	for _, f := range sinbaElements {
		q, ok := top[f.Name]
		check(f, f.Name, q, ok)
		if ok && f.Name == FieldDettaglioInterventi && q.Type == TypeGroup {
			var item *Question
			for _, it := range q.Items {
				if it.ID == sinbaItem.Name {
					item = it
				}
			}
			check(sinbaItem, f.Name+"."+sinbaItem.Name, item, item != nil)
			if n := len(out); n > 0 && out[n-1].Field == f.Name+"."+sinbaItem.Name && out[n-1].Question != "" {
				out[n-1].Question = f.Name + "." + out[n-1].Question
			}
		}
	}
	return out
}

// fieldKind says what kind of question t over list is, in Italian and
// English.
func fieldKind(t QuestionType, list string) (it, en string) {
	over := func(it, en string) (string, string) {
		if list == "" {
			return it, en
		}
		return it + " sulla lista " + list, en + " over list " + list
	}
	switch t {
	case TypeText:
		return "un testo", "a text"
	case TypeInteger:
		return "un numero intero", "an integer"
	case TypeDecimal:
		return "un numero decimale", "a decimal number"
	case TypeDate:
		return "una data", "a date"
	case TypeMonthYear:
		return "un mese e anno", "a month and year"
	case TypeYesNo:
		return "un sì o no", "a yes or no"
	case TypeSingle:
		return over("una scelta singola", "a single choice")
	case TypeMulti:
		return over("una scelta multipla", "a multiple choice")
	case TypeLookup:
		if list != "" {
			return "una voce dell'elenco " + list, "an entry of reference list " + list
		}
		return "una voce di un elenco di riferimento", "an entry of a reference list"
	case TypeGroup:
		return "un gruppo ripetuto", "a repeat group"
	}
	return string(t), string(t)
}

// FlowHeader is what identifies a flow and the body that sends it.
type FlowHeader struct {
	CodiceEnte    string    // Ente/@Codice, 1-27 characters so the flow name fits in 50
	Denominazione string    // Ente/@Denominazione, optional, at most 100 characters
	Belfiore      string    // Ente/@Indirizzo: Belfiore code of the body's municipality
	CFOperatore   string    // Ente/@CFOperatore: the operator's codice fiscale
	Date          time.Time // the sending date, in the flow name; also the reference date of records without their own
	Seq           int       // the day's sequence number, 1-9999999
}

// FlowName is the IdentificazioneFlusso/@Nome of a flow:
// {CodiceEnte}.SINBA.{yyyyMMdd}.{7-digit sequence}.
func FlowName(codiceEnte string, date time.Time, seq int) string {
	return fmt.Sprintf("%s.SINBA.%s.%07d", codiceEnte, date.Format("20060102"), seq)
}

// FlowError is a refused flow: what is wrong with the header, and with which
// records (Index counts records from 0, in the order given).
type FlowError struct {
	Header  []Issue
	Records []RecordIssues
}

// RecordIssues are the error-level issues of one record.
type RecordIssues struct {
	Index    int
	RecordID string
	Issues   []Issue
}

func (e *FlowError) Error() string {
	var b strings.Builder
	b.WriteString("flusso SINBA rifiutato / SINBA flow refused:")
	for _, is := range e.Header {
		fmt.Fprintf(&b, "\n  intestazione / header: %s / %s", is.MessageIT, is.MessageEN)
	}
	for _, r := range e.Records {
		for _, is := range r.Issues {
			fmt.Fprintf(&b, "\n  scheda / record %d: [%s] %s / %s", r.Index+1, is.Rule, is.MessageIT, is.MessageEN)
		}
	}
	return b.String()
}

var (
	belfiorePattern = regexp.MustCompile(`^[A-Z][0-9]{3}$`)
	entePattern     = regexp.MustCompile(`^[A-Za-z0-9_-]{1,27}$`)
)

func (h FlowHeader) check(ref *Reference) []Issue {
	var issues []Issue
	add := func(field, it, en string) {
		issues = append(issues, Issue{Rule: "flow.header." + field, Severity: SeverityError, Fields: []string{field}, MessageIT: it, MessageEN: en})
	}
	if !entePattern.MatchString(h.CodiceEnte) {
		add("ente", fmt.Sprintf("codice ente %q: da 1 a 27 lettere, cifre, - o _", h.CodiceEnte),
			fmt.Sprintf("body code %q: 1 to 27 letters, digits, - or _", h.CodiceEnte))
	}
	if n := utf8.RuneCountInString(h.Denominazione); n > 100 {
		add("denominazione", "denominazione oltre 100 caratteri", "name longer than 100 characters")
	}
	b := strings.ToUpper(h.Belfiore)
	if !belfiorePattern.MatchString(b) {
		add("belfiore", fmt.Sprintf("codice Belfiore %q: una lettera e tre cifre", h.Belfiore), fmt.Sprintf("Belfiore code %q: a letter and three digits", h.Belfiore))
	} else if ref != nil {
		if _, ok := ref.MunicipalityByBelfiore(b); !ok {
			add("belfiore", fmt.Sprintf("codice Belfiore %q: nessun comune attivo", h.Belfiore), fmt.Sprintf("Belfiore code %q: no active municipality", h.Belfiore))
		}
	}
	if why := OperatorCodeProblem(h.CFOperatore); why != (Text{}) {
		add("operatore", "Codice fiscale dell'operatore non valido: "+why.IT, "The operator's codice fiscale is not valid: "+why.EN)
	}
	if h.Seq < 1 || h.Seq > 9999999 {
		add("seq", fmt.Sprintf("progressivo %d: da 1 a 9999999", h.Seq), fmt.Sprintf("sequence %d: 1 to 9999999", h.Seq))
	}
	if h.Date.IsZero() {
		add("date", "data del flusso mancante", "the flow date is missing")
	}
	return issues
}

// SinbaRecord is one <SINBA> element: attributes in schema order, the
// benefit codes and the household.
type SinbaRecord struct {
	Attrs       []xml.Attr
	Prestazioni []string
	Famiglia    []string
}

// ToSINBA maps a case record to a <SINBA> element at reference date ref. It
// returns every issue of the record (ValidateAt) and those particular to a
// flow: an attribute the schema requires that the office does not hold, no
// benefit code, no household. The element is usable only when no issue is
// an error. Answers to questions that do not apply are left out, and the
// intervention details collapse into the list of benefit codes.
func ToSINBA(in *Instrument, rec *Record, ref time.Time) (SinbaRecord, []Issue) {
	issues := ValidateAt(in, rec, ref)
	var s SinbaRecord
	if in.ID != InstrumentCase {
		return s, append(issues, Issue{Rule: "flow.instrument", Severity: SeverityError,
			MessageIT: "solo le schede minore entrano in un flusso SINBA", MessageEN: "only case records go into a SINBA flow"})
	}
	st := in.prepareRecord(rec, ref)
	missing := func(field string) {
		// An answer the record itself requires is already an error: one
		// reason for one missing answer.
		for _, is := range issues {
			if is.Severity == SeverityError && len(is.Fields) == 1 && is.Fields[0] == field && strings.HasPrefix(is.Rule, "required") {
				return
			}
		}
		// The question's label, as every finding of the record says it.
		label := Text{IT: field, EN: field}
		if q, ok := in.questions[field]; ok && q.Label.IT != "" {
			label = Text{IT: q.Label.IT, EN: q.Label.In("en")}
		}
		issues = append(issues, Issue{Rule: "flow.required." + field, Severity: SeverityError, Fields: []string{field},
			MessageIT: label.IT + ": dato obbligatorio nel flusso SINBA, ma manca o l'ufficio non lo ha",
			MessageEN: label.EN + ": required in a SINBA flow, but missing or not held by the office"})
	}
	// Whatever the instrument version says, a codice fiscale never travels
	// as the pseudonym.
	if id, _ := st.env["IDBeneficiario"].(string); id != "" && LooksLikeFiscalCode(id) {
		issues = append(issues, Issue{Rule: "flow.idbeneficiario.codice_fiscale", Severity: SeverityError, Fields: []string{"IDBeneficiario"},
			MessageIT: "IDBeneficiario: sembra un codice fiscale (o ne contiene uno) e non può entrare nel flusso; usa il codice pseudonimo che l'app calcola",
			MessageEN: "IDBeneficiario: it looks like (or contains) a codice fiscale and cannot go into the flow; use the pseudonym the app computes"})
	}
	// A field the record's version lacks, or has of another kind, refuses
	// the record: the flow would otherwise leave the datum out unnoticed.
	lacks := map[string]bool{}
	for _, p := range SINBAFieldProblems(in) {
		lacks[p.Field] = true
		is := Issue{Rule: "flow.field." + p.Field, Severity: SeverityError, MessageIT: p.Message.IT, MessageEN: p.Message.EN}
		if p.Question != "" {
			is.Fields = []string{p.Question}
		}
		issues = append(issues, is)
	}
	for _, a := range sinbaAttributes {
		v := st.env[a.Name]
		if lacks[a.Name] {
			continue
		}
		if !Answered(v) {
			if a.Required {
				missing(a.Name)
			}
			continue
		}
		var text string
		switch x := v.(type) {
		case string:
			text = x
		case int:
			if a.Name == "AnnoNascita" {
				text = fmt.Sprintf("%04d", x)
			} else {
				text = strconv.Itoa(x)
			}
		default:
			text = fmt.Sprint(x)
		}
		s.Attrs = append(s.Attrs, xml.Attr{Name: xml.Name{Local: a.Name}, Value: text})
	}
	s.Prestazioni = Prestazioni(in, rec)
	if len(s.Prestazioni) == 0 && !lacks[FieldPrestazioni] {
		missing(FieldPrestazioni)
	}
	for _, c := range listOf(st.env[FieldFamiglia]) {
		s.Famiglia = append(s.Famiglia, c)
	}
	if len(s.Famiglia) == 0 && !lacks[FieldFamiglia] {
		missing(FieldFamiglia)
	}
	return s, issues
}

func attrValue(attrs []xml.Attr, name string) string {
	for _, a := range attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// OmittedAnswers lists, in page order, the questions of rec that have an
// answer although skip logic says they do not apply at reference date ref
// (sinba check warns "la risposta non sarà usata"): flows and exports leave
// these answers out, and say so in their manifests.
func OmittedAnswers(in *Instrument, rec *Record, ref time.Time) []string {
	st := in.prepareRecord(rec, ref)
	var out []string
	for _, q := range in.order {
		if !st.relevant[q.ID] && Answered(st.ans[q.ID]) {
			out = append(out, q.ID)
		}
	}
	return out
}

func listOf(v any) []string {
	var out []string
	switch x := v.(type) {
	case []any:
		for _, c := range x {
			if s, ok := c.(string); ok && s != "" {
				out = append(out, s)
			}
		}
	case []string:
		out = append(out, x...)
	}
	return out
}

// Prestazioni returns the benefit codes of a case record as a SINBA flow
// carries them: the codes of CodicePrestazione, then those of the
// intervention details not already listed.
func Prestazioni(in *Instrument, rec *Record) []string {
	ans, _ := Normalize(in, rec.Answers)
	var out []string
	seen := map[string]bool{}
	addCode := func(c string) {
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	if !rec.Meta[FieldPrestazioni].NotHeld {
		for _, c := range listOf(ans[FieldPrestazioni]) {
			addCode(c)
		}
	}
	items, _ := ans[FieldDettaglioInterventi].([]any)
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			c, _ := m[FieldPrestazioni].(string)
			addCode(c)
		}
	}
	return out
}

// BuildFlow writes a SINBA flow (a <Flusso> document of SINBA.xsd) with one
// <SINBA> element per case record, each checked against the instrument
// version it was made with at its own reference date (DataRiferimento), or
// at the flow date when it has none. A flow with any error, in the header or
// in a record, is refused with a *FlowError that lists them all; so is a
// child (an IDBeneficiario) given twice.
func BuildFlow(reg *Registry, h FlowHeader, recs []Record) ([]byte, error) {
	var ref *Reference
	if in, ok := reg.Latest(InstrumentCase); ok {
		ref = in.Reference()
	}
	h.Belfiore = strings.ToUpper(strings.TrimSpace(h.Belfiore))
	h.CFOperatore = strings.ToUpper(strings.TrimSpace(h.CFOperatore))
	fe := &FlowError{Header: h.check(ref)}
	if len(recs) == 0 {
		fe.Header = append(fe.Header, Issue{Rule: "flow.empty", Severity: SeverityError,
			MessageIT: "nessuna scheda: un flusso SINBA ne richiede almeno una", MessageEN: "no records: a SINBA flow needs at least one"})
	}
	elems := make([]SinbaRecord, 0, len(recs))
	seen := map[string]int{} // IDBeneficiario -> index of its first record
	for i := range recs {
		rec := &recs[i]
		if rec.Instrument == "" {
			rec.Instrument = InstrumentCase
		}
		in, err := reg.ForRecord(rec)
		var issues []Issue
		var s SinbaRecord
		if err != nil {
			issues = []Issue{{Rule: "instrument", Severity: SeverityError, MessageIT: err.Error(), MessageEN: err.Error()}}
		} else {
			s, issues = ToSINBA(in, rec, h.Date)
		}
		if id := attrValue(s.Attrs, "IDBeneficiario"); id != "" {
			if first, dup := seen[id]; dup {
				issues = append(issues, Issue{Rule: "flow.idbeneficiario.duplicate", Severity: SeverityError, Fields: []string{"IDBeneficiario"},
					MessageIT: fmt.Sprintf("IDBeneficiario %s: è già quello della scheda %d del flusso; un minore compare una sola volta", id, first+1),
					MessageEN: fmt.Sprintf("IDBeneficiario %s: already the one of record %d of the flow; a child appears once", id, first+1)})
			} else {
				seen[id] = i
			}
		}
		var errs []Issue
		for _, is := range issues {
			if is.Severity == SeverityError {
				errs = append(errs, is)
			}
		}
		if len(errs) > 0 {
			fe.Records = append(fe.Records, RecordIssues{Index: i, RecordID: rec.ID, Issues: errs})
		}
		elems = append(elems, s)
	}
	if len(fe.Header) > 0 || len(fe.Records) > 0 {
		return nil, fe
	}
	return encodeFlow(h, elems)
}

func encodeFlow(h FlowHeader, elems []SinbaRecord) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	e := xml.NewEncoder(&buf)
	e.Indent("", "  ")
	name := func(n string) xml.Name { return xml.Name{Local: n} }
	start := func(n string, attrs ...xml.Attr) error {
		return e.EncodeToken(xml.StartElement{Name: name(n), Attr: attrs})
	}
	end := func(n string) error { return e.EncodeToken(xml.EndElement{Name: name(n)}) }
	text := func(n, v string) error {
		if err := start(n); err != nil {
			return err
		}
		if err := e.EncodeToken(xml.CharData(v)); err != nil {
			return err
		}
		return end(n)
	}
	list := func(parent, child string, codes []string) error {
		if err := start(parent); err != nil {
			return err
		}
		for _, c := range codes {
			if err := text(child, c); err != nil {
				return err
			}
		}
		return end(parent)
	}
	ente := []xml.Attr{{Name: name("Codice"), Value: h.CodiceEnte}}
	if h.Denominazione != "" {
		ente = append(ente, xml.Attr{Name: name("Denominazione"), Value: h.Denominazione})
	}
	ente = append(ente, xml.Attr{Name: name("Indirizzo"), Value: h.Belfiore},
		xml.Attr{Name: name("CFOperatore"), Value: h.CFOperatore})
	steps := []func() error{
		func() error { return start("Flusso", xml.Attr{Name: name("xmlns"), Value: SINBANamespace}) },
		func() error {
			return start("IdentificazioneFlusso", xml.Attr{Name: name("Nome"), Value: FlowName(h.CodiceEnte, h.Date, h.Seq)})
		},
		func() error { return start("Ente", ente...) },
		func() error { return end("Ente") },
		func() error { return end("IdentificazioneFlusso") },
	}
	for _, s := range elems {
		s := s
		steps = append(steps, func() error {
			if err := start("SINBA", s.Attrs...); err != nil {
				return err
			}
			if err := list("Prestazioni", "CodicePrestazione", s.Prestazioni); err != nil {
				return err
			}
			if err := list("Famiglia", "ComposizioneFamiglia", s.Famiglia); err != nil {
				return err
			}
			return end("SINBA")
		})
	}
	steps = append(steps, func() error { return end("Flusso") }, e.Flush)
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}
