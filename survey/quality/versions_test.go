package quality

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"sinba/survey"
	"sinba/survey/synth"
)

// registryV3 is the shipped instruments and the case record v3 of
// synth.CaseV3 (renamed, merged, dropped and new fields, a code list
// changed).
func registryV3(t *testing.T) *survey.Registry {
	t.Helper()
	load(t)
	reg, err := survey.LoadInstruments(os.DirFS("../../assets/instruments"), testRef)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synth.AddCaseV3(reg); err != nil {
		t.Fatal(err)
	}
	return reg
}

// recordsV2V3: Napoli, four records of v2: the mother's occupation answered
// in two (code 7, which v3 drops), not held on paper only in one, missing
// in one; the mother's education answered in two; the collaborations not
// held in one. Torino, three records of v3: the mother's occupation answered
// in one (code 9, new in v3), held by another body in two; the parents'
// education answered in all three; the referral channel answered in two;
// one age band against the year of birth (an error).
func recordsV2V3() []survey.Record {
	var recs []survey.Record
	for i := 1; i <= 4; i++ {
		r := validCase(fmt.Sprintf("na%d", i), napoli)
		r.Version = 2
		r.Answers["DataRiferimento"] = "2025-06-30"
		switch i {
		case 1, 2:
			r.Answers["OccupazioneMadre"] = "7"
			r.Answers["TitoloStudioMadre"] = "3"
		case 3:
			r.Meta = map[string]survey.FieldMeta{"OccupazioneMadre": {NotHeld: true, Reason: survey.ReasonPaperOnly},
				"CollaborazioniInterventi": {NotHeld: true, Reason: survey.ReasonNotCollected}}
		}
		recs = append(recs, r)
	}
	for i := 1; i <= 3; i++ {
		r := validCase(fmt.Sprintf("to%d", i), torino)
		r.Version = 3
		r.Answers["DataRiferimento"] = "2025-06-30"
		r.Answers["TitoloStudioGenitori"] = "5"
		if i == 1 {
			r.Answers["CondizioneOccupazionaleMadre"] = "9"
			r.Answers["FasciaEtaBeneficiario"] = "1"
		} else {
			r.Meta = map[string]survey.FieldMeta{"CondizioneOccupazionaleMadre": {NotHeld: true, Reason: survey.ReasonOtherBody}}
			r.Answers["CanaleSegnalazione"] = "2"
		}
		recs = append(recs, r)
	}
	return recs
}

func TestCriticalPointsAcrossVersions(t *testing.T) {
	reg := registryV3(t)
	rep := Analyse(reg, recordsV2V3(), Options{Ref: refDate})
	ir, ok := rep.Instrument(survey.InstrumentCase)
	if !ok {
		t.Fatal("no case records in the report")
	}
	if fmt.Sprint(ir.Versions) != "[2 3]" || fmt.Sprint(ir.RecordsByVersion) != "map[2:4 3:3]" || ir.Records != 7 {
		t.Errorf("versions %v, records by version %v, records %d", ir.Versions, ir.RecordsByVersion, ir.Records)
	}
	if _, ok := ir.Field("OccupazioneMadre"); ok {
		t.Error("the renamed field is counted under its old id too")
	}
	type figures struct{ applicable, answered, notHeld, missing, errors int }
	fig := func(c Counts) figures { return figures{c.Applicable, c.Answered, c.NotHeld, c.Missing, c.Errors} }
	for _, c := range []struct {
		field    string
		versions string
		by       map[int]figures
	}{
		{"CondizioneOccupazionaleMadre", "[2 3]", map[int]figures{2: {4, 2, 1, 1, 0}, 3: {3, 1, 2, 0, 0}}},
		{"TitoloStudioMadre", "[2]", map[int]figures{2: {4, 2, 0, 2, 0}}},
		{"TitoloStudioGenitori", "[3]", map[int]figures{3: {3, 3, 0, 0, 0}}},
		{"CollaborazioniInterventi", "[2]", map[int]figures{2: {4, 0, 1, 3, 0}}},
		{"CanaleSegnalazione", "[3]", map[int]figures{3: {3, 2, 0, 1, 0}}},
		{"FasciaEtaBeneficiario", "[2 3]", map[int]figures{2: {4, 4, 0, 0, 0}, 3: {3, 3, 0, 0, 1}}},
	} {
		f, ok := ir.Field(c.field)
		if !ok {
			t.Errorf("no field %s", c.field)
			continue
		}
		got := map[int]figures{}
		var total Counts
		for v, n := range f.ByVersion {
			got[v] = fig(n)
			total.add(n)
		}
		if fmt.Sprint(f.Versions) != c.versions || fmt.Sprint(got) != fmt.Sprint(c.by) {
			t.Errorf("%s: versions %v, by version %v; want %s, %v", c.field, f.Versions, got, c.versions, c.by)
		}
		if fig(total) != fig(f.Total) {
			t.Errorf("%s: the versions add up to %v, the total is %v", c.field, fig(total), fig(f.Total))
		}
	}
	occ, _ := ir.Field("CondizioneOccupazionaleMadre")
	if occ.ByVersion[2].NotHeldBy.Of(survey.ReasonPaperOnly) != 1 || occ.ByVersion[3].NotHeldBy.Of(survey.ReasonOtherBody) != 2 {
		t.Errorf("not held by reason per version: %v", occ.ByVersion)
	}
	if fmt.Sprint(occ.EarlierIDs) != "[OccupazioneMadre (v2)]" {
		t.Errorf("earlier ids of CondizioneOccupazionaleMadre: %v", occ.EarlierIDs)
	}
	if f, _ := ir.Field("TitoloStudioGenitori"); !strings.Contains(f.History.IT, "unisce TitoloStudioMadre (v2), TitoloStudioPadre (v2)") {
		t.Errorf("history of the merged field: %+v", f.History)
	}
	if f, _ := ir.Field("CollaborazioniInterventi"); f.History.EN != "dropped from version 3" {
		t.Errorf("history of the dropped field: %+v", f.History)
	}
	if f, ok := ir.Field("DettaglioInterventi.EnteErogatore"); !ok || fmt.Sprint(f.Versions) != "[2 3]" {
		t.Errorf("the renamed item: %+v", f)
	}

	// The report shows the versions side by side.
	var b bytes.Buffer
	if err := WriteHTML(&b, rep); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{"Versioni a confronto", "<th colspan=\"5\">v2 · 4</th><th colspan=\"5\">v3 · 3</th>",
		"<td>CondizioneOccupazionaleMadre<br><span class=\"meta\">prima <span class=\"en\">earlier</span>: OccupazioneMadre (v2)</span></td>",
		"<td class=\"n\">1 (25,0%)<br><span class=\"meta\">solo su carta 1</span></td>",
		"<td>TitoloStudioGenitori</td><td>Titolo di studio più alto dei genitori<br><span class=\"meta\">dalla versione 3 unisce",
		"<td colspan=\"5\" class=\"n no_evidence\">non presente in questa versione"} {
		if !strings.Contains(page, want) {
			t.Errorf("the report lacks %q", want)
		}
	}

	// One version only: no comparison.
	b.Reset()
	one := Analyse(reg, recordsV2V3()[:4], Options{Ref: refDate})
	if err := WriteHTML(&b, one); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "Versioni a confronto") {
		t.Error("a report of one version compares versions")
	}
}

