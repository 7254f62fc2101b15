package backend_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"sinba/cmd/sinba/internal/backend"
	"sinba/localdb"
	"sinba/survey"
	"sinba/survey/export"
	"sinba/survey/synth"
	"sinba/sync/synctest"
	"sinba/ui/coordinator"
)

// TestSINBAExportFromTheExportsTab exports SINBA flows from the
// coordinators' Exports tab over the real adapter, a real coordinator store,
// a real server and a real laptop: three case records sent, two approved,
// one of them without an answer the flow requires. The operator's code is
// asked for (the field is empty, and the export refuses to start without
// it); then, before the folder is chosen, the screen says that one record
// goes into the flow and two stay out, and why, by label; after the export
// the folder holds the flow, which validates against INPS's schema, and the
// manifest, which lists the same; a workspace opened again has the
// project's operator code in the field.
func TestSINBAExportFromTheExportsTab(t *testing.T) {
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Fatal("xmllint is needed to validate SINBA flows (Debian: apt-get install libxml2-utils)")
	}
	l := newReviewLoop(t)
	// Records of the version the project published (1).
	built := instruments(t).Registry()
	reg := survey.NewRegistry()
	for _, id := range []string{survey.InstrumentCase, survey.InstrumentMunicipality} {
		in, _ := built.Get(id, 1)
		l.must(reg.Add(in))
	}
	v1, _ := reg.Latest(survey.InstrumentCase)
	data, err := synth.Generate(reg, v1.Reference(), synth.Options{Seed: 11, Cases: 3, Municipalities: []string{synctest.MunicipalityA},
		NotHeld: map[string]float64{}, NoteRate: -1, NoQuestionnaires: true})
	l.must(err)
	incomplete := data.Records[2]
	delete(incomplete.Answers, "FonteSegnalazione")
	var ids []string
	for _, rec := range []survey.Record{data.Records[0], data.Records[1], incomplete} {
		info, err := l.laptop.Save(l.ctx, rec, localdb.SaveOptions{Status: survey.StatusFinal, Actor: backend.Actor})
		l.must(err)
		ids = append(ids, info.ID)
	}
	l.syncLaptop()
	l.syncCoordinator()
	for _, id := range []string{ids[0], ids[2]} {
		_, err := l.coord.Review(l.ctx, id, survey.StatusApproved, nil, "coordinamento")
		l.must(err)
	}

	dir := t.TempDir()
	w, ws, _ := l.workspace(func(d *coordinator.Deps) { d.ChooseFolder = func(pick func(string)) { pick(dir) } })
	ws.Tabs().SelectIndex(4)
	radio := find(t, w.Canvas().Content(), func(*widget.RadioGroup) bool { return true })
	radio.SetSelected(radio.Options[len(radio.Options)-1])
	op := find(t, w.Canvas().Content(), func(e *widget.Entry) bool { return strings.Contains(e.PlaceHolder, "11 cifre") })
	if op.Text != "" {
		t.Fatalf("the operator's field holds %q before any export", op.Text)
	}
	choose := buttonNamed(t, w, "Scegli la cartella ed esporta…")
	test.Tap(choose)
	if msg := overlayLabels(w); !strings.Contains(msg, "senza il codice fiscale di chi li invia: nessun codice indicato") {
		t.Fatalf("without an operator the export says:\n%s", msg)
	}
	pressKey(w, fyne.KeyEscape)
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Fatalf("without an operator the folder holds %v", files)
	}

	test.Type(op, "RSSMRA85T10A562S")
	test.Tap(choose)
	settle(t)
	plan := overlayLabels(w)
	fonte, _ := v1.Question("FonteSegnalazione")
	for _, want := range []string{"Schede minore che entrerebbero nei flussi: 1 (flussi: 1, uno per ente). Resterebbero fuori: 2,",
		"1 × Non approvata (stato: Finalizzata)", "1 × " + fonte.Label.IT + ": "} {
		if !strings.Contains(plan, want) {
			t.Errorf("before the folder is chosen, the screen lacks %q:\n%s", want, plan)
		}
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Fatalf("the plan wrote %v", files)
	}
	pressKey(w, fyne.KeyReturn)
	done := func(s string) bool { return strings.HasPrefix(s, "Schede esportate: 1 · file: 1") }
	waitFor(t, func() bool { return hasLabel(w, done) })
	if !hasLabel(w, func(s string) bool { return strings.Contains(s, "1 × Non approvata (stato: Finalizzata)") }) {
		t.Error("after the export the tab does not say why records were left out")
	}

	var flow, manifest string
	files, _ := os.ReadDir(dir)
	for _, f := range files {
		switch {
		case strings.HasSuffix(f.Name(), ".xml"):
			flow = f.Name()
		case strings.HasPrefix(f.Name(), "manifest-sinba-"):
			manifest = f.Name()
		}
	}
	if flow == "" || manifest == "" || len(files) != 2 {
		t.Fatalf("the folder holds %v; want the flow and its manifest", files)
	}
	if !hasLabel(w, func(s string) bool { return strings.Contains(s, manifest) }) {
		t.Errorf("the result does not name the manifest %s", manifest)
	}
	if out, err := exec.Command("xmllint", "--noout", "--schema", "../../../../survey/testdata/SINBA.xsd", filepath.Join(dir, flow)).CombinedOutput(); err != nil {
		t.Errorf("%s does not validate against SINBA.xsd: %v\n%s", flow, err, out)
	}
	body, err := os.ReadFile(filepath.Join(dir, manifest))
	l.must(err)
	var m export.Manifest
	l.must(json.Unmarshal(body, &m))
	left := map[string]string{}
	for _, r := range m.Refused {
		left[r.RecordID] = r.Issues[0].MessageIT
	}
	if m.Records != 1 || len(m.Files) != 1 || m.Files[0].Name != flow || m.Files[0].SHA256 == "" ||
		left[ids[1]] != "Non approvata (stato: Finalizzata)" || !strings.HasPrefix(left[ids[2]], fonte.Label.IT+": ") {
		t.Errorf("the manifest: %s", body)
	}

	// Opened again, the workspace has the project's operator code.
	w2, ws2, _ := l.workspace(nil)
	ws2.Tabs().SelectIndex(4)
	if op := find(t, w2.Canvas().Content(), func(e *widget.Entry) bool { return strings.Contains(e.PlaceHolder, "11 cifre") }); op.Text != "RSSMRA85T10A562S" {
		t.Errorf("the operator's field holds %q in a workspace opened again; want the code the project's flows were sent with", op.Text)
	}
}
