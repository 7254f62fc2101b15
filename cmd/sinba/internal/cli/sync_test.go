package cli

import (
	"context"
	"strings"
	"testing"

	"sinba/localdb"
	"sinba/sync/server"
	"sinba/sync/synctest"
)

func TestEnrolAndSync(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	dir, _ := initStore(t)

	if code, _, errs := runCmd(t, withPass, "sync", "--data", dir); code != 1 || !strings.Contains(errs, "non è iscritto") {
		t.Fatalf("sync before enrolment: %d %s", code, errs)
	}
	if code, _, errs := runCmd(t, withPass, "enrol", "--data", dir, "--server", p.URL); code != 1 || !strings.Contains(errs, "--code") {
		t.Fatalf("enrol without a code: %d %s", code, errs)
	}
	if code, _, errs := runCmd(t, withPass, "enrol", "--data", dir, "--server", p.URL, "--code", "AAAAA-AAAAA"); code != 1 || !strings.Contains(errs, "code_invalid") {
		t.Fatalf("enrol with a wrong code: %d %s", code, errs)
	}
	code, out, errs := runCmd(t, withPass, "enrol", "--data", dir, "--server", p.URL, "--code", strings.ToLower(p.Code(t, p.TeamA)))
	if code != 0 || !strings.Contains(out, "iscritto / enrolled") {
		t.Fatalf("enrol: %d\n%s\n%s", code, out, errs)
	}

	st, err := localdb.OpenWith(dir, []byte(testPass), storeOptions)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{synctest.MunicipalityA, synctest.MunicipalityB} {
		if _, err := st.Save(context.Background(), synctest.CaseRecord(m, "cli"), localdb.SaveOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	code, out, errs = runCmd(t, withPass, "sync", "--data", dir)
	if code != 0 {
		t.Fatalf("sync: %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{"ricevuta / receipt", "inviate / sent: 2", "accettate / accepted: 1", "rifiutate / refused: 1", "not_assigned", "comuni assegnati / assigned municipalities: " + synctest.MunicipalityA + " Napoli\n",
		"strumenti nuovi / new instruments: 2\n", "  scheda-minore versione / version 1\n", "  scheda-comune versione / version 1\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("sync output lacks %q:\n%s", want, out)
		}
	}
	for _, name := range []string{"enrol", "sync"} {
		if code, _, errs := runCmd(t, nil, name, "--help"); code != 0 || !strings.Contains(errs, "Uso / Usage: sinba "+name) {
			t.Errorf("%s --help: %d %s", name, code, errs)
		}
	}
}
