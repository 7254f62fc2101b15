package synth

// The distributions the generator draws from. Where a published statistic
// exists it is cited; everything else is marked as an assumption: a
// plausible value chosen so that every code path of the instruments is
// exercised, not a measurement of anything.

// Children out of their family, at 31/12/2022, unaccompanied foreign minors
// excluded: about 15,200 in foster care and 18,100 in residential services.
// Source: Ministero del Lavoro e delle Politiche Sociali / Istituto degli
// Innocenti, "Bambini e ragazzi in affidamento familiare e nei servizi
// residenziali per minorenni", data at 31/12/2022.
const (
	fosterChildren2022      = 15200
	residentialChildren2022 = 18100
)

// childrenInCharge is the order of magnitude of children in charge of the
// municipal social services nationally that the project plans its national
// roll-out on (about 400,000). It is a planning figure, not a published
// count; the generator uses it only to turn the two counts above into shares
// of a caseload.
const childrenInCharge = 400000

// Shares of the caseload living in foster care (LuogoVita 3) and in
// residential services (LuogoVita 4 or 5): the 2022 counts over the
// caseload, about 3.8% and 4.5%.
const (
	shareFoster      = float64(fosterChildren2022) / childrenInCharge
	shareResidential = float64(residentialChildren2022) / childrenInCharge
)

// Children in residential services, 2019: age classes, sex and citizenship.
// Source: Ministero del Lavoro e delle Politiche Sociali / Istituto degli
// Innocenti, "Bambini e ragazzi in affidamento familiare e nei servizi
// residenziali per minorenni", data for 2019: ages 0-2 7.7%, 3-5 8.9%,
// 6-10 16.1%, 11-14 18.8%, 15-17 47.8% (the classes add up to 99.3%; the
// generator normalises them), 63.8% male, 34.8% foreign.
var residentialAges = []ageClass{
	{0, 2, 7.7}, {3, 5, 8.9}, {6, 10, 16.1}, {11, 14, 18.8}, {15, 17, 47.8},
}

const (
	residentialMale    = 0.638
	residentialForeign = 0.348
)

// Referrals of maltreated children: the judicial authority is the source of
// 42.6% of them. Source: AGIA - CISMAI - Fondazione Terre des Hommes, "II
// Indagine nazionale sul maltrattamento dei bambini e degli adolescenti in
// Italia", 2021, data for 2018. The generator applies it to children whose
// assessment is violence or maltreatment (ValutazioneMinore 6 or 7).
const maltreatedJudicialSource = 0.426

// Assumptions (no source): the rest of the caseload.
var (
	// Ages of children in charge who are not in residential services:
	// uniform over 0-17.
	otherAges = []ageClass{{0, 17, 1}}
	// Ages of unaccompanied foreign minors: mostly 15-17.
	uascAges = []ageClass{{12, 14, 15}, {15, 17, 85}}
)

const (
	// Share of unaccompanied foreign minors among the records (assumption).
	shareUASC = 0.015
	// Of the unaccompanied, those with no codice fiscale yet (assumption).
	uascWithoutCF = 0.7
	// Boys among the unaccompanied (assumption).
	uascMale = 0.9
	// Boys among the other children (assumption).
	otherMale = 0.52
	// Foreign children among those not in residential services (assumption).
	otherForeign = 0.2
	// Foreign children born abroad rather than in Italy (assumption).
	foreignBornAbroad = 0.45
	// Italian-born children born in the municipality of the case, else in
	// another of the same region (assumption; 5% anywhere in Italy).
	bornHere, bornInRegion = 0.70, 0.25
	// Records with a disability (assumption).
	shareDisability = 0.08
	// Cases closed at the reference date (assumption).
	shareClosed = 0.12
	// Children with a detailed list of interventions (assumption).
	shareDetail = 0.4
	// Returned home from a past placement, with its outcome (assumption).
	sharePastPlacement = 0.03
)

// codeWeights are assumptions unless a comment says otherwise.
var (
	livingInFamily = weighted{{"1", 88}, {"2", 9}, {"6", 1}, {"7", 1}, {"8", 1}}
	// Residential: social services far more than health services.
	livingResidential = weighted{{"4", 95}, {"5", 5}}

	orphanhood = weighted{{"1", 95}, {"3", 2}, {"4", 1.5}, {"2", 0.5}, {"5", 1}}

	childAssessment = weighted{{"1", 18}, {"2", 22}, {"3", 3}, {"4", 6}, {"5", 6}, {"6", 3}, {"7", 6},
		{"8", 4}, {"9", 8}, {"10", 4}, {"11", 2}, {"13", 8}}
	familyAssessment = weighted{{"1", 8}, {"2", 25}, {"3", 6}, {"4", 7}, {"5", 4}, {"6", 15}, {"7", 5},
		{"8", 2}, {"9", 4}, {"10", 0.5}, {"11", 2}, {"12", 14}, {"13", 7}}

	// Sources of referral other than the judicial authority.
	nonJudicialSource = weighted{{"1", 4}, {"2", 10}, {"3", 12}, {"4", 4}, {"5", 7}, {"6", 3}, {"7", 2},
		{"8", 22}, {"9", 3}, {"12", 2}, {"13", 14}, {"14", 3}}
	// Within the judicial authority: the juvenile court far more than the
	// ordinary court.
	judicialSource = weighted{{"11", 80}, {"10", 20}}
	// Judicial sources for children who are not maltreated.
	shareJudicialOther = 0.2

	education  = weighted{{"1", 4}, {"2", 8}, {"3", 42}, {"4", 14}, {"5", 26}, {"6", 6}}
	occupation = weighted{{"1", 45}, {"2", 18}, {"3", 5}, {"4", 18}, {"5", 1}, {"6", 2}, {"7", 4}, {"8", 7}}
	iseeBand   = weighted{{"1", 10}, {"2", 22}, {"3", 20}, {"4", 16}, {"5", 11}, {"6", 8}, {"7", 7}, {"8", 6}}

	disabilityType  = weighted{{"1", 20}, {"2", 45}, {"3", 10}, {"4", 25}}
	disabilityCerts = weighted{{"1", 10}, {"2", 10}, {"3", 5}, {"4", 40}, {"5", 35}}

	authority     = weighted{{"2", 80}, {"1", 10}, {"3", 5}, {"4", 5}}
	parentalOrder = weighted{{"1", 30}, {"2", 10}, {"3", 35}, {"4", 15}, {"5", 10}}
	orderKind     = weighted{{"4", 30}, {"5", 35}, {"7", 20}, {"1", 5}, {"6", 8}, {"8", 2}}

	fosterForm   = weighted{{"1", 30}, {"2", 70}}
	fosterKind   = weighted{{"1", 45}, {"2", 55}}
	fosterTime   = weighted{{"1", 85}, {"2", 15}}
	fosterNature = weighted{{"1", 90}, {"2", 10}}

	residentialNature = weighted{{"1", 5}, {"2", 10}, {"3", 15}, {"4", 8}, {"5", 7}, {"6", 10}, {"7", 25},
		{"8", 10}, {"9", 5}, {"10", 5}}
	residentialForm = weighted{{"1", 35}, {"2", 65}}

	collaborations = weighted{{"1", 5}, {"2", 25}, {"3", 15}, {"4", 5}, {"5", 15}, {"6", 5}, {"7", 20}, {"8", 7}, {"9", 3}}

	closingReason = weighted{{"1", 10}, {"2", 8}, {"4", 45}, {"5", 8}, {"7", 5}, {"9", 10}}
)
