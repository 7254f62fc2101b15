package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"sinba/survey"
)

// BenchmarkSaveVsPlain saves the same records as sealed revisions and as
// plain JSON rows in a plain SQLite table (same pragmas, one transaction per
// row), in the same run; the figure is the ratio.
func BenchmarkSaveVsPlain(b *testing.B) {
	ctx := context.Background()
	recs := make([]survey.Record, 1000)
	for i := range recs {
		recs[i] = caseRecord(i)
	}
	b.Run("sealed", func(b *testing.B) {
		st, _, _ := newStore(b)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := st.Save(ctx, recs[i%len(recs)], SaveOptions{Actor: "bench"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The same rows the store writes for a save (revision, head, blind index,
	// outbox, audit), in the store's own schema and one transaction, with
	// prepared statements, but nothing sealed: what encryption at rest costs.
	b.Run("plain-same-rows", func(b *testing.B) {
		db, err := sql.Open("sqlite", dsn(filepath.Join(b.TempDir(), "same.db"), false))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		if err := migrate(ctx, db, -1); err != nil {
			b.Fatal(err)
		}
		prep := func(q string) *sql.Stmt {
			st, err := db.Prepare(q)
			if err != nil {
				b.Fatal(err)
			}
			return st
		}
		head := prep(`SELECT head, other_head, created FROM records WHERE id = ?`)
		rev := prep(`INSERT INTO revisions(` + revCols + `) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`)
		rec := prep(`INSERT INTO records(id, instrument, instrument_version, municipality, status, head, other_head, created, updated, summary)
			VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET head=excluded.head, updated=excluded.updated, summary=excluded.summary`)
		delTags := prep(`DELETE FROM blind_index WHERE record_id = ?`)
		tag := prep(`INSERT OR IGNORE INTO blind_index(tag, record_id) VALUES (?, ?)`)
		out := prep(`INSERT INTO outbox(revision) VALUES (?)`)
		seq := prep(`SELECT coalesce(max(seq), 0) + 1 FROM audit`)
		audit := prep(`INSERT INTO audit(seq, at, payload) VALUES (?, ?, ?)`)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			r := recs[i%len(recs)]
			id := fmt.Sprint(i % len(recs))
			pt, _ := json.Marshal(payload{Record: r})
			sm, _ := json.Marshal(summarize(&r))
			now := int64(i)
			revID := fmt.Sprint("r", i)
			tx, err := db.Begin()
			if err != nil {
				b.Fatal(err)
			}
			var h, o string
			var c int64
			_ = tx.Stmt(head).QueryRow(id).Scan(&h, &o, &c)
			must := func(_ sql.Result, err error) {
				if err != nil {
					b.Fatal(err)
				}
			}
			must(tx.Stmt(rev).Exec(revID, id, h, "", r.Instrument, r.Version, r.Municipality, "draft", "", "pending", "", now, pt))
			must(tx.Stmt(rec).Exec(id, r.Instrument, r.Version, r.Municipality, "draft", revID, "", now, now, sm))
			must(tx.Stmt(delTags).Exec(id))
			if r.Identity != nil && r.Identity.FiscalCode != "" {
				must(tx.Stmt(tag).Exec([]byte(r.Identity.FiscalCode), id))
			}
			must(tx.Stmt(out).Exec(revID))
			var n int64
			if err := tx.Stmt(seq).QueryRow().Scan(&n); err != nil {
				b.Fatal(err)
			}
			must(tx.Stmt(audit).Exec(n, now, []byte(`{"actor":"bench","action":"save","record":"`+id+`"}`)))
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("plain", func(b *testing.B) {
		db, err := sql.Open("sqlite", dsn(filepath.Join(b.TempDir(), "plain.db"), false))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		if _, err := db.Exec(`CREATE TABLE plain (id TEXT PRIMARY KEY, record TEXT NOT NULL) STRICT`); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			j, _ := json.Marshal(recs[i%len(recs)])
			if _, err := db.Exec(`INSERT INTO plain(id, record) VALUES (?, ?)`, fmt.Sprint(i), string(j)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// filled holds closed stores of n records, built once per process: a
// benchmark function runs several times and must not rebuild its fixture.
var (
	filled    = map[int]string{}
	filledDir string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if filledDir != "" {
		os.RemoveAll(filledDir)
	}
	os.Exit(code)
}

func filledStore(b *testing.B, n int) string {
	if dir, ok := filled[n]; ok {
		return dir
	}
	b.Helper()
	if filledDir == "" {
		var err error
		if filledDir, err = os.MkdirTemp("", "sinba-bench-"); err != nil {
			b.Fatal(err)
		}
	}
	dir := filepath.Join(filledDir, fmt.Sprint(n))
	st, _, err := CreateWith(dir, pass, testOpts)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	// Batches of 500 saves per transaction: only to build the fixture fast.
	for i := 0; i < n; i += 500 {
		_, err := st.write(ctx, func(tx *sql.Tx) (*indexEntry, error) {
			for j := i; j < min(i+500, n); j++ {
				rec := caseRecord(j)
				rec.ID = fmt.Sprintf("rec-%06d", j)
				e, err := st.saveTx(ctx, tx, rec, SaveOptions{Status: survey.StatusDraft})
				if err != nil {
					return nil, err
				}
				st.idx.put(e)
			}
			return nil, nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	st.Close()
	filled[n] = dir
	return dir
}

// BenchmarkOpen20k is unlocking a store of 20,000 records with a cheap KDF:
// opening the database, migrations check, loading the in-memory index.
// Add BenchmarkKDFDefault for the Argon2id part.
func BenchmarkOpen20k(b *testing.B) {
	dir := filledStore(b, 20000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st, err := OpenWith(dir, pass, testOpts)
		if err != nil {
			b.Fatal(err)
		}
		st.Close()
	}
}

// BenchmarkKDFDefault is the Argon2id cost of an unlock with the production
// parameters (meant to be about half a second).
func BenchmarkKDFDefault(b *testing.B) {
	salt := randBytes(saltSize)
	for i := 0; i < b.N; i++ {
		passphraseKEK(pass, salt, DefaultKDF)
	}
}

func BenchmarkLookup20k(b *testing.B) {
	dir := filledStore(b, 20000)
	st, err := OpenWith(dir, pass, testOpts)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	cf := caseRecord(12345).Identity.FiscalCode
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if got, err := st.Lookup(ctx, cf); err != nil || len(got) == 0 {
			b.Fatalf("Lookup = %d, %v", len(got), err)
		}
	}
}

// BenchmarkSearch20k is a search-box query (substring of the name) over the
// in-memory index of 20,000 records.
func BenchmarkSearch20k(b *testing.B) {
	dir := filledStore(b, 20000)
	st, err := OpenWith(dir, pass, testOpts)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if got, err := st.List(ctx, Filter{Query: "rossi1234", Limit: 50}); err != nil || len(got) == 0 {
			b.Fatalf("List = %d, %v", len(got), err)
		}
	}
}
