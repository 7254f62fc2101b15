package export

import (
	"errors"
	"io"
	"sort"
	"time"

	"sinba/survey"
)

// Ente is the body that sends a SINBA flow: for the pilot, the municipality
// that runs the social services (or the Ambito that runs them for several).
type Ente struct {
	Codice        string // Ente/@Codice
	Denominazione string // Ente/@Denominazione
	Belfiore      string // Ente/@Indirizzo: Belfiore code of the body's municipality
	CFOperatore   string // the operator's codice fiscale; empty means SINBAOptions.CFOperatore
}

// SINBAOptions set what a SINBA export needs beyond the records.
type SINBAOptions struct {
	// Date is the sending date: in the flow names, and the reference date
	// of the records' checks. Zero means today.
	Date time.Time
	// CFOperatore is the codice fiscale of the operator who sends the flows.
	CFOperatore string
	// Seq is the day's sequence number of the flows; zero means 1.
	Seq int
	// Enti maps a municipality's ISTAT code to its Ente. A municipality
	// not in the map is its own Ente: Codice its ISTAT code, Denominazione
	// "Comune di" and its name, Belfiore its own. Several municipalities
	// mapped to one Codice share one flow.
	Enti map[string]Ente
}

// DefaultEnte is the Ente of a municipality not in SINBAOptions.Enti.
func DefaultEnte(ref *survey.Reference, istat string) Ente {
	e := Ente{Codice: istat}
	if ref != nil {
		if m, ok := ref.Municipality(istat); ok {
			e.Denominazione = "Comune di " + m.Name
			e.Belfiore = m.Belfiore
		}
	}
	return e
}

// WriteSINBA writes into dir (which must exist) one SINBA flow per Ente,
// named as INPS names flows ({Codice}.SINBA.{yyyyMMdd}.{seq}.xml), with the
// case records of its municipalities: the flows of PlanSINBA. A record with
// an error-level issue (survey.ToSINBA at the flow date) is left out and
// listed in Manifest.Refused with its reasons; so are all the records of an
// Ente whose header is not valid (say, no Belfiore code or operator).
// Records of other instruments are ignored. Identification is stripped
// first.
func WriteSINBA(dir string, reg *survey.Registry, recs []survey.Record, opts SINBAOptions) (Manifest, error) {
	if err := checkDir(dir); err != nil {
		return Manifest{Format: FormatSINBA, Created: time.Now().UTC(), Dir: dir}, err
	}
	p, err := PlanSINBA(reg, recs, opts)
	if err != nil {
		return p.Manifest, err
	}
	return p.Write(dir)
}

// SINBAPlan is a SINBA export made and checked but not yet written: which
// records go into which flow and which are left out, and why. The
// coordinators read it before they choose where the flows go.
type SINBAPlan struct {
	// Manifest is the export's manifest as it will be once written; its
	// Files are named and counted, without size and checksum yet.
	Manifest Manifest
	flows    [][]byte // each file's content, in the order of Manifest.Files
}

