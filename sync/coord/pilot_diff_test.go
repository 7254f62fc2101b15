package coord_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"sinba/assets"
	"sinba/localdb/registry"
	"sinba/survey"
	"sinba/survey/instdiff"
	"sinba/survey/instfile"
	"sinba/survey/quality"
)

// plantedVersion3 is the shipped case record v2 made version 3 with the
// changes a phase-4 meeting might decide, and the changes Diff must report
// for them, exactly.
func plantedVersion3(t *testing.T) ([]byte, []string) {
	t.Helper()
	b, err := assets.Instruments.ReadFile("instruments/scheda-minore.v2.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	m["version"] = 3
	for _, s := range m["sections"].([]any) {
		s := s.(map[string]any)
		var kept []any
		for _, q := range s["questions"].([]any) {
			q := q.(map[string]any)
			switch q["id"] {
			case "FonteSegnalazione": // often missing: a clearer question
				q["label"] = map[string]any{"it": "Chi ha segnalato il minore al servizio", "en": "Who reported the child to the service"}
			case "TitoloStudioPadre":
				q["id"] = "TitoloStudioDelPadre"
			case "CodiceCittadinanzaPadre": // dropped
				continue
			}
			kept = append(kept, q)
		}
		if s["id"] == "chiusura" {
			kept = append(kept, map[string]any{"id": "NotaFase4", "type": "text", "label": map[string]any{"it": "Osservazioni sulla scheda", "en": "Remarks on the record"}})
		}
		s["questions"] = kept
	}
	// Often not held: a code for "not computed".
	isee := m["codelists"].(map[string]any)["FasciaISEEBeneficiarioType"].(map[string]any)
	isee["codes"] = append(isee["codes"].([]any), map[string]any{"code": "9", "label": map[string]any{"it": "ISEE non calcolato", "en": "ISEE not computed"}})
	for _, r := range m["rules"].([]any) {
		if r := r.(map[string]any); r["id"] == "eta.fascia_coerente" {
			r["severity"] = "warning"
		}
	}
	m["migrations"] = []any{map[string]any{"from": 2,
		"renamed": map[string]any{"TitoloStudioPadre": "TitoloStudioDelPadre"},
		"dropped": []any{"CodiceCittadinanzaPadre"}}}
	body, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return body, []string{
		"label_changed FonteSegnalazione",
		"migration_declared ",
		"question_added NotaFase4",
		"question_removed CodiceCittadinanzaPadre",
		"question_renamed TitoloStudioDelPadre",
		"recoded FasciaISEEBeneficiario",
		"rule_changed eta.fascia_coerente",
	}
}

func changeKeys(cs []instdiff.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, string(c.Kind)+" "+c.Subject())
	}
	slices.Sort(out)
	return out
}

// checkVersionDiff proposes a version 3 of the case record with planted
// changes, which the check refuses (it renames and drops fields the SINBA
// flow reads), and writes the version diff report
// over the records the coordinator holds (recs): it lists exactly the
// planted changes, each changed field with its figures in version 2's
// records, which equal what was planted in them.
func checkVersionDiff(t *testing.T, p *pilot, recs []survey.Record, missing, failures int) {
	t.Helper()
	ctx := p.ctx
	body, planted := plantedVersion3(t)
	// The check refuses it: the INPS flow reads the renamed and the dropped
	// field, and would leave them out of every record of version 3.
	_, err := p.coord.Propose(ctx, "scheda-minore.v3.json", body)
	var inv *instfile.InvalidError
	if !errors.As(err, &inv) || len(inv.Problems) != 2 ||
		!strings.HasPrefix(inv.Problems[0].Message.IT, "il flusso SINBA per l'INPS ha bisogno del campo CodiceCittadinanzaPadre") ||
		!strings.HasPrefix(inv.Problems[1].Message.IT, "il flusso SINBA per l'INPS ha bisogno del campo TitoloStudioPadre") || inv.Problems[1].Where == "" {
		t.Fatalf("proposing a version 3 that loses SINBA fields: %v", err)
	}
	set, err := registry.Load(ctx, p.coord.Store())
	p.must(err)
	reg, ref := set.Registry, set.Reference
	v2, _ := reg.Get(survey.InstrumentCase, 2)
	v3, err := survey.ParseInstrument(body, ref)
	p.must(err)
	if got := changeKeys(instdiff.Diff(v2, v3)); !slices.Equal(got, planted) {
		t.Fatalf("changes shown before publishing:\n got %q\nwant %q", got, planted)
	}
	d := quality.NewVersionDiff(v2, v3, recs, quality.Options{Ref: refDate})
	if got := changeKeys(d.Changes); !slices.Equal(got, planted) {
		t.Fatalf("the report's changes:\n got %q\nwant %q", got, planted)
	}
	v2Cases, notHeld := 0, 0
	for _, r := range recs {
		if r.Instrument == survey.InstrumentCase && r.Version == 2 {
			v2Cases++
			if r.Meta["FasciaISEEBeneficiario"].NotHeld {
				notHeld++
			}
		}
	}
	if d.Figures.Records != v2Cases {
		t.Fatalf("the report counts %d records of version 2, want %d", d.Figures.Records, v2Cases)
	}
	figures := func(id string) quality.Counts {
		fs, ok := d.Figures.Field(id)
		if !ok {
			t.Fatalf("no figures of %s in version 2", id)
		}
		return fs.Total
	}
	if c := figures("FonteSegnalazione"); c.Missing != missing {
		t.Errorf("FonteSegnalazione missing in version 2: %d, planted %d", c.Missing, missing)
	}
	if c := figures("FasciaISEEBeneficiario"); c.NotHeld != notHeld || notHeld == 0 {
		t.Errorf("FasciaISEEBeneficiario not held in version 2: %d, planted %d", c.NotHeld, notHeld)
	}
	var page bytes.Buffer
	p.must(quality.WriteVersionDiffHTML(&page, d))
	for _, want := range []string{
		"<b>FonteSegnalazione</b>", "<b>FasciaISEEBeneficiario</b>", "<b>TitoloStudioDelPadre</b>", "<b>CodiceCittadinanzaPadre</b>", "<b>NotaFase4</b>",
		fmt.Sprintf(`<code class="old">errore <span class="en">error</span></code> → <code class="new">avviso <span class="en">warning</span></code></td><td class="n">%d</td>`, failures),
		fmt.Sprintf(`: %d</p>`, v2Cases),
	} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("the version diff report lacks %q", want)
		}
	}
}
