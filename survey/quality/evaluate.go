package quality

import (
	"runtime"
	"sync"
	"time"

	"sinba/survey"
)

// caseView is a record evaluated once for every figure drawn from it: its
// instrument version, normalised answers, skip logic and, when asked, its
// issues.
type caseView struct {
	in     *survey.Instrument
	rec    *survey.Record
	ans    survey.Answers
	rel    map[string]bool
	meta   map[string]survey.FieldMeta
	issues []survey.Issue
	ref    time.Time
	err    error // the registry does not know the record's instrument
}

// evaluate prepares every record, on every core: validation and skip logic
// are most of the cost of an analysis, and each record is independent.
// Records with no instrument name are case records.
func evaluate(reg *survey.Registry, recs []survey.Record, ref time.Time, withIssues bool) []caseView {
	views := make([]caseView, len(recs))
	workers := runtime.GOMAXPROCS(0)
	if workers > len(recs) {
		workers = len(recs)
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(recs); i += workers {
				rec := &recs[i]
				v := &views[i]
				v.rec, v.ref, v.meta = rec, ref, rec.Meta
				if rec.Instrument == "" {
					// A copy, so the caller's records are not written to
					// from several goroutines.
					c := *rec
					c.Instrument = survey.InstrumentCase
					v.rec = &c
				}
				v.in, v.err = reg.ForRecord(v.rec)
				if v.err != nil {
					continue
				}
				v.ans, _ = survey.Normalize(v.in, v.rec.Answers)
				v.rel = survey.Relevance(v.in, v.rec, ref)
				if withIssues {
					v.issues = survey.ValidateAt(v.in, v.rec, ref)
				}
			}
		}(w)
	}
	wg.Wait()
	return views
}
