package server_test

import (
	"context"
	"fmt"
	"testing"

	"sinba/sync/seal"
	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

// BenchmarkIngest is the server taking batches of 50 sealed case records
// over HTTP on loopback: signature check, decompression, validation and one
// SQLite transaction per batch.
func BenchmarkIngest(b *testing.B) {
	const perBatch = 50
	ctx := context.Background()
	p := synctest.NewProject(b, b.TempDir())
	p.Serve(b, server.Config{DisableLimits: true})
	d := p.EnrolDevice(b, p.TeamA)
	team, _ := seal.NewKey()
	// Sealing is the laptop's work: done before the clock starts, reused
	// with fresh ids so every batch is new to the server.
	sealed, err := synctest.Revisions(perBatch, synctest.MunicipalityA, d.Project, team.Recipient())
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		revs := make([]wire.Revision, perBatch)
		for i, r := range sealed {
			r.RecordID, r.Revision = uuidFor(n, i, 'r'), uuidFor(n, i, 'v')
			revs[i] = r
		}
		n++
		rc, err := d.SendBatch(ctx, revs)
		if err != nil || len(rc.Accepted) != perBatch {
			b.Fatalf("%v %v", rc, err)
		}
	}
	b.ReportMetric(float64(b.N*perBatch)/b.Elapsed().Seconds(), "records/s")
}

// uuidFor makes a distinct, valid UUID per batch, item and kind without
// the cost of randomness in the timed loop.
func uuidFor(batch, item int, kind byte) string {
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", batch, item, int(kind), 0, batch*1000+item)
}
