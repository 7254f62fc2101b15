package quality

import (
	"testing"
	"time"

	"sinba/survey"
	"sinba/survey/synth"
)

func synthData(t testing.TB, cases int) *synth.Dataset {
	t.Helper()
	reg := load(t)
	d, err := synth.Generate(reg, testRef, synth.Options{Seed: 7, Cases: cases, MunicipalityCount: 5, PlantErrors: 0.05,
		RefDate: time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatalf("synthetic data: %v", err)
	}
	return d
}

// TestSyntheticNotHeld checks the critical points against what the
// synthetic data planted: for every field, the records marked "not held"
// and the notes.
func TestSyntheticNotHeld(t *testing.T) {
	d := synthData(t, 600)
	r := Analyse(load(t), d.Records, Options{Ref: d.RefDate})
	ir, ok := r.Instrument(survey.InstrumentCase)
	if !ok || ir.Records != d.Cases {
		t.Fatalf("case records analysed: %+v, want %d", ir, d.Cases)
	}
	notHeld := map[string]int{}
	notes := map[string]int{}
	for _, rec := range d.Records {
		if rec.Instrument != survey.InstrumentCase {
			continue
		}
		for f, m := range rec.Meta {
			if m.NotHeld {
				if _, answered := rec.Answers[f]; !answered {
					notHeld[f]++
				}
			}
			if m.Note != "" {
				notes[f]++
			}
		}
	}
	for f, want := range synth.DefaultNotHeld {
		fs, ok := ir.Field(f)
		if !ok {
			t.Errorf("no field %s", f)
			continue
		}
		if fs.Total.NotHeld != notHeld[f] {
			t.Errorf("%s: %d not held, the data planted %d", f, fs.Total.NotHeld, notHeld[f])
		}
		if notHeld[f] == 0 && want > 0.05 {
			t.Errorf("%s: nothing planted at rate %v; the check is empty", f, want)
		}
	}
	for _, fs := range ir.Fields {
		if len(fs.Notes) != notes[fs.ID] {
			t.Errorf("%s: %d notes, the data has %d", fs.ID, len(fs.Notes), notes[fs.ID])
		}
	}
	// The records planted with no benefit code are the failures of the
	// rule that asks for one.
	kinds := d.PlantedByKind()
	fp, _ := ir.Field(survey.FieldPrestazioni)
	got := 0
	for _, rc := range fp.Rules {
		if rc.Rule == "prestazioni.almeno_una" {
			got = rc.Units
		}
	}
	if got != kinds["nessuna_prestazione"] || got == 0 || fp.Total.Errors != got {
		t.Errorf("prestazioni.almeno_una failed on %d records (errors %d), %d planted", got, fp.Total.Errors, kinds["nessuna_prestazione"])
	}
}

func BenchmarkAnalyse20000(b *testing.B) {
	d := synthData(b, 20000)
	reg := load(b)
	b.ResetTimer()
	for b.Loop() {
		Analyse(reg, d.Records, Options{Ref: d.RefDate})
	}
}
