package quality

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"sinba/survey"
)

var (
	loadOnce sync.Once
	testReg  *survey.Registry
	testRef  *survey.Reference
	loadErr  error
)

func load(t testing.TB) *survey.Registry {
	t.Helper()
	loadOnce.Do(func() {
		testRef, loadErr = survey.LoadReference(os.DirFS("../../assets"))
		if loadErr == nil {
			testReg, loadErr = survey.LoadInstruments(os.DirFS("../../assets/instruments"), testRef)
		}
	})
	if loadErr != nil {
		t.Fatalf("loading assets: %v", loadErr)
	}
	return testReg
}

var refDate = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)

const (
	napoli = "063049"
	torino = "001272"
	roma   = "058091"
)

// validCase is a complete case record with no issue at refDate.
func validCase(id, municipality string) survey.Record {
	return survey.Record{ID: id, Instrument: survey.InstrumentCase, Version: 1, Municipality: municipality, Answers: survey.Answers{
		"IDBeneficiario":                  "ABCDEFGHIJKLMNOPQR" + fmt.Sprintf("%02d", len(id)%100),
		"AnnoNascita":                     2014,
		"FasciaEtaBeneficiario":           "4",
		"CodiceNazioneResidenza":          "380",
		"CodiceRegioneResidenza":          "15",
		"MinoreStranieroNoAcc":            "2",
		"CondizioneMinore":                "1",
		"LuogoVita":                       "1",
		"ScuolaFrequentata":               "5",
		"CondizioneLavoro":                "1",
		"Disabilita":                      "2",
		"ComposizioneFamiglia":            []any{"1", "3"},
		"CodiceCittadinanzaMadre":         "380",
		"DataPrimaSegnalazione":           "03/2022",
		"FonteSegnalazione":               "13",
		"ValutazioneMinore":               "2",
		"ValutazioneFamigliaMinore":       "2",
		"SegnalazioneAutoritaGiudiziaria": "2",
		"ProvvedimentoGiudiziario":        "2",
		"CodicePrestazione":               []any{"A1.01"},
	}}
}

// plantedRecords is the test data set, with its critical points planted:
//
//   - Napoli, 6 cases: FonteSegnalazione missing in 2, not held (with a
//     note) in 1; one child resident in Romania, so CodiceRegioneResidenza
//     does not apply to it.
//   - Torino, 4 cases: one with a disability and no TipoDisabilita; two with
//     an age band that contradicts the year of birth (an error rule).
//   - Roma, 3 cases: one working child of 9-12 (a warning rule); one in
//     foster care with its details.
//   - Scheda Comune for Napoli (FonteSegnalazione "always", LuogoVita
//     "always") and Torino (TipoDisabilita "never", FonteSegnalazione
//     "sometimes"); none for Roma.
func plantedRecords() []survey.Record {
	var recs []survey.Record
	for i := 1; i <= 6; i++ {
		r := validCase(fmt.Sprintf("na%d", i), napoli)
		switch i {
		case 1, 2:
			delete(r.Answers, "FonteSegnalazione")
		case 3:
			delete(r.Answers, "FonteSegnalazione")
			r.Meta = map[string]survey.FieldMeta{"FonteSegnalazione": {NotHeld: true, Note: "la fonte non è registrata"}}
		case 4:
			r.Answers["CodiceNazioneResidenza"] = "642"
			delete(r.Answers, "CodiceRegioneResidenza")
		}
		recs = append(recs, r)
	}
	for i := 1; i <= 4; i++ {
		r := validCase(fmt.Sprintf("to%d", i), torino)
		switch i {
		case 1:
			r.Answers["Disabilita"] = "1"
			r.Answers["InvCivCertificazioni"] = "1"
		case 2, 3:
			r.Answers["FasciaEtaBeneficiario"] = "1"
		}
		recs = append(recs, r)
	}
	for i := 1; i <= 3; i++ {
		r := validCase(fmt.Sprintf("rm%d", i), roma)
		switch i {
		case 1:
			r.Answers["CondizioneLavoro"] = "2"
		case 2:
			r.Answers["LuogoVita"] = "3"
			r.Answers["FormaInterventoAffido"] = "1"
			r.Answers["TipoInterventoAffido"] = "2"
			r.Answers["DurataAffido"] = "1"
			r.Answers["CarattereAffido"] = "1"
			r.Answers["CodiceCittadinanzaMadre"] = "642"
		}
		recs = append(recs, r)
	}
	comune := func(id, municipality string, grid map[string]string) survey.Record {
		ans := survey.Answers{"Comune": municipality, "Criticita": "Cartella sociale solo cartacea per " + municipality}
		for k, v := range grid {
			ans["Rileva"+k] = v
		}
		return survey.Record{ID: id, Instrument: survey.InstrumentMunicipality, Version: 1, Municipality: municipality, Answers: ans}
	}
	recs = append(recs,
		comune("sc-na", napoli, map[string]string{"FonteSegnalazione": "1", "LuogoVita": "1"}),
		comune("sc-to", torino, map[string]string{"TipoDisabilita": "3", "FonteSegnalazione": "2"}))
	return recs
}

