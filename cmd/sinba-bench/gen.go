package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"sinba/survey/synth"
)

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("sinba-bench "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func runGen(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("gen", stderr)
	cases := fs.Int("cases", 1000, "schede minore da generare / case records to generate")
	seed := fs.Uint64("seed", 1, "seme: lo stesso seme dà gli stessi dati / seed: the same seed gives the same data")
	rate := fs.Float64("errors", 0, "quota di schede con un errore piantato / share of case records with one planted error")
	munis := fs.Int("municipalities", 0, "comuni del pilota scelti dall'elenco ISTAT (0 = uno ogni 20 schede, al più 50) / pilot municipalities picked from the ISTAT list")
	codes := fs.String("istat", "", "codici ISTAT dei comuni, separati da virgole (al posto di --municipalities) / ISTAT codes, comma-separated")
	refDate := fs.String("ref-date", "", "data di riferimento AAAA-MM-GG (vuota = oggi) / reference date (empty = today)")
	noteRate := fs.Float64("notes", 0, "quota di schede con una nota libera (0 = predefinita, <0 = nessuna) / share of records with a free note (0 = default, <0 = none)")
	notHeld := fs.String("not-held", "", "quote di \"dato non in possesso\" per campo, es. FasciaISEEBeneficiario=0.4,TitoloStudioPadre=0.3 (vuoto = predefinite) / not-held rates per field (empty = defaults)")
	out := fs.String("out", "-", "file JSON Lines da scrivere (- = standard output) / JSON Lines file to write")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	o := synth.Options{Seed: *seed, Cases: *cases, PlantErrors: *rate, MunicipalityCount: *munis, NoteRate: *noteRate}
	if *notHeld != "" {
		o.NotHeld = map[string]float64{}
		for _, kv := range strings.Split(*notHeld, ",") {
			k, v, ok := strings.Cut(kv, "=")
			r, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if !ok || err != nil {
				fmt.Fprintf(stderr, "--not-held %q: serve CAMPO=QUOTA / FIELD=RATE is needed\n", kv)
				return 2
			}
			o.NotHeld[strings.TrimSpace(k)] = r
		}
	}
	if *codes != "" {
		o.Municipalities = strings.Split(*codes, ",")
	}
	if *refDate != "" {
		t, err := time.Parse("2006-01-02", *refDate)
		if err != nil {
			fmt.Fprintf(stderr, "--ref-date %q: serve AAAA-MM-GG / YYYY-MM-DD is needed\n", *refDate)
			return 2
		}
		o.RefDate = t
	}
	d, err := loadDomain()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	ds, err := synth.Generate(d.reg, d.ref, o)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	var w io.Writer = stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		defer f.Close()
		w = f
	}
	if err := ds.WriteJSONL(w); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if f, ok := w.(*os.File); ok && f != os.Stdout {
		if err := f.Close(); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "%d schede minore e %d schede comune in %d comuni, data di riferimento %s / %d case records and %d questionnaires in %d municipalities, reference date %s\n",
		ds.Cases, ds.Questionnaires, len(ds.Municipalities), ds.RefDate.Format("2006-01-02"),
		ds.Cases, ds.Questionnaires, len(ds.Municipalities), ds.RefDate.Format("2006-01-02"))
	by := ds.PlantedByKind()
	kinds := make([]string, 0, len(by))
	for k := range by {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	fmt.Fprintf(stderr, "errori piantati / planted errors: %d", len(ds.Planted))
	for _, k := range kinds {
		fmt.Fprintf(stderr, " %s=%d", k, by[k])
	}
	fmt.Fprintln(stderr)
	return 0
}
