package localdb

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// The store's files are its owner's only, whatever the folder or the umask
// were made with: the database holds the wrapped keys, and the WAL and the
// shared memory file hold pages of it.
const (
	dirMode  fs.FileMode = 0o700
	fileMode fs.FileMode = 0o600
)

// secureDir makes dir (created if missing) its owner's only.
func secureDir(dir string) error {
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return err
	}
	return os.Chmod(dir, dirMode)
}

// secureDB makes the database at path and its WAL and shared-memory files
// (those present) their owner's only.
func secureDB(path string) error {
	var errs []error
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, fileMode); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// precreate makes an empty database file at path with the owner-only mode
// before SQLite opens it: SQLite gives the WAL and the shared-memory file the
// database file's mode.
func precreate(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, fileMode)
	if err != nil {
		return fmt.Errorf("localdb: %w", err)
	}
	return f.Close()
}
