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
	// Every third record approved, the others waiting for review.
	f, err := os.Create(filepath.Join(t.TempDir(), "dati.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	enc := json.NewEncoder(f)
	approved, approvedCases := 0, 0
	for i, r := range d.Records {
		status := survey.StatusFinal
		if i%3 == 0 {
			status = survey.StatusApproved
			approved++
			if r.Instrument == survey.InstrumentCase {
				approvedCases++
			}
		}
		if err := enc.Encode(struct {
			survey.Record
			Status survey.Status `json:"status"`
		}{r, status}); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	if code, _, errs := runCmd(t, withPass, "import", "--data", dir, f.Name()); code != 0 {
		t.Fatalf("import: %s", errs)
	}

	out := filepath.Join(t.TempDir(), "csv")
	code, stdout, errs := runCmd(t, withPass, "export", "--data", dir, "--format", "csv", "--out", out)
	if code != 0 || !strings.Contains(stdout, "records exported: "+strconv.Itoa(approved)) {
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
