package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"sinba/cmd/internal/subcmd"
	"sinba/localdb"
	"sinba/localdb/dataset"
	"sinba/survey"
	"sinba/survey/quality"
	"sinba/sync/coord"
	"sinba/sync/seal"
	"sinba/sync/wire"
)

func init() {
	register(&Command{
		Name:  "coord",
		Usage: "SOTTOCOMANDO --data DIR ...   (sinba coord help)",
		Short: "profilo di coordinamento: progetto, squadre, revisione, chiave / coordinator profile: project, teams, review, key",
		Run:   runCoord,
	})
}

// coordCommand is one "sinba coord" subcommand.
type coordCommand struct {
	usage, short string
	// flags adds the subcommand's own flags; run gets the profile over an
	// unlocked store (init makes it first).
	flags func(fs *flag.FlagSet) func(ctx context.Context, env Env, c *coord.Coordinator) error
	// optionalStore: without --data, run gets a nil profile instead of an
	// error (a command that reads files alone).
	optionalStore bool
}

var coordCommands = map[string]*coordCommand{
	"init": {usage: "--data DIR --server URL --code CODICE [--allow-http]",
		short: "iscrive il profilo di coordinamento (crea l'archivio se manca) / enrols the coordinator profile (creates the store if missing)",
		flags: coordInit},
	"sync":   {usage: "--data DIR", short: "scarica e decifra le schede del progetto / downloads and decrypts the project's records", flags: coordSync},
	"status": {usage: "--data DIR", short: "avanzamento per comune e squadra / progress by municipality and team", flags: coordStatus},
	"key-export": {usage: "--data DIR --out FILE [--key-passphrase-file FILE]",
		short: "scrive la chiave del progetto cifrata con una passphrase, per un altro coordinatore / writes the project key encrypted with a passphrase, for another coordinator",
		flags: coordKeyExport},
	"key-import": {usage: "--data DIR --in FILE [--key-passphrase-file FILE]",
		short: "importa la chiave del progetto / imports the project key", flags: coordKeyImport},
	"team":       {usage: "--data DIR --name NOME", short: "crea una squadra / creates a team", flags: coordTeam},
	"researcher": {usage: "--data DIR --team SQUADRA --name NOME", short: "aggiunge un rilevatore / adds a researcher", flags: coordResearcher},
	"code": {usage: "--data DIR (--researcher NOME | --coordinator) [--ttl 72h]",
		short: "codice di iscrizione monouso / one-time enrolment code", flags: coordCode},
	"assign": {usage: "--data DIR --team SQUADRA --municipality ISTAT [--remove]",
		short: "assegna un comune a una squadra / assigns a municipality to a team", flags: coordAssign},
	"publish": {usage: "--data DIR --file STRUMENTO.json|.xlsx",
		short: "come \"instrument publish --yes\" / as \"instrument publish --yes\"", flags: coordPublishAlias},
	"review": {usage: "--data DIR --record ID --decision approved|returned [--comment [CAMPO=]TESTO]... [--author NOME]",
		short: "approva o restituisce una scheda / approves or returns a record", flags: coordReview},
}

// coordTable lists the subcommands for help and dispatches them.
var coordTable = newCoordTable()

func newCoordTable() *subcmd.Table[Env] {
	t := &subcmd.Table[Env]{
		Prog:   "sinba coord",
		Header: []string{"Uso / Usage: sinba coord SOTTOCOMANDO [OPZIONI]"},
		Footer: []string{"La passphrase dell'archivio: SINBA_PASSPHRASE o --passphrase-file. / The store's passphrase: SINBA_PASSPHRASE or --passphrase-file."},
	}
	for name, sub := range coordCommands {
		c := &Command{Name: name, Usage: sub.usage, Short: sub.short}
		c.Run = func(env Env, args []string) int { return runCoordSub(env, t.FlagSet(c, env.Stderr), name, sub, args) }
		t.Register(c)
	}
	return t
}

