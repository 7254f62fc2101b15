package quality

import (
	"strings"
	"testing"

	"sinba/survey"
)

// reasonRecords plants "not held" marks with their reasons:
//
//   - Napoli: FonteSegnalazione on paper only in na1 and na2, marked with no
//     reason in na3 (a record written before reasons existed); ValutazioneMinore
//     held by another body in na4.
//   - Torino: FonteSegnalazione not collected in to1, not applicable in to2;
//     the provider of the second intervention of to3 not held, other reason.
//   - Roma: nothing not held.
func reasonRecords() []survey.Record {
	mark := func(r *survey.Record, field string, reason survey.NotHeldReason) {
		delete(r.Answers, field)
		if r.Meta == nil {
			r.Meta = map[string]survey.FieldMeta{}
		}
		r.Meta[field] = survey.FieldMeta{NotHeld: true, Reason: reason}
	}
	var recs []survey.Record
	for i, plant := range []func(r *survey.Record){
		func(r *survey.Record) { mark(r, "FonteSegnalazione", survey.ReasonPaperOnly) },
		func(r *survey.Record) { mark(r, "FonteSegnalazione", survey.ReasonPaperOnly) },
		func(r *survey.Record) { mark(r, "FonteSegnalazione", survey.ReasonNotGiven) },
		func(r *survey.Record) { mark(r, "ValutazioneMinore", survey.ReasonOtherBody) },
	} {
		r := validCase("na"+string(rune('1'+i)), napoli)
		plant(&r)
		recs = append(recs, r)
	}
	for i, plant := range []func(r *survey.Record){
		func(r *survey.Record) { mark(r, "FonteSegnalazione", survey.ReasonNotCollected) },
		func(r *survey.Record) { mark(r, "FonteSegnalazione", survey.ReasonNotApplicable) },
		func(r *survey.Record) {
			r.Answers["DettaglioInterventi"] = []any{
				map[string]any{"CodicePrestazione": "A1.01", "MeseInizio": "01/2024", "Erogatore": "Comune"},
				map[string]any{"CodicePrestazione": "A1.01", "MeseInizio": "02/2024"},
			}
			r.Meta = map[string]survey.FieldMeta{"DettaglioInterventi[2].Erogatore": {NotHeld: true, Reason: survey.ReasonOther, Note: "convenzione scaduta"}}
		},
	} {
		r := validCase("to"+string(rune('1'+i)), torino)
		plant(&r)
		recs = append(recs, r)
	}
	return append(recs, validCase("rm1", roma))
}

// reasons builds ReasonCounts from reason/count pairs.
func reasons(pairs ...any) survey.ReasonCounts {
	var c survey.ReasonCounts
	for i := 0; i < len(pairs); i += 2 {
		c[pairs[i].(survey.NotHeldReason).Index()] = pairs[i+1].(int)
	}
	return c
}

