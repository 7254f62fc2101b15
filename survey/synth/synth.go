// Package synth makes synthetic pilot data: case records (Scheda minore) and
// municipality questionnaires (Scheda Comune) with distributions taken from
// published statistics where they exist (each is cited in stats.go, and
// everything else there is marked as an assumption), valid codici fiscali,
// and answers that respect every rule of the instruments, unless errors are
// planted on purpose. It is deterministic: the same options give the same
// records, byte for byte.
//
// The data is for tests, benchmarks and rehearsals of the analysis; it
// describes no real child.
package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"sinba/survey"
)

// Options say what to generate. The zero value of a field means its default.
type Options struct {
	Seed  uint64
	Cases int // case records
	// Municipalities are the ISTAT codes of the pilot municipalities; when
	// empty, MunicipalityCount are picked from the ISTAT list, spread
	// across regions.
	Municipalities    []string
	MunicipalityCount int // default: one per 20 cases, between 1 and 50
	// PlantErrors is the share of case records given exactly one
	// error-level mistake (see Dataset.Planted); 0 plants none.
	PlantErrors float64
	// RefDate is the reference date of the survey: ages, bands and "not in
	// the future" are computed at it. Zero means today (UTC); pass a fixed
	// date for reproducible output.
	RefDate time.Time
	// NotHeld is, per field, the share of records whose office does not hold
	// the datum (the answer is replaced by the "not held" mark with a note).
	// nil means DefaultNotHeld.
	NotHeld map[string]float64
	// NoteRate is the share of records with a free note on one answered
	// field; 0 means DefaultNoteRate, a negative value none.
	NoteRate float64
	// Secret is the project secret IDBeneficiario is derived with (see
	// survey.Pseudonym); nil means a fixed secret for synthetic data.
	Secret []byte
	// NoQuestionnaires leaves out the municipality questionnaires.
	NoQuestionnaires bool
}

// DefaultNotHeld are the "datum not held" rates used when Options.NotHeld is
// nil: an assumption shaped on what a municipal office plausibly lacks (ISEE
// data comes from INPS, the father's details are often unknown), so that the
// critical-points analysis has something to find.
var DefaultNotHeld = map[string]float64{
	"FasciaISEEBeneficiario":      0.40,
	"NumeroComponentiISEE":        0.35,
	"TitoloStudioPadre":           0.30,
	"OccupazionePadre":            0.25,
	"CodiceRegioneResidenzaPadre": 0.15,
	"CodiceCittadinanzaPadre":     0.10,
	"TitoloStudioMadre":           0.15,
	"OccupazioneMadre":            0.10,
	"InvCivCertificazioni":        0.10,
	"CollaborazioniInterventi":    0.10,
	"DataPrimaSegnalazione":       0.05,
	"PotestaTutela":               0.05,
}

// DefaultNoteRate is the share of records with a free note when
// Options.NoteRate is 0 (an assumption).
const DefaultNoteRate = 0.05

// DefaultSecret is the project secret of synthetic data.
var DefaultSecret = []byte("sinba-synth-project-secret")

// Dataset is what Generate made.
type Dataset struct {
	// Records holds the municipality questionnaires (one per municipality,
	// in the order of Municipalities) and then the case records.
	Records        []survey.Record
	Municipalities []string
	Cases          int
	Questionnaires int
	// Planted maps the id of each record given a planted error to the kind
	// of error (one of PlantKinds). Every other record has no error-level
	// issue at the reference date.
	Planted map[string]string
	RefDate time.Time
}

// Status is the review state a record can be imported with: final when it
// passes every error rule, draft when an error was planted in it.
func (d *Dataset) Status(id string) survey.Status {
	if _, bad := d.Planted[id]; bad {
		return survey.StatusDraft
	}
	return survey.StatusFinal
}

