package survey

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestNotHeldReasons(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range NotHeldReasons {
		l, s := r.Label(), r.Short()
		if l.IT == "" || l.EN == "" || s.IT == "" || s.EN == "" {
			t.Errorf("reason %q: labels %+v %+v, want Italian and English", r, l, s)
		}
		if seen[l.IT] {
			t.Errorf("reason %q: label %q repeated", r, l.IT)
		}
		seen[l.IT] = true
		if !r.Valid() || NotHeldReasons[r.Index()] != r {
			t.Errorf("reason %q: Valid %v, Index %d", r, r.Valid(), r.Index())
		}
	}
	if NotHeldReason("carta").Valid() || NotHeldReason("carta").Index() != -1 {
		t.Error("an unknown reason is valid")
	}
	if !strings.Contains(NotHeldReason("carta").Label().IT, "carta") {
		t.Error("an unknown reason's label does not show its code")
	}
}

func TestReasonCountsJSON(t *testing.T) {
	var c ReasonCounts
	c.Add(ReasonNotGiven)
	c.Add(ReasonPaperOnly)
	c.Add(ReasonPaperOnly)
	c.Add("nonsense") // counts as not given
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"not_given":2,"paper_only":2}` {
		t.Errorf("JSON %s", b)
	}
	var back ReasonCounts
	if err := json.Unmarshal(b, &back); err != nil || back != c {
		t.Errorf("read back %v (%v), want %v", back, err, c)
	}
	if back.Of(ReasonPaperOnly) != 2 || back.Of(ReasonOther) != 0 || back.Plus(c).Of(ReasonNotGiven) != 4 {
		t.Errorf("Of/Plus: %v", back)
	}
	if err := json.Unmarshal([]byte(`{"carta":1}`), &back); err == nil {
		t.Error("an unknown reason was read")
	}
}

// A record written before reasons existed stays valid and reads as "reason
// not given"; a coded reason travels through the JSON Lines reader.
func TestNotHeldReasonInRecords(t *testing.T) {
	in := caseInstrument(t)
	old := `{"instrument":"scheda-minore","version":1,"municipality":"063049","answers":{},"meta":{"LuogoVita":{"not_held":true,"note":"in archivio"}}}`
	rec, err := DecodeRecordJSON([]byte(old), "")
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := rec.Meta["LuogoVita"].NotHeldBecause(); !ok || r != ReasonNotGiven || r.Label().IT != "Motivo non indicato" {
		t.Errorf("old record: reason %q held %v", r, ok)
	}
	for _, is := range ValidateAt(in, &rec, refDate) {
		if strings.HasPrefix(is.Rule, "not_held_reason") {
			t.Errorf("old record: %+v", is)
		}
	}

	coded := `{"instrument":"scheda-minore","municipality":"063049","meta":{"LuogoVita":{"not_held":true,"reason":"other_body"}}}`
	rec, err = DecodeRecordJSON([]byte(coded), "")
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := rec.Meta["LuogoVita"].NotHeldBecause(); !ok || r != ReasonOtherBody {
		t.Errorf("coded record: reason %q held %v", r, ok)
	}

	good := validCase()
	delete(good.Answers, "LuogoVita")
	good.Meta = map[string]FieldMeta{
		"LuogoVita":         {NotHeld: true, Reason: ReasonPaperOnly},
		"CondizioneLavoro":  {Reason: ReasonOther},                      // reason without the mark
		"ScuolaFrequentata": {NotHeld: true, Reason: "solo_carta"},      // unknown reason
		"Disabilita":        {NotHeld: false, Note: "chiedere all'ASL"}, // a note alone is fine
	}
	if got, want := rulesOf(ValidateAt(in, good, refDate)),
		"!not_held_reason.ScuolaFrequentata not_held.ScuolaFrequentata not_held_reason.CondizioneLavoro"; got != want {
		t.Errorf("issues %s\nwant   %s", got, want)
	}
}