func analysePlanted(t *testing.T) Report {
	reg := load(t)
	return Analyse(reg, plantedRecords(), Options{Ref: refDate})
}

func caseField(t *testing.T, r *Report, id string) *FieldStats {
	t.Helper()
	ir, ok := r.Instrument(survey.InstrumentCase)
	if !ok {
		t.Fatal("no case instrument in the report")
	}
	f, ok := ir.Field(id)
	if !ok {
		t.Fatalf("no field %s in the report", id)
	}
	return f
}

func TestPlantedCriticalPoints(t *testing.T) {
	r := analysePlanted(t)
	if len(r.Skipped) != 0 {
		t.Fatalf("skipped %+v", r.Skipped)
	}
	cases := []struct {
		field, muni string // muni "" for the total
		want        Counts
	}{
		// The mark on na3 has no reason: it counts as "reason not given".
		{"FonteSegnalazione", "", Counts{Units: 13, Applicable: 13, Answered: 10, Missing: 2, NotHeld: 1, NotHeldBy: survey.ReasonCounts{1}}},
		{"FonteSegnalazione", napoli, Counts{Units: 6, Applicable: 6, Answered: 3, Missing: 2, NotHeld: 1, NotHeldBy: survey.ReasonCounts{1}}},
		{"FonteSegnalazione", torino, Counts{Units: 4, Applicable: 4, Answered: 4}},
		{"CodiceRegioneResidenza", "", Counts{Units: 13, Applicable: 12, Answered: 12}},
		{"CodiceRegioneResidenza", napoli, Counts{Units: 6, Applicable: 5, Answered: 5}},
		{"TipoDisabilita", "", Counts{Units: 13, Applicable: 1, Missing: 1}},
		{"TipoDisabilita", torino, Counts{Units: 4, Applicable: 1, Missing: 1}},
		// The two wrong bands (0-3 for a child born in 2014) also fire the
		// school warning there; the working child of Roma fires lavoro.eta.
		{"FasciaEtaBeneficiario", "", Counts{Units: 13, Applicable: 13, Answered: 13, Errors: 2, Warnings: 3}},
		{"FasciaEtaBeneficiario", torino, Counts{Units: 4, Applicable: 4, Answered: 4, Errors: 2, Warnings: 2}},
		{"AnnoNascita", torino, Counts{Units: 4, Applicable: 4, Answered: 4, Errors: 2}},
		{"CondizioneLavoro", roma, Counts{Units: 3, Applicable: 3, Answered: 3, Warnings: 1}},
		{"FormaInterventoAffido", "", Counts{Units: 13, Applicable: 1, Answered: 1}},
		{"MotivazioneChiusuraCarico", "", Counts{Units: 13, Applicable: 13, Missing: 13}},
		{"DettaglioInterventi.MeseInizio", "", Counts{}},
	}
	for _, c := range cases {
		f := caseField(t, &r, c.field)
		got := f.Total
		if c.muni != "" {
			got = f.ByMunicipality[c.muni]
		}
		if got != c.want {
			t.Errorf("%s in %q: got %+v, want %+v", c.field, c.muni, got, c.want)
		}
	}
	f := caseField(t, &r, "FonteSegnalazione")
	if len(f.Notes) != 1 || f.Notes[0] != (Note{RecordID: "na3", Municipality: napoli, Text: "la fonte non è registrata"}) {
		t.Errorf("notes of FonteSegnalazione: got %+v", f.Notes)
	}
	if got, want := f.Total.MissingRate(), 2.0/13; got != want {
		t.Errorf("missing rate: got %v, want %v", got, want)
	}
	fe := caseField(t, &r, "FasciaEtaBeneficiario")
	wantRules := []RuleCount{{"eta.fascia_coerente", survey.SeverityError, 2}, {"scuola.eta", survey.SeverityWarning, 2}, {"lavoro.eta", survey.SeverityWarning, 1}}
	if fmt.Sprint(fe.Rules) != fmt.Sprint(wantRules) {
		t.Errorf("rules of FasciaEtaBeneficiario: got %+v", fe.Rules)
	}
	// Missing required answers are missing, not rule failures.
	if f.Total.Errors != 0 || len(f.Rules) != 0 {
		t.Errorf("FonteSegnalazione has rule failures %+v %+v; required issues must count as missing only", f.Total, f.Rules)
	}
	if m, _ := r.Municipality(napoli); m.Name != "Napoli" || m.Cases != 6 || m.Questionnaires != 1 || !strings.Contains(m.CriticalPoints, "cartacea") {
		t.Errorf("Napoli: got %+v", m)
	}
	if m, _ := r.Municipality(roma); m.Cases != 3 || m.Questionnaires != 0 {
		t.Errorf("Roma: got %+v", m)
	}
}

