package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"sinba/assets"
	"sinba/localdb"
	"sinba/survey"
	"sinba/survey/synth"
)

// TestExportHoldsTheApprovedRecords imports synthetic records in every state
// and exports them: by default only the approved ones leave, each export is
// logged, and the SINBA flows validate against INPS's schema.
func TestExportHoldsTheApprovedRecords(t *testing.T) {
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Fatal("xmllint is needed to validate SINBA flows (Debian: apt-get install libxml2-utils)")
	}
	dir, _ := initStore(t)
	ref, err := survey.LoadReference(assets.Reference)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := survey.LoadInstruments(assets.Instruments, ref)
	if err != nil {
		t.Fatal(err)
	}
	refDate := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	d, err := synth.Generate(reg, ref, synth.Options{Seed: 3, Cases: 30, MunicipalityCount: 2, RefDate: refDate, NotHeld: map[string]float64{}})
	if err != nil {
		t.Fatal(err)
	}
	// Every record finalised; a laptop's claim of approval is refused.
	write := func(status survey.Status) string {
		f, err := os.Create(filepath.Join(t.TempDir(), "dati.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		enc := json.NewEncoder(f)
		for _, r := range d.Records {
			if err := enc.Encode(struct {
				survey.Record
				Status survey.Status `json:"status"`
			}{r, status}); err != nil {
				t.Fatal(err)
			}
		}
		return f.Name()
	}
	if code, _, errs := runCmd(t, withPass, "import", "--data", dir, write(survey.StatusApproved)); code == 0 || !strings.Contains(errs, "decisione del coordinamento") {
		t.Fatalf("import of records claiming approval: exit %d, %s; want a refusal", code, errs)
	}
	if code, _, errs := runCmd(t, withPass, "import", "--data", dir, write(survey.StatusFinal)); code != 0 {
		t.Fatalf("import: %s", errs)
	}
	// Every third record approved by the coordinators, as sync brings the
	// decision; the others wait for review.
	approved, approvedCases := 0, 0
	func() {
		st, err := localdb.OpenWith(dir, []byte(testPass), storeOptions)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		infos, err := st.List(t.Context(), localdb.Filter{Sort: localdb.SortCreated})
		if err != nil || len(infos) != len(d.Records) {
			t.Fatalf("imported %d records (%v), want %d", len(infos), err, len(d.Records))
		}
		for i, info := range infos {
			if i%3 != 0 {
				continue
			}
			rec, _, err := st.Get(t.Context(), info.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.ApplyRemote(t.Context(), localdb.RemoteRevision{RecordID: info.ID, Revision: "decision-" + info.ID,
				BaseRevision: info.Revision, Status: survey.StatusApproved, Record: rec, Origin: localdb.OriginCoordinators}); err != nil {
				t.Fatal(err)
			}
			approved++
			if rec.Instrument == survey.InstrumentCase {
				approvedCases++
			}
		}
	}()

	out := filepath.Join(t.TempDir(), "csv")
	code, stdout, errs := runCmd(t, withPass, "export", "--data", dir, "--format", "csv", "--out", out)
	if code != 0 || !strings.Contains(stdout, "records exported: "+strconv.Itoa(approved)) ||
		!strings.Contains(stdout, "  scheda-minore versione / version 2: "+strconv.Itoa(approvedCases)+"\n") {
		t.Fatalf("export csv: %d\n%s\n%s", code, stdout, errs)
	}
	code, stdout, errs = runCmd(t, withPass, "export", "--data", dir, "--format", "stata", "--status", "all", "--out", filepath.Join(t.TempDir(), "do"))
	if code != 0 || !strings.Contains(stdout, "records exported: "+strconv.Itoa(len(d.Records))) {
		t.Fatalf("export stata, all states: %d\n%s\n%s", code, stdout, errs)
	}
	flows := filepath.Join(t.TempDir(), "sinba")
	code, stdout, errs = runCmd(t, withPass, "export", "--data", dir, "--format", "sinba", "--operator", "80078750587", "--date", "2025-06-30", "--out", flows)
	if code != 0 || !strings.Contains(stdout, "records exported: "+strconv.Itoa(approvedCases)) {
		t.Fatalf("export sinba: %d\n%s\n%s", code, stdout, errs)
	}
	xmls, _ := filepath.Glob(filepath.Join(flows, "*.xml"))
	if len(xmls) == 0 {
		t.Fatal("no SINBA flow written")
	}
	for _, x := range xmls {
		if out, err := exec.Command("xmllint", "--noout", "--schema", "../../../../survey/testdata/SINBA.xsd", x).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", x, err, out)
		}
	}
	st := openTest(t, dir)
	audit, err := st.Audit(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	logged := 0
	for _, a := range audit {
		if a.Action == "export" {
			logged++
		}
	}
	if logged != 3 {
		t.Errorf("%d exports in the audit trail, want 3", logged)
	}

	for _, bad := range [][]string{
		{"--format", "pdf", "--out", t.TempDir()},
		{"--format", "csv", "--out", t.TempDir(), "--status", "perfect"},
		{"--format", "sinba", "--out", t.TempDir(), "--date", "30/06/2025"},
	} {
		if code, _, errs := runCmd(t, withPass, append([]string{"export", "--data", dir}, bad...)...); code != 1 || !strings.Contains(errs, " / ") {
			t.Errorf("export %v: exit %d, %s; want 1 with a message in both languages", bad, code, errs)
		}
	}
	if code, _, _ := runCmd(t, withPass, "export", "--data", dir, "--format", "csv"); code != 2 {
		t.Errorf("export without --out: exit %d, want 2", code)
	}
}
