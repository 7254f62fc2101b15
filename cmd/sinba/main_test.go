package main

import (
	"os"
	"regexp"
	"strconv"
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
