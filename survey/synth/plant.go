package synth

import (
	"fmt"

	"sinba/survey"
)

// PlantKinds are the errors Generate plants, one per chosen record; each
// makes survey.ValidateAt report at least one error-level issue.
var PlantKinds = []string{
	"fascia_eta",          // FasciaEtaBeneficiario disagrees with AnnoNascita (eta.fascia_coerente)
	"obbligatoria",        // FonteSegnalazione left empty (required)
	"codice",              // ValutazioneFamigliaMinore "99", not in the list (code)
	"prima_della_nascita", // DataPrimaSegnalazione before the year of birth
	"data_futura",         // DataPrimaSegnalazione after the reference date (not_future)
	"disabilita",          // Disabilita = 1 without TipoDisabilita (required_if)
	"codice_fiscale",      // wrong check character of the codice fiscale
	"nessuna_prestazione", // no benefit code at all (prestazioni.almeno_una)
	"fuori_intervallo",    // NumeroComponentiISEE 12, above 9 (range)
}

// plant puts one error in rec and returns its kind.
func (g *gen) plant(rec *survey.Record) string {
	kind := PlantKinds[g.r.IntN(len(PlantKinds))]
	if kind == "codice_fiscale" && rec.Identity.FiscalCode == "" {
		kind = "codice" // an unaccompanied minor with no code: plant another
	}
	a := rec.Answers
	set := func(f string, v any) {
		delete(rec.Meta, f)
		a[f] = v
	}
	year := a["AnnoNascita"].(int)
	switch kind {
	case "fascia_eta":
		if a["FasciaEtaBeneficiario"].(string) <= "3" {
			set("FasciaEtaBeneficiario", "6")
		} else {
			set("FasciaEtaBeneficiario", "1")
		}
	case "obbligatoria":
		delete(a, "FonteSegnalazione")
		delete(rec.Meta, "FonteSegnalazione")
	case "codice":
		set("ValutazioneFamigliaMinore", "99")
	case "prima_della_nascita":
		set("DataPrimaSegnalazione", fmt.Sprintf("06/%d", year-1))
	case "data_futura":
		set("DataPrimaSegnalazione", monthYear(g.o.RefDate.AddDate(0, 2, 0)))
	case "disabilita":
		set("Disabilita", "1")
		delete(a, "TipoDisabilita")
		delete(rec.Meta, "TipoDisabilita")
		set("InvCivCertificazioni", "4")
	case "codice_fiscale":
		cf := []byte(rec.Identity.FiscalCode)
		cf[15] = 'A' + (cf[15]-'A'+1)%26
		rec.Identity.FiscalCode = string(cf)
	case "nessuna_prestazione":
		for _, f := range []string{"CodicePrestazione", "DettaglioInterventi"} {
			delete(a, f)
			delete(rec.Meta, f)
		}
	case "fuori_intervallo":
		set("NumeroComponentiISEE", 12)
	}
	return kind
}
