package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestFlow(t *testing.T) {
	args := []string{"flow", "--ente", "063049", "--belfiore", "F839", "--operator", "RSSMRA85T10A562S", "--date", "2025-06-30", "--seq", "12"}
	// Two children: one IDBeneficiario appears once in a flow.
	envelope := strings.Replace(validEnvelope, "ABCDEFGHIJKLMNOPQRST", "CBCDEFGHIJKLMNOPQRST", 1)
	code, out, errs := runIn(t, validFlat+"\n"+envelope+"\n", args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.HasPrefix(out, "<?xml") || !strings.Contains(out, `Nome="063049.SINBA.20250630.0000012"`) || strings.Count(out, "<SINBA ") != 2 {
		t.Fatalf("flow:\n%s", out)
	}
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatal("xmllint not found: install libxml2-utils")
	}
	f := filepath.Join(t.TempDir(), "flow.xml")
	os.WriteFile(f, []byte(out), 0o600)
	if b, err := exec.Command(bin, "--noout", "--schema", "../../../../survey/testdata/SINBA.xsd", f).CombinedOutput(); err != nil {
		t.Fatalf("xmllint: %v %s", err, b)
	}

	bad := strings.Replace(validFlat, `"ProvvedimentoGiudiziario":"2"`, `"ProvvedimentoGiudiziario":"1"`, 1)
	code, out, errs = runIn(t, validFlat+"\n"+bad+"\n", args...)
	if code != 1 || out != "" || !strings.Contains(errs, "riga / line 2 [required_if.DataProvvedimentoGiudiziario]") {
		t.Errorf("refused flow: exit %d, stdout %q, stderr:\n%s", code, out, errs)
	}
	code, out, errs = runIn(t, validFlat+"\n{\n", args...)
	if code != 1 || out != "" || !strings.Contains(errs, "line 2") {
		t.Errorf("unreadable line: exit %d, stdout %q, stderr:\n%s", code, out, errs)
	}
	code, out, errs = runIn(t, validFlat, "flow", "--ente", "063049", "--belfiore", "ZZZZ", "--operator", "RSSMRA85T10A562S")
	if code != 1 || out != "" || !strings.Contains(errs, "flow.header.belfiore") {
		t.Errorf("bad header: exit %d, stdout %q, stderr:\n%s", code, out, errs)
	}
	if code, _, _ := runIn(t, validFlat, "flow"); code != 2 {
		t.Errorf("missing flags: exit %d, want 2", code)
	}
}
