package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"sinba/sync/server"
)

func init() {
	register(&command{Name: "migrate", Usage: "--from DIR --to postgres://...",
		Short: "copia il server del pilota (SQLite) in PostgreSQL, tutto o niente / copies the pilot's server (SQLite) into PostgreSQL, all or nothing", Run: cmdMigrate})
}

// cmdMigrate copies a pilot's SQLite server into an empty PostgreSQL
// database. The copy is one transaction on PostgreSQL: it is atomic, not
// resumable; a copy that stops half way leaves the database empty, and is
// run again from the start.
func cmdMigrate(e env, args []string) int {
	fs := commands.FlagSet(named("migrate"), e.stderr)
	from := fs.String("from", "", "la cartella dei dati del server del pilota (o il suo file "+server.DBFile+"); il server va fermato prima / the pilot server's data folder (or its "+server.DBFile+" file); stop the server first")
	to := fs.String("to", "", "il database PostgreSQL, vuoto (postgres://utente@host/database) / the PostgreSQL database, empty (postgres://user@host/database)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "sinba-server: argomenti in più / extra arguments: %s\n", strings.Join(fs.Args(), " "))
		return 2
	}
	if !need(e, "from", *from, "to", *to) {
		return 2
	}
	if !server.IsPostgres(*to) {
		fmt.Fprintln(e.stderr, "sinba-server: --to è l'indirizzo di un database PostgreSQL (postgres://...) / --to is a PostgreSQL database's address (postgres://...)")
		return 2
	}
	dir := *from
	if filepath.Base(dir) == server.DBFile {
		dir = filepath.Dir(dir)
	}
	none := ""
	src, err := openExisting(&where{data: &dir, database: &none})
	if err != nil {
		return fail(e, err)
	}
	defer src.Close()
	fmt.Fprintf(e.stderr, "sinba-server: %s: %s\n", dir, migrated(src))
	dst, err := server.Open(*to)
	target := &where{data: &none, database: to}
	if err != nil {
		return fail(e, err)
	}
	defer dst.Close()
	fmt.Fprintf(e.stderr, "sinba-server: %s: %s\n", target, migrated(dst))
	rep, err := server.CopyStore(context.Background(), src, dst)
	var notEmpty *server.ErrTargetNotEmpty
	if errors.As(err, &notEmpty) {
		fmt.Fprintf(e.stderr, "sinba-server: %s: %v; nulla è stato copiato / nothing was copied\n", target, err)
		return 1
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "sinba-server: copia non riuscita, PostgreSQL è rimasto vuoto: si può rifare da capo / the copy failed, PostgreSQL was left empty: it can be run again: %v\n", err)
		return 1
	}
	for _, t := range rep.Tables {
		fmt.Fprintf(e.stdout, "%-18s %d\n", t.Table, t.Rows)
	}
	fmt.Fprintf(e.stdout, "copiate %d righe di %d tabelle da %s: il server ora si avvia con --database / copied %d rows of %d tables from %s: start the server with --database now\n",
		rep.Rows(), len(rep.Tables), dir, rep.Rows(), len(rep.Tables), dir)
	return 0
}
