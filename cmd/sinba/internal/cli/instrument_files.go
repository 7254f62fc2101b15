package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"sinba/localdb/registry"
	"sinba/survey"
	"sinba/survey/instfile"
	"sinba/survey/xlsform"
	"sinba/sync/coord"
	"sinba/sync/wire"
)

func init() {
	registerInstrument("export", &coordCommand{
		usage: "--instrument ID[@VERSIONE] --out FILE.xlsx|FILE.json [--data DIR]",
		short: "scrive uno strumento dell'applicazione o pubblicato come foglio di calcolo o JSON / writes an instrument of the app or published as a spreadsheet or JSON",
		flags: instrumentExport, optionalStore: true})
	registerInstrument("check", &coordCommand{
		usage: "--file FILE.xlsx|FILE.json [--data DIR]",
		short: "controlla uno strumento e ne riassume il contenuto; gli errori dicono foglio, riga e colonna / checks an instrument and summarises it; errors give sheet, row and column",
		flags: instrumentCheck, optionalStore: true})
}

// heldInstruments returns a registry of its own (the caller may add to it)
// with the instruments of the app and, over a coordinator profile (c not
// nil), those published in the project.
func heldInstruments(ctx context.Context, c *coord.Coordinator) (*survey.Registry, *survey.Reference, error) {
	if c != nil {
		set, err := registry.Load(ctx, c.Store())
		if err != nil {
			return nil, nil, err
		}
		return set.Registry, set.Reference, nil
	}
	d, err := loadDomain()
	if err != nil {
		return nil, nil, err
	}
	reg := survey.NewRegistry()
	for _, id := range d.reg.IDs() {
		for _, v := range d.reg.Versions(id) {
			in, _ := d.reg.Get(id, v)
			if err := reg.Add(in); err != nil {
				return nil, nil, err
			}
		}
	}
	return reg, d.ref, nil
}

// instrumentFormat is the format a file name's extension says.
func instrumentFormat(name string) (string, error) {
	switch ext := strings.ToLower(filepath.Ext(name)); ext {
	case ".xlsx", ".json":
		return ext, nil
	}
	return "", fmt.Errorf("%s: serve un file .xlsx (foglio di calcolo) o .json / %s: a .xlsx (spreadsheet) or .json file is needed", name, name)
}

// parseInstrumentRef reads ID@VERSION, or ID for its latest version
// (version 0).
func parseInstrumentRef(s string) (id string, version int, err error) {
	s = strings.TrimSpace(s)
	if m := versionArg.FindStringSubmatch(s); m != nil {
		version, _ = strconv.Atoi(m[2])
		return m[1], version, nil
	}
	if s == "" || strings.Contains(s, "@") {
		return "", 0, fmt.Errorf("strumento %q: serve ID o ID@VERSIONE (scheda-minore@2) / instrument %q: ID or ID@VERSION (scheda-minore@2) is needed", s, s)
	}
	return s, 0, nil
}

func instrumentExport(fs *flag.FlagSet) func(context.Context, Env, *coord.Coordinator) error {
	which := fs.String("instrument", "", "strumento, ID o ID@VERSIONE (default l'ultima versione) / instrument, ID or ID@VERSION (default the latest version)")
	out := fs.String("out", "", "file da scrivere, .xlsx o .json / file to write, .xlsx or .json")
	return func(ctx context.Context, env Env, c *coord.Coordinator) error {
		id, version, err := parseInstrumentRef(*which)
		if err != nil {
			return err
		}
		if *out == "" {
			return errors.New("manca --out FILE.xlsx|FILE.json / --out FILE.xlsx|FILE.json is missing")
		}
		format, err := instrumentFormat(*out)
		if err != nil {
			return err
		}
		if _, err := os.Stat(*out); err == nil {
			return fmt.Errorf("%s esiste già: non lo sovrascrivo (potrebbe contenere modifiche); scegliere un altro nome / "+
				"%s exists already: not overwritten (it may hold changes); choose another name", *out, *out)
		}
		reg, _, err := heldInstruments(ctx, c)
		if err != nil {
			return err
		}
		in, ok := reg.Latest(id)
		if version != 0 {
			in, ok = reg.Get(id, version)
		}
		if !ok {
			return fmt.Errorf("strumento %s sconosciuto (versioni disponibili: %v) / unknown instrument %s (versions available: %v)",
				*which, reg.Versions(id), *which, reg.Versions(id))
		}
		if format == ".xlsx" {
			err = xlsform.WriteFile(*out, in)
		} else {
			var b []byte
			if b, err = instfile.Canonical(in); err == nil {
				err = writeFileAtomic(*out, append(b, '\n'))
			}
		}
		if err != nil {
			return fmt.Errorf("non riesco a scrivere %s / cannot write %s: %w", *out, *out, err)
		}
		fmt.Fprintf(env.Stdout, "%s v%d scritto in / written to %s\n", in.ID, in.Version, *out)
		return nil
	}
}

