package cli

import (
	"bytes"
	"fmt"
	"os"

	"sinba/localdb"
	"sinba/survey"
)

// storeOptions are the options every command opens the store with; tests
// make the key derivation cheap.
var storeOptions localdb.Options

func init() {
	register(&Command{
		Name:  "init",
		Usage: "--data DIR [--passphrase-file FILE]",
		Short: "crea l'archivio cifrato e stampa la chiave di recupero / creates the encrypted store and prints the recovery key",
		Run:   runInit,
	})
}

// storeFlags are the flags shared by the commands that open a store.
type storeFlags struct {
	data, passFile string
}

func (f *storeFlags) add(fs interface {
	StringVar(*string, string, string, string)
}, env Env) {
	fs.StringVar(&f.data, "data", env.Getenv("SINBA_DATA"), "cartella dei dati (default $SINBA_DATA) / data folder")
	fs.StringVar(&f.passFile, "passphrase-file", "", "file con la passphrase (altrimenti $SINBA_PASSPHRASE) / file holding the passphrase (else $SINBA_PASSPHRASE)")
}

// passphrase reads the passphrase from --passphrase-file or from
// SINBA_PASSPHRASE; never from a flag, which other users could see in the
// process list.
func (f *storeFlags) passphrase(env Env) ([]byte, error) {
	if f.passFile != "" {
		b, err := os.ReadFile(f.passFile)
		if err != nil {
			return nil, fmt.Errorf("non riesco a leggere il file della passphrase / cannot read the passphrase file: %v", err)
		}
		b = bytes.TrimRight(b, "\r\n")
		if len(b) == 0 {
			return nil, survey.NewError("il file della passphrase è vuoto", "the passphrase file is empty")
		}
		return b, nil
	}
	if p := env.Getenv("SINBA_PASSPHRASE"); p != "" {
		return []byte(p), nil
	}
	return nil, survey.NewError("manca la passphrase: impostala in SINBA_PASSPHRASE o passa --passphrase-file",
		"the passphrase is missing: set SINBA_PASSPHRASE or pass --passphrase-file")
}

func (f *storeFlags) needData() error {
	if f.data == "" {
		return survey.NewError("manca la cartella dei dati: passa --data DIR", "the data folder is missing: pass --data DIR")
	}
	return nil
}

// open unlocks the store named by the flags.
func (f *storeFlags) open(env Env) (*localdb.Store, error) {
	if err := f.needData(); err != nil {
		return nil, err
	}
	pass, err := f.passphrase(env)
	if err != nil {
		return nil, err
	}
	defer clear(pass)
	return localdb.OpenWith(f.data, pass, storeOptions)
}

func runInit(env Env, args []string) int {
	c := command("init")
	fs := newFlagSet(env, c)
	var sf storeFlags
	sf.add(fs, env)
	if st, ok := parseFlags(fs, args); !ok {
		return st
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	if err := sf.needData(); err != nil {
		return fail(env, "%v", err)
	}
	pass, err := sf.passphrase(env)
	if err != nil {
		return fail(env, "%v", err)
	}
	defer clear(pass)
	st, rk, err := localdb.CreateWith(sf.data, pass, storeOptions)
	if err != nil {
		return fail(env, "%v", err)
	}
	if err := st.Close(); err != nil {
		return fail(env, "%v", err)
	}
	fmt.Fprintf(env.Stdout, "Archivio creato in / Store created in: %s\n\n", sf.data)
	fmt.Fprintf(env.Stdout, "CHIAVE DI RECUPERO / RECOVERY KEY:\n\n    %s\n\n", rk)
	fmt.Fprintln(env.Stdout, "Stampala o scrivila e conservala sotto chiave, lontano dal portatile: apre l'archivio e i backup se la passphrase")
	fmt.Fprintln(env.Stdout, "viene dimenticata. Non sarà mostrata di nuovo.")
	fmt.Fprintln(env.Stdout, "Print or write it down and keep it locked away from the laptop: it opens the store and its backups if the")
	fmt.Fprintln(env.Stdout, "passphrase is forgotten. It will not be shown again.")
	return 0
}
