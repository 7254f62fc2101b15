// Package layering holds the tests that keep the dependency direction of the
// repository: the domain, the store, sync and the server never depend on
// Fyne or OpenGL, so they build and test without cgo; survey depends on
// nothing of ours; the user interface holds no SQL and no HTTP.
package layering

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func moduleRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "..")
}

// deps lists the packages that pkgs import, directly or not.
func deps(t *testing.T, pkgs ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-tags", "migrated_fynedo", "-deps"}, pkgs...)...)
	cmd.Dir = moduleRoot(t)
	out, err := cmd.Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("go list -deps %v: %v\n%s", pkgs, err, msg)
	}
	return strings.Fields(string(out))
}

func TestNoFyneOutsideTheDesktop(t *testing.T) {
	for _, d := range deps(t, "./cmd/sinba-server", "./survey/...", "./localdb/...", "./sync/...", "./cmd/sinba/internal/cli") {
		if strings.HasPrefix(d, "fyne.io/") || strings.HasPrefix(d, "github.com/go-gl/") {
			t.Errorf("%s is imported by survey, localdb, sync, the server or the headless commands; they must build without Fyne", d)
		}
	}
}

// imports lists, for each of our packages matched by pkgs, what it imports
// directly (third-party libraries may use the network for their own ends, as
// Fyne does for remote images; what matters is what our code calls).
func imports(t *testing.T, pkgs ...string) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-tags", "migrated_fynedo", "-f", "{{.ImportPath}} {{join .Imports \" \"}}"}, pkgs...)...)
	cmd.Dir = moduleRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %v: %v", pkgs, err)
	}
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		m[f[0]] = f[1:]
	}
	return m
}

func TestSurveyImportsNothingOfOurs(t *testing.T) {
	for _, d := range deps(t, "./survey/...") {
		if strings.HasPrefix(d, "sinba/") && !strings.HasPrefix(d, "sinba/survey") && d != "sinba/assets" {
			t.Errorf("survey depends on %s; the domain must depend only on the embedded assets", d)
		}
	}
	for pkg, imps := range imports(t, "./survey/...") {
		for _, d := range imps {
			if d == "database/sql" || d == "net/http" || d == "net" {
				t.Errorf("%s imports %s; the domain has no SQL and no network", pkg, d)
			}
		}
	}
}

func TestUIHasNoSQLNorHTTP(t *testing.T) {
	for _, d := range deps(t, "./ui/...") {
		if d == "sinba/localdb" || strings.HasPrefix(d, "sinba/sync") || strings.HasPrefix(d, "modernc.org/sqlite") {
			t.Errorf("ui depends on %s; screens talk to storage and sync only through the interfaces they declare", d)
		}
	}
	for pkg, imps := range imports(t, "./ui/...") {
		for _, d := range imps {
			if d == "database/sql" || d == "net/http" {
				t.Errorf("%s imports %s; screens talk to storage and sync only through the interfaces they declare", pkg, d)
			}
		}
	}
}
