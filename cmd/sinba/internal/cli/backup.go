package cli

import (
	"context"
	"fmt"
)

func init() {
	register(&Command{
		Name:  "backup",
		Usage: "--data DIR [--passphrase-file FILE] FILE",
		Short: "scrive un backup cifrato dell'archivio in un file / writes an encrypted backup of the store to one file",
		Run:   runBackup,
	})
}

func runBackup(env Env, args []string) int {
	fs := newFlagSet(env, command("backup"))
	var sf storeFlags
	sf.add(fs, env)
	if st, ok := parseFlags(fs, args); !ok {
		return st
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	out := fs.Arg(0)
	st, err := sf.open(env)
	if err != nil {
		return fail(env, "%v", err)
	}
	defer st.Close()
	if err := st.Backup(context.Background(), out); err != nil {
		return fail(env, "%v", err)
	}
	if err := st.Close(); err != nil {
		return fail(env, "%v", err)
	}
	fmt.Fprintf(env.Stdout, "Backup scritto / Backup written: %s\n", out)
	fmt.Fprintln(env.Stdout, "Si apre con la passphrase di oggi o con la chiave di recupero. / It opens with today's passphrase or with the recovery key.")
	return 0
}
