// Command sinba-bench proves what sinba claims, on the machine it runs on:
// it makes realistic synthetic pilot data, measures every figure beside a
// baseline run in the same process, and runs the fault and load drills that
// must lose nothing.
//
//	sinba-bench gen --cases N --seed S [--errors RATE] [--out FILE.jsonl]
//	sinba-bench run [--quick] [--go-test]
//	sinba-bench faults [--kills 200] [--attempts 500] [--restarts 10] [--postgres URL]
//	sinba-bench load [--devices 100] [--records 20] [--postgres URL]
//	sinba-bench national [--children 400000] [--revisions 4] [--processes 1] [--postgres URL]
//
// faults and load exit with status 1 when anything was lost.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
)

type command struct {
	usage, short string
	run          func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]command{
	"gen": {"--cases N --seed S [--errors RATE] [--municipalities N | --istat CODES] [--notes RATE] [--not-held FIELD=RATE,...] [--ref-date AAAA-MM-GG] [--out FILE.jsonl]",
		"genera dati sintetici del pilota in JSON Lines / writes synthetic pilot data as JSON Lines", runGen},
	"run": {"[--quick] [--go-test] [--saves N] [--syncs N] [--benchtime N]",
		"misura ogni cifra accanto a un riferimento / measures every figure beside a baseline", runBench},
	"faults": {"[--kills 200] [--attempts 500] [--restarts 10] [--seed S] [--postgres URL]",
		"uccisioni, proxy caotico, riavvii del server: cosa si è perso / kills, chaos proxy, server restarts: what was lost", runFaults},
	"load": {"[--devices 100] [--records 20] [--teams N] [--seed S] [--postgres URL]",
		"molti portatili insieme contro un server / many laptops at once against one server", runLoad},
	"national": {"[--children 400000] [--revisions 4] [--municipalities 7901] [--teams 400] [--laptops 2000] [--at-once 32] [--per-batch 100] [--processes 1] [--postgres URL]",
		"la scala nazionale: revisioni al secondo, durata dei giri, disco per revisione / the national scale: revisions a second, round time, disk per revision", runNational},
	// Children re-executed by faults: not for people.
	"_saver":  {"", "", runSaverChild},
	"_server": {"", "", runServerChild},
}

// postgresUsage is the help of the --postgres flag of the drills and runs.
const postgresUsage = "un server PostgreSQL (postgres://utente@host/postgres, un utente che può creare database): la prova vi crea un database suo e lo toglie alla fine; senza, SQLite / a PostgreSQL server (postgres://user@host/postgres, as a user who may create databases): the run makes a database of its own there and drops it at the end; without it, SQLite"

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		return 2
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "comando sconosciuto / unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	return c.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "sinba-bench: dati sintetici, misure, guasti e carico / synthetic data, benchmarks, faults and load")
	var names []string
	for n := range commands {
		if n[0] != '_' {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "\n  sinba-bench %s %s\n      %s\n", n, commands[n].usage, commands[n].short)
	}
}