// PlanSINBA builds the flows of a SINBA export in memory and lists the
// records left out (see WriteSINBA); nothing is written.
func PlanSINBA(reg *survey.Registry, recs []survey.Record, opts SINBAOptions) (SINBAPlan, error) {
	p := SINBAPlan{Manifest: Manifest{Format: FormatSINBA, Created: time.Now().UTC()}}
	m := &p.Manifest
	latest, ok := reg.Latest(survey.InstrumentCase)
	if !ok {
		return p, survey.NewError("nessuno strumento per le schede minore", "no case record instrument")
	}
	ref := latest.Reference()
	if opts.Date.IsZero() {
		opts.Date = time.Now()
	}
	if opts.Seq == 0 {
		opts.Seq = 1
	}
	type group struct {
		ente    Ente
		recs    []survey.Record
		omitted []Omission // of the group's records, listed once its flow is made
	}
	groups := map[string]*group{}
	versions := map[string]bool{}
	versionOf := map[string]int{} // record id -> its instrument version
	for _, rec := range recs {
		if rec.Instrument == "" {
			rec.Instrument = survey.InstrumentCase
		}
		if rec.Instrument != survey.InstrumentCase {
			continue
		}
		in, err := reg.ForRecord(&rec)
		if err != nil {
			m.Refused = append(m.Refused, Refusal{RecordID: rec.ID, Municipality: rec.Municipality,
				Issues: []survey.Issue{{Rule: "instrument", Severity: survey.SeverityError, MessageIT: survey.ErrorText(err, "it"), MessageEN: survey.ErrorText(err, "en")}}})
			continue
		}
		rec = survey.StripIdentification(in, copyRecord(rec))
		e, ok := opts.Enti[rec.Municipality]
		if !ok {
			e = DefaultEnte(ref, rec.Municipality)
		}
		if e.CFOperatore == "" {
			e.CFOperatore = opts.CFOperatore
		}
		if _, issues := survey.ToSINBA(in, &rec, opts.Date); survey.HasErrors(issues) {
			m.Refused = append(m.Refused, Refusal{RecordID: rec.ID, Municipality: rec.Municipality, Ente: e.Codice, Issues: errorsOnly(issues)})
			continue
		}
		g := groups[e.Codice]
		if g == nil {
			g = &group{ente: e}
			groups[e.Codice] = g
		}
		g.recs = append(g.recs, rec)
		if omitted := survey.OmittedAnswers(in, &rec, opts.Date); len(omitted) > 0 {
			g.omitted = append(g.omitted, Omission{RecordID: rec.ID, Municipality: rec.Municipality, Fields: omitted})
		}
		versions[in.Key()] = true
		versionOf[rec.ID] = in.Version
	}
	counts := map[int]int{} // version -> records in the flows
	codes := make([]string, 0, len(groups))
	for c := range groups {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		g := groups[c]
		h := survey.FlowHeader{CodiceEnte: g.ente.Codice, Denominazione: g.ente.Denominazione, Belfiore: g.ente.Belfiore,
			CFOperatore: g.ente.CFOperatore, Date: opts.Date, Seq: opts.Seq}
		data, err := survey.BuildFlow(reg, h, g.recs)
		var fe *survey.FlowError
		if errors.As(err, &fe) && len(fe.Header) == 0 && len(fe.Records) < len(g.recs) {
			// Records were checked one by one above: what BuildFlow finds
			// across them (a child twice) leaves out those records only.
			out := map[int]bool{}
			for _, ri := range fe.Records {
				out[ri.Index] = true
				rec := g.recs[ri.Index]
				m.Refused = append(m.Refused, Refusal{RecordID: rec.ID, Municipality: rec.Municipality, Ente: c, Issues: ri.Issues})
			}
			var keep []survey.Record
			var omitted []Omission
			for i, rec := range g.recs {
				if !out[i] {
					keep = append(keep, rec)
				}
			}
			for _, o := range g.omitted {
				for _, rec := range keep {
					if rec.ID == o.RecordID {
						omitted = append(omitted, o)
						break
					}
				}
			}
			g.recs, g.omitted = keep, omitted
			data, err = survey.BuildFlow(reg, h, g.recs)
		}
		if err != nil {
			if !errors.As(err, &fe) {
				return p, err
			}
			// What is left is the header (or a record BuildFlow sees
			// otherwise): refuse them all, with every reason.
			perRecord := map[int][]survey.Issue{}
			for _, ri := range fe.Records {
				perRecord[ri.Index] = ri.Issues
			}
			for i, rec := range g.recs {
				issues := append(append([]survey.Issue(nil), fe.Header...), perRecord[i]...)
				m.Refused = append(m.Refused, Refusal{RecordID: rec.ID, Municipality: rec.Municipality, Ente: c, Issues: issues})
			}
			continue
		}
		m.Files = append(m.Files, File{Name: survey.FlowName(h.CodiceEnte, h.Date, h.Seq) + ".xml", Rows: len(g.recs)})
		p.flows = append(p.flows, data)
		m.Records += len(g.recs)
		m.Omitted = append(m.Omitted, g.omitted...)
		for _, rec := range g.recs {
			counts[versionOf[rec.ID]]++
		}
	}
	for v, n := range counts {
		m.Versions = append(m.Versions, VersionCount{Instrument: survey.InstrumentCase, Version: v, Records: n})
	}
	sort.Slice(m.Versions, func(i, j int) bool { return m.Versions[i].Version < m.Versions[j].Version })
	for k := range versions {
		m.Instruments = append(m.Instruments, k)
	}
	sort.Strings(m.Instruments)
	return p, nil
}

// Write writes the plan's flows into dir (which must exist) and returns the
// manifest with each file's size and checksum.
func (p SINBAPlan) Write(dir string) (Manifest, error) {
	m := p.Manifest
	m.Dir = dir
	m.Files = nil
	if err := checkDir(dir); err != nil {
		return m, err
	}
	for i, f := range p.Manifest.Files {
		data := p.flows[i]
		w, err := writeFile(dir, f.Name, f.Rows, func(w io.Writer) error {
			_, err := w.Write(data)
			return err
		})
		if err != nil {
			return m, err
		}
		m.Files = append(m.Files, w)
	}
	return m, nil
}

func errorsOnly(issues []survey.Issue) []survey.Issue {
	var out []survey.Issue
	for _, is := range issues {
		if is.Severity == survey.SeverityError {
			out = append(out, is)
		}
	}
	return out
}
