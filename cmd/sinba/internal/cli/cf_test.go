package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// runIn runs a command with the given standard input.
func runIn(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code = Run(env, args)
	return code, out.String(), errb.String()
}

func TestCF(t *testing.T) {
	code, out, errs := runIn(t, "", "cf", "RSSMRA85T10A56NH", "BNCLRA10A41H501K")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &m); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"code": "RSSMRA85T10A56NH", "valid": true, "birth_date": "1985-12-10", "sex": "M",
		"birthplace": "A562", "birthplace_name": "SAN GIULIANO TERME", "omocode": true, "normalized": "RSSMRA85T10A562S"}
	if len(m) != len(want) {
		t.Errorf("keys: %v", m)
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}

	code, out, _ = runIn(t, "BNCLRA10A41H501K\n\nRSSMRA85T10A562T\n", "cf")
	if code != 1 || strings.Count(out, "\n") != 2 || !strings.Contains(out, `"valid":false`) || !strings.Contains(out, "controllo") {
		t.Errorf("codes on stdin with an invalid one: exit %d\n%s", code, out)
	}
	// Spaces and dashes inside a code, on stdin or as an argument, and an
	// 11-digit temporary code.
	code, out, errs = runIn(t, "RSS MRA 85T10 A562S\n800-787-505-87\n", "cf")
	if code != 0 || strings.Count(out, `"valid":true`) != 2 || !strings.Contains(out, `"normalized":"RSSMRA85T10A562S"`) ||
		!strings.Contains(out, `"temporary":true`) || !strings.Contains(out, `"normalized":"80078750587"`) {
		t.Errorf("spaced, dashed and temporary codes: exit %d\n%s%s", code, out, errs)
	}
	if code, out, _ := runIn(t, "", "cf", "80078750588"); code != 1 || !strings.Contains(out, "cifra di controllo") {
		t.Errorf("temporary code with a wrong check digit: exit %d %s", code, out)
	}
	if code, _, _ := runIn(t, "", "cf"); code != 2 {
		t.Errorf("no codes: exit %d, want 2", code)
	}
}
