package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"sinba/localdb/dataset"
	"sinba/survey"
	"sinba/survey/export"
)

func init() {
	register(&Command{
		Name:  "export",
		Usage: "--data DIR --format csv|spss|stata|xlsx|sinba --out DIR [--status approved] [--operator CF] [--date AAAA-MM-GG]",
		Short: "esporta le schede (di norma solo le approvate) per l'analisi o per l'INPS / exports the records (approved only by default) for analysis or for INPS",
		Run:   runExport,
	})
}

func runExport(env Env, args []string) int {
	c := command("export")
	fs := newFlagSet(env, c)
	var sf storeFlags
	sf.add(fs, env)
	format := fs.String("format", "", "csv, spss, stata, xlsx o sinba / csv, spss, stata, xlsx or sinba")
	out := fs.String("out", "", "cartella di destinazione / destination folder")
	status := fs.String("status", string(survey.StatusApproved), "stati esportati, separati da virgole, o all / states exported, comma-separated, or all")
	operator := fs.String("operator", "", "codice fiscale dell'operatore che invia i flussi SINBA / codice fiscale of the operator who sends the SINBA flows")
	date := fs.String("date", "", "data di invio dei flussi SINBA (default oggi) / sending date of the SINBA flows (default today)")
	actor := fs.String("actor", "", "chi esporta, per il registro / who exports, for the log")
	if st, ok := parseFlags(fs, args); !ok {
		return st
	}
	if fs.NArg() > 0 || *format == "" || *out == "" {
		fs.Usage()
		return 2
	}
	var statuses []survey.Status
	if *status != "all" {
		for _, s := range strings.Split(*status, ",") {
			st := survey.Status(strings.TrimSpace(s))
			switch st {
			case survey.StatusDraft, survey.StatusFinal, survey.StatusReturned, survey.StatusApproved:
				statuses = append(statuses, st)
			default:
				return fail(env, "stato %q sconosciuto: draft, final, returned, approved o all / unknown state %q: draft, final, returned, approved or all", s, s)
			}
		}
	} else {
		statuses = []survey.Status{survey.StatusDraft, survey.StatusFinal, survey.StatusReturned, survey.StatusApproved}
	}
	opts := export.SINBAOptions{CFOperatore: *operator}
	if *date != "" {
		d, err := time.Parse("2006-01-02", *date)
		if err != nil {
			return fail(env, "data %q non valida: AAAA-MM-GG / invalid date %q: YYYY-MM-DD", *date, *date)
		}
		opts.Date = d
	}
	ctx := context.Background()
	store, set, err := sf.openWithRegistry(ctx, env)
	if err != nil {
		return fail(env, "%v", err)
	}
	defer store.Close()
	m, err := dataset.Export(ctx, store, set.Registry, dataset.Options{Format: *format, Dir: *out, Statuses: statuses, SINBA: opts, Actor: *actor})
	if err != nil {
		return fail(env, "%v", err)
	}
	fmt.Fprintf(env.Stdout, "formato / format: %s\n", m.Format)
	fmt.Fprintf(env.Stdout, "schede esportate / records exported: %d\n", m.Records)
	for _, v := range m.Versions {
		fmt.Fprintf(env.Stdout, "  %s versione / version %d: %d\n", v.Instrument, v.Version, v.Records)
	}
	fmt.Fprintf(env.Stdout, "cartella / folder: %s\n", m.Dir)
	for _, f := range m.Files {
		fmt.Fprintf(env.Stdout, "  %s  %d byte  righe/rows %d  sha256 %s\n", f.Name, f.Bytes, f.Rows, f.SHA256)
	}
	fmt.Fprintf(env.Stdout, "manifest: %s\n", m.Name)
	for _, r := range m.Refused {
		var why []string
		for _, is := range r.Issues {
			why = append(why, is.MessageIT)
		}
		fmt.Fprintf(env.Stdout, "  esclusa / left out  %s (%s): %s\n", r.RecordID, r.Municipality, strings.Join(why, "; "))
	}
	for _, o := range m.Omitted {
		fmt.Fprintf(env.Stdout, "  risposte non esportate perché la domanda non si applica / answers not exported because the question does not apply  %s (%s): %s\n",
			o.RecordID, o.Municipality, strings.Join(o.Fields, ", "))
	}
	return 0
}
