package localdb

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"sort"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver, pure Go: no cgo
)

// DBFile is the name of the database inside a data folder.
const DBFile = "sinba.db"

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrations are applied in file-name order; the schema version is SQLite's
// user_version, the number of migrations applied.
func migrations() []string {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		panic(err)
	}
	sort.Strings(names)
	out := make([]string, len(names))
	for i, n := range names {
		b, err := migrationFS.ReadFile(n)
		if err != nil {
			panic(err)
		}
		out[i] = string(b)
	}
	return out
}

// SchemaVersion is the schema this build writes.
func SchemaVersion() int { return len(migrations()) }

// dsn puts the pragmas in the connection string so that every connection of
// the pool gets them (busy_timeout first, so that setting WAL can wait).
// synchronous=FULL: in WAL mode it costs one fsync per commit and makes an
// acknowledged save survive a power cut, not only a crash.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Add("_pragma", "secure_delete(ON)")
	if readOnly {
		q.Add("_pragma", "query_only(ON)")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// openDB opens the writer (one connection: SQLite has one writer anyway, and
// queuing in Go avoids busy errors) and a pool of readers that WAL lets run
// beside it.
func openDB(path string) (w, r *sql.DB, err error) {
	w, err = sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, nil, dbError("open", err)
	}
	r, err = sql.Open("sqlite", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, nil, err
	}
	r.SetMaxOpenConns(4)
	return w, r, nil
}

// migrate moves the schema forward to upTo (all migrations when upTo < 0) and
// refuses a database written by a newer build. Each step and its version
// number commit together, so a crash mid-way leaves a consistent schema.
func migrate(ctx context.Context, db *sql.DB, upTo int) error {
	all := migrations()
	if upTo < 0 || upTo > len(all) {
		upTo = len(all)
	}
	var v int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return dbError("schema version", err)
	}
	if v > len(all) {
		return fmt.Errorf("%w (schema %d > %d)", ErrSchemaTooNew, v, len(all))
	}
	for i := v; i < upTo; i++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return dbError("migrate", err)
		}
		if _, err := tx.ExecContext(ctx, all[i]); err != nil {
			tx.Rollback()
			return dbError(fmt.Sprintf("migration %d", i+1), err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1)); err != nil {
			tx.Rollback()
			return dbError("migrate", err)
		}
		if err := tx.Commit(); err != nil {
			return dbError("migrate", err)
		}
	}
	return nil
}

func dbPath(dir string) string { return filepath.Join(dir, DBFile) }

// inList returns "?,?,?" for n parameters.
func inList(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}
