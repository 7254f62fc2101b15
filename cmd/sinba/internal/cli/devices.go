package cli

import (
	"context"
	"fmt"
	"io"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"sinba/sync/client"
)

func init() {
	register(&Command{
		Name:  "devices",
		Usage: "--data DIR [grant ID --fingerprint CODICE] [--passphrase-file FILE]",
		Short: "computer della squadra in attesa della chiave di squadra; grant la consegna a uno, dopo il confronto del codice / team laptops waiting for the team key; grant hands it to one, after comparing the code",
		Run:   runDevices,
	})
}

// runDevices lists the team's laptops waiting for the team key, or (grant)
// hands the key to one of them. A grant needs the fingerprint the new laptop
// shows (sinba enrol, sinba sync, sinba devices on that laptop): typing it
// here is the comparison that a hostile server cannot fake.
func runDevices(env Env, args []string) int {
	c := command("devices")
	fs := newFlagSet(env, c)
	var sf storeFlags
	sf.add(fs, env)
	fingerprint := fs.String("fingerprint", "", "codice di verifica mostrato dal nuovo computer (grant) / verification code the new laptop shows (grant)")
	var pos []string
	if len(args) > 0 && args[0] == "grant" { // sinba devices grant ID --data DIR
		pos, args = args[:min(2, len(args))], args[min(2, len(args)):]
	}
	if st, ok := parseFlags(fs, args); !ok {
		return st
	}
	pos = append(pos, fs.Args()...)
	grant := ""
	switch {
	case len(pos) == 0:
	case len(pos) == 2 && pos[0] == "grant":
		grant = pos[1]
		if *fingerprint == "" {
			return fail(env, "manca --fingerprint: il codice di verifica mostrato dal nuovo computer / --fingerprint is missing: the verification code the new laptop shows")
		}
	default:
		fs.Usage()
		return 2
	}
	store, err := sf.open(env)
	if err != nil {
		return fail(env, "%v", err)
	}
	defer store.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	cl := client.New(store, client.Options{})
	en, err := cl.Enrolled(ctx)
	if err != nil {
		return fail(env, "%v", err)
	}
	if grant == "" {
		fmt.Fprintf(env.Stdout, "questo computer / this laptop: %s  codice di verifica / verification code: %s\n", en.DeviceID, en.Fingerprint)
		fmt.Fprintf(env.Stdout, "codice della chiave del progetto / project key code: %s\n", en.ProjectKeyCode)
		if en.TeamKeyCode != "" {
			fmt.Fprintf(env.Stdout, "codice della chiave della squadra / team key code: %s\n", en.TeamKeyCode)
		}
	}
	pending, err := cl.PendingDevices(ctx)
	if err != nil {
		return fail(env, "%v", err)
	}
	if grant == "" {
		if o, err := cl.TeamKeyOrigin(ctx); err == nil && o != nil {
			fmt.Fprintf(env.Stdout, "chiave della squadra creata da / team key made by: %s (%s) %s\n", o.MadeBy.Label, o.MadeBy.Researcher, minterText(o.MadeBy))
			fmt.Fprintf(env.Stdout, "consegnata da / handed over by: %s (%s) %s\n", o.GrantedBy.Label, o.GrantedBy.Researcher, minterText(o.GrantedBy))
		}
		printPending(env.Stdout, pending)
		return 0
	}
	for _, p := range pending {
		if p.ID != grant {
			continue
		}
		if normalizeFingerprint(*fingerprint) != normalizeFingerprint(p.Fingerprint) {
			return fail(env, "il codice %s non è quello del computer %s (%s): la chiave non è stata consegnata; avvisare il coordinamento / "+
				"code %s is not the one of laptop %s (%s): the key was not handed over; tell the coordinators", *fingerprint, p.ID, p.Fingerprint, *fingerprint, p.ID, p.Fingerprint)
		}
		if err := cl.GrantTeamKey(ctx, p); err != nil {
			return fail(env, "%v", err)
		}
		fmt.Fprintf(env.Stdout, "chiave di squadra consegnata / team key handed over: %s (%s, %s)\n", p.ID, p.Researcher, p.Label)
		return 0
	}
	return fail(env, "%v (%s)", client.ErrNotPending, grant)
}

// printPending prints one line per waiting laptop; the format is stable for
// scripts: id, researcher, laptop name, enrolment time, who made the code,
// verification code, tab-separated under a header.
func printPending(w io.Writer, pending []client.PendingDevice) {
	if len(pending) == 0 {
		fmt.Fprintln(w, "nessun computer in attesa della chiave di squadra / no laptop waiting for the team key")
		return
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "COMPUTER/DEVICE\tRILEVATORE/RESEARCHER\tNOME/NAME\tISCRITTO/ENROLLED\tCODICE DA/CODE BY\tVERIFICA/VERIFICATION")
	for _, p := range pending {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Researcher, p.Label, p.EnrolledAt.UTC().Format(time.RFC3339), minterText(p), p.Fingerprint)
	}
	tw.Flush()
	fmt.Fprintln(w, "Confermare solo un computer il cui codice di verifica coincide con quello che mostra: sinba devices grant ID --fingerprint CODICE")
	fmt.Fprintln(w, "Confirm only a laptop whose verification code matches the one it shows: sinba devices grant ID --fingerprint CODE")
}

// minterText says who made a waiting laptop's code, loud when a coordinator did.
func minterText(p client.PendingDevice) string {
	if !p.MintedBy.ByCoordinator() {
		return "amministratore del server / server admin"
	}
	return fmt.Sprintf("COORDINATORE / COORDINATOR: %s (%s)", p.MintedBy.CoordinatorLabel, p.MintedBy.Coordinator)
}

// normalizeFingerprint forgives case, spaces and dashes in a typed code.
func normalizeFingerprint(s string) string {
	return strings.NewReplacer("-", "", " ", "").Replace(strings.ToUpper(strings.TrimSpace(s)))
}
