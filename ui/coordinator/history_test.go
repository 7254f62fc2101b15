package coordinator

import (
	"reflect"
	"testing"
	"time"

	"sinba/survey"
)

func TestCollapseHistory(t *testing.T) {
	t0 := time.Date(2025, 5, 12, 9, 0, 0, 0, time.UTC)
	at := func(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }
	save := func(min int, origin string, st survey.Status) Version {
		return Version{At: at(min), Origin: origin, Status: st}
	}
	decision := func(min int, st survey.Status, n int) Version {
		return Version{At: at(min), ByCoord: true, Status: st, Comments: make([]survey.Comment, n)}
	}
	draft, final := survey.StatusDraft, survey.StatusFinal
	for _, c := range []struct {
		name string
		hist []Version
		want []historyLine
	}{
		{"no versions", nil, nil},
		{"autosaves of one sitting are one line", []Version{save(0, "a", draft), save(2, "a", draft), save(20, "a", draft), save(45, "a", draft)},
			[]historyLine{{Kind: histWork, From: at(0), To: at(45), Saves: 4, Origin: "a", Status: draft}}},
		{"a long pause starts a new session", []Version{save(0, "a", draft), save(5, "a", draft), save(5+31, "a", draft)},
			[]historyLine{
				{Kind: histWork, From: at(0), To: at(5), Saves: 2, Origin: "a", Status: draft},
				{Kind: histWork, From: at(36), To: at(36), Saves: 1, Origin: "a", Status: draft},
			}},
		{"another laptop starts a new session", []Version{save(0, "a", draft), save(1, "b", draft), save(2, "b", draft)},
			[]historyLine{
				{Kind: histWork, From: at(0), To: at(0), Saves: 1, Origin: "a", Status: draft},
				{Kind: histWork, From: at(1), To: at(2), Saves: 2, Origin: "b", Status: draft},
			}},
		{"sending, return, correction and sending again", []Version{
			save(0, "a", draft), save(3, "a", draft), save(4, "a", final),
			decision(60*24, survey.StatusReturned, 2),
			save(60*48, "a", survey.StatusReturned), save(60*48+1, "a", survey.StatusReturned), save(60*48+2, "a", final),
			decision(60*72, survey.StatusApproved, 0),
		}, []historyLine{
			{Kind: histWork, From: at(0), To: at(4), Saves: 3, Origin: "a", Status: final},
			{Kind: histSent, From: at(4), To: at(4), Origin: "a", Status: final},
			{Kind: histDecision, From: at(60 * 24), To: at(60 * 24), Status: survey.StatusReturned, Comments: make([]survey.Comment, 2)},
			{Kind: histWork, From: at(60 * 48), To: at(60*48 + 2), Saves: 3, Origin: "a", Status: final},
			{Kind: histSent, From: at(60*48 + 2), To: at(60*48 + 2), Origin: "a", Status: final, Again: true},
			{Kind: histDecision, From: at(60 * 72), To: at(60 * 72), Status: survey.StatusApproved, Comments: make([]survey.Comment, 0)},
		}},
		{"saving a record already sent is not sending it again", []Version{save(0, "a", final), save(1, "a", final)},
			[]historyLine{
				{Kind: histWork, From: at(0), To: at(0), Saves: 1, Origin: "a", Status: final},
				{Kind: histSent, From: at(0), To: at(0), Origin: "a", Status: final},
				{Kind: histWork, From: at(1), To: at(1), Saves: 1, Origin: "a", Status: final},
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := collapse(c.hist, sessionGap); !reflect.DeepEqual(got, c.want) {
				t.Errorf("collapse:\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}