func TestPlantedGrid(t *testing.T) {
	r := analysePlanted(t)
	want := map[string]map[string]Verdict{
		"FonteSegnalazione": {napoli: VerdictDiscordant, torino: VerdictConsistent, roma: VerdictNoEvidence},
		"LuogoVita":         {napoli: VerdictConsistent, torino: VerdictNoEvidence, roma: VerdictNoEvidence},
		"TipoDisabilita":    {napoli: VerdictNoEvidence, torino: VerdictConsistent, roma: VerdictNoEvidence},
	}
	rows := 0
	for _, row := range r.Grid {
		rows++
		w, ok := want[row.Field]
		if !ok {
			continue
		}
		for _, c := range row.Cells {
			if c.Verdict != w[c.Municipality] {
				t.Errorf("grid %s in %s: got %s (declared %q, observed %+v), want %s", row.Field, c.Municipality, c.Verdict, c.Declared, c.Observed, w[c.Municipality])
			}
		}
	}
	if rows != 47 {
		t.Errorf("grid rows: got %d, want 47 (one per grid question of the newest Scheda Comune)", rows)
	}
	for _, row := range r.Grid {
		if row.Field == "FonteSegnalazione" {
			c := row.Cells[2] // Torino, Roma, Napoli: by ISTAT code
			if c.Municipality != napoli || c.Declared != DeclaredAlways || c.DeclaredText.IT != "Sempre" || c.Observed.Answered != 3 {
				t.Errorf("FonteSegnalazione in Napoli: got %+v", c)
			}
		}
	}
}

func TestVerdictTolerance(t *testing.T) {
	c := Counts{Applicable: 10, Answered: 8}
	for _, tc := range []struct {
		declared string
		tol      float64
		want     Verdict
	}{
		{DeclaredAlways, 0.2, VerdictConsistent},
		{DeclaredAlways, 0.1, VerdictDiscordant},
		{DeclaredNever, 0.2, VerdictDiscordant},
		{DeclaredSometimes, 0.2, VerdictConsistent},
		{DeclaredNone, 0.2, VerdictNoEvidence},
		{DeclaredNotHeld, 0.2, VerdictNoEvidence},
	} {
		if got := verdict(tc.declared, c, tc.tol); got != tc.want {
			t.Errorf("verdict(%q, 8/10, %v): got %s, want %s", tc.declared, tc.tol, got, tc.want)
		}
	}
}