func runCoord(env Env, args []string) int { return coordTable.Run(env, env.Stdout, env.Stderr, args) }

// runCoordSub parses a subcommand's flags, opens the coordinator profile's
// store (creating it for init) and runs the subcommand over it.
func runCoordSub(env Env, fs *flag.FlagSet, name string, sub *coordCommand, args []string) int {
	var sf storeFlags
	sf.add(fs, env)
	run := sub.flags(fs)
	if st, ok := parseFlags(fs, args); !ok {
		return st
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	if sf.data == "" && sub.optionalStore {
		if err := run(context.Background(), env, nil); err != nil {
			return fail(env, "%v", err)
		}
		return 0
	}
	if err := sf.needData(); err != nil {
		return fail(env, "%v", err)
	}
	if name == "init" && !localdb.Exists(sf.data) {
		// A coordinator's store is made like a laptop's, recovery key and all.
		initArgs := []string{"--data", sf.data}
		if sf.passFile != "" {
			initArgs = append(initArgs, "--passphrase-file", sf.passFile)
		}
		if st := runInit(env, initArgs); st != 0 {
			return st
		}
	}
	store, err := sf.open(env)
	if err != nil {
		return fail(env, "%v", err)
	}
	defer store.Close()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, env, coord.New(store, coord.Options{})); err != nil {
		return fail(env, "%v", err)
	}
	return 0
}

func coordInit(fs *flag.FlagSet) func(context.Context, Env, *coord.Coordinator) error {
	server := fs.String("server", "", "indirizzo del server / server address (https://...)")
	code := fs.String("code", "", "codice di coordinamento monouso / one-time coordinator code")
	allowHTTP := allowHTTPFlag(fs)
	return func(ctx context.Context, env Env, c *coord.Coordinator) error {
		if *server == "" || *code == "" {
			return errors.New("servono --server e --code / --server and --code are needed")
		}
		if err := checkServerURL(env, *server, *allowHTTP); err != nil {
			return err
		}
		if *allowHTTP {
			c = coord.New(c.Store(), coord.Options{AllowHTTP: true})
		}
		p, err := c.Enrol(ctx, *server, *code)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "progetto / project: %s (%s)\ncoordinatore / coordinator: %s\n", p.ProjectName, p.ProjectID, p.CoordinatorID)
		if p.HasProjectKey {
			fmt.Fprintln(env.Stdout, "chiave del progetto creata in questo archivio: esportarne una copia con \"sinba coord key-export\" e conservarla al sicuro / "+
				"project key created in this store: export a copy with \"sinba coord key-export\" and keep it safe")
		} else {
			fmt.Fprintln(env.Stdout, coord.ErrNoProjectKey.Error())
		}
		return nil
	}
}

func coordSync(fs *flag.FlagSet) func(context.Context, Env, *coord.Coordinator) error {
	return func(ctx context.Context, env Env, c *coord.Coordinator) error {
		rep, err := c.Sync(ctx)
		if rep != nil {
			fmt.Fprintf(env.Stdout, "versioni ricevute / revisions received: %d\n", rep.Revisions)
			fmt.Fprintf(env.Stdout, "decisioni ricevute / decisions received: %d\n", rep.Reviews)
			fmt.Fprintf(env.Stdout, "illeggibili / unreadable: %d\n", rep.Unreadable)
			fmt.Fprintf(env.Stdout, "conflitti / conflicts: %d\n", rep.Conflicts)
			fmt.Fprintf(env.Stdout, "segreto consegnato a computer / secret handed to laptops: %d\n", rep.SecretsGranted)
			fmt.Fprintf(env.Stdout, "squadre / teams: %d\n", rep.Teams)
		}
		return err
	}
}

