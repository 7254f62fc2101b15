package printout

import (
	"fmt"
	"io"

	"sinba/survey"
)

// blankItems is how many empty items a repeat group gets on paper, unless
// the group asks for more (MinItems) or allows fewer (MaxItems).
const blankItems = 2

// Blank writes the PDF of an empty instrument to fill in on paper: every
// question with its label and help, its codes as boxes to tick, space to
// write, when it applies ("Rispondere se ...", where the skip logic can be
// said plainly), repeat groups with a few empty items, and a box for "the
// office does not hold this datum" with its reason.
func Blank(w io.Writer, in *survey.Instrument, o Options) error {
	p, err := newPage(o, in, in.Title.In(o.Lang))
	if err != nil {
		return err
	}
	p.title(fmt.Sprintf("%s · %s %d", p.t(in.Title), p.t(survey.Text{IT: "versione", EN: "version"}), in.Version))
	if d := p.t(in.Description); d != "" {
		p.small(d)
	}
	p.pdf.Ln(2)
	p.field(p.t(survey.Text{IT: "Comune", EN: "Municipality"}), "______________________________")
	p.field(p.t(survey.Text{IT: "Compilata da", EN: "Filled in by"}), "______________________________")
	p.field(p.t(survey.Text{IT: "Data", EN: "Date"}), "____ / ____ / ________")
	p.pdf.Ln(2)
	p.small(p.t(survey.Text{
		IT: "Per ogni domanda: se l'ufficio non dispone del dato, barrare la casella e indicare il motivo:",
		EN: "For every question: when the office does not hold the datum, tick the box and give the reason:",
	}))
	for _, r := range survey.NotHeldReasons[1:] {
		p.small("   – " + p.t(r.Label()))
	}
	for _, s := range in.Sections {
		p.section(p.t(s.Title))
		if h := p.t(Hint(in, s.Relevant)); h != "" {
			p.small("→ " + h)
		}
		for _, q := range s.Questions {
			p.blankQuestion(in, q)
		}
	}
	return p.output(w)
}

func (p *page) blankQuestion(in *survey.Instrument, q *survey.Question) {
	label := p.t(q.Label)
	if q.Required {
		label += " *"
	}
	p.label(label)
	p.indent(4, func() {
		if h := p.t(Hint(in, q.Relevant)); h != "" {
			p.small("→ " + h)
		}
		if h := p.t(q.Help); h != "" {
			p.small(h)
		}
		switch q.Type {
		case survey.TypeSingle, survey.TypeMulti:
			if q.Type == survey.TypeMulti {
				p.small(p.t(survey.Text{IT: "Sono possibili più risposte.", EN: "More than one answer is possible."}))
			} else {
				p.small(p.t(survey.Text{IT: "Una sola risposta.", EN: "One answer only."}))
			}
			if cl := in.Codelist(q); cl != nil {
				for _, c := range cl.Codes {
					p.box(codeLabel(c, p.lang))
				}
				if cl.Open {
					p.box(p.t(survey.Text{IT: "Altro codice: ____________", EN: "Other code: ____________"}))
				}
			}
		case survey.TypeYesNo:
			p.box(p.t(yesNo(true)))
			p.box(p.t(yesNo(false)))
		case survey.TypeDate:
			p.text("____ / ____ / ________   " + p.t(survey.Text{IT: "(gg/mm/aaaa)", EN: "(dd/mm/yyyy)"}))
		case survey.TypeMonthYear:
			p.text("____ / ________   " + p.t(survey.Text{IT: "(mm/aaaa)", EN: "(mm/yyyy)"}))
		case survey.TypeInteger, survey.TypeDecimal:
			s := "________________"
			if q.Min != nil && q.Max != nil {
				s += fmt.Sprintf("   (%g–%g)", *q.Min, *q.Max)
			}
			p.text(s)
		case survey.TypeLookup:
			p.text("______________________________________")
			p.small(p.t(survey.Text{IT: "Nome o codice (elenco: ", EN: "Name or code (list: "}) + q.Lookup + ")")
		case survey.TypeGroup:
			n := max(blankItems, q.MinItems)
			if q.MaxItems > 0 {
				n = min(n, q.MaxItems)
			}
			for i := range n {
				p.pdf.Ln(1)
				p.label(p.t(survey.Text{IT: fmt.Sprintf("Elemento %d", i+1), EN: fmt.Sprintf("Item %d", i+1)}))
				p.indent(4, func() {
					for _, iq := range q.Items {
						p.blankQuestion(in, iq)
					}
				})
			}
			if q.MaxItems == 0 || q.MaxItems > n {
				p.small(p.t(survey.Text{IT: "Per altri elementi, usare un foglio a parte.", EN: "For more items, use a separate sheet."}))
			}
			p.pdf.Ln(1)
			return
		default:
			p.text("______________________________________________________________")
		}
		p.box(p.t(survey.Text{IT: "L'ufficio non dispone del dato · motivo: ____________________", EN: "The office does not hold this datum · reason: ____________________"}))
	})
	p.pdf.Ln(1.5)
}

// box writes a box to tick followed by s.
func (p *page) box(s string) {
	p.keep(lineH)
	x, y := p.pdf.GetX(), p.pdf.GetY()
	p.pdf.Rect(x, y+(lineH-boxSize)/2, boxSize, boxSize, "D")
	p.pdf.SetX(x + boxSize + 2)
	p.text(s)
}