// PlantedByKind counts the planted errors by kind.
func (d *Dataset) PlantedByKind() map[string]int {
	out := map[string]int{}
	for _, k := range d.Planted {
		out[k]++
	}
	return out
}

// Generate makes the dataset. reg must hold the case record and the
// municipality questionnaire; ref is the reference data they were loaded with.
func Generate(reg *survey.Registry, ref *survey.Reference, o Options) (*Dataset, error) {
	caseIn, ok := reg.Latest(survey.InstrumentCase)
	if !ok {
		return nil, fmt.Errorf("synth: no %s instrument", survey.InstrumentCase)
	}
	comIn, ok := reg.Latest(survey.InstrumentMunicipality)
	if !ok {
		return nil, fmt.Errorf("synth: no %s instrument", survey.InstrumentMunicipality)
	}
	if o.Cases < 0 || o.PlantErrors < 0 || o.PlantErrors > 1 {
		return nil, fmt.Errorf("synth: cases %d, error rate %g: want cases >= 0 and a rate in [0, 1]", o.Cases, o.PlantErrors)
	}
	if o.RefDate.IsZero() {
		now := time.Now().UTC()
		o.RefDate = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	}
	if o.NotHeld == nil {
		o.NotHeld = DefaultNotHeld
	}
	if err := checkNotHeld(caseIn, o.NotHeld); err != nil {
		return nil, err
	}
	switch {
	case o.NoteRate == 0:
		o.NoteRate = DefaultNoteRate
	case o.NoteRate < 0:
		o.NoteRate = 0
	}
	if o.Secret == nil {
		o.Secret = DefaultSecret
	}
	g := &gen{o: o, ref: ref, caseIn: caseIn, comIn: comIn,
		r: rand.New(rand.NewPCG(o.Seed, 0x51BA)), byRegion: map[string][]survey.Municipality{}}
	for _, e := range ref.List(survey.ListMunicipalities).Entries() {
		m, _ := ref.Municipality(e.Code)
		g.byRegion[m.Region] = append(g.byRegion[m.Region], m)
	}
	for _, ms := range g.byRegion {
		sort.Slice(ms, func(i, j int) bool { return ms[i].ISTAT < ms[j].ISTAT })
	}
	for reg := range g.byRegion {
		g.regions = append(g.regions, reg)
	}
	sort.Strings(g.regions)

	munis, err := g.pickMunicipalities()
	if err != nil {
		return nil, err
	}
	ds := &Dataset{Municipalities: munis, Planted: map[string]string{}, RefDate: o.RefDate}
	// Municipalities differ in size: cases are spread with log-normal
	// weights (an assumption).
	weights := make([]float64, len(munis))
	for i := range weights {
		weights[i] = math.Exp(g.r.NormFloat64())
	}
	cum := cumulative(weights)
	perMuni := map[string][]*survey.Record{}
	cases := make([]survey.Record, 0, o.Cases)
	for i := 0; i < o.Cases; i++ {
		m := munis[pickCum(g.r, cum)]
		rec, err := g.caseRecord(m)
		if err != nil {
			return nil, err
		}
		if o.PlantErrors > 0 && g.r.Float64() < o.PlantErrors {
			ds.Planted[rec.ID] = g.plant(&rec)
		}
		cases = append(cases, rec)
	}
	for i := range cases {
		perMuni[cases[i].Municipality] = append(perMuni[cases[i].Municipality], &cases[i])
	}
	if !o.NoQuestionnaires {
		for _, m := range munis {
			ds.Records = append(ds.Records, g.questionnaire(m, perMuni[m]))
			ds.Questionnaires++
		}
	}
	ds.Records = append(ds.Records, cases...)
	ds.Cases = len(cases)
	return ds, nil
}

// gen carries the state of one generation.
type gen struct {
	o             Options
	r             *rand.Rand
	ref           *survey.Reference
	caseIn, comIn *survey.Instrument
	byRegion      map[string][]survey.Municipality
	regions       []string
}

