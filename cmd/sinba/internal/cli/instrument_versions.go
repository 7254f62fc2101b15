package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"sinba/localdb/dataset"
	"sinba/survey"
	"sinba/survey/instdiff"
	"sinba/survey/instfile"
	"sinba/survey/quality"
	"sinba/sync/coord"
)

func init() {
	registerInstrument("diff", &coordCommand{
		usage: "--old A --new B [--html FILE.html] [--data DIR]",
		short: "cosa cambia tra due versioni, con i punti critici della precedente / what changes between two versions, with the earlier one's critical points",
		flags: instrumentDiff, optionalStore: true})
	registerInstrument("publish", &coordCommand{
		usage: "--data DIR --file STRUMENTO.json|.xlsx [--yes]",
		short: "controlla, mostra le differenze e pubblica una versione / checks, shows the differences and publishes a version",
		flags: func(fs *flag.FlagSet) func(context.Context, Env, *coord.Coordinator) error {
			return instrumentPublish(fs, false)
		}})
}

// coordPublishAlias is "sinba coord publish", kept for scripts: "instrument
// publish" that does not ask.
func coordPublishAlias(fs *flag.FlagSet) func(context.Context, Env, *coord.Coordinator) error {
	return instrumentPublish(fs, true)
}

var versionArg = regexp.MustCompile(`^([a-z][a-z0-9-]*)@([1-9][0-9]*)$`)

// loadVersion reads an instrument argument: a file, else ID@VERSION among
// the versions of reg.
func loadVersion(arg string, reg *survey.Registry, ref *survey.Reference) (*survey.Instrument, error) {
	if data, err := os.ReadFile(arg); err == nil {
		return instfile.Read(filepath.Base(arg), data, ref)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	m := versionArg.FindStringSubmatch(arg)
	if m == nil {
		return nil, fmt.Errorf("%s: né un file né ID@VERSIONE / neither a file nor ID@VERSION", arg)
	}
	v, _ := strconv.Atoi(m[2])
	in, ok := reg.Get(m[1], v)
	if !ok {
		return nil, fmt.Errorf("%s: versione sconosciuta; note: %s / unknown version; known: %s", arg, knownVersions(reg), knownVersions(reg))
	}
	return in, nil
}

func knownVersions(reg *survey.Registry) string {
	var out []string
	for _, id := range reg.IDs() {
		for _, v := range reg.Versions(id) {
			out = append(out, id+"@"+strconv.Itoa(v))
		}
	}
	return strings.Join(out, ", ")
}

func instrumentDiff(fs *flag.FlagSet) func(context.Context, Env, *coord.Coordinator) error {
	oldArg := fs.String("old", "", "versione precedente: file o ID@VERSIONE / earlier version: file or ID@VERSION")
	newArg := fs.String("new", "", "versione nuova: file o ID@VERSIONE / new version: file or ID@VERSION")
	htmlOut := fs.String("html", "", "scrive il rapporto HTML in questo file / writes the HTML report to this file")
	return func(ctx context.Context, env Env, c *coord.Coordinator) error {
		if *oldArg == "" || *newArg == "" {
			return errors.New("servono --old e --new / --old and --new are needed")
		}
		reg, ref, err := heldInstruments(ctx, c)
		if err != nil {
			return err
		}
		var recs []survey.Record
		if c != nil {
			entries, _, err := dataset.Entries(ctx, c.Store())
			if err != nil {
				return err
			}
			for _, e := range entries {
				recs = append(recs, e.Record)
			}
		}
		old, err := loadVersion(*oldArg, reg, ref)
		if err != nil {
			return err
		}
		new, err := loadVersion(*newArg, reg, ref)
		if err != nil {
			return err
		}
		if old.ID != new.ID {
			fmt.Fprintf(env.Stderr, "sinba: attenzione: due strumenti diversi (%s, %s) / warning: two different instruments\n", old.ID, new.ID)
		}
		d := quality.NewVersionDiff(old, new, recs, quality.Options{})
		writeDiffText(env.Stdout, d, c != nil)
		if *htmlOut == "" {
			return nil
		}
		f, err := os.OpenFile(*htmlOut, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return fmt.Errorf("rapporto non scritto / report not written: %w", err)
		}
		if err := errors.Join(quality.WriteVersionDiffHTML(f, d), f.Close()); err != nil {
			return fmt.Errorf("rapporto non scritto / report not written: %w", err)
		}
		fmt.Fprintf(env.Stderr, "sinba: rapporto scritto in / report written to %s\n", *htmlOut)
		return nil
	}
}

// writeDiffText writes the changes a line each, then the critical points of
// the changed fields in the earlier version's records.
func writeDiffText(w io.Writer, d quality.VersionDiff, withRecords bool) {
	fmt.Fprintf(w, "%s → %s: %s / %d changes\n", d.Old.Key(), d.New.Key(), count(len(d.Changes), "cambiamento", "cambiamenti"), len(d.Changes))
	for _, c := range d.Changes {
		fmt.Fprintln(w, "  "+c.String())
	}
	if !withRecords {
		return
	}
	fmt.Fprintf(w, "punti critici nella versione %d (%s) / critical points in version %d:\n", d.Old.Version, count(d.Figures.Records, "scheda", "schede"), d.Old.Version)
	if d.Figures.Records == 0 {
		return
	}
	for _, id := range instdiff.Fields(d.Changes) {
		f, ok := d.Figures.Field(id)
		if !ok {
			continue
		}
		t := f.Total
		fmt.Fprintf(w, "  %s: applicabili / applicable %d, risposte / answered %d, non disponibili / not held %d, mancanti / missing %d, errori / errors %d, avvisi / warnings %d\n",
			id, t.Applicable, t.Answered, t.NotHeld, t.Missing, t.Errors, t.Warnings)
	}
}

// confirmed reads a yes from the person at the terminal.
func confirmed(r io.Reader) bool {
	line, _ := bufio.NewReader(r).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "s", "si", "sì", "y", "yes":
		return true
	}
	return false
}

