package cli

import (
	"context"
	"fmt"

	"sinba/localdb/registry"
	"sinba/survey"
)

func init() {
	register(&Command{
		Name:  "move",
		Usage: "--data DIR --record ID [--to N] [--dry-run] [--actor NOME] [--passphrase-file FILE]",
		Short: "porta una bozza o una scheda restituita a una versione più recente del suo strumento, con la cronologia / moves a draft or returned record to a newer version of its instrument, with its history",
		Run:   runMove,
	})
}

// runMove is the headless "Passa alla versione N…": it says what moves
// (renamed, merged, dropped answers with their values, defaults, answers
// kept without a field) and, unless --dry-run, saves the moved record as a
// new version whose history line says the same.
func runMove(env Env, args []string) int {
	fs := newFlagSet(env, command("move"))
	var sf storeFlags
	sf.add(fs, env)
	id := fs.String("record", "", "id della scheda / record id")
	to := fs.Int("to", 0, "versione di arrivo (0: quella delle schede nuove, la più recente pubblicata) / target version (0: the one new records take, the newest published)")
	dry := fs.Bool("dry-run", false, "dice cosa cambierebbe senza salvare / says what would change without saving")
	actor := fs.String("actor", "rilevatore", "chi sposta, per la cronologia / who moves, for the history")
	if st, ok := parseFlags(fs, args); !ok {
		return st
	}
	if *id == "" {
		fs.Usage()
		return 2
	}
	ctx := context.Background()
	st, set, err := sf.openWithRegistry(ctx, env)
	if err != nil {
		return fail(env, "%v", err)
	}
	defer st.Close()
	if *dry {
		rec, info, err := st.Get(ctx, *id)
		if err != nil {
			return fail(env, "%v", err)
		}
		if !registry.Movable(info.Status) {
			return fail(env, "%v", registry.ErrNotMovable)
		}
		target := *to
		if target == 0 {
			if in, _, ok := set.ForNew(rec.Instrument); ok {
				target = in.Version
			}
		}
		m, err := set.Registry.Move(&rec, target)
		if err != nil {
			return fail(env, "%v", err)
		}
		printMoved(env, set, rec.Instrument, m, false)
		return 0
	}
	m, info, err := registry.MoveRecord(ctx, st, set, *id, *to, *actor)
	if err != nil {
		return fail(env, "%v", err)
	}
	printMoved(env, set, info.Instrument, m, true)
	return 0
}

// printMoved says what a move did or would do: the Italian lines first,
// then the English ones, as the commands print whole sentences.
func printMoved(env Env, set *registry.Set, instrument string, m *survey.Moved, saved bool) {
	from, _ := set.Registry.Get(instrument, m.From)
	to, _ := set.Registry.Get(instrument, m.To)
	head := survey.Text{IT: fmt.Sprintf("La scheda passerebbe dalla versione %d alla %d", m.From, m.To),
		EN: fmt.Sprintf("The record would move from version %d to %d", m.From, m.To)}
	if saved {
		head = survey.Text{IT: fmt.Sprintf("Scheda passata dalla versione %d alla %d", m.From, m.To),
			EN: fmt.Sprintf("Record moved from version %d to %d", m.From, m.To)}
	}
	lines := m.Lines(from, to)
	if len(lines) == 0 {
		lines = []survey.Text{{IT: "nessuna risposta cambia", EN: "no answer changes"}}
	}
	for _, lang := range []string{"it", "en"} {
		fmt.Fprintln(env.Stdout, head.In(lang)+":")
		for _, l := range lines {
			fmt.Fprintln(env.Stdout, "  "+l.In(lang))
		}
	}
}
