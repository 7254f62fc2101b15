// Package layering holds the tests that keep the dependency direction of the
// repository: the domain, the store, sync and the server never depend on
// Fyne or OpenGL, so they build and test without cgo; survey depends on
// nothing of ours; the user interface holds no SQL and no HTTP.
package layering

import (
	"io/fs"
	"os"
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

// TestUIGoroutineOnlyThroughLoop keeps ui/loop the one way to the UI
// goroutine: work handed over with fyne.Do directly would run beside a
// test's goroutine under Fyne's test driver (see ui/loop), and slip past
// loop.Busy, which the screens' tests wait on.
func TestUIGoroutineOnlyThroughLoop(t *testing.T) {
	root := moduleRoot(t)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == ".git" || n == "dist" || n == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		if !strings.HasSuffix(path, ".go") || strings.HasPrefix(filepath.ToSlash(rel), "ui/loop/") ||
			strings.HasPrefix(filepath.ToSlash(rel), "cmd/sinba/internal/layering/") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "fyne.Do(") || strings.Contains(line, "fyne.DoAndWait(") {
				t.Errorf("%s:%d: hands work to the UI goroutine with fyne.Do; use ui/loop (Do, Go, After)", rel, i+1)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
