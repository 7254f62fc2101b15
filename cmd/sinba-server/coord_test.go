package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestCoordinatorCodes(t *testing.T) {
	data := t.TempDir()
	if code, _, errs := runCmd(t, "init", "--data", data); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := runCmd(t, "code", "--data", data, "--coordinator", "--new-project", "Pilota")
	if code != 0 || len(strings.TrimSpace(out)) != 11 {
		t.Fatalf("project code: %d %q %s", code, out, errs)
	}
	if code, _, _ := runCmd(t, "code", "--data", data, "--coordinator"); code != 2 {
		t.Fatalf("--coordinator alone: exit %d, want 2", code)
	}
	if code, _, _ := runCmd(t, "code", "--data", data, "--coordinator", "--project", "Nessuno"); code != 1 {
		t.Fatalf("code for an unknown project: exit %d, want 1", code)
	}
	if code, _, errs := runCmd(t, "project", "--data", data, "--name", "Esistente", "--key-out", filepath.Join(t.TempDir(), "k")); code != 0 {
		t.Fatal(errs)
	}
	if code, out, errs := runCmd(t, "code", "--data", data, "--coordinator", "--project", "Esistente", "--ttl", "1h"); code != 0 || out == "" {
		t.Fatalf("coordinator code: %d %s", code, errs)
	}
	if code, _, _ := runCmd(t, "code", "--data", data, "--coordinator", "--new-project", "Esistente"); code != 1 {
		t.Fatalf("project code for an existing name: exit %d, want 1", code)
	}
}
