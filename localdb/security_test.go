package localdb

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sinba/survey"
)

const marker = "Zq7MarkerXw"

// markedRecord fills every text field with the marker.
func markedRecord(i int) survey.Record {
	m := func(s string) string { return marker + s }
	return survey.Record{
		Instrument:   survey.InstrumentCase,
		Version:      1,
		Municipality: "063049", // plain by design: see README.md
		Answers: survey.Answers{
			PseudonymField:      m("psn") + string(rune('a'+i)),
			"LuogoVita":         m("lv"),
			"CodicePrestazione": []any{m("c1"), m("c2")},
			"Interventi":        []any{map[string]any{"Ente": m("ente")}},
		},
		Meta: map[string]survey.FieldMeta{"ScuolaFrequentata": {NotHeld: true, Note: m("note")}},
		Identity: &survey.Identity{
			Surname: m("surname"), Name: m("name"), Sex: m("sex"), BirthDate: m("bd"),
			BirthPlace: m("bp"), FiscalCode: m("cf") + string(rune('a'+i)),
		},
	}
}

func TestNoPlaintextOnDisk(t *testing.T) {
	ctx := context.Background()
	st, dir, _ := newStore(t)
	var ids []string
	for i := range 5 {
		info, err := st.Save(ctx, markedRecord(i), SaveOptions{Actor: marker + "actor"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, info.ID)
		// A second revision, so history and the old head are on disk too.
		if _, err := st.Save(ctx, markedRecord(i+10), SaveOptions{Actor: marker + "actor2", BaseRevision: "", Status: survey.StatusFinal}); err != nil {
			t.Fatal(err)
		}
	}
	rec := markedRecord(1)
	rec.ID = ids[0]
	if _, err := st.ApplyRemote(ctx, RemoteRevision{RecordID: ids[0], Revision: "remote-1", BaseRevision: "unknown",
		Status: survey.StatusReturned, Record: rec, Origin: OriginCoordinators,
		Comments: []survey.Comment{{Field: "LuogoVita", Text: marker + "comment", Author: marker + "coordinator"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Resolve(ctx, ids[0], markedRecord(3), marker+"resolver"); err != nil {
		t.Fatal(err)
	}
	if err := st.SetSecret(ctx, "team-key", []byte(marker+"secret")); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveReceipt(ctx, "rcpt-1", []byte(marker+"receipt")); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "backup.sinba")
	if err := st.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	// While open: the WAL holds the latest pages.
	if _, err := os.Stat(dbPath(dir) + "-wal"); err != nil {
		t.Fatalf("expected a WAL file while open: %v", err)
	}
	scan := func(when string) {
		t.Helper()
		files := []string{backup}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			files = append(files, filepath.Join(dir, e.Name()))
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, form := range []string{marker, strings.ToUpper(marker), strings.ToLower(marker)} {
				if bytes.Contains(b, []byte(form)) {
					t.Errorf("%s: %s holds the marker %q in clear", when, f, form)
				}
			}
		}
	}
	scan("open")
	// The marker is really stored: it decrypts.
	got, _, err := st.Get(ctx, ids[1])
	if err != nil || !strings.HasPrefix(got.Identity.Surname, marker) {
		t.Fatalf("Get = %+v, %v", got.Identity, err)
	}
	st.Close()
	scan("closed")
}

func rawDB(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", dsn(dbPath(dir), false))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestSwappedAndFlippedCiphertext(t *testing.T) {
	ctx := context.Background()
	st, dir, _ := newStore(t)
	var infos []RecordInfo
	for i := range 4 {
		info, err := st.Save(ctx, caseRecord(i), SaveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		infos = append(infos, info)
	}
	st.Close()
	db := rawDB(t, dir)
	// Swap the payloads of records 0 and 1.
	mustExec(t, db, `UPDATE revisions SET payload = (SELECT payload FROM revisions WHERE revision = ?) WHERE revision = ?`, infos[1].Revision, infos[0].Revision)
	// Flip one bit of record 2's payload.
	var p []byte
	if err := db.QueryRow(`SELECT payload FROM revisions WHERE revision = ?`, infos[2].Revision).Scan(&p); err != nil {
		t.Fatal(err)
	}
	p[len(p)/2] ^= 0x01
	mustExec(t, db, `UPDATE revisions SET payload = ? WHERE revision = ?`, p, infos[2].Revision)
	// Relabel record 3 as approved: the status is plain but bound to the ciphertext.
	mustExec(t, db, `UPDATE revisions SET status = 'approved' WHERE revision = ?`, infos[3].Revision)
	// Swap the sealed summaries of record 0 and 1: the list label would lie.
	mustExec(t, db, `UPDATE records SET summary = (SELECT summary FROM records WHERE id = ?) WHERE id = ?`, infos[1].ID, infos[0].ID)
	db.Close()

	st, err := OpenWith(dir, pass, testOpts)
	if err != nil {
		t.Fatalf("the store must still open: %v", err)
	}
	defer st.Close()
	for _, i := range []int{0, 2, 3} {
		_, _, err := st.Get(ctx, infos[i].ID)
		var te *TamperError
		if !errors.Is(err, ErrTampered) || !errors.As(err, &te) || te.ID != infos[i].Revision {
			t.Errorf("Get(record %d) = %v, want a TamperError naming %s", i, err, infos[i].Revision)
		}
	}
	if rec, _, err := st.Get(ctx, infos[1].ID); err != nil || rec.Identity.Surname != "Rossi1" {
		t.Errorf("untouched record 1: %+v, %v", rec.Identity, err)
	}
	list, err := st.List(ctx, Filter{})
	if err != nil || len(list) != 4 {
		t.Fatalf("List = %d, %v; want 4", len(list), err)
	}
	for _, in := range list {
		if in.ID == infos[0].ID && (!in.Damaged || in.Label != "") {
			t.Errorf("swapped summary: %+v, want Damaged and no label", in)
		}
	}
	h, err := st.History(ctx, infos[2].ID)
	if err != nil || len(h) != 1 || !errors.Is(h[0].Err, ErrTampered) {
		t.Errorf("History of the flipped record = %+v, %v", h, err)
	}
	bad, err := st.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) != 4 { // three revisions and one summary
		t.Errorf("Verify found %d damaged rows (%v), want 4", len(bad), bad)
	}
	// The store stays writable.
	if _, err := st.Save(ctx, caseRecord(9), SaveOptions{}); err != nil {
		t.Errorf("Save after tampering: %v", err)
	}
}

func TestRecoveryKey(t *testing.T) {
	ctx := context.Background()
	st, dir, rk := newStore(t)
	info, err := st.Save(ctx, caseRecord(1), SaveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	if _, err := OpenWithRecoveryOpts(dir, "ABCD-EFGH", testOpts); !errors.Is(err, ErrMalformedRecoveryKey) {
		t.Errorf("malformed key: %v, want ErrMalformedRecoveryKey", err)
	}
	typo := []byte(rk)
	typo[0] = map[bool]byte{true: 'B', false: 'A'}[typo[0] == 'A']
	if _, err := OpenWithRecoveryOpts(dir, string(typo), testOpts); !errors.Is(err, ErrMalformedRecoveryKey) {
		t.Errorf("mistyped key: %v, want ErrMalformedRecoveryKey (the checksum catches it)", err)
	}
	_, other := newRecoveryKey()
	if _, err := OpenWithRecoveryOpts(dir, other, testOpts); !errors.Is(err, ErrWrongRecoveryKey) {
		t.Errorf("another store's key: %v, want ErrWrongRecoveryKey", err)
	}
	// As printed, lower case and without dashes.
	st, err = OpenWithRecoveryOpts(dir, strings.ToLower(strings.ReplaceAll(rk, "-", " ")), testOpts)
	if err != nil {
		t.Fatalf("OpenWithRecovery: %v", err)
	}
	if rec, _, err := st.Get(ctx, info.ID); err != nil || rec.Identity.Surname != "Rossi1" {
		t.Fatalf("Get after recovery: %+v, %v", rec.Identity, err)
	}
	newPass := []byte("una passphrase nuova")
	if err := st.ChangePassphrase(nil, newPass); err != nil {
		t.Fatalf("ChangePassphrase after recovery: %v", err)
	}
	st.Close()
	if _, err := OpenWith(dir, pass, testOpts); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("old passphrase after recovery: %v, want ErrWrongPassphrase", err)
	}
	st, err = OpenWith(dir, newPass, testOpts)
	if err != nil {
		t.Fatalf("new passphrase: %v", err)
	}
	st.Close()
	// The recovery key keeps working after a passphrase change.
	st, err = OpenWithRecoveryOpts(dir, rk, testOpts)
	if err != nil {
		t.Fatalf("recovery key after the change: %v", err)
	}
	st.Close()
}

func TestWrongPassphraseMessage(t *testing.T) {
	msg := ErrWrongPassphrase.Error()
	for _, want := range []string{"passphrase errata", "chiave di recupero", "wrong passphrase", "recovery key"} {
		if !strings.Contains(msg, want) {
			t.Errorf("ErrWrongPassphrase = %q, missing %q", msg, want)
		}
	}
	_, dir, _ := newStore(t)
	if _, err := OpenWith(dir, nil, testOpts); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("empty passphrase: %v", err)
	}
	if _, err := OpenWith(t.TempDir(), pass, testOpts); !errors.Is(err, ErrNoStore) {
		t.Errorf("empty folder: %v, want ErrNoStore", err)
	}
	if _, _, err := CreateWith(dir, pass, testOpts); !errors.Is(err, ErrStoreExists) {
		t.Errorf("Create over a store: %v, want ErrStoreExists", err)
	}
}

func TestChangePassphrase(t *testing.T) {
	ctx := context.Background()
	st, dir, _ := newStore(t)
	info, _ := st.Save(ctx, caseRecord(7), SaveOptions{})
	newPass := []byte("nuova passphrase lunga")
	if err := st.ChangePassphrase([]byte("not it"), newPass); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("change with a wrong old passphrase: %v, want ErrWrongPassphrase", err)
	}
	db := rawDB(t, dir)
	var before int64
	db.QueryRow(`SELECT count(*) FROM revisions`).Scan(&before)
	if err := st.ChangePassphrase(pass, newPass); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if _, err := OpenWith(dir, pass, testOpts); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("old passphrase: %v, want ErrWrongPassphrase", err)
	}
	st, err := OpenWith(dir, newPass, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if rec, _, err := st.Get(ctx, info.ID); err != nil || rec.Identity.Surname != "Rossi7" {
		t.Fatalf("Get after change: %+v, %v", rec.Identity, err)
	}
	a, _ := st.Audit(ctx, 0)
	found := false
	for _, e := range a {
		found = found || e.Action == "change-passphrase"
	}
	if !found {
		t.Errorf("audit trail lacks the passphrase change: %+v", a)
	}
}

func TestKDFBoundsChecked(t *testing.T) {
	st, dir, _ := newStore(t)
	st.Close()
	db := rawDB(t, dir)
	// A tampered wrap asking for 64 GiB must be refused before Argon2 runs.
	mustExec(t, db, `UPDATE keyslots SET body = CAST(json_set(body, '$.params.m', 67108864) AS BLOB) WHERE slot = 'passphrase'`)
	db.Close()
	if _, err := OpenWith(dir, pass, testOpts); !errors.Is(err, ErrBadKeyFile) {
		t.Fatalf("huge KDF parameters: %v, want ErrBadKeyFile", err)
	}
}
