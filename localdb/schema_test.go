package localdb

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

// A store written by the first release (schema 1: no receipts, no secrets)
// moves forward when a newer build opens it, and keeps every record.
func TestOlderSchemaMovesForward(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "old")
	old := testOpts
	old.schema = 1
	st, _, err := CreateWith(dir, pass, old)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Save(ctx, caseRecord(4), SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	var v int
	db := rawDB(t, dir)
	db.QueryRow(`PRAGMA user_version`).Scan(&v)
	db.Close()
	if v != 1 {
		t.Fatalf("old store at schema %d, want 1", v)
	}

	st, err = OpenWith(dir, pass, testOpts)
	if err != nil {
		t.Fatalf("open an older schema: %v", err)
	}
	defer st.Close()
	st.w.QueryRow(`PRAGMA user_version`).Scan(&v)
	if v != SchemaVersion() {
		t.Fatalf("schema after open = %d, want %d", v, SchemaVersion())
	}
	if rec, _, err := st.Get(ctx, info.ID); err != nil || rec.Identity.Surname != "Rossi4" {
		t.Fatalf("record from the old schema: %+v, %v", rec.Identity, err)
	}
	if err := st.SetSecret(ctx, "cursor", []byte("42")); err != nil {
		t.Fatalf("the new tables are there: %v", err)
	}
	if out, _ := st.Outbox(ctx, 0); len(out) != 1 {
		t.Fatalf("outbox after migration: %d entries", len(out))
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	st, dir, _ := newStore(t)
	st.Close()
	db := rawDB(t, dir)
	mustExec(t, db, `PRAGMA user_version = 99`)
	db.Close()
	if _, err := OpenWith(dir, pass, testOpts); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("newer schema: %v, want ErrSchemaTooNew", err)
	}
}
