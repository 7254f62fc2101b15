package synth

import (
	"fmt"
	"math"

	"sinba/survey"
)

// sinbaFields are the case-record fields of the Scheda Comune grid
// "Rileva<Field>": does the office record this field.
var sinbaFields = []string{"IDBeneficiario", "AnnoNascita", "FasciaEtaBeneficiario", "CodiceNazioneResidenza",
	"CodiceRegioneResidenza", "MinoreStranieroNoAcc", "CondizioneMinore", "LuogoVita", "ScuolaFrequentata",
	"CondizioneLavoro", "Disabilita", "TipoDisabilita", "InvCivCertificazioni", "ComposizioneFamiglia",
	"CodiceCittadinanzaMadre", "CodiceCittadinanzaPadre", "CodiceRegioneResidenzaMadre", "CodiceRegioneResidenzaPadre",
	"TitoloStudioMadre", "TitoloStudioPadre", "OccupazioneMadre", "OccupazionePadre", "NumeroComponentiISEE",
	"FasciaISEEBeneficiario", "DataPrimaSegnalazione", "FonteSegnalazione", "ValutazioneMinore",
	"ValutazioneFamigliaMinore", "SegnalazioneAutoritaGiudiziaria", "DataSegnalazione", "ProvvedimentoGiudiziario",
	"DataProvvedimentoGiudiziario", "AutoritaProvvedimento", "PotestaTutela", "TipoProvvedimentoGiudiziario",
	"CodicePrestazione", "CollaborazioniInterventi", "FormaInterventoAffido", "TipoInterventoAffido", "DurataAffido",
	"CarattereAffido", "EsitoAffido", "CarattereInserimentoResidenziale", "FormaInserimentoResidenziale",
	"TipoInserimentoResidenziale", "EsitoInserimentoStruttura", "MotivazioneChiusuraCarico", "SituazioneChiusuraCarico"}

// services of the questionnaire, with the share of municipalities offering
// each (an assumption).
var services = []struct {
	id    string
	share float64
}{
	{"SegretariatoSociale", 0.98}, {"ServizioSocialeProfessionale", 0.99}, {"SostegnoSocioEducativoDomiciliare", 0.8},
	{"SostegnoSocioEducativoTerritoriale", 0.6}, {"AffidamentoFamiliare", 0.85}, {"ComunitaResidenziali", 0.7},
	{"CentriDiurni", 0.5}, {"AsiliNido", 0.75}, {"ContributiEconomici", 0.9}, {"MediazioneFamiliare", 0.45},
	{"IncontriProtetti", 0.55}, {"Adozione", 0.3},
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
	for _, s := range services {
		offer := g.chance(s.share)
		if s.id == "AffidamentoFamiliare" && foster > 0 {
			offer = true
		}
		if s.id == "ComunitaResidenziali" && residential > 0 {
			offer = true
		}
		a["Offre"+s.id] = offer
		if offer {
			n := g.r.IntN(inCharge + 1)
			switch s.id {
			case "AffidamentoFamiliare":
				n = foster
			case "ComunitaResidenziali":
				n = residential
			}
			a["Minori"+s.id] = n
		}
	}
	card := weighted{{"1", 45}, {"2", 20}, {"3", 35}}.pick(g.r)
	a["CartellaSociale"] = card
	if card != "2" {
		a["Software"] = g.oneOf([]string{"Cartella sociale informatizzata regionale", "Gestionale dei servizi sociali dell'Ambito",
			"Software del fornitore, versione web"})
	}
	if g.chance(0.15) {
		a["ScambiDati"] = []any{"7"}
	} else {
		var ex []any
		for _, c := range []string{"1", "2", "3", "4", "5", "6"} {
			if g.chance(0.4) {
				ex = append(ex, c)
			}
		}
		if len(ex) > 0 {
			a["ScambiDati"] = ex
		}
	}
	relevance := make([]map[string]bool, len(cases))
	for i, c := range cases {
		relevance[i] = survey.Relevance(g.caseIn, c, g.o.RefDate)
	}
	for _, f := range sinbaFields {
		a["Rileva"+f] = recorded(f, cases, relevance)
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

// recorded is the grid answer for field f, as the municipality's records
// bear it out: of the records the field applies to, the share answered (not
// marked "not held", not left empty) is at least 90% for "1" always, at most
// 10% for "3" never, "2" sometimes in between; "1" when no record applies.
func recorded(f string, cases []*survey.Record, relevance []map[string]bool) string {
	var applicable, answered int
	for i, c := range cases {
		if !relevance[i][f] {
			continue
		}
		applicable++
		if v, ok := c.Answers[f]; ok && v != nil && !c.Meta[f].NotHeld {
			answered++
		}
	}
	switch {
	case applicable == 0 || answered*10 >= applicable*9:
		return "1"
	case answered*10 <= applicable:
		return "3"
	}
	return "2"
}