func findTable(t *testing.T, tables []Table, id string) Table {
	t.Helper()
	for _, tb := range tables {
		if tb.ID == id {
			return tb
		}
	}
	t.Fatalf("no table %s", id)
	return Table{}
}

func rowOf(t *testing.T, tb Table, code string) int {
	t.Helper()
	for i, h := range tb.Rows {
		if h.Code == code {
			return i
		}
	}
	t.Fatalf("table %s: no row %s", tb.ID, code)
	return -1
}

func TestResultTables(t *testing.T) {
	reg := load(t)
	tables := Results(reg, plantedRecords(), refDate)
	cols := []string{torino, roma, napoli} // by ISTAT code
	check := func(id, row string, want []int) {
		t.Helper()
		tb := findTable(t, tables, id)
		for j, c := range tb.Cols {
			if c.Code != cols[j] {
				t.Fatalf("table %s: columns %+v", id, tb.Cols)
			}
		}
		i := len(tb.Rows)
		if row != "" {
			i = rowOf(t, tb, row)
		}
		if got := tb.Cells[i]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("table %s row %q: got %v, want %v", id, row, got, want)
		}
	}
	check("FasciaEtaBeneficiario", "4", []int{2, 3, 6, 11})
	check("FasciaEtaBeneficiario", "1", []int{2, 0, 0, 2})
	check("FasciaEtaBeneficiario", "", []int{4, 3, 6, 13})
	check("ClasseEta", "6-10", []int{4, 3, 6, 13}) // born 2014, 10 in the first half of 2025
	check("Cittadinanza", CitizenItalian, []int{4, 2, 6, 12})
	check("Cittadinanza", CitizenForeign, []int{0, 1, 0, 1})
	check("LuogoVita", "3", []int{0, 1, 0, 1})
	check("FormaInterventoAffido", "1", []int{0, 1, 0, 1})
	check("FormaInterventoAffido", "", []int{0, 1, 0, 1}) // applies to one child only
	check("CodicePrestazione", "A1.01", []int{4, 3, 6, 13})
	check("MotivazioneChiusuraCarico", RowMissing, []int{4, 3, 6, 13})
}

func hiddenString(tb Table) string {
	var b strings.Builder
	for i := range tb.Hidden {
		for j := range tb.Hidden[i] {
			if tb.Hidden[i][j] {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		b.WriteByte('/')
	}
	return b.String()
}

func TestProtect(t *testing.T) {
	mk := func(rows [][]int) Table {
		R, C := len(rows), len(rows[0])
		tb := Table{Cells: make([][]int, R+1)}
		for i := range tb.Cells {
			tb.Cells[i] = make([]int, C+1)
		}
		for i, r := range rows {
			for j, v := range r {
				tb.Cells[i][j] = v
				tb.Cells[i][C] += v
				tb.Cells[R][j] += v
				tb.Cells[R][C] += v
			}
		}
		return tb
	}
	cases := []struct {
		name  string
		cells [][]int
		k     int
		want  string
	}{
		{"nothing small", [][]int{{5, 6}, {7, 8}}, 3, ".../.../.../"},
		// A 1 alone in its row and column: its row and column partners are
		// hidden, then the fourth corner closes the rectangle.
		{"one small cell", [][]int{{1, 6}, {7, 8}}, 3, "xx./xx./.../"},
		// Zeros are not sensitive and are not chosen while a non-zero cell
		// can serve: the 2 and its column total take the 4 and the 9.
		{"zeros stay", [][]int{{0, 5, 9}, {2, 4, 8}}, 3, "..../xx../xx../"},
		// A small column total (1+1) hides the whole column, and its
		// partners in every row.
		{"small total", [][]int{{1, 10}, {1, 12}}, 3, "xx./xx./xx./"},
		{"threshold 5", [][]int{{4, 6}, {7, 8}}, 5, "xx./xx./.../"},
	}
	for _, c := range cases {
		got := Protect(mk(c.cells), c.k)
		if s := hiddenString(got); s != c.want {
			t.Errorf("%s: got %s, want %s", c.name, s, c.want)
		}
		assertNoLoneHidden(t, c.name, got)
	}
}

// assertNoLoneHidden checks the property secondary suppression promises.
func assertNoLoneHidden(t *testing.T, name string, tb Table) {
	t.Helper()
	R, C := len(tb.Cells), len(tb.Cells[0])
	for i := 0; i < R; i++ {
		n := 0
		for j := 0; j < C; j++ {
			if tb.Hidden[i][j] {
				n++
			}
		}
		if n == 1 {
			t.Errorf("%s: row %d has one hidden cell", name, i)
		}
	}
	for j := 0; j < C; j++ {
		n := 0
		for i := 0; i < R; i++ {
			if tb.Hidden[i][j] {
				n++
			}
		}
		if n == 1 {
			t.Errorf("%s: column %d has one hidden cell", name, j)
		}
	}
	for i := range tb.Cells {
		for j, v := range tb.Cells[i] {
			if v > 0 && v < tb.Threshold && !tb.Hidden[i][j] {
				t.Errorf("%s: cell (%d,%d)=%d below the threshold is shown", name, i, j, v)
			}
		}
	}
}

func TestProtectPlantedTables(t *testing.T) {
	r := analysePlanted(t)
	if r.Threshold != DefaultThreshold {
		t.Fatalf("threshold %d", r.Threshold)
	}
	for _, tb := range r.Tables {
		assertNoLoneHidden(t, tb.ID, tb)
	}
	tb := findTable(t, r.Tables, "LuogoVita")
	i := rowOf(t, tb, "3")
	if !tb.IsHidden(i, 1) || tb.Cell(i, 1) != "·" {
		t.Errorf("LuogoVita=3 in Roma (1 child) is shown: %v", tb.Cells[i])
	}
	var b strings.Builder
	if err := tb.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], "|"); got != "codice|voce|Torino|Roma|Napoli|Totale" {
		t.Errorf("CSV header %s", got)
	}
	if got := strings.Join(rows[1+i], "|"); got != "3|in famiglia affidataria|0|·|0|·" {
		t.Errorf("CSV row of LuogoVita=3: %s", got)
	}
}