func TestResultTablesAcrossVersions(t *testing.T) {
	reg := registryV3(t)
	recs := recordsV2V3()
	views := evaluate(reg, recs, refDate, false)
	u, err := reg.Union(survey.InstrumentCase, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	occ, ok := codeSpec(u, "CondizioneOccupazionaleMadre", nil)
	if !ok {
		t.Fatal("no table of the renamed field")
	}
	var rows []string
	for _, h := range occ.rows {
		rows = append(rows, h.Code+"="+h.Label.IT)
	}
	joined := strings.Join(rows, "; ")
	for _, want := range []string{"7=inabile al lavoro (solo versioni 2)", "9=in cassa integrazione (solo versioni 3)", "1=occupato;",
		"8=in altra condizione non professionale [v2: in altra condizione];"} {
		if !strings.Contains(joined, want) {
			t.Errorf("rows of the occupation table lack %q: %s", want, joined)
		}
	}
	if strings.Contains(joined, RowNotInVersion) {
		t.Errorf("a field of both versions has a row for records of a version without it: %s", joined)
	}
	gen, _ := codeSpec(u, "TitoloStudioGenitori", nil)
	count := func(s tableSpec) map[string]int {
		out := map[string]int{}
		for i := range views {
			for _, c := range s.classify(&views[i]) {
				out[c]++
			}
		}
		return out
	}
	// The renamed field is read in each record's own version.
	if got := fmt.Sprint(count(occ)); got != fmt.Sprintf("map[7:2 9:1 %s:3 %s:1]", RowNotHeld, RowMissing) {
		t.Errorf("occupation of the mother by row: %s", got)
	}
	// v2 records did not have the merged field: a row of their own, never "not given".
	if got := fmt.Sprint(count(gen)); got != fmt.Sprintf("map[5:3 %s:4]", RowNotInVersion) {
		t.Errorf("parents' education by row: %s", got)
	}
	if gen.rows[len(gen.rows)-1] != headNotInVersion {
		t.Errorf("the last row of the merged field's table: %+v", gen.rows[len(gen.rows)-1])
	}
	// The shipped tables over records of both versions: every record in.
	for _, tb := range Results(reg, recs, refDate) {
		if tb.ID == "LuogoVita" && tb.Cells[len(tb.Rows)][len(tb.Cols)] != 7 {
			t.Errorf("LuogoVita: total %d, want 7", tb.Cells[len(tb.Rows)][len(tb.Cols)])
		}
	}
}
