package form

import (
	"strings"
	"testing"

	"sinba/survey"
)

// TestFindingsOncePerRule: a rule about three fields is one finding,
// counted once, shown beside each of its fields; the sections' counts are
// those of the grouped list and add up to the record's; each finding's text
// names its field once.
func TestFindingsOncePerRule(t *testing.T) {
	rec := &survey.Record{Municipality: "063049"}
	f, w := open(t, rec)
	f.win = w
	for id, typed := range map[string]string{"MinoriInCarico": "2", "MinoriFuoriFamiglia": "3", "MinoriInAffido": "2", "MinoriInStruttura": "2"} {
		e := f.views[id].focus.(*FocusEntry)
		e.SetText(typed)
	}
	f.Validate(true)
	res := f.Result()
	var affido []Issue
	for _, is := range res.Issues {
		if strings.HasPrefix(is.Message, "Affido e strutture") {
			affido = append(affido, is)
		}
	}
	if len(affido) != 1 || len(affido[0].Fields) != 3 || affido[0].Severity != Warning {
		t.Fatalf("the rule on foster care and facilities gave %+v, want one warning about three fields", affido)
	}
	if got := f.views["MinoriInAffido"].issue.Text; got != affido[0].Message {
		t.Errorf("beside MinoriInAffido: %q, want the rule's message", got)
	}

	errs, warns := res.Counts()
	if errs+warns != len(res.Issues) || errs == 0 || warns == 0 {
		t.Fatalf("counts %d errors, %d warnings of %d findings", errs, warns, len(res.Issues))
	}
	groups := f.Grouped(res)
	sumE, sumW, last := 0, 0, -2
	for _, g := range groups {
		if g.Page <= last {
			t.Errorf("section %d listed after section %d", g.Page, last)
		}
		last = g.Page
		sumE += g.Errors
		sumW += g.Warnings
		if g.Errors+g.Warnings != len(g.Issues) {
			t.Errorf("%s: counts %d+%d of %d findings", g.Title, g.Errors, g.Warnings, len(g.Issues))
		}
		if g.Page < 0 {
			continue
		}
		side := f.sectionText(g.Page)
		if want := CountText(g.Errors, g.Warnings); !strings.HasSuffix(side, "⚠ "+want) {
			t.Errorf("sidebar %q, the list says %q", side, want)
		}
		for _, is := range g.Issues {
			if f.views[f.Target(is)].page != g.Page {
				t.Errorf("%q listed under %s, its field is elsewhere", is.Message, g.Title)
			}
		}
	}
	if sumE != errs || sumW != warns {
		t.Errorf("sections count %d errors, %d warnings; the record %d, %d", sumE, sumW, errs, warns)
	}
	// A section without findings shows no badge.
	for i := range f.pages {
		if g := f.findings.Page(i); g.Errors+g.Warnings == 0 && strings.Contains(f.sectionText(i), "⚠") {
			t.Errorf("sidebar %q without findings", f.sectionText(i))
		}
	}

	seen := map[string]bool{}
	for _, is := range res.Issues {
		text := f.IssueText(is)
		if seen[text] {
			t.Errorf("%q listed twice", text)
		}
		seen[text] = true
		path := f.Target(is)
		if path == "" {
			continue
		}
		label := f.views[path].q.Label
		if strings.Count(text, label+":") != 1 {
			t.Errorf("%q: the label %q is not there once", text, label)
		}
		if beside := f.views[path].issue.Text; strings.HasPrefix(beside, label+":") {
			t.Errorf("beside %s: %q repeats the label above it", path, beside)
		}
	}
	if want := "Comune: risposta obbligatoria"; !seen[want+" (se l'ufficio non ha il dato, indicalo)"] {
		t.Errorf("no finding %q among %v", want, seen)
	}
}