func TestProgress(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 3, d, 10, 0, 0, 0, time.UTC) }
	recs := plantedRecords()
	entries := []Entry{
		{Record: recs[0], Status: survey.StatusDraft, Team: "A", Created: day(3), Updated: day(4)},     // Monday of W10
		{Record: recs[1], Status: survey.StatusApproved, Team: "A", Created: day(9), Updated: day(19)}, // Sunday of W10; W12
		{Record: recs[6], Status: survey.StatusFinal, Team: "B", Created: day(18), Updated: day(18)},   // W12
		{Record: recs[13], Status: survey.StatusReturned, Team: "A", Created: day(18)},
		{Record: recs[12], Status: "", Team: ""},
	}
	p := BuildProgress(entries, testRef)
	if got := p.Total.Cases; got[survey.StatusDraft] != 2 || got[survey.StatusApproved] != 1 || got[survey.StatusFinal] != 1 || got.Total() != 4 {
		t.Errorf("total cases: got %v", got)
	}
	if got := p.Total.Questionnaires; got[survey.StatusReturned] != 1 || got.Total() != 1 {
		t.Errorf("total questionnaires: got %v", got)
	}
	if len(p.ByMunicipality) != 3 || p.ByMunicipality[0].Label != "Torino" || p.ByMunicipality[2].Cases.Total() != 2 || p.ByMunicipality[2].Questionnaires.Total() != 1 {
		t.Errorf("by municipality: got %+v", p.ByMunicipality)
	}
	if len(p.ByTeam) != 3 || p.ByTeam[0].Key != "" || p.ByTeam[1].Cases.Total() != 2 {
		t.Errorf("by team: got %+v", p.ByTeam)
	}
	var got []string
	for _, w := range p.Weeks {
		got = append(got, fmt.Sprintf("%s %s c%d cum%d a%d f%d", w.Label, w.Start.Format("01-02"), w.Created, w.Cumulative,
			w.Changed[survey.StatusApproved], w.Changed[survey.StatusFinal]))
	}
	want := []string{"3 – 9 mar 03-03 c2 cum2 a0 f0", "10 – 16 mar 03-10 c0 cum2 a0 f0", "17 – 23 mar 03-17 c2 cum4 a1 f1"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("weeks:\n got %v\nwant %v", got, want)
	}
}

