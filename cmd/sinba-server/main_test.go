package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sinba/assets"
	"sinba/internal/storetest"
	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/sync/server"
	"sinba/sync/synctest"
)

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(env{stdout: &out, stderr: &errb}, args)
	return code, out.String(), errb.String()
}

func TestHelp(t *testing.T) {
	code, out, _ := runCmd(t, "help")
	if code != 0 {
		t.Fatalf("help: %d", code)
	}
	for _, name := range commands.Names() {
		if !strings.Contains(out, "sinba-server "+name) {
			t.Errorf("help does not list %s", name)
		}
		if code, _, errs := runCmd(t, name, "--help"); code != 0 || !strings.Contains(errs, "Uso / Usage: sinba-server "+name) {
			t.Errorf("%s --help: %d %s", name, code, errs)
		}
	}
	if code, _, _ := runCmd(t, "nope"); code != 2 {
		t.Errorf("unknown command: %d, want 2", code)
	}
	if code, _, errs := runCmd(t, "status"); code != 2 || !strings.Contains(errs, "--data") {
		t.Errorf("status without --data: %d %s", code, errs)
	}
}

// writeInstruments copies the shipped instrument definitions to a folder, as
// a coordinator would keep them before publishing.
func writeInstruments(t *testing.T) string {
	dir := t.TempDir()
	for _, id := range []string{survey.InstrumentCase, survey.InstrumentMunicipality} {
		body, err := assets.Instruments.ReadFile("instruments/" + id + ".v1.json")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, id+".v1.json"), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A definition the laptops could not load is refused at publishing.
func TestPublishRefusesAMalformedInstrument(t *testing.T) {
	data := filepath.Join(t.TempDir(), "server")
	if code, _, errs := runCmd(t, "init", "--data", data); code != 0 {
		t.Fatalf("init: %s", errs)
	}
	if code, _, errs := runCmd(t, "project", "--data", data, "--name", "Pilota", "--key-out", filepath.Join(t.TempDir(), "k")); code != 0 {
		t.Fatalf("project: %s", errs)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"id":"scheda-minore","version":2,"title":{"it":"x"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCmd(t, "publish", "--data", data, "--project", "Pilota", "--file", bad)
	if code == 0 || !strings.Contains(errs, "no sections") {
		t.Fatalf("publish of a definition with no sections: status %d, %q; want a refusal that says why", code, errs)
	}
}

// onBackend points the commands of a test at a new database on the
// backend the tests run on (storetest): the SQLite file in data, or a new
// PostgreSQL database, through SINBA_DATABASE (which --database defaults
// to) while the commands keep their --data. It says whether it is PostgreSQL.
func onBackend(t *testing.T, data string) bool {
	t.Helper()
	database := storetest.Database(t, data)
	if !server.IsPostgres(database) {
		return false
	}
	t.Setenv(EnvDatabase, database)
	return true
}

func TestAdminCommands(t *testing.T) {
	data := filepath.Join(t.TempDir(), "server")
	if !onBackend(t, data) {
		if code, _, errs := runCmd(t, "team", "--data", data, "--project", "x", "--name", "y"); code != 1 || !strings.Contains(errs, "init") {
			t.Fatalf("command before init: %d %s", code, errs)
		}
	}
	if code, _, errs := runCmd(t, "init", "--data", data); code != 0 {
		t.Fatalf("init: %s", errs)
	}
	key := filepath.Join(t.TempDir(), "project.key")
	must := func(args ...string) string {
		t.Helper()
		code, out, errs := runCmd(t, args...)
		if code != 0 {
			t.Fatalf("%v: %d %s", args, code, errs)
		}
		return strings.TrimSpace(out)
	}
	must("project", "--data", data, "--name", "Pilota", "--key-out", key)
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("project key file: %v %v, want mode 0600", fi, err)
	}
	if code, _, _ := runCmd(t, "project", "--data", data, "--name", "Altro", "--key-out", key); code != 1 {
		t.Fatal("project add overwrote an existing key file")
	}
	must("team", "--data", data, "--project", "Pilota", "--name", "Squadra 1")
	rid := must("researcher", "--data", data, "--team", "Squadra 1", "--name", "Anna")
	if code := must("code", "--data", data, "--researcher", rid, "--ttl", "1h"); len(code) != 11 || code[5] != '-' {
		t.Fatalf("code %q, want XXXXX-XXXXX", code)
	}
	must("assign", "--data", data, "--team", "Squadra 1", "--municipality", "063049")
	if code, _, errs := runCmd(t, "assign", "--data", data, "--team", "Squadra 1", "--municipality", "Napoli"); code != 1 || !strings.Contains(errs, "ISTAT") {
		t.Fatalf("bad ISTAT code: %d %s", code, errs)
	}
	ins := writeInstruments(t)
	if out := must("publish", "--data", data, "--project", "Pilota", "--file", filepath.Join(ins, survey.InstrumentCase+".v1.json")); out != survey.InstrumentCase+" v1" {
		t.Fatalf("publish printed %q", out)
	}
	if out := must("devices", "--data", data); !strings.HasPrefix(out, "DEVICE") {
		t.Fatalf("devices: %q", out)
	}
	if code, _, _ := runCmd(t, "revoke", "--data", data, "--device", "nope"); code != 1 {
		t.Fatal("revoking an unknown device succeeded")
	}
	if code, _, _ := runCmd(t, "review", "--data", data, "--revision", "nope", "--decision", "returned"); code != 1 {
		t.Fatal("reviewing an unknown revision succeeded")
	}
	if out := must("status", "--data", data); !strings.Contains(out, "progetti/projects 1") {
		t.Fatalf("status: %q", out)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and returns the files and a
// client that trusts it.
func selfSigned(t *testing.T) (certFile, keyFile string, hc *http.Client) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sinba test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	kb, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// TestDemoServeSyncExport sets up the demo, serves it over TLS, enrols a
// real laptop with the printed code, syncs a record, shuts the server down
// gracefully and exports the record with the coordinators' key.
func TestDemoServeSyncExport(t *testing.T) {
	data := filepath.Join(t.TempDir(), "server")
	onBackend(t, data)
	codeFile := filepath.Join(t.TempDir(), "code.txt")
	code, out, errs := runCmd(t, "demo", "--data", data, "--code-file", codeFile, "--instruments", writeInstruments(t))
	if code != 0 {
		t.Fatalf("demo: %s", errs)
	}
	enrolCode := strings.TrimSpace(out)
	if saved, _ := os.ReadFile(codeFile); strings.TrimSpace(string(saved)) != enrolCode {
		t.Fatalf("code file %q, printed %q", saved, enrolCode)
	}
	keyPath := filepath.Join(data, demoKeyFile)
	if fi, err := os.Stat(keyPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("coordinator key: %v %v", fi, err)
	}

	certFile, keyFile, hc := selfSigned(t)
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	done := make(chan int, 1)
	var logs bytes.Buffer
	go func() {
		done <- run(env{stdout: &bytes.Buffer{}, stderr: &logs, ctx: ctx, ready: func(a string) { addrc <- a }},
			[]string{"serve", "--data", data, "--addr", "127.0.0.1:0", "--cert", certFile, "--key", keyFile})
	}()
	var addr string
	select {
	case addr = <-addrc:
	case st := <-done:
		t.Fatalf("serve exited %d: %s", st, logs.String())
	}

	laptop := synctest.Laptop(t, t.TempDir())
	c := client.New(laptop, client.Options{HTTPClient: hc})
	if _, err := c.Enrol(ctx, "https://"+addr, enrolCode); err != nil {
		t.Fatalf("enrol: %v", err)
	}
	if _, err := laptop.Save(ctx, synctest.CaseRecord("063049", "demo"), localdb.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	rep, err := c.SyncOnce(ctx, nil)
	if err != nil || rep.Accepted != 1 || rep.Instruments != 2 {
		t.Fatalf("sync: %+v %v; want 1 accepted and 2 instruments", rep, err)
	}
	cancel()
	if st := <-done; st != 0 {
		t.Fatalf("serve exited %d after shutdown: %s", st, logs.String())
	}
	if !strings.Contains(logs.String(), `"msg":"shutting down"`) || !strings.Contains(logs.String(), `"path":"/v1/batches"`) {
		t.Fatalf("structured log lacks the shutdown or the batch:\n%s", logs.String())
	}

	code, out, errs = runCmd(t, "export", "--data", data, "--key", keyPath)
	if code != 0 {
		t.Fatalf("export: %s", errs)
	}
	var line exported
	if err := json.Unmarshal([]byte(out), &line); err != nil || line.Answers["Note"] != "nota demo" || line.Municipality != "063049" {
		t.Fatalf("export: %q (%v)", out, err)
	}
	if strings.Contains(out, "CFdemo") {
		t.Fatal("the coordinators' export holds the identification")
	}
	if code, out, _ := runCmd(t, "status", "--data", data); code != 0 || !strings.Contains(out, "schede/records 1") {
		t.Fatalf("status after sync: %q", out)
	}
}