func coordStatus(fs *flag.FlagSet) func(context.Context, Env, *coord.Coordinator) error {
	return func(ctx context.Context, env Env, c *coord.Coordinator) error {
		p, err := c.Profile(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "progetto / project: %s  server: %s  chiave / key: %s  segreto / secret: %s\n", p.ProjectName, p.ServerURL, yesNo(p.HasProjectKey), yesNo(p.HasSecret))
		fmt.Fprintf(env.Stdout, "codice della chiave del progetto / project key code: %s\n", wire.KeyFingerprint(p.Recipient))
		entries, _, err := dataset.Entries(ctx, c.Store())
		if err != nil {
			return err
		}
		prog := quality.BuildProgress(entries, nil)
		tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
		statuses := []survey.Status{survey.StatusDraft, survey.StatusFinal, survey.StatusReturned, survey.StatusApproved}
		head := "\tSCHEDE / CASES"
		for _, st := range statuses {
			l := st.Label()
			head += "\t" + strings.ToLower(l.IT) + " / " + strings.ToLower(l.EN)
		}
		fmt.Fprintln(tw, head+"\tQUESTIONARI / QUESTIONNAIRES\t")
		rows := append(append([]quality.ProgressRow{prog.Total}, prog.ByTeam...), prog.ByMunicipality...)
		for i, r := range rows {
			label := r.Label
			if i == 0 {
				label = "totale / total"
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", label, r.Cases.Total(), r.Cases[survey.StatusDraft], r.Cases[survey.StatusFinal],
				r.Cases[survey.StatusReturned], r.Cases[survey.StatusApproved], r.Questionnaires.Total())
		}
		return tw.Flush()
	}
}

// yesNo is a yes or no as the commands print it.
func yesNo(b bool) string {
	if b {
		return "sì / yes"
	}
	return "no / no"
}

// keyPassphrase reads the passphrase of a key file from --key-passphrase-file
// or SINBA_KEY_PASSPHRASE, never from a flag.
func keyPassphrase(env Env, file string) ([]byte, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("file della passphrase non leggibile / cannot read the passphrase file: %v", err)
		}
		return bytes.TrimRight(b, "\r\n"), nil
	}
	if p := env.Getenv("SINBA_KEY_PASSPHRASE"); p != "" {
		return []byte(p), nil
	}
	return nil, errors.New("manca la passphrase del file della chiave: SINBA_KEY_PASSPHRASE o --key-passphrase-file / " +
		"the key file's passphrase is missing: SINBA_KEY_PASSPHRASE or --key-passphrase-file")
}

func coordKeyExport(fs *flag.FlagSet) func(context.Context, Env, *coord.Coordinator) error {
	out := fs.String("out", "", "file da scrivere / file to write")
	passFile := fs.String("key-passphrase-file", "", "file con la passphrase del file della chiave / file holding the key file's passphrase")
	return func(ctx context.Context, env Env, c *coord.Coordinator) error {
		if *out == "" {
			return errors.New("manca --out / --out is missing")
		}
		pass, err := keyPassphrase(env, *passFile)
		if err != nil {
			return err
		}
		key, about, err := c.KeyForExport(ctx)
		if err != nil {
			return err
		}
		data, err := seal.SealKeyFile(key, about, pass, 0)
		if err != nil {
			return err
		}
		f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("file non scritto / file not written: %w", err)
		}
		_, err = f.Write(data)
		if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "chiave cifrata scritta in / encrypted key written to %s: la passphrase va comunicata per un altro canale / give the passphrase through another channel\n", *out)
		return nil
	}
}

func coordKeyImport(fs *flag.FlagSet) func(context.Context, Env, *coord.Coordinator) error {
	in := fs.String("in", "", "file della chiave / key file")
	passFile := fs.String("key-passphrase-file", "", "file con la passphrase del file della chiave / file holding the key file's passphrase")
	return func(ctx context.Context, env Env, c *coord.Coordinator) error {
		if *in == "" {
			return errors.New("manca --in / --in is missing")
		}
		data, err := os.ReadFile(*in)
		if err != nil {
			return err
		}
		var pass []byte
		if seal.KeyFileSealed(data) {
			if pass, err = keyPassphrase(env, *passFile); err != nil {
				return err
			}
		}
		key, err := seal.OpenKeyFile(data, pass)
		if err != nil {
			return err
		}
		if err := c.SetProjectKey(ctx, key); err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, "chiave del progetto importata / project key imported")
		return nil
	}
}