// pickMunicipalities checks the given ISTAT codes, or picks the pilot
// municipalities: regions in a shuffled order, round robin, one random
// municipality of each at a time, so a pilot of 20 or more covers every
// region (the pilot's sample is reasoned, not random: this is a stand-in).
func (g *gen) pickMunicipalities() ([]string, error) {
	if len(g.o.Municipalities) > 0 {
		for _, c := range g.o.Municipalities {
			if _, ok := g.ref.Municipality(c); !ok {
				return nil, fmt.Errorf("synth: %q is not the ISTAT code of an active municipality", c)
			}
		}
		return append([]string(nil), g.o.Municipalities...), nil
	}
	n := g.o.MunicipalityCount
	if n <= 0 {
		n = min(50, max(1, g.o.Cases/20))
	}
	regions := append([]string(nil), g.regions...)
	g.r.Shuffle(len(regions), func(i, j int) { regions[i], regions[j] = regions[j], regions[i] })
	seen := map[string]bool{}
	var out []string
	for i := 0; len(out) < n; i++ {
		ms := g.byRegion[regions[i%len(regions)]]
		for try := 0; try < 50; try++ {
			m := ms[g.r.IntN(len(ms))]
			if !seen[m.ISTAT] {
				seen[m.ISTAT] = true
				out = append(out, m.ISTAT)
				break
			}
		}
		if i > 100*n {
			return nil, fmt.Errorf("synth: cannot pick %d distinct municipalities", n)
		}
	}
	return out, nil
}

// weighted is a discrete distribution over codes.
type weighted []struct {
	code string
	w    float64
}

func (w weighted) pick(r *rand.Rand) string {
	total := 0.0
	for _, c := range w {
		total += c.w
	}
	x := r.Float64() * total
	for _, c := range w {
		if x < c.w {
			return c.code
		}
		x -= c.w
	}
	return w[len(w)-1].code
}

// ageClass is a range of ages in whole years with a weight.
type ageClass struct {
	from, to int
	w        float64
}

func pickAge(r *rand.Rand, classes []ageClass) int {
	w := make([]float64, len(classes))
	for i, c := range classes {
		w[i] = c.w
	}
	c := classes[pickCum(r, cumulative(w))]
	return c.from + r.IntN(c.to-c.from+1)
}

func cumulative(w []float64) []float64 {
	out := make([]float64, len(w))
	s := 0.0
	for i, x := range w {
		s += x
		out[i] = s
	}
	return out
}

func pickCum(r *rand.Rand, cum []float64) int {
	x := r.Float64() * cum[len(cum)-1]
	i := sort.SearchFloat64s(cum, x)
	if i >= len(cum) {
		i = len(cum) - 1
	}
	return i
}

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func (g *gen) oneOf(s []string) string { return s[g.r.IntN(len(s))] }

// uuid makes a version-4 UUID from the seeded generator, so ids repeat with
// the seed.
func (g *gen) uuid() string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		x := g.r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(x >> (8 * j))
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// pseudonym is an IDBeneficiario for a child with no codice fiscale, in the
// form of survey.RandomPseudonym (20 base32 characters) but drawn from the
// seeded generator, and like it never one that looks like a codice fiscale.
func (g *gen) pseudonym() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := make([]byte, survey.PseudonymLength)
	for {
		for i := range b {
			b[i] = alphabet[g.r.IntN(32)]
		}
		if !survey.LooksLikeFiscalCode(string(b)) {
			return string(b)
		}
	}
}

// monthYear is a month as SINBA writes it, MM/YYYY.
func monthYear(t time.Time) string { return t.Format("01/2006") }

// between returns a random day from a to b (inclusive; a when b is before a).
func (g *gen) between(a, b time.Time) time.Time {
	days := int(b.Sub(a).Hours() / 24)
	if days <= 0 {
		return a
	}
	return a.AddDate(0, 0, g.r.IntN(days+1))
}
