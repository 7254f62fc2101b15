package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/synctest"
)

// TestMain lets the test binary play the children that faults re-executes
// (os.Executable is the test binary here).
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && strings.HasPrefix(os.Args[1], "_") {
		os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

func run(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := dispatch(args, &out, &errb)
	if testing.Verbose() || code != 0 {
		t.Logf("sinba-bench %s -> %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
	}
	return code, out.String()
}

func TestGen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pilota.jsonl")
	if code, _ := run(t, "gen", "--cases", "120", "--seed", "4", "--errors", "0.1", "--ref-date", "2026-06-30", "--out", path); code != 0 {
		t.Fatalf("exit %d", code)
	}
	d, err := loadDomain()
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	var cases, comuni, invalid int
	for sc.Scan() {
		rec, err := survey.DecodeRecordJSON(sc.Bytes(), "")
		if err != nil {
			t.Fatal(err)
		}
		in, err := d.reg.ForRecord(&rec)
		if err != nil {
			t.Fatal(err)
		}
		if survey.HasErrors(survey.ValidateAt(in, &rec, benchRefDate)) {
			invalid++
		}
		if rec.Instrument == survey.InstrumentCase {
			cases++
		} else {
			comuni++
		}
	}
	if cases != 120 || comuni != 6 || invalid == 0 || invalid > 30 {
		t.Errorf("cases %d, questionnaires %d, invalid %d; want 120, 6 and a few invalid", cases, comuni, invalid)
	}
}

// backends are the backends of the drills' tests: SQLite, and PostgreSQL
// in a throwaway cluster (skipped without PostgreSQL, unless
// SINBA_TEST_POSTGRES=1).
func backends(t *testing.T, run func(t *testing.T, flags ...string)) {
	t.Run("SQLite", func(t *testing.T) { run(t) })
	t.Run("PostgreSQL", func(t *testing.T) { run(t, "--postgres", synctest.PostgresDatabase(t)) })
}

func TestFaultsSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	backends(t, func(t *testing.T, flags ...string) {
		code, out := run(t, append([]string{"faults", "--kills", "10", "--attempts", "50", "--restarts", "3", "--seed", "1"}, flags...)...)
		if code != 0 || !strings.Contains(out, "nothing lost") {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		for _, want := range []string{"10 processes SIGKILLed", "acknowledged saves", "lost 0", "cut towards the server", "restarted 3 times"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
}

func TestLoadSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	backends(t, func(t *testing.T, flags ...string) {
		code, out := run(t, append([]string{"load", "--devices", "10", "--records", "5"}, flags...)...)
		if code != 0 || !strings.Contains(out, "lost 0") || !strings.Contains(out, "revisions saved 50,") || !strings.Contains(out, "on the server 50;") {
			t.Fatalf("exit %d:\n%s", code, out)
		}
	})
}

// TestVerifyCountsLoss: the check the drills rely on does report what is
// missing; a drill that could not fail would prove nothing.
func TestVerifyCountsLoss(t *testing.T) {
	ctx := context.Background()
	d, err := loadDomain()
	if err != nil {
		t.Fatal(err)
	}
	p, err := newProject(filepath.Join(t.TempDir(), "server"), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer p.store.Close()
	l, err := newLaptop(filepath.Join(t.TempDir(), "laptop"), drillClient(1, nil, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer l.store.Close()
	recs, err := d.cases(1, 3, p.munis[p.teams[0]])
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if _, err := l.store.Save(ctx, r, localdb.SaveOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := verifyServer(ctx, p.store, p.key, []*localdb.Store{l.store})
	if err != nil {
		t.Fatal(err)
	}
	if got.Expected != 3 || got.Lost != 3 || got.Unsent != 3 || !got.bad() {
		t.Errorf("verify of a laptop that never synced: %+v; want 3 expected, 3 lost, 3 unsent", got)
	}
}

func TestRunSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	code, out := run(t, "run", "--quick", "--saves", "30", "--syncs", "30")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"| figure | ours | baseline | ratio | target (#16) | unit |", "OpenRosa-style", "plain SQLite insert", "XChaCha20-Poly1305"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	if code, _ := run(t, "nessuno"); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
}

// TestNationalSmall is the national run at a small scale, on each backend
// with two server processes on one database: every revision arrives once,
// and the figures BENCHMARKS.md quotes are printed.
func TestNationalSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	backends(t, func(t *testing.T, flags ...string) {
		code, out := run(t, append([]string{"national", "--children", "600", "--revisions", "3", "--municipalities", "40", "--teams", "4", "--laptops", "12",
			"--at-once", "6", "--per-batch", "50", "--processes", "2"}, flags...)...)
		if code != 0 || !strings.Contains(out, "nothing lost") {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		for _, want := range []string{"1800 revisioni in", "revisions a second", "one laptop's round p50", "bytes per revision", "lost 0, doppie / duplicated 0", "503/429 answers", "the server's summary"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
}
