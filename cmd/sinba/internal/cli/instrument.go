package cli

import "sinba/cmd/internal/subcmd"

// instrumentTable is "sinba coord instrument": the instrument definitions of
// the project, as files (JSON or spreadsheet) and as published. Each file
// of this package that adds a subcommand registers it from its own init
// with registerInstrument.
var instrumentTable = &subcmd.Table[Env]{
	Prog:   "sinba coord instrument",
	Header: []string{"Uso / Usage: sinba coord instrument SOTTOCOMANDO [OPZIONI]"},
	Footer: []string{"Uno strumento è un file (.json, .xlsx) o ID@VERSIONE tra quelle dell'applicazione e pubblicate. / An instrument is a file (.json, .xlsx) or ID@VERSION among those of the app and published."},
}

func init() {
	coordTable.Register(&Command{Name: "instrument", Usage: "SOTTOCOMANDO ...   (sinba coord instrument help)",
		Short: "strumenti: controllo, differenze, pubblicazione / instruments: check, differences, publication",
		Run:   func(env Env, args []string) int { return instrumentTable.Run(env, env.Stdout, env.Stderr, args) }})
}

// registerInstrument adds a "sinba coord instrument" subcommand, run over
// the coordinator profile as the other coord subcommands are (see
// coordCommand.optionalStore for one that can do without).
func registerInstrument(name string, sub *coordCommand) {
	c := &Command{Name: name, Usage: sub.usage, Short: sub.short}
	c.Run = func(env Env, args []string) int {
		return runCoordSub(env, instrumentTable.FlagSet(c, env.Stderr), name, sub, args)
	}
	instrumentTable.Register(c)
}
