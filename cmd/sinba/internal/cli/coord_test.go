package cli

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sinba/sync/server"
)

// coordServer starts a real server on loopback and returns it with a
// one-time code that creates a project.
func coordServer(t *testing.T) (*httptest.Server, string) {
	t.Helper()
	st, err := server.OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(server.New(st, server.Config{DisableLimits: true}, slog.New(slog.DiscardHandler)))
	t.Cleanup(func() {
		hs.Close()
		st.Close()
	})
	code, _, err := st.CreateProjectCode(context.Background(), "Pilota", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return hs, code
}

// TestCoordCommands drives the coordinator profile headless against a real
// server on loopback: project creation from the app, teams, codes,
// publication, sync, and the key handed to a second coordinator.
func TestCoordCommands(t *testing.T) {
	hs, code := coordServer(t)
	vars := map[string]string{"SINBA_PASSPHRASE": testPass, "SINBA_KEY_PASSPHRASE": "frase del file della chiave"}
	first := filepath.Join(t.TempDir(), "coord")
	run := func(want int, args ...string) string {
		t.Helper()
		got, out, errs := runCmd(t, vars, append([]string{"coord"}, args...)...)
		if got != want {
			t.Fatalf("sinba coord %v: exit %d, want %d\n%s\n%s", args, got, want, out, errs)
		}
		return out
	}
	out := run(0, "init", "--data", first, "--server", hs.URL, "--code", code)
	if !strings.Contains(out, "RECOVERY KEY") || !strings.Contains(out, "project key created") {
		t.Fatalf("coord init:\n%s", out)
	}
	run(1, "init", "--data", first, "--server", hs.URL, "--code", code) // already enrolled
	run(0, "team", "--data", first, "--name", "Squadra 1")
	run(0, "researcher", "--data", first, "--team", "Squadra 1", "--name", "Anna")
	if c := strings.TrimSpace(run(0, "code", "--data", first, "--researcher", "Anna")); len(c) != 11 {
		t.Fatalf("code %q", c)
	}
	run(1, "code", "--data", first, "--researcher", "Nessuno")
	run(0, "assign", "--data", first, "--team", "Squadra 1", "--municipality", "063049")
	run(1, "assign", "--data", first, "--team", "Squadra 1", "--municipality", "Napoli")
	if out := run(0, "publish", "--data", first, "--file", "../../../../assets/instruments/scheda-comune.v1.json"); !strings.Contains(out, "scheda-comune v1") {
		t.Fatalf("publish: %s", out)
	}
	run(0, "sync", "--data", first)
	if out := run(0, "status", "--data", first); !strings.Contains(out, "Pilota") || !strings.Contains(out, "project key code: ") ||
		!strings.Contains(out, "chiave / key: sì / yes  segreto / secret: sì / yes") ||
		!strings.Contains(out, "bozza / draft  finalizzata / final  restituita con commenti / returned with comments  approvata / approved") || strings.Contains(out, "true") {
		t.Fatalf("status: %s", out)
	}
	run(1, "review", "--data", first, "--record", "nessuna", "--decision", "approved")

	second := filepath.Join(t.TempDir(), "coord2")
	code2 := strings.TrimSpace(run(0, "code", "--data", first, "--coordinator"))
	if out := run(0, "init", "--data", second, "--server", hs.URL, "--code", code2); !strings.Contains(out, "key-import") {
		t.Fatalf("second coordinator without the key:\n%s", out)
	}
	run(1, "sync", "--data", second)
	keyFile := filepath.Join(t.TempDir(), "chiave.age")
	run(0, "key-export", "--data", first, "--out", keyFile)
	run(1, "key-export", "--data", first, "--out", keyFile) // never overwrites
	run(0, "key-import", "--data", second, "--in", keyFile)
	run(0, "sync", "--data", second)
}
