package printout

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"sinba/survey"
)

// Record writes the PDF of a filled-in record: the instrument's title and
// version, the municipality, the status and dates, then section by section
// every question that applies with its answer (an answer left to a question
// that no longer applies is not part of the record, as in the exports), the
// "not held" mark with its reason, and the field's note. The child's identification is printed only
// with Options.WithIdentity.
func Record(w io.Writer, in *survey.Instrument, rec survey.Record, info Info, o Options) error {
	p, err := newPage(o, in, in.Title.In(o.Lang))
	if err != nil {
		return err
	}
	p.title(fmt.Sprintf("%s · %s %d", p.t(in.Title), p.t(survey.Text{IT: "versione", EN: "version"}), in.Version))
	p.field(p.t(survey.Text{IT: "Comune", EN: "Municipality"}), municipality(in, rec.Municipality))
	p.field(p.t(survey.Text{IT: "Scheda", EN: "Record"}), rec.ID)
	if info.Status != "" {
		p.field(p.t(survey.Text{IT: "Stato", EN: "Status"}), p.t(info.Status.Label()))
	}
	if !info.Created.IsZero() {
		p.field(p.t(survey.Text{IT: "Creata", EN: "Created"}), stamp(info.Created))
	}
	if !info.Updated.IsZero() {
		p.field(p.t(survey.Text{IT: "Ultima modifica", EN: "Last changed"}), stamp(info.Updated))
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	p.field(p.t(survey.Text{IT: "Stampata", EN: "Printed"}), stamp(now))
	if in.ID == survey.InstrumentCase {
		p.identity(rec, o.WithIdentity)
	}

	ref := survey.RecordRefDate(in, &rec, now)
	relevant := survey.Relevance(in, &rec, ref)
	for _, s := range in.Sections {
		var shown []*survey.Question
		for _, q := range s.Questions {
			if relevant[q.ID] {
				shown = append(shown, q)
			}
		}
		if len(shown) == 0 {
			continue
		}
		p.section(p.t(s.Title))
		for _, q := range shown {
			p.answer(in, &rec, q, rec.Answers[q.ID], q.ID, -1)
		}
	}
	return p.output(w)
}

func (p *page) identity(rec survey.Record, with bool) {
	p.pdf.Ln(2)
	pseudo, _ := rec.Answers["IDBeneficiario"].(string)
	if pseudo != "" {
		p.field(p.t(survey.Text{IT: "Pseudonimo (IDBeneficiario)", EN: "Pseudonym (IDBeneficiario)"}), pseudo)
	}
	if !with {
		p.small(p.t(survey.Text{
			IT: "Identificazione del minore omessa: questa stampa riporta solo lo pseudonimo. Nome, cognome e codice fiscale si stampano solo su richiesta esplicita (scheda di un minore: dato riservato).",
			EN: "The child's identification is left out: this printout shows the pseudonym only. Name, surname and codice fiscale are printed only when explicitly asked for (a record about a minor: confidential).",
		}))
		return
	}
	id := rec.Identity
	if id.Empty() {
		p.small(p.t(survey.Text{IT: "La scheda non contiene l'identificazione del minore.", EN: "The record holds no identification of the child."}))
		return
	}
	p.small(p.t(survey.Text{
		IT: "RISERVATO: questa stampa contiene l'identificazione di un minore. Conservarla sotto chiave e distruggerla quando non serve più.",
		EN: "CONFIDENTIAL: this printout identifies a minor. Keep it locked away and destroy it when no longer needed.",
	}))
	for _, f := range []struct {
		name survey.Text
		v    string
	}{
		{survey.Text{IT: "Cognome", EN: "Surname"}, id.Surname},
		{survey.Text{IT: "Nome", EN: "Name"}, id.Name},
		{survey.Text{IT: "Sesso", EN: "Sex"}, id.Sex},
		{survey.Text{IT: "Data di nascita", EN: "Date of birth"}, date(id.BirthDate)},
		{survey.Text{IT: "Luogo di nascita", EN: "Place of birth"}, id.BirthPlace},
		{survey.Text{IT: "Codice fiscale", EN: "Codice fiscale"}, id.FiscalCode},
	} {
		if f.v != "" {
			p.field(p.t(f.name), f.v)
		}
	}
}

// answer writes one question with its answer; path is the key of its meta
// (Group[n].Item inside a group item), item the item's index or -1.
func (p *page) answer(in *survey.Instrument, rec *survey.Record, q *survey.Question, v any, path string, item int) {
	p.label(p.t(q.Label))
	m := rec.Meta[path]
	p.indent(4, func() {
		switch {
		case m.NotHeld:
			p.text(p.t(survey.Text{IT: "L'ufficio non dispone del dato", EN: "The office does not hold this datum"}) +
				" · " + p.t(survey.Text{IT: "motivo: ", EN: "reason: "}) + p.t(m.Reason.Label()))
		case q.Type == survey.TypeGroup:
			items, _ := v.([]any)
			if len(items) == 0 {
				p.text("—")
			}
			for i, it := range items {
				im, _ := it.(map[string]any)
				p.pdf.Ln(1)
				p.label(p.t(survey.Text{IT: fmt.Sprintf("Elemento %d di %d", i+1, len(items)), EN: fmt.Sprintf("Item %d of %d", i+1, len(items))}))
				p.indent(4, func() {
					for _, iq := range q.Items {
						iv := im[iq.ID]
						ipath := fmt.Sprintf("%s[%d].%s", q.ID, i+1, iq.ID)
						if !survey.VisibleInItem(in, rec, q.ID, i, iq.ID) {
							continue
						}
						p.answer(in, rec, iq, iv, ipath, i)
					}
				})
			}
		case q.Type == survey.TypeMulti:
			vs, _ := v.([]any)
			if len(vs) == 0 {
				p.text("—")
			}
			for _, c := range vs {
				s, _ := c.(string)
				p.text("• " + p.value(in, q, s))
			}
		default:
			p.text(p.value(in, q, v))
		}
		if m.Note != "" {
			p.small(p.t(survey.Text{IT: "Nota: ", EN: "Note: "}) + m.Note)
		}
	})
	p.pdf.Ln(1)
}

// value is an answer as a person reads it: "code · label" for a coded
// answer, Sì/No, a date as dd/mm/yyyy, a dash when there is none.
func (p *page) value(in *survey.Instrument, q *survey.Question, v any) string {
	if !survey.Answered(v) {
		return "—"
	}
	switch q.Type {
	case survey.TypeSingle, survey.TypeMulti:
		s := fmt.Sprint(v)
		if cl := in.Codelist(q); cl != nil {
			if c, ok := cl.Get(s); ok {
				return codeLabel(c, p.lang)
			}
		}
		return s
	case survey.TypeLookup:
		s := fmt.Sprint(v)
		if l := in.LookupList(q); l != nil {
			if e, ok := l.Get(s); ok {
				return s + " · " + e.Label.In(p.lang)
			}
		}
		return s
	case survey.TypeYesNo:
		if b, ok := v.(bool); ok {
			return p.t(yesNo(b))
		}
	case survey.TypeDate:
		return date(fmt.Sprint(v))
	case survey.TypeInteger, survey.TypeDecimal:
		var s string
		switch n := v.(type) {
		case float64:
			s = strconv.FormatFloat(n, 'f', -1, 64)
		case json.Number:
			s = n.String()
		default:
			s = fmt.Sprint(v)
		}
		if p.lang == "it" {
			s = strings.Replace(s, ".", ",", 1)
		}
		return s
	}
	return fmt.Sprint(v)
}

// date turns YYYY-MM-DD into dd/mm/yyyy, and leaves anything else as it is.
func date(s string) string {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Format("02/01/2006")
	}
	return s
}

func stamp(t time.Time) string { return t.Local().Format("02/01/2006 15:04") }
