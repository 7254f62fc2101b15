package cli

import (
	"regexp"
	"strings"
	"testing"

	"sinba/sync/server"
	"sinba/sync/synctest"
)

var fingerprintRE = regexp.MustCompile(`[0-9A-Z]{4}(-[0-9A-Z]{4}){3}`)

// The headless way to confirm a new laptop of the team: sinba devices lists
// it with who made its code, and grant hands the key over only with the
// verification code the new laptop shows.
func TestDevicesListAndGrant(t *testing.T) {
	p := synctest.NewProject(t, t.TempDir())
	p.Serve(t, server.Config{})
	enrol := func(code string) (dir, device, fingerprint string) {
		t.Helper()
		dir, _ = initStore(t)
		st, out, errs := runCmd(t, withPass, "enrol", "--data", dir, "--server", p.URL, "--code", code)
		if st != 0 {
			t.Fatalf("enrol: %s", errs)
		}
		device = regexp.MustCompile(`computer / device: (\S+)`).FindStringSubmatch(out)[1]
		fingerprint = fingerprintRE.FindString(out)
		if fingerprint == "" {
			t.Fatalf("enrol shows no verification code:\n%s", out)
		}
		return dir, device, fingerprint
	}
	first, _, _ := enrol(p.Code(t, p.TeamA))
	if st, _, errs := runCmd(t, withPass, "sync", "--data", first); st != 0 {
		t.Fatalf("sync: %s", errs)
	}
	code, _ := p.CoordinatorCode(t, p.TeamA, "coordinamento regionale")
	second, device, fp := enrol(code)
	st, out, _ := runCmd(t, withPass, "sync", "--data", second)
	if st != 0 || !strings.Contains(out, "in attesa della chiave") || !strings.Contains(out, fp) {
		t.Fatalf("sync of the new laptop: %d\n%s; want it waiting, with its verification code", st, out)
	}
	if st, _, errs := runCmd(t, withPass, "devices", "--data", second); st != 1 || !strings.Contains(errs, "non ha ancora la chiave") {
		t.Fatalf("devices on a laptop without the key: %d %s", st, errs)
	}

	st, out, _ = runCmd(t, withPass, "sync", "--data", first)
	if st != 0 || !strings.Contains(out, "in attesa di conferma / team laptops waiting for confirmation: 1") {
		t.Fatalf("sync of the first laptop: %d\n%s", st, out)
	}
	st, out, errs := runCmd(t, withPass, "devices", "--data", first)
	if st != 0 {
		t.Fatalf("devices: %s", errs)
	}
	var line string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, device) {
			line = l
		}
	}
	if !strings.Contains(out, "project key code: ") || !strings.Contains(out, "team key code: ") {
		t.Errorf("devices does not show the key codes:\n%s", out)
	}
	if !strings.Contains(out, "chiave della squadra creata da / team key made by:") || !strings.Contains(out, "amministratore del server / server admin") {
		t.Errorf("devices does not say where the team key came from:\n%s", out)
	}
	if !strings.Contains(line, "COORDINATORE / COORDINATOR: coordinamento regionale") || !strings.Contains(line, fp) {
		t.Fatalf("devices lists the new laptop as %q; want it marked as made by a coordinator, with code %s:\n%s", line, fp, out)
	}

	if st, _, errs := runCmd(t, withPass, "devices", "grant", device, "--data", first); st != 1 || !strings.Contains(errs, "--fingerprint") {
		t.Fatalf("grant without the code: %d %s", st, errs)
	}
	if st, _, errs := runCmd(t, withPass, "devices", "grant", device, "--data", first, "--fingerprint", "AAAA-AAAA-AAAA-AAAA"); st != 1 || !strings.Contains(errs, "non è stata consegnata") {
		t.Fatalf("grant with a wrong code: %d %s", st, errs)
	}
	if st, out, _ := runCmd(t, withPass, "sync", "--data", second); st != 0 || !strings.Contains(out, "in attesa della chiave") {
		t.Fatalf("sync after a refused grant: %d\n%s; want it still waiting", st, out)
	}
	if st, out, errs := runCmd(t, withPass, "devices", "grant", device, "--data", first, "--fingerprint", strings.ToLower(fp)); st != 0 || !strings.Contains(out, "consegnata") {
		t.Fatalf("grant: %d %s %s", st, out, errs)
	}
	if st, out, _ := runCmd(t, withPass, "sync", "--data", second); st != 0 || strings.Contains(out, "in attesa della chiave") {
		t.Fatalf("sync after the grant: %d\n%s; want the key", st, out)
	}
	if st, out, _ := runCmd(t, withPass, "devices", "--data", first); st != 0 || !strings.Contains(out, "nessun computer in attesa") {
		t.Fatalf("devices after the grant: %d\n%s", st, out)
	}
}
