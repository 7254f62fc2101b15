package export

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"sinba/survey"
	"sinba/survey/synth"
)

func synthData(t testing.TB, cases int) *synth.Dataset {
	t.Helper()
	reg := load(t)
	in, _ := reg.Latest(survey.InstrumentCase)
	d, err := synth.Generate(reg, in.Reference(), synth.Options{Seed: 11, Cases: cases, MunicipalityCount: 4, PlantErrors: 0.05,
		RefDate: time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatalf("synthetic data: %v", err)
	}
	return d
}

// TestSyntheticSINBA writes the flows of synthetic data and checks that the
// refused records are exactly those planted with an error (but for an
// invalid codice fiscale, which the stripped identification no longer
// carries) and those whose office does not hold a datum SINBA requires;
// every flow validates against the schema.
func TestSyntheticSINBA(t *testing.T) {
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Fatal("xmllint is needed to validate SINBA flows against the schema (Debian: apt-get install libxml2-utils)")
	}
	d := synthData(t, 300)
	dir := t.TempDir()
	m, err := WriteSINBA(dir, load(t), d.Records, SINBAOptions{Date: d.RefDate, CFOperatore: operatorCF})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, rec := range d.Records {
		if rec.Instrument != survey.InstrumentCase {
			continue
		}
		if kind, ok := d.Planted[rec.ID]; ok && kind != "codice_fiscale" {
			want[rec.ID] = true
		}
		for _, f := range []string{"DataPrimaSegnalazione", "FonteSegnalazione", "ValutazioneMinore", "LuogoVita"} {
			if _, answered := rec.Answers[f]; !answered && rec.Meta[f].NotHeld {
				want[rec.ID] = true
			}
		}
	}
	got := map[string]bool{}
	for _, r := range m.Refused {
		got[r.RecordID] = true
		if len(r.Issues) == 0 {
			t.Errorf("%s refused with no reason", r.RecordID)
		}
	}
	for id := range want {
		if !got[id] {
			t.Errorf("%s should be refused (planted %q)", id, d.Planted[id])
		}
	}
	for id := range got {
		if !want[id] {
			t.Errorf("%s refused, nothing planted: %+v", id, m.Refused)
		}
	}
	if m.Records+len(m.Refused) != d.Cases || len(m.Files) != len(d.Municipalities) {
		t.Errorf("%d records in %d flows, %d refused, of %d cases in %d municipalities", m.Records, len(m.Files), len(m.Refused), d.Cases, len(d.Municipalities))
	}
	args := []string{"--noout", "--schema", "../testdata/SINBA.xsd"}
	for _, f := range m.Files {
		args = append(args, filepath.Join(dir, f.Name))
	}
	if out, err := exec.Command("xmllint", args...).CombinedOutput(); err != nil {
		t.Errorf("flows do not validate against SINBA.xsd: %v\n%s", err, out)
	}
	checkManifest(t, m, dir)
	if entries, _ := os.ReadDir(dir); len(entries) != len(m.Files) {
		t.Errorf("%d files in the folder, %d in the manifest", len(entries), len(m.Files))
	}
}

func BenchmarkCSVSynthetic20000(b *testing.B) {
	d := synthData(b, 20000)
	u, err := load(b).Union(survey.InstrumentCase)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := WriteCSV(b.TempDir(), NewDataset(u, d.Records)); err != nil {
			b.Fatal(err)
		}
	}
}
