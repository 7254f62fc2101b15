package synth

import (
	"fmt"
	"math"
	"strings"

	"sinba/survey"
)

// services of the questionnaire, with the share of municipalities offering
// each (an assumption).
var services = []struct {
	id    string
	share float64
}{
	{"SegretariatoSociale", 0.98}, {"ServizioSocialeProfessionale", 0.99}, {"SostegnoSocioEducativoDomiciliare", 0.8},
	{"SostegnoSocioEducativoTerritoriale", 0.6}, {"SostegnoEducativoScolastico", 0.6}, {"CentriPerLeFamiglie", 0.45},
	{"ProntoInterventoSociale", 0.35}, {"CentriDiurni", 0.5}, {"CentriAggregazioneGiovanile", 0.5},
	{"AffidamentoFamiliare", 0.85}, {"ComunitaResidenziali", 0.7}, {"AccoglienzaMSNA", 0.3}, {"AsiliNido", 0.75},
	{"ContributiEconomici", 0.9}, {"MediazioneFamiliare", 0.45}, {"IncontriProtetti", 0.55}, {"Adozione", 0.3},
}

// questionnaire is the Scheda Comune of municipality istat, coherent with
// the case records generated for it: the children in charge are those
// records, and the grid says a field is recorded always, sometimes or never
// as the records hold it.
func (g *gen) questionnaire(istat string, cases []*survey.Record) survey.Record {
	m, _ := g.ref.Municipality(istat)
	ref := g.o.RefDate
	a := survey.Answers{}
	rec := survey.Record{ID: g.uuid(), Instrument: g.comIn.ID, Version: g.comIn.Version, Municipality: istat,
		Answers: a, Meta: map[string]survey.FieldMeta{}}
	a["Comune"] = istat
	a["Regione"] = m.Region
	a["AmbitoTerritoriale"] = fmt.Sprintf("Ambito territoriale %s %d", m.Plate, 1+g.r.IntN(9))
	a["DataRilevazione"] = g.between(ref.AddDate(0, 0, -60), ref).Format("2006-01-02")
	prev := ref.Year() - 1
	a["PeriodoInizio"] = fmt.Sprintf("%d-01-01", prev)
	a["PeriodoFine"] = fmt.Sprintf("%d-12-31", prev)
	var resp []any
	for i, n := 0, 1+g.r.IntN(3); i < n; i++ {
		it := map[string]any{"Ruolo": weighted{{"1", 30}, {"2", 45}, {"3", 5}, {"4", 5}, {"5", 5}, {"6", 8}, {"7", 2}}.pick(g.r)}
		if g.chance(0.5) {
			it["Servizio"] = "Servizio sociale professionale, area minori e famiglie"
		}
		resp = append(resp, it)
	}
	a["Rispondenti"] = resp

	var inCharge, foster, residential, orders int
	for _, c := range cases {
		inCharge++
		switch c.Answers["LuogoVita"] {
		case "3":
			foster++
		case "4", "5":
			residential++
		}
		if c.Answers["ProvvedimentoGiudiziario"] == "1" {
			orders++
		}
	}
	// Resident minors and households are not in any source the generator
	// has: children in charge are taken as 2.5% to 7% of resident minors,
	// with 2.5 to 4 households per resident minor (assumptions).
	residents := max(inCharge, int(float64(max(inCharge, 1))/(0.025+0.045*g.r.Float64())))
	a["MinoriResidenti"] = residents
	a["FamiglieResidenti"] = int(float64(residents) * (2.5 + 1.5*g.r.Float64()))
	a["FormaGestione"] = weighted{{"1", 40}, {"2", 40}, {"3", 8}, {"4", 8}, {"5", 4}}.pick(g.r)
	halves := func(x float64) float64 { return math.Round(x*2) / 2 }
	a["PersonaleAssistentiSociali"] = math.Max(0.5, halves(float64(inCharge)/(40+40*g.r.Float64())))
	a["PersonaleEducatori"] = halves(float64(inCharge) / (30 + 50*g.r.Float64()))
	a["PersonalePsicologi"] = halves(float64(inCharge) / (150 + 150*g.r.Float64()))
	if g.chance(0.5) {
		a["PersonaleAltro"] = halves(2 * g.r.Float64())
	}
	unaccompanied := 0
	for _, c := range cases {
		if c.Answers["MinoreStranieroNoAcc"] == "1" {
			unaccompanied++
		}
	}
	for _, s := range services {
		offer := g.chance(s.share)
		n := -1 // children reached: drawn below
		switch s.id {
		case "AffidamentoFamiliare":
			offer, n = offer || foster > 0, foster
		case "ComunitaResidenziali":
			offer, n = offer || residential > 0, residential
		case "AccoglienzaMSNA":
			offer, n = offer || unaccompanied > 0, unaccompanied
		}
		if !offer {
			a["Servizio"+s.id] = "1"
			continue
		}
		// Run directly, through others (the third sector), or both.
		a["Servizio"+s.id] = weighted{{"2", 50}, {"3", 25}, {"4", 25}}.pick(g.r)
		if n < 0 {
			n = g.r.IntN(inCharge + 1)
		}
		a["Minori"+s.id] = n
	}
	card := weighted{{"1", 45}, {"2", 20}, {"3", 35}}.pick(g.r)
	a["CartellaSociale"] = card
	if card != "2" {
		a["Software"] = g.oneOf([]string{"Cartella sociale informatizzata regionale", "Gestionale dei servizi sociali dell'Ambito",
			"Software del fornitore, versione web"})
		owner := weighted{{"1", 30}, {"2", 30}, {"3", 35}, {"4", 3}, {"5", 2}}.pick(g.r)
		a["TitolareSoftware"] = owner
		if owner == "5" {
			a["TitolareSoftwareAltro"] = "Software in riuso da un altro Comune"
		}
	}
	a["ChiaveCodiceFiscale"] = weighted{{"1", 40}, {"2", 45}, {"3", 10}, {"4", 5}}.pick(g.r)
	a["DateInterventi"] = weighted{{"1", 50}, {"2", 30}, {"3", 20}}.pick(g.r)
	inps := weighted{{"1", 45}, {"2", 20}, {"3", 20}, {"4", 12}, {"5", 3}}.pick(g.r)
	a["InvioINPS"] = inps
	if inps == "1" || inps == "2" || inps == "3" {
		a["InvioSINBA"] = g.chance(0.3)
	}
	if g.chance(0.15) {
		a["ScambiDati"] = []any{"7"}
	} else {
		var ex []any
		for _, c := range []string{"1", "2", "3", "4", "5", "6", "8", "9", "10", "11", "12"} {
			if g.chance(0.4) {
				ex = append(ex, c)
			}
		}
		if len(ex) > 0 {
			a["ScambiDati"] = ex
			a["ScambiModalita"] = weighted{{"1", 15}, {"2", 35}, {"3", 15}, {"4", 35}}.pick(g.r)
			if ex[len(ex)-1] == "12" {
				a["ScambiDatiAltro"] = "Consultorio familiare"
			}
		}
	}
	third := weighted{{"1", 15}, {"2", 35}, {"3", 35}, {"4", 10}, {"5", 5}}.pick(g.r)
	a["PrivatoSociale"] = third
	if third == "1" || third == "2" || third == "3" {
		var what []any
		for _, c := range []string{"1", "2", "3", "4", "5"} {
			if g.chance(0.5) {
				what = append(what, c)
			}
		}
		if len(what) == 0 {
			what = []any{"3"}
		}
		a["PrivatoSocialeDati"] = what
	}
	relevance := make([]map[string]bool, len(cases))
	for i, c := range cases {
		relevance[i] = survey.Relevance(g.caseIn, c, g.o.RefDate)
	}
	// A municipality offering neither foster care nor residential care, with
	// no such case, does not deal with their details.
	noPlacements := a["ServizioAffidamentoFamiliare"] == "1" && a["ServizioComunitaResidenziali"] == "1"
	for _, q := range g.comIn.Questions() {
		f, grid := survey.GridField(q)
		if !grid {
			continue
		}
		r := recorded(f, cases, relevance)
		if noPlacements && (strings.Contains(f, "Affido") || strings.Contains(f, "Inserimento")) {
			r = survey.RecordsNotApplicable
		}
		// On paper only where the case file is on paper, or partly.
		paper := card == "2" || card == "3" && g.chance(0.3)
		a[q.ID] = survey.GridCode(q, r, paper)
	}
	a["MinoriInCarico"] = inCharge
	a["MinoriFuoriFamiglia"] = foster + residential
	a["MinoriInAffido"] = foster
	a["MinoriInStruttura"] = residential
	a["MinoriConProvvedimento"] = orders
	if g.chance(0.4) {
		a["Criticita"] = g.oneOf([]string{
			"L'ISEE non è disponibile all'ufficio: va chiesto all'INPS caso per caso.",
			"La cartella sociale non distingue la segnalazione all'autorità giudiziaria dal provvedimento.",
			"I dati dei padri non conviventi mancano quasi sempre.",
			"Le prestazioni non sono registrate con i codici del Casellario dell'assistenza.",
		})
	}
	return rec
}

// recorded is the grid answer for datum f, as the municipality's records
// bear it out: of the records its evidence (survey.GridEvidence) applies to,
// the share answered (not marked "not held", not left empty) is at least 90%
// for always, at most 10% for never, sometimes in between; always when no
// record applies. The codice fiscale is borne out by the identification the
// records carry.
func recorded(f string, cases []*survey.Record, relevance []map[string]bool) survey.Recording {
	var applicable, answered int
	ev := survey.GridEvidence(f)
	for i, c := range cases {
		if ev == "" {
			applicable++
			if c.Identity != nil && c.Identity.FiscalCode != "" {
				answered++
			}
			continue
		}
		if !relevance[i][ev] {
			continue
		}
		applicable++
		if v, ok := c.Answers[ev]; ok && v != nil && !c.Meta[ev].NotHeld {
			answered++
		}
	}
	switch {
	case applicable == 0 || answered*10 >= applicable*9:
		return survey.RecordsAlways
	case answered*10 <= applicable:
		return survey.RecordsNever
	}
	return survey.RecordsSometimes
}
