package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The app sets its metadata at start-up, so a plain `go build` carries the
// same identity as a build by Fyne's packaging tool; both must agree.
func TestMetadataMatchesFyneAppToml(t *testing.T) {
	data, err := os.ReadFile("FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	get := func(key string) string {
		m := regexp.MustCompile(`(?m)^\s*` + key + `\s*=\s*"?([^"\n]*)"?\s*$`).FindSubmatch(data)
		if m == nil {
			t.Fatalf("FyneApp.toml has no %s", key)
		}
		return string(m[1])
	}
	if got := get("ID"); got != appID {
		t.Errorf("FyneApp.toml ID = %q, app sets %q", got, appID)
	}
	if got := get("Name"); got != appName {
		t.Errorf("FyneApp.toml Name = %q, app sets %q", got, appName)
	}
	if got := get("Version"); got != appVersion {
		t.Errorf("FyneApp.toml Version = %q, app sets %q", got, appVersion)
	}
	if got := get("Build"); got != strconv.Itoa(appBuild) {
		t.Errorf("FyneApp.toml Build = %q, app sets %d", got, appBuild)
	}
	if got := get("fyneDo"); got != "true" {
		t.Errorf("FyneApp.toml [Migrations] fyneDo = %q, want true: the app is built with -tags migrated_fynedo", got)
	}
	if _, err := os.Stat(get("Icon")); err != nil {
		t.Errorf("FyneApp.toml Icon: %v", err)
	}
}

// Under the C locale with a character set (LANG=C.UTF-8, the default of many
// containers) and the plain C and POSIX locales, a headless command prints
// its own output and nothing else: Fyne, linked into the same binary, must
// not log locale errors at initialisation. The real binary is built and run.
func TestHeadlessQuietUnderCUTF8(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the desktop binary")
	}
	bin := filepath.Join(t.TempDir(), "sinba")
	build := exec.Command("go", "build", "-tags", "migrated_fynedo", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	if err := os.WriteFile(bad, []byte("{oops\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, locale := range []string{"C.UTF-8", "C.utf8", "C", "POSIX", "POSIX.UTF-8"} {
		for _, env := range []string{"LANG", "LC_ALL"} {
			run := func(args ...string) (string, string, error) {
				cmd := exec.Command(bin, args...)
				cmd.Env = append(cleanLocaleEnv(), env+"="+locale, "SINBA_PASSPHRASE=x")
				var stdout, stderr strings.Builder
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				return stdout.String(), stderr.String(), err
			}
			out, errs, err := run("cf", "RSSMRA85T10A562S")
			if err != nil || errs != "" || !strings.HasPrefix(out, `{"code":"RSSMRA85T10A562S","valid":true`) {
				t.Errorf("%s=%s sinba cf: err %v\nstdout %q\nstderr %q", env, locale, err, out, errs)
			}
			// A failing import shows its own message, and only that.
			_, errs, err = run("import", "--data", t.TempDir(), "--instrument", "scheda-minore", bad)
			if err == nil || !strings.HasPrefix(errs, "sinba: ") || strings.Contains(errs, "Fyne") || strings.Contains(errs, "locale") {
				t.Errorf("%s=%s sinba import: err %v, stderr %q", env, locale, err, errs)
			}
		}
	}
}

// cleanLocaleEnv is the test's environment without locale variables.
func cleanLocaleEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES":
			continue
		}
		out = append(out, kv)
	}
	return out
}
