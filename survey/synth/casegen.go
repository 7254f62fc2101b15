package synth

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"sinba/survey"
)

// Placement of a child, which drives most of the record.
type placement int

const (
	inFamily placement = iota
	inFoster
	inResidential
	unaccompanied // unaccompanied foreign minor, in a residential service
)

// child is who the record is about, before it is written as answers.
type child struct {
	place      placement
	age        int
	sex        string
	birth      time.Time
	origin     *country // nil for Italian children
	bornAbroad bool
	birthplace string // Belfiore code
	surname    string
	name       string
	cf         string
}

func (g *gen) child(m survey.Municipality) (child, error) {
	c := child{place: inFamily}
	switch x := g.r.Float64(); {
	case x < shareUASC:
		c.place = unaccompanied
	case x < shareUASC+shareFoster:
		c.place = inFoster
	case x < shareUASC+shareFoster+shareResidential:
		c.place = inResidential
	}
	ages, male, foreign := otherAges, otherMale, otherForeign
	switch c.place {
	case inResidential:
		ages, male, foreign = residentialAges, residentialMale, residentialForeign
	case unaccompanied:
		ages, male, foreign = uascAges, uascMale, 1
	}
	c.age = pickAge(g.r, ages)
	c.sex = "F"
	if g.chance(male) {
		c.sex = "M"
	}
	if c.place == unaccompanied {
		c.origin = &countries[uascOrigins[g.r.IntN(len(uascOrigins))]]
		c.bornAbroad = true
	} else if g.chance(foreign) {
		c.origin = &countries[g.r.IntN(len(countries))]
		c.bornAbroad = g.chance(foreignBornAbroad)
	}
	// Exactly c.age years old at the reference date.
	ref := g.o.RefDate
	c.birth = g.between(ref.AddDate(-c.age-1, 0, 1), ref.AddDate(-c.age, 0, 0))
	if c.bornAbroad {
		c.birthplace = c.origin.belfiore
	} else {
		c.birthplace = g.italianBirthplace(m, c.birth)
	}
	if c.origin != nil {
		c.surname = g.oneOf(c.origin.surnames)
		c.name = g.oneOf(map[bool][]string{true: c.origin.male, false: c.origin.female}[c.sex == "M"])
	} else {
		c.surname = g.oneOf(italianSurnames)
		c.name = g.oneOf(map[bool][]string{true: italianMale, false: italianFemale}[c.sex == "M"])
	}
	if c.place != unaccompanied || !g.chance(uascWithoutCF) {
		c.cf = fiscalCode(c.surname, c.name, c.sex, c.birth, c.birthplace)
	}
	if _, ok, _ := g.ref.PlaceOn(c.birthplace, c.birth); !ok {
		return c, fmt.Errorf("synth: birthplace %s not valid on %s", c.birthplace, c.birth.Format("2006-01-02"))
	}
	return c, nil
}

// italianBirthplace picks the Belfiore code of a municipality that existed
// on the birth date: the case's own, another of its region, or any.
func (g *gen) italianBirthplace(m survey.Municipality, birth time.Time) string {
	valid := func(code string) bool { _, ok, _ := g.ref.PlaceOn(code, birth); return ok }
	x := g.r.Float64()
	if x < bornHere && valid(m.Belfiore) {
		return m.Belfiore
	}
	region := m.Region
	if x >= bornHere+bornInRegion {
		region = g.regions[g.r.IntN(len(g.regions))]
	}
	ms := g.byRegion[region]
	for try := 0; try < 100; try++ {
		if c := ms[g.r.IntN(len(ms))].Belfiore; valid(c) {
			return c
		}
	}
	for _, c := range ms { // a region where nearly everything was renamed: take the first that fits
		if valid(c.Belfiore) {
			return c.Belfiore
		}
	}
	return m.Belfiore
}

// ageBand is FasciaEtaBeneficiario for an age: code k covers 3(k-1) to 3k-1.
func ageBand(age int) string { return strconv.Itoa(min(age/3+1, 6)) }

