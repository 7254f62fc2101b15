package server

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx"
)

//go:embed migrations/postgres/*.sql
var postgresMigrations embed.FS

// postgresPool is how many connections one server process opens to
// PostgreSQL: enough for its requests in flight, few enough that several
// processes stay within the server's max_connections (100 by default).
const postgresPool = 16

// openPostgres opens the store in the PostgreSQL database url names and
// migrates it. Several server processes may open one database at once.
func openPostgres(url string) (*Store, error) {
	conn, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("indirizzo del database PostgreSQL non valido / invalid PostgreSQL database address: %w", err)
	}
	conn.SetMaxOpenConns(postgresPool)
	conn.SetMaxIdleConns(postgresPool)
	ctx := context.Background()
	if err := conn.PingContext(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("database PostgreSQL non raggiungibile / PostgreSQL database unreachable: %w", err)
	}
	d := &postgresDialect{}
	s := &Store{w: &db{sql: conn, d: d}, d: d}
	s.r = s.w
	if err := s.migrate(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("server store (PostgreSQL): %w", err)
	}
	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// postgresDialect is PostgreSQL with several server processes on one
// database. Write transactions are SERIALIZABLE, so they behave as if run
// one after the other, as on SQLite's single writer (the quota checks, the
// first-wins updates and the read-then-insert of a batch rely on it); the
// engine refuses one of two that would not, and the store runs it again.
// The feed, whose cursors must never pass a row committed later, is kept
// in commit order by its trigger (migrations/postgres/001_init.sql).
type postgresDialect struct {
	queries sync.Map // query with ? → query with $n
}

func (*postgresDialect) name() string { return "postgres" }

func (*postgresDialect) migrations() (fs.FS, error) {
	return fs.Sub(postgresMigrations, "migrations/postgres")
}

func (*postgresDialect) migrationLock() string {
	return `SELECT pg_advisory_xact_lock(hashtext('sinba-server migrations'))`
}

// serialLock is a session-level advisory lock, held from before the
// transaction began until after it ended: the ingest of a team's batches
// (which all update the team's row) waits its turn rather than failing the
// others' serializable transactions over and over.
func (*postgresDialect) serialLock() (string, string) {
	return `SELECT pg_advisory_lock(hashtext('sinba-server writes'), hashtext(?))`,
		`SELECT pg_advisory_unlock(hashtext('sinba-server writes'), hashtext(?))`
}

func (*postgresDialect) txOptions() *sql.TxOptions {
	return &sql.TxOptions{Isolation: sql.LevelSerializable}
}

// retryable: a serialization failure or a deadlock between transactions.
func (*postgresDialect) retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

func (d *postgresDialect) rebind(q string) string {
	if v, ok := d.queries.Load(q); ok {
		return v.(string)
	}
	out := numberPlaceholders(q)
	d.queries.Store(q, out)
	return out
}

// numberPlaceholders turns each ? of q outside quotes and comments into
// $1, $2... (and a numbered ?N into $N).
func numberPlaceholders(q string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := strings.IndexByte(q[i+1:], c)
			if j < 0 {
				b.WriteString(q[i:])
				return b.String()
			}
			b.WriteString(q[i : i+j+2])
			i += j + 1
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j - 1
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			j := strings.Index(q[i:], "*/")
			if j < 0 {
				b.WriteString(q[i:])
				return b.String()
			}
			b.WriteString(q[i : i+j+2])
			i += j + 1
		case c == '?' && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9':
			b.WriteByte('$') // SQLite's ?NNN is PostgreSQL's $NNN
		case c == '?':
			n++
			b.WriteString("$" + strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
