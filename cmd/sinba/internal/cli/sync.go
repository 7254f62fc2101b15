package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/signal"
	"strings"
	"syscall"

	"sinba/sync/client"
)

// municipalityList is ISTAT codes as a person reads them: each with its
// municipality's name where the reference data has it, comma-separated;
// "nessuno / none" for no code.
func municipalityList(codes []string) string {
	if len(codes) == 0 {
		return "nessuno / none"
	}
	d, _ := loadDomain()
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = c
		if d.ref != nil {
			if m, ok := d.ref.Municipality(c); ok {
				out[i] = c + " " + m.Name
			}
		}
	}
	return strings.Join(out, ", ")
}

func init() {
	register(&Command{
		Name:  "sync",
		Usage: "--data DIR [--passphrase-file FILE]",
		Short: "sincronizza una volta con il server e stampa la ricevuta / syncs once with the server and prints the receipt",
		Run:   runSync,
	})
}

func runSync(env Env, args []string) int {
	c := command("sync")
	fs := newFlagSet(env, c)
	var sf storeFlags
	sf.add(fs, env)
	if st, ok := parseFlags(fs, args); !ok {
		return st
	}
	store, err := sf.open(env)
	if err != nil {
		return fail(env, "%v", err)
	}
	defer store.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	cl := client.New(store, client.Options{})
	rep, err := cl.SyncOnce(ctx, nil)
	if rep != nil {
		printReport(env.Stdout, rep)
		// Whether case records with a codice fiscale can be finalised here.
		if _, e := cl.PseudonymSecret(ctx); e == nil {
			fmt.Fprintln(env.Stdout, "segreto dei codici pseudonimi / pseudonym secret: ricevuto / held")
		} else if errors.Is(e, client.ErrNoPseudonymSecret) {
			fmt.Fprintln(env.Stdout, "segreto dei codici pseudonimi / pseudonym secret: non ancora ricevuto / not yet held")
		}
		if en, e := cl.Enrolled(ctx); e == nil && rep.WaitingTeamKey {
			fmt.Fprintf(env.Stdout, "codice di verifica di questo computer / this laptop's verification code: %s\n", en.Fingerprint)
		}
	}
	if err != nil {
		return fail(env, "%v", err)
	}
	return 0
}

// printReport prints a round's receipts and totals; the format is stable
// for scripts (one "key: value" per line, then one line per refusal).
func printReport(w io.Writer, rep *client.Report) {
	for _, r := range rep.Receipts {
		fmt.Fprintf(w, "ricevuta / receipt %s  %s  accettate/accepted %d  rifiutate/refused %d\n",
			r.BatchID, r.ReceivedAt.Format("2006-01-02 15:04:05Z07:00"), len(r.Accepted), len(r.Refused))
		for _, a := range r.Accepted {
			if a.Conflict {
				fmt.Fprintf(w, "  conflitto / conflict  scheda/record %s  versione/revision %s\n", a.RecordID, a.Revision)
			}
		}
		for _, x := range r.Refused {
			fmt.Fprintf(w, "  rifiutata / refused  scheda/record %s  versione/revision %s  %s: %s / %s\n", x.RecordID, x.Revision, x.Code, x.MessageIT, x.MessageEN)
		}
	}
	fmt.Fprintf(w, "inviate / sent: %d\n", rep.Sent)
	fmt.Fprintf(w, "accettate / accepted: %d (già presenti / already there: %d)\n", rep.Accepted, rep.Duplicates)
	fmt.Fprintf(w, "rifiutate / refused: %d\n", rep.Refused)
	fmt.Fprintf(w, "conflitti / conflicts: %d\n", rep.Conflicts+rep.LocalConflicts)
	fmt.Fprintf(w, "ricevute dalla squadra / received from the team: %d\n", rep.Received)
	fmt.Fprintf(w, "revisioni dei coordinatori / coordinators' reviews: %d\n", rep.Reviews)
	fmt.Fprintf(w, "strumenti nuovi / new instruments: %d\n", rep.Instruments)
	for _, v := range rep.InstrumentVersions {
		fmt.Fprintf(w, "  %s versione / version %d\n", v.ID, v.Version)
	}
	fmt.Fprintf(w, "comuni assegnati / assigned municipalities: %s\n", municipalityList(rep.Assignments))
	if rep.WaitingTeamKey {
		fmt.Fprintln(w, "in attesa della chiave di squadra da un collega / waiting for the team key from a colleague")
	}
	if n := len(rep.PendingDevices); n > 0 {
		fmt.Fprintf(w, "computer della squadra in attesa di conferma / team laptops waiting for confirmation: %d (sinba devices)\n", n)
	}
}
