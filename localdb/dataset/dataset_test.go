package dataset_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sinba/localdb"
	"sinba/localdb/dataset"
	"sinba/localdb/registry"
	"sinba/survey"
	"sinba/sync/synctest"
)

// A laptop's store exports without any server: the records of the statuses
// asked for, each export in the audit trail; a format it does not know or
// no folder is refused with a message in Italian and English, and nothing
// is written or logged.
func TestExportReadsAStoreWithoutTheServer(t *testing.T) {
	ctx := context.Background()
	store := synctest.Laptop(t, t.TempDir())
	for _, m := range []string{"uno", "due"} {
		if _, err := store.Save(ctx, synctest.CaseRecord(synctest.MunicipalityA, m), localdb.SaveOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	set, err := registry.Load(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	entries, skipped, err := dataset.Entries(ctx, store)
	if err != nil || len(entries) != 2 || skipped != 0 {
		t.Fatalf("entries: %d (%d skipped), %v; want 2", len(entries), skipped, err)
	}
	if approved, _, err := dataset.Entries(ctx, store, survey.StatusApproved); err != nil || len(approved) != 0 {
		t.Fatalf("approved entries: %d, %v; want none", len(approved), err)
	}
	exports := func() int {
		audit, err := store.Audit(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, a := range audit {
			if a.Action == "export" {
				n++
			}
		}
		return n
	}
	for _, bad := range []dataset.Options{{Format: "pdf", Dir: t.TempDir()}, {Format: dataset.Formats[0]}} {
		_, err := dataset.Export(ctx, store, set.Registry, bad)
		var se *survey.Error
		if !errors.As(err, &se) || se.IT == "" || se.EN == "" || se.IT == se.EN || strings.Contains(se.IT, " / ") {
			t.Errorf("export %+v: %v; want a message in Italian and one in English", bad, err)
		}
	}
	if n := exports(); n != 0 {
		t.Fatalf("%d exports logged after two refusals", n)
	}
	dir := filepath.Join(t.TempDir(), "nuova")
	m, err := dataset.Export(ctx, store, set.Registry, dataset.Options{Format: dataset.Formats[0], Dir: dir, Actor: "prova",
		Statuses: []survey.Status{survey.StatusDraft}})
	if err != nil || m.Records != 2 || len(m.Files) == 0 {
		t.Fatalf("export of the drafts: %+v, %v", m, err)
	}
	if _, err := os.Stat(filepath.Join(dir, m.Files[0].Name)); err != nil {
		t.Fatalf("the export's first file: %v", err)
	}
	if n := exports(); n != 1 {
		t.Fatalf("%d exports logged, want 1", n)
	}
}
