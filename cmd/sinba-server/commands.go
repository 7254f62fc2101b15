package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"sinba/cmd/internal/subcmd"
	"sinba/sync/server"
)

// env is what a command sees of the outside world; tests pass buffers.
type env struct {
	stdout, stderr io.Writer
	// ctx, if set, ends serve (tests); otherwise SIGINT/SIGTERM do.
	ctx context.Context
	// ready, if set, hears serve's address once it listens (tests).
	ready func(addr string)
}

type command = subcmd.Command[env]

var commands = &subcmd.Table[env]{
	Prog:   "sinba-server",
	Header: []string{"Uso / Usage: sinba-server COMANDO [OPZIONI]   (sinba-server COMANDO --help)", ""},
}

func register(c *command) { commands.Register(c) }

// named returns the registered command called name.
func named(name string) *command {
	c, _ := commands.Get(name)
	return c
}

func run(e env, args []string) int { return commands.Run(e, e.stdout, e.stderr, args) }

// EnvDatabase is the environment variable that names the server's
// PostgreSQL database when --database does not.
const EnvDatabase = "SINBA_DATABASE"

// where is where a command finds the server's database: the PostgreSQL
// database of --database (or SINBA_DATABASE), or else the SQLite file in
// the --data folder.
type where struct {
	data, database *string
}

// Database is what server.Open takes: the PostgreSQL URL, or the data folder.
func (w *where) Database() string {
	if *w.database != "" {
		return *w.database
	}
	return *w.data
}

// postgres says whether the store is on PostgreSQL.
func (w *where) postgres() bool { return *w.database != "" }

// String names the database in messages, without a password.
func (w *where) String() string {
	if !w.postgres() {
		return filepath.Join(*w.data, server.DBFile)
	}
	if u, err := url.Parse(*w.database); err == nil {
		return u.Redacted()
	}
	return "PostgreSQL"
}

// flags makes a flag set for c with the --data and --database flags every
// command has.
func flags(e env, c *command) (*flag.FlagSet, *where) {
	fs := commands.FlagSet(c, e.stderr)
	w := &where{
		data: fs.String("data", "", "cartella dei dati del server / the server's data folder"),
		database: fs.String("database", os.Getenv(EnvDatabase), "database PostgreSQL (postgres://...; predefinito: $"+EnvDatabase+
			"; senza, il file SQLite in --data) / PostgreSQL database (postgres://...; default: $"+EnvDatabase+"; without, the SQLite file in --data)"),
	}
	return fs, w
}

// parse parses args and checks --data and --database; ok=false means return status.
func parse(e env, fs *flag.FlagSet, w *where, args []string) (status int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "sinba-server: argomenti in più / extra arguments: %s\n", strings.Join(fs.Args(), " "))
		return 2, false
	}
	if *w.database != "" && !server.IsPostgres(*w.database) {
		fmt.Fprintln(e.stderr, "sinba-server: --database vuole un indirizzo postgres://... (un server SQLite si indica con --data) / --database takes a postgres://... address (a SQLite server is named with --data)")
		return 2, false
	}
	if *w.data == "" && !w.postgres() {
		fmt.Fprintln(e.stderr, "sinba-server: manca --data (o --database) / --data (or --database) is missing")
		return 2, false
	}
	return 0, true
}

// need reports a missing required flag.
func need(e env, pairs ...string) bool {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			fmt.Fprintf(e.stderr, "sinba-server: manca --%s / --%s is missing\n", pairs[i], pairs[i])
			return false
		}
	}
	return true
}

func fail(e env, err error) int {
	fmt.Fprintf(e.stderr, "sinba-server: %v\n", err)
	return 1
}

// openExisting opens the store of an initialised data folder, or the
// PostgreSQL database (which it brings to the current schema, as init does).
func openExisting(w *where) (*server.Store, error) {
	if err := initialised(w); err != nil {
		return nil, err
	}
	return server.Open(w.Database())
}

// initialised checks that a data folder holds a server's database.
func initialised(w *where) error {
	if !w.postgres() {
		data := *w.data
		if _, err := os.Stat(filepath.Join(data, server.DBFile)); err != nil {
			return fmt.Errorf("nessun server in %s: eseguire prima \"sinba-server init --data %s\" / no server in %s: run \"sinba-server init --data %s\" first", data, data, data, data)
		}
	}
	return nil
}

// migrated says which migrations opening a store applied, for a person.
func migrated(st *server.Store) string {
	if m := st.Migrated(); len(m) > 0 {
		return fmt.Sprintf("schema aggiornato, migrazioni applicate / schema brought up to date, migrations applied: %s", strings.Join(m, ", "))
	}
	return "schema già aggiornato / schema already up to date"
}

// withStore runs fn on the store w names and closes it.
func withStore(e env, w *where, fn func(ctx context.Context, st *server.Store) error) int {
	return withOpened(e, w, openExisting, fn)
}

// withReadStore is withStore for a command that only reads: the store is
// opened read-only and not migrated, so the command works on a read
// replica, or with a role that may only SELECT (see OPERATIONS.md).
func withReadStore(e env, w *where, fn func(ctx context.Context, st *server.Store) error) int {
	return withOpened(e, w, func(w *where) (*server.Store, error) {
		if err := initialised(w); err != nil {
			return nil, err
		}
		return server.OpenReadOnly(w.Database())
	}, fn)
}

func withOpened(e env, w *where, open func(*where) (*server.Store, error), fn func(ctx context.Context, st *server.Store) error) int {
	st, err := open(w)
	if err != nil {
		return fail(e, err)
	}
	defer st.Close()
	if err := fn(context.Background(), st); err != nil {
		return fail(e, err)
	}
	return 0
}
