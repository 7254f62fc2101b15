package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sinba/localdb"
	"sinba/survey"
)

func TestBackupAndRestoreCommands(t *testing.T) {
	dir, rk := initStore(t)
	st := openTest(t, dir)
	info, err := st.Save(context.Background(), survey.Record{Instrument: survey.InstrumentMunicipality, Municipality: "063049", Answers: survey.Answers{"x": "1"}}, localdb.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	file := filepath.Join(t.TempDir(), "copia.sinba")
	if code, out, errs := runCmd(t, withPass, "backup", "--data", dir, file); code != 0 || !strings.Contains(out, file) {
		t.Fatalf("backup: %d %s %s", code, out, errs)
	}
	if code, _, errs := runCmd(t, map[string]string{"SINBA_PASSPHRASE": "sbagliata"}, "backup", "--data", dir, file+"2"); code != 1 || !strings.Contains(errs, "chiave di recupero") {
		t.Fatalf("backup with a wrong passphrase: %d %s", code, errs)
	}

	other := filepath.Join(t.TempDir(), "altro")
	rkf := filepath.Join(t.TempDir(), "rk.txt")
	os.WriteFile(rkf, []byte(rk+"\n"), 0o600)
	if code, out, errs := runCmd(t, nil, "restore", "--data", other, "--recovery-key-file", rkf, file); code != 0 || !strings.Contains(out, "chiave di recupero") || !strings.Contains(out, "sinba enrol") {
		t.Fatalf("restore with the recovery key: %d %s %s", code, out, errs)
	}
	if code, _, errs := runCmd(t, withPass, "restore", "--data", other, file); code != 1 || !strings.Contains(errs, "--replace") {
		t.Fatalf("restore over a store: %d %s", code, errs)
	}
	if code, _, errs := runCmd(t, withPass, "restore", "--data", other, "--replace", file); code != 0 {
		t.Fatalf("restore --replace: %d %s", code, errs)
	}
	if _, _, err := openTest(t, other).Get(context.Background(), info.ID); err != nil {
		t.Fatalf("record after restore: %v", err)
	}
}
