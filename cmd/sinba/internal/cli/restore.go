package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	"sinba/localdb"
	"sinba/sync/client"
)

func init() {
	register(&Command{
		Name:  "restore",
		Usage: "--data DIR [--passphrase-file FILE | --recovery-key-file FILE] [--replace] FILE",
		Short: "ripristina un backup cifrato nella cartella dei dati / restores an encrypted backup into the data folder",
		Run:   runRestore,
	})
}

func runRestore(env Env, args []string) int {
	fs := newFlagSet(env, command("restore"))
	var sf storeFlags
	sf.add(fs, env)
	rkFile := fs.String("recovery-key-file", "", "file con la chiave di recupero (altrimenti $SINBA_RECOVERY_KEY) / file holding the recovery key (else $SINBA_RECOVERY_KEY)")
	replace := fs.Bool("replace", false, "sostituisce l'archivio presente, conservandolo accanto / replaces the present store, keeping it aside")
	if st, ok := parseFlags(fs, args); !ok {
		return st
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	if err := sf.needData(); err != nil {
		return fail(env, "%v", err)
	}
	var cred localdb.Credentials
	switch {
	case *rkFile != "":
		b, err := os.ReadFile(*rkFile)
		if err != nil {
			return fail(env, "non riesco a leggere il file della chiave di recupero / cannot read the recovery key file: %v", err)
		}
		cred.RecoveryKey = string(bytes.TrimSpace(b))
	case sf.passFile == "" && env.Getenv("SINBA_PASSPHRASE") == "" && env.Getenv("SINBA_RECOVERY_KEY") != "":
		cred.RecoveryKey = env.Getenv("SINBA_RECOVERY_KEY")
	default:
		pass, err := sf.passphrase(env)
		if err != nil {
			return fail(env, "%v (o la chiave di recupero: --recovery-key-file / or the recovery key: --recovery-key-file)", err)
		}
		defer clear(pass)
		cred.Passphrase = pass
	}
	err := localdb.RestoreWith(context.Background(), fs.Arg(0), sf.data, cred, *replace, storeOptions)
	if errors.Is(err, localdb.ErrStoreExists) {
		return fail(env, "%v\n(per sostituirlo passa --replace: l'archivio presente viene conservato accanto / to replace it pass --replace: the present store is kept aside)", err)
	}
	if err != nil {
		return fail(env, "%v", err)
	}
	if err := forgetDevice(sf.data, cred); err != nil {
		return fail(env, "backup ripristinato, ma l'iscrizione al server non è stata azzerata / backup restored, but the server enrolment was not reset: %v", err)
	}
	fmt.Fprintf(env.Stdout, "Backup ripristinato in / Backup restored into: %s\n", sf.data)
	fmt.Fprintln(env.Stdout, "Per sincronizzare, iscrivere di nuovo questo computer con un nuovo codice (sinba enrol): le schede non ancora inviate partiranno allora. / "+
		"To sync, enrol this computer again with a new code (sinba enrol): the records not yet sent go then.")
	if cred.RecoveryKey != "" {
		fmt.Fprintln(env.Stdout, "Aperto con la chiave di recupero: all'apertura scegli una nuova passphrase. / Opened with the recovery key: choose a new passphrase when you open it.")
	}
	return 0
}

// forgetDevice opens the restored store and drops the enrolment it carried
// from the laptop the backup was made on (see client.ForgetDevice).
func forgetDevice(dir string, cred localdb.Credentials) error {
	var st *localdb.Store
	var err error
	if cred.RecoveryKey != "" {
		st, err = localdb.OpenWithRecoveryOpts(dir, cred.RecoveryKey, storeOptions)
	} else {
		st, err = localdb.OpenWith(dir, cred.Passphrase, storeOptions)
	}
	if err != nil {
		return err
	}
	defer st.Close()
	return client.ForgetDevice(context.Background(), st)
}
