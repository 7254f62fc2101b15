package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// SchemaError says how a database's schema differs from the one this
// program knows: migrations it has not had yet (Missing: the database is
// behind) or that this program does not know (Unknown: the database is
// ahead, a newer sinba-server migrated it).
type SchemaError struct {
	Missing, Unknown []string
	// ReadOnly: the store was opened without migrating, so a missing
	// migration is not applied here.
	ReadOnly bool
}

func (e *SchemaError) Error() string {
	if len(e.Unknown) > 0 {
		n := strings.Join(e.Unknown, ", ")
		return "lo schema del database è più recente di questo programma (migrazioni sconosciute: " + n + "): aggiornare sinba-server; nulla è stato cambiato / " +
			"the database's schema is newer than this program (unknown migrations: " + n + "): update sinba-server; nothing was changed"
	}
	n := strings.Join(e.Missing, ", ")
	return "lo schema del database è indietro rispetto a questo programma (migrazioni mancanti: " + n + "): avviare prima \"sinba-server init\" (o serve) sul database principale / " +
		"the database's schema is behind this program (missing migrations: " + n + "): run \"sinba-server init\" (or serve) on the primary database first"
}

// knownMigrations are the names (as schema_migrations keeps them) of the
// dialect's migrations, in order.
func knownMigrations(d dialect) ([]string, error) {
	files, err := d.migrations()
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for i, n := range names {
		names[i] = migrationName(n)
	}
	return names, nil
}

// queryer is what a connection and a transaction offer for reading.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// appliedMigrations reads schema_migrations; a database without the table
// (nothing migrated yet) has none.
func appliedMigrations(ctx context.Context, q queryer) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM schema_migrations ORDER BY name`)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42P01" || err != nil && strings.Contains(err.Error(), "no such table") {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// compareSchema sets out what applied lacks of known and what it has that
// known does not; nil when they are the same.
func compareSchema(known, applied []string) *SchemaError {
	var e SchemaError
	for _, k := range known {
		if !slices.Contains(applied, k) {
			e.Missing = append(e.Missing, k)
		}
	}
	for _, a := range applied {
		if !slices.Contains(known, a) {
			e.Unknown = append(e.Unknown, a)
		}
	}
	if len(e.Missing)+len(e.Unknown) == 0 {
		return nil
	}
	return &e
}

// Migrated lists the migrations opening the store applied (empty when the
// schema was up to date, and for a store opened read-only).
func (s *Store) Migrated() []string { return s.migrated }

// OpenReadOnly opens the store that database names for reading only,
// without migrating it: what the admin commands that only read (status,
// devices, audit, export) use, so they work on a read replica and with a
// role that may only SELECT. Every transaction of its connections is read
// only. The schema must be the one this program knows (a *SchemaError says
// how it differs); the store offers reads only, and a write through it fails.
func OpenReadOnly(database string) (*Store, error) {
	var s *Store
	if IsPostgres(database) {
		cfg, err := pgx.ParseConfig(database)
		if err != nil {
			return nil, fmt.Errorf("indirizzo del database PostgreSQL non valido / invalid PostgreSQL database address: %w", err)
		}
		cfg.RuntimeParams["default_transaction_read_only"] = "on"
		conn := stdlib.OpenDB(*cfg)
		conn.SetMaxOpenConns(4)
		if err := conn.PingContext(context.Background()); err != nil {
			conn.Close()
			return nil, fmt.Errorf("database PostgreSQL non raggiungibile / PostgreSQL database unreachable: %w", err)
		}
		d := &postgresDialect{}
		s = &Store{w: &db{sql: conn, d: d}, d: d}
	} else {
		path := filepath.Join(database, DBFile)
		conn, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)&_pragma=query_only(1)")
		if err != nil {
			return nil, err
		}
		conn.SetMaxOpenConns(4)
		d := sqliteDialect{}
		s = &Store{w: &db{sql: conn, d: d}, d: d}
	}
	s.r = s.w
	known, err := knownMigrations(s.d)
	if err == nil {
		var applied []string
		if applied, err = appliedMigrations(context.Background(), s.r); err == nil {
			if e := compareSchema(known, applied); e != nil {
				e.ReadOnly = true
				err = e
			}
		}
	}
	if err == nil {
		// The feeds' reads, as a serving store has them (they only read).
		err = prepareAll(context.Background(), s.r, feedSQL[:], s.fd[:])
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}
