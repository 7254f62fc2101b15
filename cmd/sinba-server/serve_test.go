package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// Finding 11: serve logged "listening" before a bad certificate path made it
// fail. Now the certificate is read first.
func TestServeWithABadCertificateFailsBeforeListening(t *testing.T) {
	data := filepath.Join(t.TempDir(), "server")
	if code, _, errs := runCmd(t, "init", "--data", data); code != 0 {
		t.Fatalf("init: %s", errs)
	}
	missing := filepath.Join(t.TempDir(), "missing.pem")
	code, _, errs := runCmd(t, "serve", "--data", data, "--addr", "127.0.0.1:0", "--cert", missing, "--key", missing)
	if code == 0 {
		t.Fatal("serve with a missing certificate exited 0")
	}
	if strings.Contains(errs, "listening") || !strings.Contains(errs, "certificato TLS non leggibile / unreadable TLS certificate") {
		t.Fatalf("serve with a missing certificate said:\n%s", errs)
	}
}

func TestServeRefusesBadFlags(t *testing.T) {
	data := filepath.Join(t.TempDir(), "server")
	for _, args := range [][]string{{"--log-level", "loud"}, {"--trusted-proxy", "not-an-address"}} {
		if code, _, errs := runCmd(t, append([]string{"serve", "--data", data}, args...)...); code != 2 || !strings.Contains(errs, "non valido") {
			t.Errorf("serve %v: exit %d, %q", args, code, errs)
		}
	}
}
