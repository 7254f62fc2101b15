package synctest

import (
	"fmt"
	"math/rand/v2"

	"sinba/survey"
)

// RealisticCase is a case record filled in as a pilot researcher would: the
// SINBA data set's attributes with plausible codes, a few notes and
// "datum not held" flags, and the child's identification. seed makes it
// reproducible.
func RealisticCase(municipality string, seed uint64) survey.Record {
	r := rand.New(rand.NewPCG(seed, 7))
	code := func(n int) string { return fmt.Sprint(1 + r.IntN(n)) }
	year := 2006 + r.IntN(12)
	a := survey.Answers{
		"IDBeneficiario":                   fmt.Sprintf("%032x", r.Uint64()),
		"AnnoNascita":                      fmt.Sprint(year),
		"FasciaEtaBeneficiario":            code(4),
		"CodiceNazioneResidenza":           "380",
		"CodiceRegioneResidenza":           "15",
		"MinoreStranieroNoAcc":             code(2),
		"CondizioneMinore":                 code(5),
		"LuogoVita":                        code(6),
		"ScuolaFrequentata":                code(7),
		"CondizioneLavoro":                 code(4),
		"Disabilita":                       "2",
		"ComposizioneFamiglia":             []any{code(9), code(9)},
		"CittadinanzaMadre":                "380",
		"CittadinanzaPadre":                "380",
		"RegioneResidenzaMadre":            "15",
		"RegioneResidenzaPadre":            "15",
		"TitoloStudioMadre":                code(8),
		"TitoloStudioPadre":                code(8),
		"CondizioneOccupazionaleMadre":     code(6),
		"CondizioneOccupazionalePadre":     code(6),
		"NumeroComponentiISEE":             fmt.Sprint(2 + r.IntN(5)),
		"DataPrimaSegnalazione":            fmt.Sprintf("%02d/%d", 1+r.IntN(12), 2019+r.IntN(5)),
		"FonteSegnalazione":                code(10),
		"ValutazioneMinore":                code(5),
		"ValutazioneFamigliaMinore":        code(5),
		"SegnalazioneAutoritaGiudiziaria":  "1",
		"DataSegnalazioneAutorita":         fmt.Sprintf("%02d/%d", 1+r.IntN(12), 2020+r.IntN(4)),
		"ProvvedimentoGiudiziario":         "1",
		"DataProvvedimento":                fmt.Sprintf("%02d/%d", 1+r.IntN(12), 2021+r.IntN(3)),
		"AutoritaProvvedimento":            code(3),
		"PotestaTutela":                    code(4),
		"TipoProvvedimentoGiudiziario":     code(9),
		"CodicePrestazione":                []any{"A1.01", "A2.03", "A1.12"},
		"CollaborazioniInterventi":         []any{code(6), code(6)},
		"FormaInterventoAffido":            code(3),
		"TipoInterventoAffido":             code(4),
		"DurataAffido":                     code(4),
		"CarattereAffido":                  code(2),
		"EsitoAffido":                      code(5),
		"MotivazioneChiusuraCarico":        code(7),
		"SituazioneChiusuraCarico":         code(5),
		"CarattereInserimentoResidenziale": code(2),
		"Interventi": []any{
			map[string]any{"CodicePrestazione": "A1.01", "Inizio": "03/2022", "Fine": "11/2023", "Fornitore": "Cooperativa sociale"},
			map[string]any{"CodicePrestazione": "A2.03", "Inizio": "01/2023", "Fornitore": "Servizio sociale professionale"},
		},
	}
	return survey.Record{
		Instrument: survey.InstrumentCase, Version: 1, Municipality: municipality, Answers: a,
		Meta: map[string]survey.FieldMeta{
			"FasciaISEEBeneficiario": {NotHeld: true, Note: "L'ufficio non riceve l'ISEE dall'INPS"},
			"TitoloStudioPadre":      {Note: "dato riferito dalla madre"},
		},
		Identity: &survey.Identity{Surname: "Esposito", Name: "Giulia", Sex: "F", BirthDate: fmt.Sprintf("%d-04-12", year),
			BirthPlace: "Napoli", FiscalCode: fmt.Sprintf("SPSGLI%02dD52F839X", year%100)},
	}
}
