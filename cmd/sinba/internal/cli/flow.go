package cli

import (
	"errors"
	"fmt"
	"strings"

	"sinba/survey"
)

func init() {
	register(&Command{
		Name:  "flow",
		Usage: "--ente CODICE --belfiore XXXX --operator CF [--denominazione NOME] [--date AAAA-MM-GG] [--seq N] [FILE|-]",
		Short: "scrive un flusso SINBA (XML) dalle schede minore in JSON Lines; con errori non scrive nulla / writes a SINBA flow (XML) from case records in JSON Lines; on errors writes nothing",
		Run:   runFlow,
	})
}

func runFlow(env Env, args []string) int {
	c := command("flow")
	fs := newFlagSet(env, c)
	ente := fs.String("ente", "", "codice dell'ente (Ente/@Codice) / body code")
	belfiore := fs.String("belfiore", "", "codice Belfiore del comune dell'ente (Ente/@Indirizzo) / Belfiore code of the body's municipality")
	operator := fs.String("operator", "", "codice fiscale dell'operatore (Ente/@CFOperatore) / operator's codice fiscale")
	denominazione := fs.String("denominazione", "", "denominazione dell'ente, facoltativa / name of the body, optional")
	date := fs.String("date", "", "data di invio AAAA-MM-GG (oggi se omessa), e data di riferimento dei controlli delle schede senza la propria (DataRiferimento) / sending date (today if omitted), and the reference date of the checks of records without their own (DataRiferimento)")
	var sf storeFlags
	fs.StringVar(&sf.data, "data", "", "cartella dei dati: usa anche le versioni pubblicate ricevute da quell'archivio / data folder: also use the published versions that store received")
	fs.StringVar(&sf.passFile, "passphrase-file", "", "file con la passphrase, con --data (altrimenti $SINBA_PASSPHRASE) / file holding the passphrase, with --data (else $SINBA_PASSPHRASE)")
	seq := fs.Int("seq", 1, "progressivo giornaliero del flusso / daily sequence of the flow")
	if status, ok := parseFlags(fs, args); !ok {
		return status
	}
	if *ente == "" || *belfiore == "" || *operator == "" {
		fmt.Fprintln(env.Stderr, "sinba flow: servono --ente, --belfiore e --operator / --ente, --belfiore and --operator are needed")
		fs.Usage()
		return 2
	}
	day, err := parseDate(*date)
	if err != nil {
		return fail(env, "%v", err)
	}
	d, err := domainOf(env, &sf)
	if err != nil {
		return fail(env, "%v", err)
	}
	lines, err := readInput(env, fs.Args(), survey.InstrumentCase)
	if err != nil {
		return fail(env, "lettura / reading: %v", err)
	}
	recs := make([]survey.Record, 0, len(lines))
	bad := 0
	for _, l := range lines {
		if l.err != nil {
			fmt.Fprintf(env.Stderr, "sinba: riga / line %d: %v\n", l.n, l.err)
			bad++
			continue
		}
		recs = append(recs, l.rec)
	}
	if bad > 0 {
		return fail(env, "flusso non prodotto: %s / flow not produced: %d unreadable lines", count(bad, "riga illeggibile", "righe illeggibili"), bad)
	}
	out, err := survey.BuildFlow(d.reg, survey.FlowHeader{
		CodiceEnte: *ente, Denominazione: *denominazione, Belfiore: *belfiore,
		CFOperatore: *operator, Date: day, Seq: *seq,
	}, recs)
	var fe *survey.FlowError
	if errors.As(err, &fe) {
		for _, is := range fe.Header {
			fmt.Fprintf(env.Stderr, "sinba: intestazione / header [%s]: %s / %s\n", is.Rule, is.MessageIT, is.MessageEN)
		}
		for _, r := range fe.Records {
			for _, is := range r.Issues {
				fmt.Fprintf(env.Stderr, "sinba: riga / line %d [%s] %v: %s / %s\n", lines[r.Index].n, is.Rule, is.Fields, is.MessageIT, is.MessageEN)
			}
		}
		return fail(env, "flusso non prodotto / flow not produced (%s / records with errors: %d)", count(len(fe.Records), "scheda con errori", "schede con errori"), len(fe.Records))
	}
	if err != nil {
		return fail(env, "%v", err)
	}
	if _, err := env.Stdout.Write(out); err != nil {
		return fail(env, "scrittura / writing: %v", err)
	}
	// Answers that skip logic hides are not in the flow: say which.
	for i := range recs {
		in, err := d.reg.ForRecord(&recs[i])
		if err != nil {
			continue
		}
		if omitted := survey.OmittedAnswers(in, &recs[i], day); len(omitted) > 0 {
			fmt.Fprintf(env.Stderr, "sinba: riga / line %d: risposte lasciate fuori dal flusso perché la domanda non si applica / answers left out of the flow because the question does not apply: %s\n",
				lines[i].n, strings.Join(omitted, ", "))
		}
	}
	return 0
}
