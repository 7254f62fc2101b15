package localdb

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBackupRestore(t *testing.T) {
	ctx := context.Background()
	st, _, rk := newStore(t)
	var ids []string
	for i := range 30 {
		rec := caseRecord(i)
		// Enough data for several chunks.
		rec.Answers["Nota"] = strings.Repeat("appunti del caso ", 500)
		info, err := st.Save(ctx, rec, SaveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, info.ID)
	}
	st.SetSecret(ctx, "device", []byte("k"))
	file := filepath.Join(t.TempDir(), "sinba.backup")
	if err := st.Backup(ctx, file); err != nil {
		t.Fatal(err)
	}

	check := func(dir string) {
		t.Helper()
		st, err := OpenWith(dir, pass, testOpts)
		if err != nil {
			t.Fatalf("open the restored store: %v", err)
		}
		defer st.Close()
		if rec, _, err := st.Get(ctx, ids[17]); err != nil || rec.Identity.Surname != "Rossi17" {
			t.Fatalf("restored record: %+v, %v", rec.Identity, err)
		}
		if l, _ := st.List(ctx, Filter{}); len(l) != 30 {
			t.Fatalf("restored %d records, want 30", len(l))
		}
		if out, _ := st.Outbox(ctx, 0); len(out) != 30 {
			t.Fatalf("restored outbox holds %d, want 30", len(out))
		}
		if bad, err := st.Verify(ctx); err != nil || len(bad) > 0 {
			t.Fatalf("Verify: %v %v", bad, err)
		}
	}

	// Another laptop, with the passphrase.
	other := filepath.Join(t.TempDir(), "other")
	if err := RestoreWith(ctx, file, other, Credentials{Passphrase: []byte("wrong")}, false, testOpts); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("restore with a wrong passphrase: %v", err)
	}
	if Exists(other) {
		t.Fatal("a failed restore left a store behind")
	}
	if err := RestoreWith(ctx, file, other, Credentials{Passphrase: pass}, false, testOpts); err != nil {
		t.Fatal(err)
	}
	check(other)

	// A third laptop, with the recovery key.
	third := filepath.Join(t.TempDir(), "third")
	if err := RestoreWith(ctx, file, third, Credentials{RecoveryKey: rk}, false, testOpts); err != nil {
		t.Fatal(err)
	}
	check(third)

	// Over an existing store: refused, or kept aside with replace.
	if err := RestoreWith(ctx, file, other, Credentials{Passphrase: pass}, false, testOpts); !errors.Is(err, ErrStoreExists) {
		t.Fatalf("restore over a store: %v, want ErrStoreExists", err)
	}
	if err := RestoreWith(ctx, file, other, Credentials{Passphrase: pass}, true, testOpts); err != nil {
		t.Fatal(err)
	}
	aside, _ := filepath.Glob(filepath.Join(other, DBFile+".before-restore-*"))
	if len(aside) == 0 {
		t.Fatal("the replaced store was not kept aside")
	}
	check(other)

	// A damaged or cut file is refused and writes nothing.
	b, _ := os.ReadFile(file)
	for name, bad := range map[string][]byte{
		"truncated":      b[:len(b)-1000],
		"cut at a chunk": b[:chunkBoundary(b)],
		"flipped":        flip(b, len(b)/2),
		"not a backup":   []byte("hello"),
	} {
		f := filepath.Join(t.TempDir(), "bad")
		os.WriteFile(f, bad, 0o600)
		dir := filepath.Join(t.TempDir(), "bad-restore")
		if err := RestoreWith(ctx, f, dir, Credentials{Passphrase: pass}, false, testOpts); !errors.Is(err, ErrNotBackup) {
			t.Errorf("%s backup: %v, want ErrNotBackup", name, err)
		}
		if Exists(dir) {
			t.Errorf("%s backup left a store behind", name)
		}
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0x40
	return c
}

// chunkBoundary is the offset where the last whole chunk before the final
// one ends: a file cut there decrypts chunk by chunk, and only the missing
// last-chunk flag tells it is incomplete.
func chunkBoundary(b []byte) int {
	hdr := len(backupMagic) + 4 + int(binary.BigEndian.Uint32(b[len(backupMagic):]))
	n := (len(b) - hdr) / (backupChunk + 16)
	return hdr + n*(backupChunk+16)
}
