package dataset_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sinba/localdb"
	"sinba/localdb/dataset"
	"sinba/localdb/registry"
	"sinba/survey"
	"sinba/survey/export"
	"sinba/survey/synth"
	"sinba/sync/synctest"
)

// A laptop's store exports without any server: the records of the statuses
// asked for, each export in the audit trail; a format it does not know or
// no folder is refused with a message in Italian and English, and nothing
// is written or logged.
func TestExportReadsAStoreWithoutTheServer(t *testing.T) {
	ctx := context.Background()
	store := synctest.Laptop(t, t.TempDir())
	for _, m := range []string{"uno", "due"} {
		if _, err := store.Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, m), localdb.SaveOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	set, err := registry.Load(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	entries, skipped, err := dataset.Entries(ctx, store)
	if err != nil || len(entries) != 2 || skipped != 0 {
		t.Fatalf("entries: %d (%d skipped), %v; want 2", len(entries), skipped, err)
	}
	if approved, _, err := dataset.Entries(ctx, store, survey.StatusApproved); err != nil || len(approved) != 0 {
		t.Fatalf("approved entries: %d, %v; want none", len(approved), err)
	}
	exports := func() int {
		audit, err := store.Audit(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, a := range audit {
			if a.Action == "export" {
				n++
			}
		}
		return n
	}
	for _, bad := range []dataset.Options{{Format: "pdf", Dir: t.TempDir()}, {Format: dataset.Formats[0]}} {
		_, err := dataset.Export(ctx, store, set.Registry, bad)
		var se *survey.Error
		if !errors.As(err, &se) || se.IT == "" || se.EN == "" || se.IT == se.EN || strings.Contains(se.IT, " / ") {
			t.Errorf("export %+v: %v; want a message in Italian and one in English", bad, err)
		}
	}
	if n := exports(); n != 0 {
		t.Fatalf("%d exports logged after two refusals", n)
	}
	dir := filepath.Join(t.TempDir(), "nuova")
	m, err := dataset.Export(ctx, store, set.Registry, dataset.Options{Format: dataset.Formats[0], Dir: dir, Actor: "prova",
		Statuses: []survey.Status{survey.StatusDraft}})
	if err != nil || m.Records != 2 || len(m.Files) == 0 {
		t.Fatalf("export of the drafts: %+v, %v", m, err)
	}
	if _, err := os.Stat(filepath.Join(dir, m.Files[0].Name)); err != nil {
		t.Fatalf("the export's first file: %v", err)
	}
	if n := exports(); n != 1 {
		t.Fatalf("%d exports logged, want 1", n)
	}
}

// A SINBA export says, before anything is written (Plan) and in the
// manifest it writes beside the flow, which case records go into the flow
// and which are left out and why, by label: a record not approved, one
// without an answer the flow requires; with no valid operator code every
// record is left out with that reason, the flow folder holds the manifest
// alone and it says so. The flow validates against INPS's schema, and the
// manifest gives each file's size and checksum and the instrument versions.
func TestSINBAExportSaysWhatItLeftOut(t *testing.T) {
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Fatal("xmllint is needed to validate SINBA flows (Debian: apt-get install libxml2-utils)")
	}
	ctx := context.Background()
	store := synctest.Laptop(t, t.TempDir())
	set, err := registry.Load(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	in, _ := set.Registry.Latest(survey.InstrumentCase)
	data, err := synth.Generate(set.Registry, in.Reference(), synth.Options{Seed: 3, Cases: 3, Municipalities: []string{synctest.MunicipalityA},
		NotHeld: map[string]float64{}, NoteRate: -1, NoQuestionnaires: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(data.Records) != 3 {
		t.Fatalf("%d synthetic records, want 3", len(data.Records))
	}
	approved, final, incomplete := data.Records[0], data.Records[1], data.Records[2]
	delete(incomplete.Answers, "FonteSegnalazione")
	for _, r := range []struct {
		rec survey.Record
		st  survey.Status
	}{{approved, survey.StatusApproved}, {final, survey.StatusFinal}, {incomplete, survey.StatusApproved}} {
		info, err := store.Save(ctx, r.rec, localdb.SaveOptions{Status: survey.StatusFinal})
		if err != nil {
			t.Fatal(err)
		}
		if r.st == survey.StatusApproved { // the coordinators' decision, as a download brings it
			if _, err := store.ApplyRemote(ctx, localdb.RemoteRevision{RecordID: info.ID, Revision: "approvata-" + info.ID, BaseRevision: info.Revision,
				Status: survey.StatusApproved, Record: r.rec, Origin: localdb.OriginCoordinators}); err != nil {
				t.Fatal(err)
			}
		}
	}
	reasons := func(m export.Manifest) map[string]string {
		out := map[string]string{}
		for _, r := range m.Refused {
			var why []string
			for _, is := range r.Issues {
				why = append(why, is.MessageIT)
			}
			out[r.RecordID] = strings.Join(why, "; ")
		}
		return out
	}
	o := dataset.Options{Format: export.FormatSINBA, SINBA: export.SINBAOptions{CFOperatore: "RSSMRA85T10A562S"}, Actor: "prova"}
	plan, err := dataset.Plan(ctx, store, set.Registry, o)
	if err != nil {
		t.Fatal(err)
	}
	why := reasons(plan.Manifest)
	if plan.Manifest.Records != 1 || len(plan.Manifest.Files) != 1 || len(why) != 2 {
		t.Fatalf("plan: %d records in %d flows, left out %v; want 1 in 1 and two left out", plan.Manifest.Records, len(plan.Manifest.Files), why)
	}
	if got := why[final.ID]; got != "Non approvata (stato: Finalizzata)" {
		t.Errorf("the final record is left out because %q", got)
	}
	fonte, _ := in.Question("FonteSegnalazione")
	if got := why[incomplete.ID]; !strings.Contains(got, fonte.Label.IT+": ") || strings.Contains(got, "FonteSegnalazione") {
		t.Errorf("the record without %q is left out because %q: want its label, not its id", fonte.Label.IT, got)
	}

	o.Dir = t.TempDir()
	m, err := dataset.Export(ctx, store, set.Registry, o)
	if err != nil {
		t.Fatal(err)
	}
	if m.Records != 1 || len(m.Files) != 1 || fmt.Sprint(reasons(m)) != fmt.Sprint(why) {
		t.Fatalf("export: %d records in %v, left out %v; want what the plan said", m.Records, m.Files, reasons(m))
	}
	if out, err := exec.Command("xmllint", "--noout", "--schema", "../../survey/testdata/SINBA.xsd", filepath.Join(o.Dir, m.Files[0].Name)).CombinedOutput(); err != nil {
		t.Errorf("the flow does not validate: %v\n%s", err, out)
	}
	written := readManifest(t, o.Dir, m.Name)
	if written.Records != 1 || fmt.Sprint(reasons(written)) != fmt.Sprint(why) || fmt.Sprint(written.Instruments) != "["+in.Key()+"]" ||
		fmt.Sprint(written.Statuses) != "[approved]" {
		t.Errorf("the manifest on disk: %+v", written)
	}
	for _, f := range written.Files {
		b, err := os.ReadFile(filepath.Join(o.Dir, f.Name))
		sum := sha256.Sum256(b)
		if err != nil || int64(len(b)) != f.Bytes || hex.EncodeToString(sum[:]) != f.SHA256 {
			t.Errorf("%s: the manifest says %d bytes %s; the file: %d bytes %x (%v)", f.Name, f.Bytes, f.SHA256, len(b), sum, err)
		}
	}

	// No operator code: nothing goes into a flow, and the manifest is
	// there to say why.
	o.SINBA.CFOperatore, o.Dir = "", t.TempDir()
	m, err = dataset.Export(ctx, store, set.Registry, o)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := os.ReadDir(o.Dir)
	if m.Records != 0 || len(m.Files) != 0 || len(files) != 1 || files[0].Name() != m.Name {
		t.Fatalf("without an operator: %d records, files %v, folder %v; want the manifest alone", m.Records, m.Files, files)
	}
	if got := reasons(readManifest(t, o.Dir, m.Name))[approved.ID]; !strings.HasPrefix(got, "Codice fiscale dell'operatore non valido: nessun codice indicato") {
		t.Errorf("without an operator the approved record is left out because %q", got)
	}
}

func readManifest(t *testing.T, dir, name string) export.Manifest {
	t.Helper()
	if name == "" {
		t.Fatal("no manifest written")
	}
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	var m export.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}
