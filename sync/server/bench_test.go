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

// ingestBench sets up a server and an enrolled device, and seals perBatch
// case records: sealing is the laptop's work, done before the clock starts
// and reused with fresh ids so every batch is new to the server.
func ingestBench(b *testing.B) (*synctest.Project, *synctest.Device, []wire.Revision) {
	p := synctest.NewProject(b, b.TempDir())
	p.Serve(b, server.Config{DisableLimits: true})
	d := p.EnrolDevice(b, p.TeamA)
	team, _ := seal.NewKey()
	sealed, err := synctest.Revisions(perBatch, synctest.MunicipalityA, d.Project, team.Recipient())
	if err != nil {
		b.Fatal(err)
	}
	return p, d, sealed
}

const perBatch = 50

// BenchmarkIngest is the server taking batches of 50 sealed case records
// over HTTP on loopback: signature check, decompression, validation and one
// SQLite transaction per batch.
func BenchmarkIngest(b *testing.B) {
	ctx := context.Background()
	_, d, sealed := ingestBench(b)
	n := 0
	for b.Loop() {
		rc, err := d.SendBatch(ctx, fresh(sealed, n))
		n++
		if err != nil || len(rc.Accepted) != perBatch {
			b.Fatalf("%v %v", rc, err)
		}
	}
	b.ReportMetric(float64(b.N*perBatch)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkStoreIngest is the server alone: Store.Ingest of decoded
// batches of 50 sealed case records, one SQLite transaction each, without
// HTTP, signature or the laptop's encoding; in format 1 and in format 2
// (a header per batch, which the server keeps once and never opens).
func BenchmarkStoreIngest(b *testing.B) {
	for _, format := range []int{wire.FormatV1, wire.FormatV2} {
		b.Run(fmt.Sprintf("format%d", format), func(b *testing.B) {
			ctx := context.Background()
			p, wd, sealed := ingestBench(b)
			d, err := p.Store.Principal(ctx, wd.ID)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for b.Loop() {
				batch := &wire.Batch{Version: format, ID: uuidFor(n, 0, 'b'), Revisions: fresh(sealed, n)}
				if format == wire.FormatV2 {
					batch.Header = &wire.Header{Batch: batch.ID, Content: sealed[0].Content[:330], Identity: sealed[0].Content[:230]}
					for i := range batch.Revisions {
						batch.Revisions[i].Header = batch.ID
					}
				}
				n++
				rc, err := p.Store.Ingest(ctx, d, batch, wire.DefaultLimits, server.Quota{})
				if err != nil || len(rc.Refused) > 0 || (format == wire.FormatV1 && len(rc.Accepted) != perBatch) || (format == wire.FormatV2 && rc.Count != perBatch) {
					b.Fatalf("%v %v", rc, err)
				}
			}
			b.ReportMetric(float64(b.N*perBatch)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// fresh copies sealed with ids new for batch n.
func fresh(sealed []wire.Revision, n int) []wire.Revision {
	revs := make([]wire.Revision, len(sealed))
	for i, r := range sealed {
		r.RecordID, r.Revision = uuidFor(n, i, 'r'), uuidFor(n, i, 'v')
		revs[i] = r
	}
	return revs
}

// uuidFor makes a distinct, valid UUID per batch, item and kind without
// the cost of randomness in the timed loop.
func uuidFor(batch, item int, kind byte) string {
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", batch, item, int(kind), 0, batch*1000+item)
}
