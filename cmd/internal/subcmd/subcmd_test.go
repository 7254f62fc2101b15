package subcmd

import (
	"bytes"
	"strings"
	"testing"
)

func table() *Table[string] {
	t := &Table[string]{Prog: "prova", Header: []string{"Uso / Usage: prova COMANDO"}}
	t.Register(&Command[string]{Name: "zeta", Usage: "--z", Short: "ultima / last", Run: func(e string, a []string) int { return 7 }})
	t.Register(&Command[string]{Name: "alfa", Usage: "--a", Short: "prima / first", Run: func(e string, a []string) int {
		if e != "env" || len(a) != 1 || a[0] != "x" {
			return 9
		}
		return 3
	}})
	return t
}

func TestRunDispatchesAndLists(t *testing.T) {
	tb := table()
	var out, errs bytes.Buffer
	if got := tb.Run("env", &out, &errs, []string{"alfa", "x"}); got != 3 {
		t.Fatalf("alfa: status %d, want 3 (env and arguments passed on)", got)
	}
	if got := tb.Run("env", &out, &errs, nil); got != 0 || !strings.Contains(out.String(), "Uso / Usage: prova COMANDO") {
		t.Fatalf("no command: status %d, output %q", got, out.String())
	}
	if a, z := strings.Index(out.String(), "prova alfa"), strings.Index(out.String(), "prova zeta"); a < 0 || z < a {
		t.Fatalf("listing not in alphabetical order:\n%s", out.String())
	}
	if got := tb.Run("env", &out, &errs, []string{"beta"}); got != 2 || !strings.Contains(errs.String(), `comando sconosciuto "beta"`) {
		t.Fatalf("unknown command: status %d, stderr %q", got, errs.String())
	}
	if !tb.Has("help") || !tb.Has("zeta") || tb.Has("beta") {
		t.Fatal("Has")
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("registering a name twice did not panic")
		}
	}()
	tb := table()
	tb.Register(&Command[string]{Name: "alfa"})
}

func TestFlagSetExplainsTheCommand(t *testing.T) {
	tb := table()
	c, _ := tb.Get("alfa")
	var errs bytes.Buffer
	fs := tb.FlagSet(c, &errs)
	fs.String("data", "", "cartella / folder")
	if err := fs.Parse([]string{"--help"}); err == nil {
		t.Fatal("--help parsed without ErrHelp")
	}
	if s := errs.String(); !strings.Contains(s, "Uso / Usage: prova alfa --a") || !strings.Contains(s, "prima / first") || !strings.Contains(s, "-data") {
		t.Fatalf("help: %q", s)
	}
}