func coordTeam(fs *flag.FlagSet) func(context.Context, Env, *coord.Coordinator) error {
	name := fs.String("name", "", "nome della squadra / team name")
	return func(ctx context.Context, env Env, c *coord.Coordinator) error {
		id, err := c.CreateTeam(ctx, *name)
		if err == nil {
			fmt.Fprintln(env.Stdout, id)
		}
		return err
	}
}

func coordResearcher(fs *flag.FlagSet) func(context.Context, Env, *coord.Coordinator) error {
	team := fs.String("team", "", "squadra (nome o id) / team (name or id)")
	name := fs.String("name", "", "nome del rilevatore / researcher's name")
	return func(ctx context.Context, env Env, c *coord.Coordinator) error {
		id, err := c.CreateResearcher(ctx, *team, *name)
		if err == nil {
			fmt.Fprintln(env.Stdout, id)
		}
		return err
	}
}

func coordCode(fs *flag.FlagSet) func(context.Context, Env, *coord.Coordinator) error {
	researcher := fs.String("researcher", "", "rilevatore (nome o id) / researcher (name or id)")
	forCoord := fs.Bool("coordinator", false, "codice per un altro coordinatore / code for another coordinator")
	ttl := fs.Duration("ttl", 72*time.Hour, "validità / validity")
	return func(ctx context.Context, env Env, c *coord.Coordinator) error {
		if (*researcher == "") != *forCoord {
			return errors.New("indicare --researcher oppure --coordinator / give either --researcher or --coordinator")
		}
		code, err := c.CoordinatorCode(ctx, *ttl)
		if !*forCoord {
			code, err = c.Code(ctx, *researcher, *ttl)
		}
		if err == nil {
			fmt.Fprintln(env.Stdout, code.Code)
			fmt.Fprintf(env.Stderr, "sinba: valido fino a / valid until %s\n", code.Expires.Format(time.RFC3339))
		}
		return err
	}
}

func coordAssign(fs *flag.FlagSet) func(context.Context, Env, *coord.Coordinator) error {
	team := fs.String("team", "", "squadra (nome o id) / team (name or id)")
	muni := fs.String("municipality", "", "codice ISTAT del comune / municipality ISTAT code")
	remove := fs.Bool("remove", false, "togli l'assegnazione / remove the assignment")
	return func(ctx context.Context, env Env, c *coord.Coordinator) error {
		return c.Assign(ctx, *team, *muni, *remove)
	}
}

// comments collects repeated --comment flags, FIELD=TEXT or TEXT.
type comments []survey.Comment

func (c *comments) String() string { return fmt.Sprint(len(*c)) }

func (c *comments) Set(v string) error {
	field, text, ok := strings.Cut(v, "=")
	if !ok || strings.ContainsAny(field, " \t") {
		field, text = "", v
	}
	*c = append(*c, survey.Comment{Field: field, Text: text})
	return nil
}

func coordReview(fs *flag.FlagSet) func(context.Context, Env, *coord.Coordinator) error {
	record := fs.String("record", "", "identificativo della scheda / record id")
	decision := fs.String("decision", "", "approved o returned / approved or returned")
	author := fs.String("author", "coordinamento", "chi decide / who decides")
	var cs comments
	fs.Var(&cs, "comment", "commento, CAMPO=TESTO o TESTO (ripetibile) / comment, FIELD=TEXT or TEXT (repeatable)")
	return func(ctx context.Context, env Env, c *coord.Coordinator) error {
		id, err := c.Review(ctx, *record, survey.Status(*decision), cs, *author)
		if err == nil {
			fmt.Fprintln(env.Stdout, id)
		}
		return err
	}
}
