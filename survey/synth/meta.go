package synth

import (
	"fmt"
	"sort"
	"strings"

	"sinba/survey"
)

// drivers are the fields the "not held" mark is never put on: the skip logic
// or a rule hangs on them, and marking them would change what else applies
// (or, for the pseudonym and the age, what the record is).
var drivers = map[string]bool{
	"IDBeneficiario": true, "AnnoNascita": true, "FasciaEtaBeneficiario": true, "CodiceNazioneResidenza": true,
	"CondizioneMinore": true, "LuogoVita": true, "Disabilita": true, "SegnalazioneAutoritaGiudiziaria": true,
	"ProvvedimentoGiudiziario": true, "CodicePrestazione": true, "DettaglioInterventi": true,
	"MotivazioneChiusuraCarico": true,
}

// checkNotHeld refuses rates for fields the case record does not have or
// that drive its skip logic.
func checkNotHeld(in *survey.Instrument, rates map[string]float64) error {
	for f, r := range rates {
		if _, ok := in.Question(f); !ok {
			return fmt.Errorf("synth: not-held rate for %q: no such question in %s", f, in.ID)
		}
		if drivers[f] {
			return fmt.Errorf("synth: not-held rate for %q: the skip logic depends on it", f)
		}
		if r < 0 || r > 1 {
			return fmt.Errorf("synth: not-held rate for %q is %g: want [0, 1]", f, r)
		}
	}
	return nil
}

// parentFields are unknown to the office for an unaccompanied minor.
var parentFields = []string{"CodiceCittadinanzaMadre", "CodiceRegioneResidenzaMadre", "TitoloStudioMadre", "OccupazioneMadre",
	"CodiceCittadinanzaPadre", "CodiceRegioneResidenzaPadre", "TitoloStudioPadre", "OccupazionePadre"}

// notHeld replaces answers by the mark "the office does not hold this
// datum", with its reason and a note saying why, at the rates of
// Options.NotHeld.
func (g *gen) notHeld(rec *survey.Record, c child) {
	mark := func(f string, reason survey.NotHeldReason, note string) {
		delete(rec.Answers, f)
		rec.Meta[f] = survey.FieldMeta{NotHeld: true, Reason: reason, Note: note}
	}
	if c.place == unaccompanied {
		for _, f := range parentFields {
			if _, ok := rec.Answers[f]; ok {
				mark(f, survey.ReasonNotApplicable, "Minore straniero non accompagnato: i dati dei genitori non sono noti")
			}
		}
	}
	fields := make([]string, 0, len(g.o.NotHeld))
	for f := range g.o.NotHeld {
		fields = append(fields, f)
	}
	sort.Strings(fields) // map order must not reach the random stream
	for _, f := range fields {
		if _, ok := rec.Answers[f]; ok && g.chance(g.o.NotHeld[f]) {
			reason, note := notHeldWhy(f)
			mark(f, reason, note)
		}
	}
}

// notHeldWhy is the reason and the note of a datum not held, by field: a
// fixed choice, so that the reasons take nothing from the random stream.
// The fields with no rule here carry no reason, as marks made before reasons
// existed.
func notHeldWhy(f string) (survey.NotHeldReason, string) {
	switch {
	case strings.Contains(f, "ISEE"):
		return survey.ReasonOtherBody, "L'ufficio non riceve l'attestazione ISEE dall'INPS"
	case strings.HasSuffix(f, "Padre"):
		return survey.ReasonOther, "Padre non presente: dato non noto all'ufficio"
	case strings.HasSuffix(f, "Madre"):
		return survey.ReasonNotCollected, "Dato non raccolto al momento della presa in carico"
	case f == "InvCivCertificazioni":
		return survey.ReasonOtherBody, "Certificazione in possesso dell'azienda sanitaria, non del Comune"
	case f == "CollaborazioniInterventi":
		return survey.ReasonNotCollected, "La cartella non registra i servizi coinvolti"
	case f == "DataPrimaSegnalazione":
		return survey.ReasonPaperOnly, "Fascicolo cartaceo precedente non reperibile"
	}
	return survey.ReasonNotGiven, "Dato non presente nella cartella sociale"
}

var freeNotes = []string{
	"Dato riferito dalla famiglia, non documentato",
	"Da verificare con il servizio sanitario",
	"Informazione ricavata dal fascicolo cartaceo",
	"Nessun codice descrive bene la situazione: scelto il più vicino",
	"Aggiornato all'ultimo colloquio",
	"Situazione in evoluzione, da rivedere alla prossima visita",
}

// note puts a free note on one answered field, at Options.NoteRate.
func (g *gen) note(rec *survey.Record) {
	if !g.chance(g.o.NoteRate) {
		return
	}
	fields := make([]string, 0, len(rec.Answers))
	for f := range rec.Answers {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	f := fields[g.r.IntN(len(fields))]
	m := rec.Meta[f]
	m.Note = g.oneOf(freeNotes)
	rec.Meta[f] = m
}