func TestNotHeldByReason(t *testing.T) {
	r := Analyse(load(t), reasonRecords(), Options{Ref: refDate})
	if len(r.Skipped) != 0 {
		t.Fatalf("skipped %+v", r.Skipped)
	}
	cases := []struct {
		field, muni string
		notHeld     int
		want        survey.ReasonCounts
	}{
		{"FonteSegnalazione", "", 5, reasons(survey.ReasonPaperOnly, 2, survey.ReasonNotGiven, 1, survey.ReasonNotCollected, 1, survey.ReasonNotApplicable, 1)},
		{"FonteSegnalazione", napoli, 3, reasons(survey.ReasonPaperOnly, 2, survey.ReasonNotGiven, 1)},
		{"FonteSegnalazione", torino, 2, reasons(survey.ReasonNotCollected, 1, survey.ReasonNotApplicable, 1)},
		{"FonteSegnalazione", roma, 0, reasons()},
		{"ValutazioneMinore", "", 1, reasons(survey.ReasonOtherBody, 1)},
		{"ValutazioneMinore", torino, 0, reasons()},
		{"DettaglioInterventi.Erogatore", "", 1, reasons(survey.ReasonOther, 1)},
		{"DettaglioInterventi.Erogatore", torino, 1, reasons(survey.ReasonOther, 1)},
		{"LuogoVita", "", 0, reasons()},
	}
	for _, c := range cases {
		f := caseField(t, &r, c.field)
		got := f.Total
		if c.muni != "" {
			got = f.ByMunicipality[c.muni]
		}
		if got.NotHeld != c.notHeld || got.NotHeldBy != c.want {
			t.Errorf("%s in %q: not held %d by %v, want %d by %v", c.field, c.muni, got.NotHeld, got.NotHeldBy, c.notHeld, c.want)
		}
	}
	erog := caseField(t, &r, "DettaglioInterventi.Erogatore").Total
	if erog.Applicable != 2 || erog.Answered != 1 || erog.Missing != 0 {
		t.Errorf("DettaglioInterventi.Erogatore: %+v, want 2 items: 1 answered, 1 not held", erog)
	}

	ir, _ := r.Instrument(survey.InstrumentCase)
	by := ir.NotHeldByMunicipality()
	for code, want := range map[string]survey.ReasonCounts{
		"":     reasons(survey.ReasonPaperOnly, 2, survey.ReasonNotGiven, 1, survey.ReasonNotCollected, 1, survey.ReasonNotApplicable, 1, survey.ReasonOtherBody, 1, survey.ReasonOther, 1),
		napoli: reasons(survey.ReasonPaperOnly, 2, survey.ReasonNotGiven, 1, survey.ReasonOtherBody, 1),
		torino: reasons(survey.ReasonNotCollected, 1, survey.ReasonNotApplicable, 1, survey.ReasonOther, 1),
		roma:   reasons(),
	} {
		if by[code] != want {
			t.Errorf("not held in %q by reason: %v, want %v", code, by[code], want)
		}
	}

	var b strings.Builder
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	// The row of FonteSegnalazione: 5 not held, then one column per reason
	// in the order of survey.NotHeldReasons.
	row := `<td>FonteSegnalazione: ` + caseField(t, &r, "FonteSegnalazione").Label.IT + `</td><td class="n">5</td>` +
		`<td class="n">1</td><td class="n">1</td><td class="n">2</td><td class="n">0</td><td class="n">1</td><td class="n">0</td></tr>`
	for _, want := range []string{"Dati non disponibili per motivo", "solo su carta", "altro ente", row,
		`<tr class="total"><td>Totale</td><td class="n">7</td><td class="n">1</td><td class="n">1</td><td class="n">2</td><td class="n">1</td><td class="n">1</td><td class="n">1</td></tr>`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// TestGridMixesVersions: a Scheda Comune v2 (Roma) beside the v1 ones of
// Napoli and Torino; each is read with its own version's codes.
func TestGridMixesVersions(t *testing.T) {
	recs := append(plantedRecords(), survey.Record{ID: "sc-rm", Instrument: survey.InstrumentMunicipality, Version: 2, Municipality: roma,
		Answers: survey.Answers{"Comune": roma, "RegistraFonteSegnalazione": "2", "RegistraLuogoVita": "6", "RegistraDataNascita": "5",
			"RegistraCodiceFiscale": "1", "RegistraCondizioneLavoro": "4"},
		Meta: map[string]survey.FieldMeta{"RegistraTipoDisabilita": {NotHeld: true, Reason: survey.ReasonOther}}})
	r := Analyse(load(t), recs, Options{Ref: refDate})
	type want struct {
		declared string
		paper    bool
		text     string
		verdict  Verdict
	}
	wants := map[string]map[string]want{
		"FonteSegnalazione": {
			napoli: {DeclaredAlways, false, "Sempre", VerdictDiscordant}, // v1
			roma:   {DeclaredAlways, true, "Sempre, ma solo su carta", VerdictConsistent}},
		"LuogoVita":        {roma: {DeclaredNotApplicable, false, "Non pertinente per l'ufficio", VerdictDiscordant}},
		"DataNascita":      {roma: {DeclaredNever, false, "Mai", VerdictDiscordant}, napoli: {DeclaredNone, false, "", VerdictNoEvidence}},
		"CodiceFiscale":    {roma: {DeclaredAlways, false, "Sempre, in formato elettronico", VerdictNoEvidence}},
		"CondizioneLavoro": {roma: {DeclaredSometimes, true, "A volte, solo su carta", VerdictConsistent}},
		"TipoDisabilita":   {roma: {DeclaredNotHeld, false, "dato non disponibile", VerdictNoEvidence}, torino: {DeclaredNever, false, "Mai", VerdictConsistent}},
	}
	for _, row := range r.Grid {
		w, ok := wants[row.Field]
		if !ok {
			continue
		}
		delete(wants, row.Field)
		if row.Field == "DataNascita" && (row.Evidence != "AnnoNascita" || row.Label.IT != "Data di nascita del minore") {
			t.Errorf("DataNascita: evidence %q label %q", row.Evidence, row.Label.IT)
		}
		for _, c := range row.Cells {
			cw, ok := w[c.Municipality]
			if !ok {
				continue
			}
			if c.Declared != cw.declared || c.PaperOnly != cw.paper || c.DeclaredText.IT != cw.text || c.Verdict != cw.verdict {
				t.Errorf("%s in %s: %s paper %v %q %s, want %s paper %v %q %s", row.Field, c.Municipality,
					c.Declared, c.PaperOnly, c.DeclaredText.IT, c.Verdict, cw.declared, cw.paper, cw.text, cw.verdict)
			}
		}
	}
	for f := range wants {
		t.Errorf("no grid row %s", f)
	}
}
