package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sinba/localdb"
	"sinba/survey"
)

func init() {
	// Argon2id at its production cost would make every command here take
	// half a second.
	storeOptions = localdb.Options{KDF: localdb.KDFParams{Time: 1, Memory: 64, Threads: 1}}
}

const testPass = "passphrase di prova"

func runCmd(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return vars[k] }}
	code = Run(env, args)
	return code, out.String(), errb.String()
}

var withPass = map[string]string{"SINBA_PASSPHRASE": testPass}

func initStore(t *testing.T) (dir, recovery string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "data")
	code, out, errs := runCmd(t, withPass, "init", "--data", dir)
	if code != 0 {
		t.Fatalf("init: %d %s", code, errs)
	}
	m := regexp.MustCompile(`[A-Z2-7]{4}(-[A-Z2-7]{4}){12}`).FindString(out)
	if m == "" {
		t.Fatalf("init printed no recovery key:\n%s", out)
	}
	return dir, m
}

func TestInit(t *testing.T) {
	dir, _ := initStore(t)
	if !localdb.Exists(dir) {
		t.Fatal("no store after init")
	}
	if code, _, errs := runCmd(t, withPass, "init", "--data", dir); code != 1 || !strings.Contains(errs, "già un archivio") {
		t.Fatalf("init twice: %d %s", code, errs)
	}
	if code, _, errs := runCmd(t, nil, "init", "--data", t.TempDir()); code != 1 || !strings.Contains(errs, "SINBA_PASSPHRASE") {
		t.Fatalf("init without a passphrase: %d %s", code, errs)
	}
	pf := filepath.Join(t.TempDir(), "pass")
	os.WriteFile(pf, []byte(testPass+"\n"), 0o600)
	other := filepath.Join(t.TempDir(), "other")
	if code, _, errs := runCmd(t, nil, "init", "--data", other, "--passphrase-file", pf); code != 0 {
		t.Fatalf("init --passphrase-file: %d %s", code, errs)
	}
	st, err := localdb.OpenWith(other, []byte(testPass), storeOptions)
	if err != nil {
		t.Fatalf("the file's passphrase without its newline opens the store: %v", err)
	}
	st.Close()
}

func openTest(t *testing.T, dir string) *localdb.Store {
	t.Helper()
	st, err := localdb.OpenWith(dir, []byte(testPass), storeOptions)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// `sinba init` takes the passphrases the app's first-run screen takes, no
// shorter: the rule is survey.MinPassphraseLength, checked where a store is
// made.
func TestInitRefusesAPassphraseTheAppRefuses(t *testing.T) {
	short := strings.Repeat("x", survey.MinPassphraseLength-1) // 9 characters: the app says "Troppo corta"
	dir := filepath.Join(t.TempDir(), "data")
	code, _, errs := runCmd(t, map[string]string{"SINBA_PASSPHRASE": short}, "init", "--data", dir)
	if code != 1 || !strings.Contains(errs, "almeno 10 caratteri") || localdb.Exists(dir) {
		t.Fatalf("init with %d characters: exit %d, %q, store made %v; want a refusal naming 10", len(short), code, errs, localdb.Exists(dir))
	}
	accented := strings.Repeat("è", survey.MinPassphraseLength) // 10 characters, 20 bytes
	if code, _, errs := runCmd(t, map[string]string{"SINBA_PASSPHRASE": accented}, "init", "--data", dir); code != 0 {
		t.Fatalf("init with 10 characters: %d %s", code, errs)
	}
}
