package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"sinba/assets"
	"sinba/survey"
	"sinba/survey/printout"
)

func init() {
	register(&Command{
		Name:  "print",
		Usage: "--instrument ID [--version N] --blank --out FILE.pdf | --data DIR --record ID --out FILE.pdf [--with-identity]  [--lang it|en]",
		Short: "stampa in PDF una scheda, o lo strumento in bianco da compilare su carta / prints a record, or the blank instrument to fill in on paper, as PDF",
		Run:   runPrint,
	})
}

func runPrint(env Env, args []string) int {
	c := command("print")
	fs := newFlagSet(env, c)
	var sf storeFlags
	sf.add(fs, env)
	instrument := fs.String("instrument", "", "strumento: scheda-minore o scheda-comune / instrument: scheda-minore or scheda-comune")
	version := fs.Int("version", 0, "versione dello strumento (default l'ultima) / instrument version (default the latest)")
	blank := fs.Bool("blank", false, "strumento in bianco, da compilare su carta / blank instrument, to fill in on paper")
	record := fs.String("record", "", "id della scheda da stampare / id of the record to print")
	out := fs.String("out", "", "file PDF da scrivere / PDF file to write")
	withIdentity := fs.Bool("with-identity", false, "stampa anche nome, cognome e codice fiscale del minore (dato riservato) / also print the child's name, surname and codice fiscale (confidential)")
	lang := fs.String("lang", "it", "lingua della stampa: it o en / language of the printout: it or en")
	actor := fs.String("actor", "", "chi stampa, per il registro / who prints, for the log")
	if st, ok := parseFlags(fs, args); !ok {
		return st
	}
	if fs.NArg() > 0 || *out == "" || *blank == (*record != "") || (*lang != "it" && *lang != "en") {
		fs.Usage()
		return 2
	}
	fonts, err := printout.LoadFonts(assets.Fonts)
	if err != nil {
		return fail(env, "%v", err)
	}
	o := printout.Options{Lang: *lang, Fonts: fonts, WithIdentity: *withIdentity}
	var buf bytes.Buffer
	if *blank {
		if *instrument == "" {
			return fail(env, "manca lo strumento: passa --instrument %s o %s / the instrument is missing: pass --instrument %s or %s",
				survey.InstrumentCase, survey.InstrumentMunicipality, survey.InstrumentCase, survey.InstrumentMunicipality)
		}
		d, err := loadDomain()
		if err != nil {
			return fail(env, "%v", err)
		}
		in, ok := d.reg.Latest(*instrument)
		if *version != 0 {
			in, ok = d.reg.Get(*instrument, *version)
		}
		if !ok {
			return fail(env, "strumento %s versione %d sconosciuto (versioni: %v) / unknown instrument %s version %d (versions: %v)",
				*instrument, *version, d.reg.Versions(*instrument), *instrument, *version, d.reg.Versions(*instrument))
		}
		if err := printout.Blank(&buf, in, o); err != nil {
			return fail(env, "%v", err)
		}
	} else {
		ctx := context.Background()
		store, set, err := sf.openWithRegistry(ctx, env)
		if err != nil {
			return fail(env, "%v", err)
		}
		defer store.Close()
		reg := set.Registry
		rec, info, err := store.Get(ctx, *record)
		if err != nil {
			return fail(env, "scheda %s non trovata o illeggibile / record %s not found or unreadable: %v", *record, *record, err)
		}
		in, err := reg.ForRecord(&rec)
		if err != nil {
			return fail(env, "%v", err)
		}
		if err := printout.Record(&buf, in, rec, printout.Info{Status: info.Status, Created: info.Created, Updated: info.Updated}, o); err != nil {
			return fail(env, "%v", err)
		}
		// A printout leaves the encrypted store: it is traced like an export.
		detail := *out
		if *withIdentity {
			detail += " (con identificazione / with identification)"
		}
		if err := store.Log(ctx, *actor, "print", rec.ID, detail); err != nil {
			return fail(env, "%v", err)
		}
	}
	if err := writeFileAtomic(*out, buf.Bytes()); err != nil {
		return fail(env, "non riesco a scrivere %s / cannot write %s: %v", *out, *out, err)
	}
	fmt.Fprintf(env.Stdout, "PDF scritto / PDF written: %s (%d byte)\n", *out, buf.Len())
	return 0
}

// writeFileAtomic writes b to name through a temporary file in the same
// folder, readable by its owner only (a printout may identify a minor), so
// that a failure never leaves half a PDF.
func writeFileAtomic(name string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".sinba-print-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}
