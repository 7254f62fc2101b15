package localdb_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"sinba/localdb"
	"sinba/survey"
)

// Finding 9: sinba.db was created 0644, so in a data folder made beforehand
// as 0755 the file with the wrapped keys was readable by every local user.
// Now the folder is 0700 and the database, its WAL and shared memory and the
// backups are 0600, whatever the folder was made with.
func TestStoreFilesAreTheOwnersOnly(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "dati")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	st, _, err := localdb.CreateWith(dir, []byte("passphrase di prova"), localdb.Options{KDF: localdb.KDFParams{Time: 1, Memory: 64, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Save(ctx, survey.Record{Instrument: survey.InstrumentCase, Version: 1, Municipality: "063049"}, localdb.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "copia.sinba-backup")
	if err := st.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	want := map[string]os.FileMode{dir: 0o700, backup: 0o600}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		want[filepath.Join(dir, localdb.DBFile+suffix)] = 0o600
	}
	for path, mode := range want {
		fi, err := os.Stat(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if got := fi.Mode().Perm(); got != mode {
			t.Errorf("%s: mode %o, want %o", filepath.Base(path), got, mode)
		}
	}
	// A store whose files were loosened (copied in, made by an older
	// build) is tightened when it is opened.
	st.Close()
	for path := range want {
		if path != backup {
			_ = os.Chmod(path, 0o755)
		}
	}
	st, err = localdb.Open(dir, []byte("passphrase di prova"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, path := range []string{dir, filepath.Join(dir, localdb.DBFile)} {
		fi, _ := os.Stat(path)
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s after reopening: mode %o", filepath.Base(path), fi.Mode().Perm())
		}
	}
}
