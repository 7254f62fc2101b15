package quality

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"sinba/survey"
	"sinba/survey/instdiff"
)

// plantedVersion2 is the shipped scheda-minore v1 made version 2 with three
// changes planted: FonteSegnalazione relabelled, the age band rule made a
// warning, and a new question.
func plantedVersion2(t *testing.T, label string) *survey.Instrument {
	t.Helper()
	b, err := os.ReadFile("../../assets/instruments/scheda-minore.v1.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["version"] = 2
	for _, s := range m["sections"].([]any) {
		s := s.(map[string]any)
		for _, q := range s["questions"].([]any) {
			if q := q.(map[string]any); q["id"] == "FonteSegnalazione" {
				q["label"] = map[string]any{"it": label, "en": "Who reported the child"}
			}
		}
		if s["id"] == "chiusura" {
			s["questions"] = append(s["questions"].([]any), map[string]any{"id": "NotaChiusura", "type": "text", "label": map[string]any{"it": "Nota sulla chiusura"}})
		}
	}
	for _, r := range m["rules"].([]any) {
		if r := r.(map[string]any); r["id"] == "eta.fascia_coerente" {
			r["severity"] = "warning"
		}
	}
	b, _ = json.Marshal(m)
	in, err := survey.ParseInstrument(b, testRef)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// TestVersionDiffFigures puts the older version's critical points beside
// every changed field: the planted records' figures, exactly.
func TestVersionDiffFigures(t *testing.T) {
	reg := load(t)
	old, _ := reg.Get(survey.InstrumentCase, 1)
	new := plantedVersion2(t, "Chi ha segnalato il minore")
	recs := plantedRecords()
	// A record of the new version is not counted among the older one's.
	extra := validCase("v2", napoli)
	extra.Version = 2
	d := NewVersionDiff(old, new, append(recs, extra), Options{Ref: refDate})

	var got []string
	for _, c := range d.Changes {
		got = append(got, string(c.Kind)+" "+c.Subject())
	}
	want := []string{"label_changed FonteSegnalazione", "question_added NotaChiusura", "rule_changed eta.fascia_coerente"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("changes %q, want %q", got, want)
	}
	if d.Figures.Records != 13 {
		t.Fatalf("records of version 1 counted: %d, want 13 case records", d.Figures.Records)
	}
	f, ok := d.Figures.Field("FonteSegnalazione")
	if !ok || f.Total != (Counts{Units: 13, Applicable: 13, Answered: 10, Missing: 2, NotHeld: 1, NotHeldBy: survey.ReasonCounts{1}}) {
		t.Fatalf("FonteSegnalazione in version 1: %+v", f)
	}

	var buf bytes.Buffer
	if err := WriteVersionDiffHTML(&buf, d); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	for _, s := range []string{
		"Da <span class=\"en\">From</span> scheda-minore@1 a <span class=\"en\">to</span> scheda-minore@2",
		"schede della versione precedente <span class=\"en\">records of the earlier version</span>: 13",
		// The changed field with its figures: 13 applicable, 10 answered, 1 not held (no reason), 2 missing.
		"<b>FonteSegnalazione</b>",
		`<td class="n">13</td><td class="n">10</td><td class="n">1 (7,7%)<br><span class="meta">senza motivo 1</span></td><td class="n">2 (15,4%)</td>`,
		"Domande aggiunte <span class=\"en\">Questions added</span>", "<b>NotaChiusura</b>",
		// The rule failed on two records of version 1.
		`<b>eta.fascia_coerente</b>`, `<code class="old">errore <span class="en">error</span></code> → <code class="new">avviso <span class="en">warning</span></code></td><td class="n">2</td>`,
	} {
		if !strings.Contains(page, s) {
			t.Errorf("the page lacks %q", s)
		}
	}

	// Without records, the changes and no figures.
	d = NewVersionDiff(old, new, nil, Options{Ref: refDate})
	buf.Reset()
	if err := WriteVersionDiffHTML(&buf, d); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "nessuna scheda della versione precedente") || strings.Contains(buf.String(), `<td class="n">13</td>`) {
		t.Error("without records the page still shows figures")
	}
}

// TestVersionDiffEscapes keeps a published definition's texts as text.
func TestVersionDiffEscapes(t *testing.T) {
	reg := load(t)
	old, _ := reg.Get(survey.InstrumentCase, 1)
	new := plantedVersion2(t, `<script>alert(1)</script><img src=x onerror=alert(2)>`)
	var buf bytes.Buffer
	if err := WriteVersionDiffHTML(&buf, NewVersionDiff(old, new, plantedRecords(), Options{Ref: refDate})); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "<script") || strings.Contains(buf.String(), "<img") {
		t.Fatal("a label became markup")
	}
	if !strings.Contains(buf.String(), "&lt;script&gt;") {
		t.Fatal("the label is not on the page")
	}
}

// TestVersionDiffShipped renders the shipped v1→v2 of both instruments.
func TestVersionDiffShipped(t *testing.T) {
	reg := load(t)
	for _, id := range []string{survey.InstrumentCase, survey.InstrumentMunicipality} {
		old, _ := reg.Get(id, 1)
		new, _ := reg.Get(id, 2)
		d := NewVersionDiff(old, new, plantedRecords(), Options{Ref: refDate})
		var buf bytes.Buffer
		if err := WriteVersionDiffHTML(&buf, d); err != nil {
			t.Fatal(err)
		}
		for _, c := range d.Changes {
			if s := c.Subject(); !strings.Contains(buf.String(), s) {
				t.Errorf("%s: %s %s not on the page", id, c.Kind, s)
			}
		}
		if len(instdiff.Fields(d.Changes)) == 0 {
			t.Errorf("%s: no changed field", id)
		}
	}
}