func instrumentCheck(fs *flag.FlagSet) func(context.Context, Env, *coord.Coordinator) error {
	file := fs.String("file", "", "strumento da controllare, .xlsx o .json / instrument to check, .xlsx or .json")
	return func(ctx context.Context, env Env, c *coord.Coordinator) error {
		if *file == "" {
			return errors.New("manca --file FILE.xlsx|FILE.json / --file FILE.xlsx|FILE.json is missing")
		}
		if _, err := instrumentFormat(*file); err != nil {
			return err
		}
		data, err := os.ReadFile(*file)
		if err != nil {
			return fmt.Errorf("file non leggibile / cannot read the file: %w", err)
		}
		reg, ref, err := heldInstruments(ctx, c)
		if err != nil {
			return err
		}
		in, err := instfile.Read(filepath.Base(*file), data, ref)
		var held bool
		if err == nil {
			// The migrations are checked against the versions they start
			// from, and a version already held must be this very definition.
			if held, err = instfile.HeldVersion(filepath.Base(*file), in, reg); err == nil && !held {
				if err = reg.Add(in); err != nil {
					return fmt.Errorf("%s: %w", *file, err)
				}
			}
		}
		var inv *instfile.InvalidError
		if errors.As(err, &inv) {
			for _, p := range inv.Problems {
				fmt.Fprintln(env.Stderr, p.String())
			}
			n := len(inv.Problems)
			return fmt.Errorf("%s: %s / %s", *file, count(n, "errore", "errori"), count(n, "error", "errors"))
		}
		if err != nil {
			return err
		}
		if held {
			published := false
			if c != nil {
				ins, err := c.Instruments(ctx)
				if err != nil {
					return err
				}
				published = slices.ContainsFunc(ins, func(w wire.Instrument) bool { return w.ID == in.ID && w.Version == in.Version })
			}
			fmt.Fprintln(env.Stdout, sameVersion(in, published))
		}
		printSummary(env, in)
		return nil
	}
}

// sameVersion says that a file is a version already held with the same
// content: check and publish say it in the same words.
func sameVersion(in *survey.Instrument, published bool) string {
	if published {
		return fmt.Sprintf("%s v%d: già pubblicata con lo stesso contenuto / already published with the same content", in.ID, in.Version)
	}
	return fmt.Sprintf("%s v%d: già presente con lo stesso contenuto, inclusa nell'applicazione / already held with the same content, built into the application", in.ID, in.Version)
}

// printSummary says what an instrument holds.
func printSummary(env Env, in *survey.Instrument) {
	questions, items := 0, 0
	for _, s := range in.Sections {
		for _, q := range s.Questions {
			questions++
			items += len(q.Items)
		}
	}
	from := make([]string, len(in.Migrations))
	for i, m := range in.Migrations {
		from[i] = "v" + strconv.Itoa(m.From)
	}
	w := env.Stdout
	fmt.Fprintf(w, "strumento / instrument: %s v%d  %s\n", in.ID, in.Version, in.Title.IT)
	fmt.Fprintf(w, "sezioni / sections: %d\n", len(in.Sections))
	fmt.Fprintf(w, "domande / questions: %d (+%d nei gruppi ripetuti / in repeat groups)\n", questions, items)
	fmt.Fprintf(w, "elenchi di codici / code lists: %d\n", len(in.Codelists))
	fmt.Fprintf(w, "regole / rules: %d\n", len(in.Rules))
	fmt.Fprintf(w, "migrazioni / migrations: %d", len(in.Migrations))
	if len(from) > 0 {
		fmt.Fprintf(w, " (da / from %s)", strings.Join(from, ", "))
	}
	fmt.Fprintln(w)
}
