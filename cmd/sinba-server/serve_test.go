package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
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

// A script that starts serve on 127.0.0.1:0 learns the port it got from
// --addr-file, written once serve listens and removed when it stops.
func TestServeWritesTheAddressItListensOn(t *testing.T) {
	data := filepath.Join(t.TempDir(), "server")
	if code, _, errs := runCmd(t, "init", "--data", data); code != 0 {
		t.Fatalf("init: %s", errs)
	}
	addrFile := filepath.Join(t.TempDir(), "server.addr")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	heard := make(chan string, 1)
	done := make(chan int, 1)
	var errs bytes.Buffer
	go func() {
		done <- run(env{stdout: io.Discard, stderr: &errs, ctx: ctx, ready: func(a string) { heard <- a }},
			[]string{"serve", "--data", data, "--addr", "127.0.0.1:0", "--addr-file", addrFile})
	}()
	var addr string
	select {
	case addr = <-heard:
	case code := <-done:
		t.Fatalf("serve exited %d: %s", code, errs.String())
	}
	written, err := os.ReadFile(addrFile)
	if err != nil {
		t.Fatalf("address file: %v", err)
	}
	if got := strings.TrimSpace(string(written)); got != addr || strings.HasSuffix(got, ":0") {
		t.Fatalf("address file says %q, serve listens on %q", got, addr)
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("healthz at the written address: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %s", resp.Status)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d: %s", code, errs.String())
	}
	if _, err := os.Stat(addrFile); !os.IsNotExist(err) {
		t.Fatalf("address file left behind after serve stopped: %v", err)
	}
}
