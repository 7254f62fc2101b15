package synctest

import (
	"context"
	"testing"

	"sinba/localdb"
	"sinba/sync/server"
)

// HeldOnce checks that the server store holds exactly the revisions the
// laptops made of records (their own, from their history): each once, of
// the record it belongs to, and nothing else. It returns how many.
func HeldOnce(t testing.TB, st *server.Store, laptops map[*localdb.Store][]string) int {
	t.Helper()
	ctx := context.Background()
	want := map[string]string{} // revision -> record
	for l, records := range laptops {
		for _, id := range records {
			hist, err := l.History(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hist {
				want[h.Revision] = id
			}
		}
	}
	revs, err := st.Revisions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, r := range revs {
		seen[r.Revision]++
		if want[r.Revision] != r.RecordID {
			t.Errorf("the server holds revision %s of record %s that no laptop made", r.Revision, r.RecordID)
		}
	}
	for rev := range want {
		if seen[rev] != 1 {
			t.Errorf("revision %s held %d times, want once", rev, seen[rev])
		}
	}
	if len(revs) != len(want) {
		t.Fatalf("the server holds %d revisions, the laptops made %d", len(revs), len(want))
	}
	return len(want)
}
