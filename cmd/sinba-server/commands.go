package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
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

// flags makes a flag set for c with the --data flag every command has.
func flags(e env, c *command) (*flag.FlagSet, *string) {
	fs := commands.FlagSet(c, e.stderr)
	data := fs.String("data", "", "cartella dei dati del server / the server's data folder")
	return fs, data
}

// parse parses args and checks --data; ok=false means return status.
func parse(e env, fs *flag.FlagSet, data *string, args []string) (status int, ok bool) {
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
	if *data == "" {
		fmt.Fprintln(e.stderr, "sinba-server: manca --data / --data is missing")
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

// openExisting opens the store of an initialised data folder.
func openExisting(data string) (*server.Store, error) {
	if _, err := os.Stat(data + "/" + server.DBFile); err != nil {
		return nil, fmt.Errorf("nessun server in %s: eseguire prima \"sinba-server init --data %s\" / no server in %s: run \"sinba-server init --data %s\" first", data, data, data, data)
	}
	return server.OpenStore(data)
}

// withStore runs fn on the store of data and closes it.
func withStore(e env, data string, fn func(ctx context.Context, st *server.Store) error) int {
	st, err := openExisting(data)
	if err != nil {
		return fail(e, err)
	}
	defer st.Close()
	if err := fn(context.Background(), st); err != nil {
		return fail(e, err)
	}
	return 0
}
