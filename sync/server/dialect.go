package server

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"io/fs"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
)

// The store's SQL is written once, in the dialect both engines accept:
// ? placeholders, ON CONFLICT DO NOTHING, TRUE and FALSE, CAST(... AS
// BIGINT), and a rowid column (SQLite's own; on PostgreSQL an identity
// column of that name) for arrival order. A dialect is the little that
// differs: how placeholders are spelt, which migrations make the schema,
// how a unique violation and a transaction worth running again look, and
// the isolation of write transactions.
type dialect interface {
	name() string
	// rebind rewrites a query written with ? placeholders for the engine.
	rebind(query string) string
	// migrations are the schema's migration files (NNN_name.sql), applied in order.
	migrations() (fs.FS, error)
	// migrationLock is a statement that, run first in a migration's
	// transaction, keeps other processes from migrating until it ends.
	migrationLock() string
	// retryable says whether a transaction that failed with err may
	// succeed if run again from the start.
	retryable(err error) bool
	// txOptions are the options of a write transaction.
	txOptions() *sql.TxOptions
	// serialLock and serialUnlock take and give back, around a write
	// transaction and on its connection, a lock on a key (one ? argument),
	// so that write transactions of one key run one after the other instead
	// of failing each other; empty where writes are serial anyway.
	serialLock() (lock, unlock string)
}

//go:embed migrations/*.sql
var sqliteMigrations embed.FS

// sqliteDialect is SQLite: one writer (the store's single writing
// connection, each transaction BEGIN IMMEDIATE), so write transactions
// are serial and never need running again.
type sqliteDialect struct{}

func (sqliteDialect) name() string                 { return "sqlite" }
func (sqliteDialect) rebind(q string) string       { return q }
func (sqliteDialect) migrationLock() string        { return "" } // BEGIN IMMEDIATE is the lock
func (sqliteDialect) retryable(error) bool         { return false }
func (sqliteDialect) txOptions() *sql.TxOptions    { return nil }
func (sqliteDialect) serialLock() (string, string) { return "", "" }
func (sqliteDialect) migrations() (fs.FS, error)   { return fs.Sub(sqliteMigrations, "migrations") }

// isUnique says whether err is a unique-constraint violation, in either engine.
func isUnique(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// db is a database handle whose queries are written in the store's SQL.
type db struct {
	sql *sql.DB
	d   dialect
}

func (x *db) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return x.sql.ExecContext(ctx, x.d.rebind(q), args...)
}

func (x *db) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return x.sql.QueryContext(ctx, x.d.rebind(q), args...)
}

func (x *db) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return x.sql.QueryRowContext(ctx, x.d.rebind(q), args...)
}

func (x *db) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return x.sql.PrepareContext(ctx, x.d.rebind(q))
}

// BeginTx starts a write transaction at the dialect's isolation; one with
// a key waits first for the other write transactions of that key to end
// (see dialect.serialLock).
func (x *db) BeginTx(ctx context.Context, key string) (*txn, error) {
	lock, unlock := x.d.serialLock()
	if key == "" || lock == "" {
		tx, err := x.sql.BeginTx(ctx, x.d.txOptions())
		if err != nil {
			return nil, err
		}
		return &txn{Tx: tx, d: x.d}, nil
	}
	conn, err := x.sql.Conn(ctx)
	if err != nil {
		return nil, err
	}
	// The lock is taken before the transaction begins, so its snapshot
	// sees what the previous holder committed.
	if _, err := conn.ExecContext(ctx, x.d.rebind(lock), key); err != nil {
		conn.Close()
		return nil, err
	}
	release := func() {
		if _, err := conn.ExecContext(context.Background(), x.d.rebind(unlock), key); err != nil {
			// A connection that may still hold the lock goes, and the lock with it.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}
	tx, err := conn.BeginTx(ctx, x.d.txOptions())
	if err != nil {
		release()
		return nil, err
	}
	return &txn{Tx: tx, d: x.d, release: release}, nil
}

// txn is a transaction whose queries are written in the store's SQL.
type txn struct {
	*sql.Tx
	d       dialect
	release func() // after the transaction ends: gives back its key's lock
}

// Commit commits the transaction, then gives back its key's lock.
func (t *txn) Commit() error {
	defer t.done()
	return t.Tx.Commit()
}

// Rollback rolls the transaction back (if it has not ended), then gives
// back its key's lock.
func (t *txn) Rollback() error {
	defer t.done()
	return t.Tx.Rollback()
}

func (t *txn) done() {
	if t.release != nil {
		t.release()
		t.release = nil
	}
}

func (t *txn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, t.d.rebind(q), args...)
}

func (t *txn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, t.d.rebind(q), args...)
}

func (t *txn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, t.d.rebind(q), args...)
}
