package seal_test

import (
	"testing"

	"github.com/google/uuid"

	"sinba/survey"
	"sinba/sync/seal"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

// BenchmarkOpen is the coordinators opening format-2 records with the
// project key, batches of 50 sharing a header, with a dictionary.
func BenchmarkOpen(b *testing.B) {
	project, team := newKey(b), newKey(b)
	var samples []survey.Record
	for range 40 {
		samples = append(samples, synctest.CaseRecord(synctest.MunicipalityA, uuid.NewString()[:6]))
	}
	dict, err := seal.TrainDictionary(wire.Instrument{ID: survey.InstrumentCase, Version: 1}, samples)
	if err != nil {
		b.Fatal(err)
	}
	dicts := &seal.Dictionaries{}
	if err := dicts.Add(survey.InstrumentCase, 1, dict); err != nil {
		b.Fatal(err)
	}
	const n = 1000
	revs := make([]wire.Revision, 0, n)
	var headers []wire.Header
	var bs *seal.BatchSealer
	for i := range n {
		if i%50 == 0 {
			bs, _ = seal.NewBatchSealer(uuid.NewString(), device, project.Recipient(), team.Recipient(), dicts)
			headers = append(headers, bs.Header())
		}
		rec := samples[i%len(samples)]
		rec.ID = uuid.NewString()
		r := wire.Revision{RecordID: rec.ID, Revision: uuid.NewString(), Instrument: rec.Instrument, InstrumentVersion: rec.Version, Origin: device, Header: bs.Header().Batch}
		if r.Content, r.Identity, err = bs.Seal(rec, r.Revision); err != nil {
			b.Fatal(err)
		}
		revs = append(revs, r)
	}
	index := seal.HeaderIndex(headers)
	for b.Loop() {
		open := seal.NewOpener(project, dicts)
		for i := range revs {
			if _, err := open.Open(&revs[i], index[revs[i].Header]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/record")
}
