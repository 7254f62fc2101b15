package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// DBFile is the name of the server's database inside its data directory.
const DBFile = "sinba-server.db"

// Store is the server's database, behind one API whatever the engine:
// SQLite (one file, WAL, one writing connection beside a small pool of
// readers: the pilot's default) or PostgreSQL (a pool shared by reads and
// writes, for several server processes on one database). The SQL is one
// code path; a dialect adapts it to the engine (see dialect.go).
type Store struct {
	w *db // writes (SQLite: the only writing connection; it has one writer anyway)
	r *db // reads (SQLite: read-only connections; PostgreSQL: the same pool as w)
	d dialect

	st prepared  // the ingest path and the nonce of every signed request
	fd feedStmts // the feeds' reads (changes.go), on r

	migrated []string // the migrations opening the store applied

	checkpoints *checkpointer // SQLite: the WAL copied into the database off the write path
}

// ErrNotFound is returned when an admin command names something that is not there.
var ErrNotFound = errors.New("not found")

// IsPostgres says whether database names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a data directory.
func IsPostgres(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

// Open opens (creating if needed) and migrates the store that database
// names: a postgres:// URL, or else the data directory of a SQLite store.
func Open(database string) (*Store, error) {
	if IsPostgres(database) {
		return openPostgres(database)
	}
	return OpenStore(database)
}

// OpenStore opens (creating if needed) the SQLite database in dir and migrates it.
func OpenStore(dir string) (*Store, error) {
	// The folder and the database files are the server's user's only,
	// whatever the folder was made with. The database file is made before
	// SQLite opens it, since SQLite gives the WAL and the shared-memory
	// file its mode.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, DBFile)
	if f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
		f.Close()
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	// The writer checkpoints only past walAutoCheckpoint pages: the
	// checkpointer does it in the background (see checkpointer). It keeps
	// its statement journals in memory: a statement that inserts many rows
	// of a batch at once journals the pages it changes, so that it can be
	// undone alone, and in a temporary file that doubled the bytes a batch
	// wrote.
	w, err := sql.Open("sqlite", dsn+"&_txlock=immediate&_pragma=temp_store(MEMORY)"+fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)&_pragma=cache_size(%d)", walAutoCheckpoint, -writerCacheKiB))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	d := sqliteDialect{}
	s := &Store{w: &db{sql: w, d: d}, d: d}
	if err := s.migrate(context.Background()); err != nil {
		w.Close()
		return nil, fmt.Errorf("server store %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(4)
	s.r = &db{sql: r, d: d}
	if err := s.prepare(context.Background()); err != nil {
		s.Close()
		return nil, err
	}
	if s.checkpoints, err = startCheckpointer(dsn); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	errs := []error{s.checkpoints.stop(), s.st.close(), closeAll(s.fd[:]), s.w.sql.Close()}
	if s.r != nil && s.r != s.w {
		errs = append(errs, s.r.sql.Close())
	}
	return errors.Join(errs...)
}

// prepare prepares the ingest path's statements on the writer and the
// feeds' on the readers, once.
func (s *Store) prepare(ctx context.Context) error {
	if err := s.st.prepare(ctx, s.w); err != nil {
		return err
	}
	return prepareAll(ctx, s.r, feedSQL[:], s.fd[:])
}

// Backend names the engine: "sqlite" or "postgres".
func (s *Store) Backend() string { return s.d.name() }

// migrate applies the dialect's migrations not applied yet, each in its
// own transaction with its record in schema_migrations, and notes them in
// s.migrated; a database a newer program migrated (one with migrations this
// one does not know) is left as it is, with a *SchemaError. The dialect's
// migration lock makes server processes starting at once on one database
// apply each migration once; the transaction reads what others committed
// (it is not run at the store's serializable level, whose snapshot would
// predate the lock).
func (s *Store) migrate(ctx context.Context) error {
	files, err := s.d.migrations()
	if err != nil {
		return err
	}
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	known := make([]string, len(names))
	for i, n := range names {
		known[i] = migrationName(n)
	}
	if err := s.newerSchema(ctx, known); err != nil {
		return err
	}
	for _, name := range names {
		body, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		sqlTx, err := s.w.sql.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		tx := &txn{Tx: sqlTx, d: s.d}
		err = func() error {
			if lock := s.d.migrationLock(); lock != "" {
				if _, err := tx.ExecContext(ctx, lock); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, migrationName(name)).Scan(&n); err != nil || n > 0 {
				return err
			}
			if _, err := tx.Tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`, migrationName(name), time.Now().Unix())
			if err == nil {
				s.migrated = append(s.migrated, migrationName(name))
			}
			return err
		}()
		if err != nil {
			_ = tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// newerSchema refuses a database with migrations that are not in known.
func (s *Store) newerSchema(ctx context.Context, known []string) error {
	applied, err := appliedMigrations(ctx, s.w)
	if err != nil {
		return err
	}
	if e := compareSchema(known, applied); e != nil && len(e.Unknown) > 0 {
		return e
	}
	return nil
}

// migrationName is how schema_migrations names a migration file: as the
// SQLite store always has, "migrations/NAME.sql".
func migrationName(name string) string { return "migrations/" + name }

// txKey carries, in a context, the write transaction that every write made
// with that context joins (see Once).
type txKey struct{}

// execer is what both the writing connection and a transaction offer.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// reader is where a read with ctx goes: the transaction ctx carries, or
// the reading connections. A read made while a transaction holds its
// project's lock (see txSerial) goes through that transaction: with every
// connection of the pool held by writers waiting for the lock, one more
// connection for the holder's read would never come.
func (s *Store) reader(ctx context.Context) queryer {
	if tx, ok := ctx.Value(txKey{}).(*txn); ok {
		return tx
	}
	return s.r
}

// exec is where a write with ctx goes: the transaction ctx carries, or the
// writing connection.
func (s *Store) exec(ctx context.Context) execer {
	if tx, ok := ctx.Value(txKey{}).(*txn); ok {
		return tx
	}
	return s.w
}

// maxAttempts bounds how often a transaction the engine gave up on (a
// serialization failure or a deadlock between server processes) is run again.
const maxAttempts = 20

// ErrBusy is what a write returns when the engine gave up on its
// transaction maxAttempts times: the database is contended, not broken, and
// the request may come again in a moment (the server answers 503 with
// Retry-After, which the apps honour).
var ErrBusy = errors.New("database busy: the transaction was given up on at every attempt")

// retry runs attempt until it succeeds, fails in a way running it again
// cannot mend, or has failed maxAttempts times in a way the dialect says it
// may (then ErrBusy, wrapping the last failure).
func (s *Store) retry(ctx context.Context, attempt func() error) error {
	for n := 1; ; n++ {
		err := attempt()
		if err == nil || !s.d.retryable(err) {
			return err
		}
		if n == maxAttempts {
			return fmt.Errorf("%w (%d attempts): %w", ErrBusy, n, err)
		}
		if err := retryPause(ctx, n); err != nil {
			return err
		}
	}
}

// tx runs fn in a write transaction, or in the one ctx carries. A
// transaction the dialect says may succeed if run again (PostgreSQL's
// serialization failures) is run again, from the start: fn must set
// everything it reports on each run. When the attempts run out the error is
// ErrBusy.
func (s *Store) tx(ctx context.Context, fn func(*txn) error) error {
	return s.txSerial(ctx, "", fn)
}

// txSerial is tx for a transaction that runs after the other ones of key
// (see dialect.serialLock): those that write the same rows.
func (s *Store) txSerial(ctx context.Context, key string, fn func(*txn) error) error {
	if tx, ok := ctx.Value(txKey{}).(*txn); ok {
		return fn(tx)
	}
	return s.retry(ctx, func() error { return s.txOnce(ctx, key, fn) })
}

func (s *Store) txOnce(ctx context.Context, key string, fn func(*txn) error) error {
	tx, err := s.w.BeginTx(ctx, key)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// retryPause waits a little, more after each attempt and never the same for
// two processes, before a transaction is run again.
func retryPause(ctx context.Context, attempt int) error {
	d := time.Duration(attempt) * time.Millisecond
	d += time.Duration(rand.Int64N(int64(d) + 1))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Files lists the database's files on disk (main file, WAL, shared memory).
func Files(dir string) []string {
	var out []string
	for _, suffix := range []string{"", "-wal", "-shm"} {
		p := filepath.Join(dir, DBFile+suffix)
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
		}
	}
	return out
}
