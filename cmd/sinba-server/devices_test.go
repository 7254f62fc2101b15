package main

import (
	"context"
	"crypto/ed25519"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"sinba/sync/seal"
	"sinba/sync/server"
	"sinba/sync/wire"
)

// `sinba-server devices` says who made each device's code, and a device
// whose code a coordinator made stands out; the coordinators' team list says
// the same.
func TestDevicesSayWhoMadeTheirCode(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "server")
	st, err := server.OpenStore(data)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := newProject(ctx, st, "Pilota", "", filepath.Join(t.TempDir(), "project.key"))
	if err != nil {
		t.Fatal(err)
	}
	team, _ := st.CreateTeam(ctx, pid, "Squadra 1")
	rid, _ := st.CreateResearcher(ctx, team, "Anna")
	enrol := func(code, label string) string {
		t.Helper()
		pub, _, _ := ed25519.GenerateKey(nil)
		k, _ := seal.NewKey()
		resp, refusal, err := st.Enrol(ctx, &wire.EnrolRequest{Version: wire.Version, Code: code, SignKey: pub, Recipient: k.Recipient().String(), Label: label})
		if err != nil || refusal != nil {
			t.Fatalf("enrol: %v %v", refusal, err)
		}
		return resp.DeviceID
	}
	adminCode, _, err := st.CreateCode(ctx, rid, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	adminDevice := enrol(adminCode, "portatile-anna")
	cc, _, _ := st.CreateCoordinatorCode(ctx, pid, time.Hour)
	pub, _, _ := ed25519.GenerateKey(nil)
	ck, _ := seal.NewKey()
	co, refusal, err := st.Enrol(ctx, &wire.EnrolRequest{Version: wire.Version, Code: cc, Role: wire.RoleCoordinator, SignKey: pub, Recipient: ck.Recipient().String(), Label: "coordinamento ufficio"})
	if err != nil || refusal != nil {
		t.Fatalf("coordinator enrol: %v %v", refusal, err)
	}
	coordCode, _, err := st.CreateCodeByCoordinator(ctx, co.CoordinatorID, rid, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	coordDevice := enrol(coordCode, "portatile-nuovo")
	teams, err := st.Teams(ctx, pid)
	if err != nil || len(teams) != 1 || len(teams[0].Devices) != 2 {
		t.Fatalf("teams %+v (%v)", teams, err)
	}
	for _, d := range teams[0].Devices {
		if (d.ID == coordDevice) != d.MintedBy.ByCoordinator() || (d.ID == coordDevice && d.MintedBy.CoordinatorLabel != "coordinamento ufficio") {
			t.Errorf("coordinators see device %s as made by %+v", d.Label, d.MintedBy)
		}
	}
	st.Close()

	code, out, errs := runCmd(t, "devices", "--data", data)
	if code != 0 {
		t.Fatalf("devices: %d %s", code, errs)
	}
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, adminDevice):
			if !strings.HasSuffix(strings.TrimSpace(line), "admin") {
				t.Errorf("admin-made device listed as %q", line)
			}
		case strings.HasPrefix(line, coordDevice):
			if !strings.Contains(line, "COORDINATOR "+co.CoordinatorID+" (coordinamento ufficio)") {
				t.Errorf("coordinator-made device listed as %q", line)
			}
		}
	}
	code, audit, errs := runCmd(t, "audit", "--data", data)
	if code != 0 || !strings.Contains(audit, "coordinator-enrolled") ||
		!regexp.MustCompile(`device-enrolled\s+Squadra 1\s+coordinamento ufficio \(`+co.CoordinatorID+`\)\s+portatile-nuovo \(`+coordDevice+`\)`).MatchString(audit) {
		t.Fatalf("audit: %d %s\n%s", code, errs, audit)
	}
	if !strings.Contains(out, "CODE BY") || !strings.Contains(out, adminDevice) || !strings.Contains(out, coordDevice) {
		t.Fatalf("devices printed %q", out)
	}
}
