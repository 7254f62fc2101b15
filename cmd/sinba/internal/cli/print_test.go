package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sinba/localdb"
	"sinba/survey"
)

// pdfWords is the text layer of a PDF file, as words (pdftotext).
func pdfWords(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("%s is not a PDF: %v", file, err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext (Debian: poppler-utils): %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

func TestPrintBlank(t *testing.T) {
	out := filepath.Join(t.TempDir(), "bianco.pdf")
	if code, stdout, errs := runCmd(t, nil, "print", "--instrument", survey.InstrumentMunicipality, "--version", "1", "--blank", "--out", out); code != 0 || !strings.Contains(stdout, out) {
		t.Fatalf("print --blank: %d %s %s", code, stdout, errs)
	}
	if text := pdfWords(t, out); !strings.Contains(text, "Questionario comunale") || !strings.Contains(text, "versione 1") {
		t.Errorf("blank printout lacks its title and version:\n%.300s", text)
	}
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"print", "--blank", "--out", out}, 1, "manca lo strumento"},
		{[]string{"print", "--instrument", "scheda-comune", "--version", "9", "--blank", "--out", out}, 1, "versione 9 sconosciuto"},
		{[]string{"print", "--instrument", "scheda-comune", "--blank"}, 2, "Uso"},
		{[]string{"print", "--blank", "--record", "x", "--out", out}, 2, "Uso"},
		{[]string{"print", "--instrument", "scheda-comune", "--blank", "--out", out, "--lang", "fr"}, 2, "Uso"},
	} {
		if code, _, errs := runCmd(t, nil, c.args...); code != c.code || !strings.Contains(errs, c.msg) {
			t.Errorf("%v: exit %d, %q; want %d and %q", c.args, code, errs, c.code, c.msg)
		}
	}
}

// TestPrintRecord prints a case record from a real store: without
// --with-identity the child is named by the pseudonym only; with it the
// identification is there; each printout is in the audit trail.
func TestPrintRecord(t *testing.T) {
	dir, _ := initStore(t)
	st := openTest(t, dir)
	rec := survey.Record{Instrument: survey.InstrumentCase, Version: 2, Municipality: "063049",
		Answers:  survey.Answers{"IDBeneficiario": "PSEUDOPRINTTEST12345", "AnnoNascita": float64(2012)},
		Meta:     map[string]survey.FieldMeta{"FasciaISEEBeneficiario": {NotHeld: true, Reason: survey.ReasonOtherBody, Note: "dato INPS"}},
		Identity: &survey.Identity{Surname: "Esposito", Name: "Gennaro", FiscalCode: "SPSGNR12A01F839X"}}
	info, err := st.Save(context.Background(), rec, localdb.SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	out := filepath.Join(t.TempDir(), "scheda.pdf")
	if code, _, errs := runCmd(t, withPass, "print", "--data", dir, "--record", info.ID, "--out", out); code != 0 {
		t.Fatalf("print --record: %d %s", code, errs)
	}
	text := pdfWords(t, out)
	for _, want := range []string{"PSEUDOPRINTTEST12345", "Napoli (063049)", "Bozza", "Lo detiene un altro ente", "dato INPS", "Identificazione del minore omessa"} {
		if !strings.Contains(text, want) {
			t.Errorf("printout lacks %q", want)
		}
	}
	for _, secret := range []string{"Esposito", "Gennaro", "SPSGNR12A01F839X"} {
		if strings.Contains(text, secret) {
			t.Errorf("printout without --with-identity shows %q", secret)
		}
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("printout mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}

	if code, _, errs := runCmd(t, withPass, "print", "--data", dir, "--record", info.ID, "--out", out, "--with-identity", "--lang", "en"); code != 0 {
		t.Fatalf("print --with-identity: %d %s", code, errs)
	}
	text = pdfWords(t, out)
	for _, want := range []string{"Esposito", "Gennaro", "SPSGNR12A01F839X", "CONFIDENTIAL", "Draft"} {
		if !strings.Contains(text, want) {
			t.Errorf("printout with --with-identity lacks %q", want)
		}
	}

	if code, _, errs := runCmd(t, withPass, "print", "--data", dir, "--record", "nessuna", "--out", out); code != 1 || !strings.Contains(errs, "non trovata") {
		t.Errorf("print of an unknown record: %d %s", code, errs)
	}
	ents, err := openTest(t, dir).Audit(context.Background(), 50)
	if err != nil {
		t.Fatal(err)
	}
	var prints []string
	for _, e := range ents {
		if e.Action == "print" && e.RecordID == info.ID {
			prints = append(prints, e.Detail)
		}
	}
	if len(prints) != 2 || !strings.Contains(prints[0], "with identification") || strings.Contains(prints[1], "identification") {
		t.Errorf("audit trail of the printouts, newest first: %q; want two, the newest with identification", prints)
	}
}