// caseRecord makes one case record of municipality istat.
func (g *gen) caseRecord(istat string) (survey.Record, error) {
	m, _ := g.ref.Municipality(istat)
	c, err := g.child(m)
	if err != nil {
		return survey.Record{}, err
	}
	ref := g.o.RefDate
	a := survey.Answers{}
	meta := map[string]survey.FieldMeta{}
	rec := survey.Record{ID: g.uuid(), Instrument: g.caseIn.ID, Version: g.caseIn.Version, Municipality: istat,
		Answers: a, Meta: meta,
		Identity: &survey.Identity{Surname: c.surname, Name: c.name, Sex: c.sex, BirthDate: c.birth.Format("2006-01-02"),
			BirthPlace: c.birthplace, FiscalCode: c.cf}}

	// The record's own reference date (from version 2 of the case record):
	// the survey's, so that the record checks the same in the app and in a
	// flow made later.
	if _, ok := g.caseIn.Question(survey.FieldRefDate); ok {
		a[survey.FieldRefDate] = ref.Format("2006-01-02")
	}

	// Child.
	if c.cf != "" {
		p, err := survey.Pseudonym(c.cf, g.o.Secret)
		if err != nil {
			return rec, err
		}
		a["IDBeneficiario"] = p
	} else {
		a["IDBeneficiario"] = g.pseudonym()
	}
	a["AnnoNascita"] = c.birth.Year()
	a["FasciaEtaBeneficiario"] = ageBand(c.age)
	a["CodiceNazioneResidenza"] = "380"
	a["CodiceRegioneResidenza"] = m.Region
	a["MinoreStranieroNoAcc"] = map[bool]string{true: "1", false: "2"}[c.place == unaccompanied]
	cond := "1"
	if c.place != unaccompanied {
		cond = orphanhood.pick(g.r)
	}
	a["CondizioneMinore"] = cond
	var living string
	switch c.place {
	case inFoster:
		living = "3"
	case inResidential:
		living = livingResidential.pick(g.r)
	case unaccompanied:
		living = "4"
	default:
		living = livingInFamily.pick(g.r)
		if living == "6" && c.age < 14 { // juvenile detention starts at 14
			living = "1"
		}
	}
	a["LuogoVita"] = living
	a["ScuolaFrequentata"] = g.school(c.age, living)
	a["CondizioneLavoro"] = "1"
	if c.age >= 15 {
		a["CondizioneLavoro"] = weighted{{"1", 85}, {"2", 3}, {"3", 6}, {"4", 6}}.pick(g.r)
	}
	a["Disabilita"] = "2"
	if g.chance(shareDisability) {
		a["Disabilita"] = "1"
		a["TipoDisabilita"] = disabilityType.pick(g.r)
		a["InvCivCertificazioni"] = disabilityCerts.pick(g.r)
	}

	// Family.
	a["ComposizioneFamiglia"] = g.household(c, cond)
	if cond != "5" {
		for _, p := range []string{"Madre", "Padre"} {
			cit := "380"
			if c.origin != nil && g.chance(0.9) {
				cit = c.origin.iso
			} else if c.origin == nil && g.chance(0.05) {
				cit = countries[g.r.IntN(len(countries))].iso
			}
			a["CodiceCittadinanza"+p] = cit
			a["CodiceRegioneResidenza"+p] = m.Region
			a["TitoloStudio"+p] = education.pick(g.r)
			a["Occupazione"+p] = occupation.pick(g.r)
		}
	}
	a["NumeroComponentiISEE"] = min(9, 2+g.r.IntN(5))
	a["FasciaISEEBeneficiario"] = iseeBand.pick(g.r)

	// Referral and assessment.
	assess := "12"
	if c.place != unaccompanied {
		assess = childAssessment.pick(g.r)
	}
	maltreated := assess == "6" || assess == "7"
	a["ValutazioneMinore"] = assess
	a["ValutazioneFamigliaMinore"] = familyAssessment.pick(g.r)
	earliest := c.birth
	if lim := ref.AddDate(-8, 0, 0); lim.After(earliest) {
		earliest = lim
	}
	if c.place == unaccompanied {
		earliest = laterOf(c.birth, ref.AddDate(-2, 0, 0))
	}
	first := g.between(earliest, ref)
	a["DataPrimaSegnalazione"] = monthYear(first)
	switch {
	case c.place == unaccompanied:
		a["FonteSegnalazione"] = weighted{{"5", 70}, {"2", 20}, {"4", 10}}.pick(g.r)
	case maltreated && g.chance(maltreatedJudicialSource), !maltreated && g.chance(shareJudicialOther):
		a["FonteSegnalazione"] = judicialSource.pick(g.r)
	default:
		a["FonteSegnalazione"] = nonJudicialSource.pick(g.r)
	}

	// Judicial authority (shares are assumptions).
	outOfFamily := c.place != inFamily
	pReport, pOrder := 0.25, 0.12
	switch {
	case outOfFamily:
		pReport, pOrder = 0.85, 0.75
	case maltreated:
		pReport, pOrder = 0.8, 0.4
	}
	since := first
	a["SegnalazioneAutoritaGiudiziaria"] = "2"
	if g.chance(pReport) {
		a["SegnalazioneAutoritaGiudiziaria"] = "1"
		since = g.between(first, ref)
		a["DataSegnalazione"] = monthYear(since)
	}
	order := g.chance(pOrder)
	a["ProvvedimentoGiudiziario"] = map[bool]string{true: "1", false: "2"}[order]
	if order {
		a["DataProvvedimentoGiudiziario"] = monthYear(g.between(since, ref))
		a["AutoritaProvvedimento"] = authority.pick(g.r)
		switch {
		case c.place == unaccompanied:
			a["PotestaTutela"] = "4"
		case g.chance(0.7):
			a["PotestaTutela"] = parentalOrder.pick(g.r)
		}
		switch c.place {
		case inFoster:
			a["TipoProvvedimentoGiudiziario"] = "4"
		case inResidential, unaccompanied:
			a["TipoProvvedimentoGiudiziario"] = "5"
		default:
			a["TipoProvvedimentoGiudiziario"] = orderKind.pick(g.r)
		}
	}

	// Interventions.
	codes := g.prestazioni()
	a["CodicePrestazione"] = toAny(codes)
	if g.chance(shareDetail) {
		var items []any
		for _, code := range codes {
			start := g.between(first, ref)
			it := map[string]any{"CodicePrestazione": code, "MeseInizio": monthYear(start),
				"Erogatore": g.oneOf(providers)}
			if g.chance(0.5) {
				it["MeseFine"] = monthYear(g.between(start, ref))
			}
			items = append(items, it)
		}
		a["DettaglioInterventi"] = items
	}
	if g.chance(0.6) {
		a["CollaborazioniInterventi"] = collaborations.pick(g.r)
	}

	// Foster care and residential services.
	switch living {
	case "3":
		a["FormaInterventoAffido"] = "1"
		if order {
			a["FormaInterventoAffido"] = fosterForm.pick(g.r)
		}
		a["TipoInterventoAffido"] = fosterKind.pick(g.r)
		a["DurataAffido"] = fosterTime.pick(g.r)
		a["CarattereAffido"] = fosterNature.pick(g.r)
	case "4", "5":
		a["CarattereInserimentoResidenziale"] = residentialNature.pick(g.r)
		a["FormaInserimentoResidenziale"] = "1"
		if order {
			a["FormaInserimentoResidenziale"] = residentialForm.pick(g.r)
		}
		withParent := 0.05
		if c.age <= 5 {
			withParent = 0.4 // mother-and-child communities
		}
		a["TipoInserimentoResidenziale"] = map[bool]string{true: "1", false: "2"}[g.chance(withParent)]
	case "1", "2":
		if g.chance(sharePastPlacement) { // back home from an earlier placement
			if g.chance(0.5) {
				a["EsitoAffido"] = "1"
			} else {
				a["EsitoInserimentoStruttura"] = "1"
			}
		}
	}

	// Closure.
	if g.chance(shareClosed) {
		reason := closingReason.pick(g.r)
		if c.age >= 17 && g.chance(0.5) {
			reason = "3" // came of age
		}
		a["MotivazioneChiusuraCarico"] = reason
		a["SituazioneChiusuraCarico"] = closingSituation(reason, living)
	}

	g.notHeld(&rec, c)
	g.note(&rec)
	return rec, nil
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

// school follows the Italian school ages; children in residential services
// sometimes attend school inside the service (an assumption).
func (g *gen) school(age int, living string) string {
	if (living == "4" || living == "5") && age >= 6 && g.chance(0.05) {
		return "2"
	}
	switch {
	case age <= 2:
		return weighted{{"1", 70}, {"3", 30}}.pick(g.r)
	case age <= 5:
		return weighted{{"4", 90}, {"1", 10}}.pick(g.r)
	case age <= 10:
		return "5"
	case age <= 13:
		return "6"
	case age <= 15:
		return weighted{{"7", 80}, {"8", 12}, {"1", 8}}.pick(g.r)
	}
	return weighted{{"7", 65}, {"8", 15}, {"1", 20}}.pick(g.r)
}

// household is ComposizioneFamiglia, coherent with the orphanhood and with
// being unaccompanied (shares are assumptions).
func (g *gen) household(c child, cond string) []any {
	if c.place == unaccompanied || cond == "5" || cond == "2" {
		return []any{"6"}
	}
	var h []any
	if cond != "4" && g.chance(0.95) {
		h = append(h, "1")
	}
	if cond != "3" && g.chance(0.6) {
		h = append(h, "2")
	}
	if g.chance(0.6) {
		h = append(h, "3")
	}
	if g.chance(0.12) {
		h = append(h, "4")
	}
	if len(h) > 0 && g.chance(0.1) {
		h = append(h, "5")
	}
	if len(h) == 0 {
		h = append(h, "6")
	}
	return h
}

// prestazioni draws one to three benefit codes of the ISEE nomenclature,
// uniformly (an assumption: the codes' frequencies are not published in the
// sources above).
func (g *gen) prestazioni() []string {
	cl := g.caseIn.Codelist(mustQuestion(g.caseIn, survey.FieldPrestazioni))
	n := 1 + g.r.IntN(3)
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		c := cl.Codes[g.r.IntN(len(cl.Codes))].Code
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

func mustQuestion(in *survey.Instrument, id string) *survey.Question {
	q, ok := in.Question(id)
	if !ok {
		panic("synth: the instrument has no question " + id)
	}
	return q
}

// closingSituation is where a child is when the case closes, coherent with
// where the child lives and why the case closed.
func closingSituation(reason, living string) string {
	if reason == "7" { // cannot be found
		return "8"
	}
	switch living {
	case "3":
		return "3"
	case "4":
		return "4"
	case "5":
		return "5"
	case "6":
		return "7"
	case "8":
		return "8"
	}
	if reason == "3" {
		return "2"
	}
	return "1"
}

var providers = []string{"Servizio sociale professionale del Comune", "Cooperativa sociale", "Consultorio familiare",
	"Azienda sanitaria locale", "Associazione di volontariato", "Centro per le famiglie", "Ambito territoriale sociale"}