func instrumentPublish(fs *flag.FlagSet, yesByDefault bool) func(context.Context, Env, *coord.Coordinator) error {
	file := fs.String("file", "", "definizione dello strumento (JSON o foglio di calcolo) / instrument definition (JSON or spreadsheet)")
	yes := fs.Bool("yes", yesByDefault, "pubblica senza chiedere conferma / publishes without asking")
	return func(ctx context.Context, env Env, c *coord.Coordinator) error {
		if *file == "" {
			return errors.New("manca --file / --file is missing")
		}
		data, err := os.ReadFile(*file)
		if err != nil {
			return err
		}
		p, err := c.Propose(ctx, filepath.Base(*file), data)
		var inv *instfile.InvalidError
		if errors.As(err, &inv) {
			fmt.Fprintf(env.Stderr, "sinba: %s non è una definizione valida / is not a valid definition:\n", inv.Name)
			for _, pr := range inv.Problems {
				fmt.Fprintln(env.Stderr, "  "+pr.String())
			}
			return errors.New("niente pubblicato / nothing published")
		}
		if err != nil {
			return err
		}
		in := p.Instrument
		switch {
		case p.AlreadyPublished:
			fmt.Fprintln(env.Stdout, sameVersion(in, true))
			return nil
		case p.Previous == nil:
			fmt.Fprintf(env.Stdout, "%s: nuovo strumento / new instrument\n", in.Key())
		default:
			where := "nell'applicazione / in the app"
			if p.PreviousPublished {
				where = "pubblicata / published"
			}
			fmt.Fprintf(env.Stdout, "rispetto a / compared with %s (%s): %s / %d changes\n", p.Previous.Key(), where, count(len(p.Changes), "cambiamento", "cambiamenti"), len(p.Changes))
			for _, ch := range p.Changes {
				fmt.Fprintln(env.Stdout, "  "+ch.String())
			}
		}
		if !*yes {
			fmt.Fprintf(env.Stdout, "Pubblicare %s versione %d a tutti i computer del progetto? [s/N] / Publish it to every laptop of the project? [y/N] ", in.ID, in.Version)
			if !confirmed(env.Stdin) {
				fmt.Fprintln(env.Stdout)
				return errors.New("non pubblicata / not published")
			}
		}
		out, err := c.PublishProposal(ctx, p)
		if err == nil {
			fmt.Fprintf(env.Stdout, "%s v%d\n", out.ID, out.Version)
		}
		return err
	}
}
