package cli

import (
	"context"
	"flag"
	"fmt"
	"os/signal"
	"syscall"

	"sinba/sync/client"
	"sinba/sync/session"
)

func init() {
	register(&Command{
		Name:  "enrol",
		Usage: "--data DIR --server URL --code CODICE [--passphrase-file FILE] [--allow-http]",
		Short: "iscrive questo computer al server con il codice dei coordinatori / enrols this laptop with the server using the coordinators' code",
		Run:   runEnrol,
	})
}

func runEnrol(env Env, args []string) int {
	c := command("enrol")
	fs := newFlagSet(env, c)
	var sf storeFlags
	sf.add(fs, env)
	serverURL := fs.String("server", "", "indirizzo del server, es. https://sinba.example.it / server address, e.g. https://sinba.example.it")
	code := fs.String("code", "", "codice di iscrizione monouso / one-time enrolment code")
	allowHTTP := allowHTTPFlag(fs)
	if st, ok := parseFlags(fs, args); !ok {
		return st
	}
	if *serverURL == "" || *code == "" {
		return fail(env, "mancano --server o --code / --server or --code is missing")
	}
	if err := checkServerURL(env, *serverURL, *allowHTTP); err != nil {
		return fail(env, "%v", err)
	}
	store, err := sf.open(env)
	if err != nil {
		return fail(env, "%v", err)
	}
	defer store.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	en, err := client.New(store, client.Options{AllowHTTP: *allowHTTP}).Enrol(ctx, *serverURL, *code)
	if err != nil {
		return fail(env, "%v", err)
	}
	fmt.Fprintf(env.Stdout, "iscritto / enrolled: %s\n", en.ServerURL)
	fmt.Fprintf(env.Stdout, "progetto / project: %s\nsquadra / team: %s\nrilevatore / researcher: %s\ncomputer / device: %s\n",
		en.ProjectName, en.TeamName, en.Person, en.DeviceID)
	fmt.Fprintf(env.Stdout, "codice di verifica / verification code: %s\n", en.Fingerprint)
	return 0
}

// allowHTTPFlag adds --allow-http, for a server on another computer without
// TLS (a test bench on a private network).
func allowHTTPFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("allow-http", false, "accetta http:// anche per un server su un altro computer (sconsigliato) / accepts http:// for a server on another computer too (not recommended)")
}

// checkServerURL refuses an address Enrol would refuse, before the store is
// opened, and warns when plain HTTP to another computer is allowed.
func checkServerURL(env Env, raw string, allowHTTP bool) error {
	_, insecure, err := session.ServerURL(raw, allowHTTP)
	if insecure {
		fmt.Fprintln(env.Stderr, "sinba: "+session.InsecureWarning)
	}
	return err
}