func TestWriteHTML(t *testing.T) {
	r := analysePlanted(t)
	p := BuildProgress([]Entry{{Record: plantedRecords()[0], Status: survey.StatusFinal, Team: "A<&>", Created: refDate, Updated: refDate}}, testRef)
	r.Progress = &p
	path := filepath.Join(t.TempDir(), "report.html")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(f, r); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("SINBA_REPORT_OUT"); dir != "" {
		if err := os.WriteFile(filepath.Join(dir, "report.html"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := string(data)
	for _, want := range []string{"<!DOCTYPE html>", `lang="it"`, "@media print", "<svg", "Punti critici",
		"critical points", "la fonte non è registrata", "Cartella sociale solo cartacea", "discordant",
		"A&lt;&amp;&gt;", "Tavole dei risultati", "FonteSegnalazione"} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "http://", "https://", "A<&>"} {
		if bad == "http://" {
			s = strings.ReplaceAll(s, `xmlns="http://www.w3.org/2000/svg"`, "")
		}
		if strings.Contains(s, bad) {
			t.Errorf("report contains %q", bad)
		}
	}
	// The critical points' chart names questions by their labels, as the
	// screens do; weeks and states read as in the apps.
	for _, f := range r.Instruments[0].Fields {
		if f.Total.Applicable == 0 || f.Label.IT == "" {
			continue
		}
		if strings.Contains(s, `">`+f.ID+`</text>`) {
			t.Errorf("chart labels %s by its id", f.ID)
		}
		if want := html.EscapeString(chartLabel(f.Label.IT, f.ID)); !strings.Contains(s, `">`+want+`</text>`) {
			t.Errorf("chart lacks the label %q of %s", want, f.ID)
		}
	}
	if want := WeekLabel(weekStart(refDate), "it"); !strings.Contains(s, ">"+html.EscapeString(want)+"<") {
		t.Errorf("report lacks the week %q", want)
	}
	if regexp.MustCompile(`\d{4}-W\d{2}`).MatchString(s) || strings.Contains(s, "Rinviata") || !strings.Contains(s, "Restituita con commenti") {
		t.Errorf("report names weeks by ISO number or a state otherwise than the apps")
	}
	// Every chart is well-formed XML.
	charts := regexp.MustCompile(`(?s)<svg .*?</svg>`).FindAllString(string(data), -1)
	if len(charts) < 3 {
		t.Errorf("%d charts, want at least 3", len(charts))
	}
	for _, c := range charts {
		d := xml.NewDecoder(strings.NewReader(c))
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("chart is not well-formed: %v", err)
				break
			}
		}
	}
	// The page must parse without errors as HTML.
	if _, err := exec.LookPath("xmllint"); err == nil {
		out, err := exec.Command("xmllint", "--html", "--noout", path).CombinedOutput()
		if err != nil || len(bytes.TrimSpace(out)) > 0 {
			// libxml2's HTML parser does not know HTML5 elements; only
			// report what is not about them.
			for _, line := range strings.Split(string(out), "\n") {
				if line != "" && !strings.Contains(line, "Tag svg invalid") && !strings.Contains(line, "Tag figure invalid") &&
					!strings.Contains(line, "invalid") && strings.Contains(line, "error") {
					t.Errorf("xmllint --html: %s", line)
				}
			}
		}
	}
}

func TestWeekLabel(t *testing.T) {
	for _, c := range []struct {
		start      time.Time
		lang, want string
	}{
		{time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), "it", "30 nov – 6 dic"},
		{time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC), "it", "2 – 8 giu"},
		{time.Date(2025, 12, 29, 0, 0, 0, 0, time.UTC), "it", "29 dic 2025 – 4 gen 2026"},
		{time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), "en", "30 Nov – 6 Dec"},
	} {
		if got := WeekLabel(c.start, c.lang); got != c.want {
			t.Errorf("WeekLabel(%s, %s) = %q, want %q", c.start.Format("2006-01-02"), c.lang, got, c.want)
		}
	}
}
