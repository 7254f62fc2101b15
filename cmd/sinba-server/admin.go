package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"filippo.io/age"

	"sinba/survey"
	"sinba/sync/seal"
	"sinba/sync/server"
	"sinba/sync/wire"
)

func init() {
	register(&command{Name: "init", Usage: "(--data DIR | --database URL)", Short: "crea il database del server / creates the server's database", Run: cmdInit})
	register(&command{Name: "project", Usage: "(--data DIR | --database URL) --name NOME (--key-out FILE | --recipient age1...)",
		Short: "crea un progetto; la chiave privata dei coordinatori va solo in --key-out / creates a project; the coordinators' private key goes only to --key-out", Run: cmdProject})
	register(&command{Name: "team", Usage: "(--data DIR | --database URL) --project PROGETTO --name NOME", Short: "crea una squadra / creates a team",
		Run: cmdCreateIn("team", "project", "progetto (nome o id) / project (name or id)", "nome della squadra / team name", (*server.Store).CreateTeam)})
	register(&command{Name: "researcher", Usage: "(--data DIR | --database URL) --team SQUADRA --name NOME", Short: "aggiunge un rilevatore a una squadra / adds a researcher to a team",
		Run: cmdCreateIn("researcher", "team", "squadra (nome o id) / team (name or id)", "nome del rilevatore / researcher's name", (*server.Store).CreateResearcher)})
	register(&command{Name: "code", Usage: "(--data DIR | --database URL) (--researcher RILEVATORE | --coordinator (--project P | --new-project NOME)) [--ttl 72h]",
		Short: "crea un codice di iscrizione monouso / makes a one-time enrolment code", Run: cmdCode})
	register(&command{Name: "assign", Usage: "(--data DIR | --database URL) --team SQUADRA --municipality ISTAT [--remove]",
		Short: "assegna un comune pilota a una squadra / assigns a pilot municipality to a team", Run: cmdAssign})
	register(&command{Name: "publish", Usage: "(--data DIR | --database URL) --project PROGETTO --file STRUMENTO.json",
		Short: "pubblica una versione di uno strumento / publishes an instrument version", Run: cmdPublish})
	register(&command{Name: "devices", Usage: "(--data DIR | --database URL)", Short: "elenca i computer iscritti (sola lettura: anche su una replica) / lists enrolled laptops (read only: also on a replica)", Run: cmdDevices})
	register(&command{Name: "audit", Usage: "(--data DIR | --database URL)",
		Short: "chi ha avuto chiavi, segreto e codici, e da chi (sola lettura) / who got keys, the secret and codes, and from whom (read only)", Run: cmdAudit})
	register(&command{Name: "revoke", Usage: "(--data DIR | --database URL) --device ID", Short: "revoca un computer o un'app di coordinamento / revokes a laptop or a coordinator's app", Run: cmdRevoke})
	register(&command{Name: "review", Usage: "(--data DIR | --database URL) --revision REV --decision returned|approved [--comment TESTO] [--field CAMPO]",
		Short: "registra la decisione dei coordinatori su una scheda / records the coordinators' decision on a record", Run: cmdReview})
	register(&command{Name: "status", Usage: "(--data DIR | --database URL)", Short: "riepilogo di quanto arrivato (sola lettura: anche su una replica) / summary of what has arrived (read only: also on a replica)", Run: cmdStatus})
	register(&command{Name: "export", Usage: "(--data DIR | --database URL) --key FILE [--out FILE]",
		Short: "decifra le schede con la chiave dei coordinatori, in JSON Lines / decrypts the records with the coordinators' key, as JSON Lines", Run: cmdExport})
}

func cmdInit(e env, args []string) int {
	c := named("init")
	fs, data := flags(e, c)
	if st, ok := parse(e, fs, data, args); !ok {
		return st
	}
	st, err := server.Open(data.Database())
	if err != nil {
		return fail(e, err)
	}
	defer st.Close()
	fmt.Fprintf(e.stderr, "sinba-server: %s\n", migrated(st))
	fmt.Fprintf(e.stderr, "sinba-server: database pronto in / database ready in %s\n", data)
	return 0
}

// writeKeyFile writes a plain project key file (seal.KeyFile) readable by
// its owner only, refusing to overwrite one: losing a project key loses the
// project's data.
func writeKeyFile(path string, id *age.X25519Identity, about string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("chiave non scritta / key not written: %w", err)
	}
	_, err = f.Write(seal.KeyFile(id, about))
	return errors.Join(err, f.Sync(), f.Close())
}

// newProject makes a project; with keyOut it makes the key pair and writes
// the private half there.
// newProject creates a project. Given the coordinators' public key
// (recipient), the project waits for their app to make the pseudonym secret
// (their first sync) before it takes laptop codes; otherwise the key pair is
// made here, written to keyOut, and the secret with it, sealed for the key,
// so the project is ready at once.
func newProject(ctx context.Context, st *server.Store, name, recipient, keyOut string) (string, error) {
	if recipient != "" {
		return st.CreateProject(ctx, name, recipient)
	}
	id, err := seal.NewKey()
	if err != nil {
		return "", err
	}
	if err := writeKeyFile(keyOut, id, "sinba project key for "+name+": coordinators only, never on the server; keep a copy offline"); err != nil {
		return "", err
	}
	pid, err := st.CreateProject(ctx, name, id.Recipient().String())
	if err != nil {
		return "", err
	}
	_, sealed, err := seal.NewProjectSecret(id.Recipient())
	if err != nil {
		return "", err
	}
	if ref, err := st.SetProjectSecret(ctx, pid, sealed); err != nil {
		return "", err
	} else if ref != nil {
		return "", ref
	}
	return pid, nil
}

func cmdProject(e env, args []string) int {
	c := named("project")
	fs, data := flags(e, c)
	name := fs.String("name", "", "nome del progetto / project name")
	keyOut := fs.String("key-out", "", "dove scrivere la chiave privata dei coordinatori (0600) / where to write the coordinators' private key (0600)")
	recipient := fs.String("recipient", "", "chiave pubblica age dei coordinatori, se l'hanno già / the coordinators' age public key, if they have one")
	if st, ok := parse(e, fs, data, args); !ok {
		return st
	}
	if !need(e, "name", *name) {
		return 2
	}
	if (*keyOut == "") == (*recipient == "") {
		fmt.Fprintln(e.stderr, "sinba-server: indicare --key-out oppure --recipient / give either --key-out or --recipient")
		return 2
	}
	return withStore(e, data, func(ctx context.Context, st *server.Store) error {
		id, err := newProject(ctx, st, *name, *recipient, *keyOut)
		if err == nil {
			fmt.Fprintln(e.stdout, id)
		}
		return err
	})
}

// cmdCreateIn makes a command that creates a named child of a parent
// (a team in a project, a researcher in a team) and prints its id.
func cmdCreateIn(name, parent, parentHelp, nameHelp string, create func(*server.Store, context.Context, string, string) (string, error)) func(env, []string) int {
	return func(e env, args []string) int {
		fs, data := flags(e, named(name))
		of := fs.String(parent, "", parentHelp)
		n := fs.String("name", "", nameHelp)
		if st, ok := parse(e, fs, data, args); !ok {
			return st
		}
		if !need(e, parent, *of, "name", *n) {
			return 2
		}
		return withStore(e, data, func(ctx context.Context, st *server.Store) error {
			id, err := create(st, ctx, *of, *n)
			if err == nil {
				fmt.Fprintln(e.stdout, id)
			}
			return err
		})
	}
}

func cmdCode(e env, args []string) int {
	c := named("code")
	fs, data := flags(e, c)
	researcher := fs.String("researcher", "", "rilevatore (nome o id) / researcher (name or id)")
	ttl := fs.Duration("ttl", 72*time.Hour, "validità del codice / how long the code is valid")
	coordinator := fs.Bool("coordinator", false, "codice per l'app di un coordinatore (con --project o --new-project) / code for a coordinator's app (with --project or --new-project)")
	project := fs.String("project", "", "con --coordinator: progetto esistente (nome o id) / with --coordinator: existing project (name or id)")
	newProject := fs.String("new-project", "", "con --coordinator: nome del progetto che l'app del coordinatore crea, con la sua chiave / with --coordinator: name of the project the coordinator's app creates, with its own key")
	if st, ok := parse(e, fs, data, args); !ok {
		return st
	}
	if *coordinator {
		if (*project == "") == (*newProject == "") || *researcher != "" {
			fmt.Fprintln(e.stderr, "sinba-server: con --coordinator indicare --project oppure --new-project / with --coordinator give either --project or --new-project")
			return 2
		}
	} else if !need(e, "researcher", *researcher) {
		return 2
	}
	return withStore(e, data, func(ctx context.Context, st *server.Store) error {
		var code string
		var exp time.Time
		var err error
		switch {
		case *newProject != "":
			code, exp, err = st.CreateProjectCode(ctx, *newProject, *ttl)
		case *coordinator:
			code, exp, err = st.CreateCoordinatorCode(ctx, *project, *ttl)
		default:
			code, exp, err = st.CreateCode(ctx, *researcher, *ttl)
		}
		if err == nil {
			fmt.Fprintln(e.stdout, code)
			fmt.Fprintf(e.stderr, "sinba-server: valido fino a / valid until %s\n", exp.Format(time.RFC3339))
		}
		return err
	})
}

func cmdAssign(e env, args []string) int {
	c := named("assign")
	fs, data := flags(e, c)
	team := fs.String("team", "", "squadra (nome o id) / team (name or id)")
	muni := fs.String("municipality", "", "codice ISTAT del comune (6 cifre) / municipality ISTAT code (6 digits)")
	remove := fs.Bool("remove", false, "togli l'assegnazione / remove the assignment")
	if st, ok := parse(e, fs, data, args); !ok {
		return st
	}
	if !need(e, "team", *team, "municipality", *muni) {
		return 2
	}
	return withStore(e, data, func(ctx context.Context, st *server.Store) error {
		if *remove {
			return st.Unassign(ctx, *team, *muni)
		}
		return st.Assign(ctx, *team, *muni)
	})
}

// publishFile publishes an instrument definition; its id and version are
// read from the definition itself.
func publishFile(ctx context.Context, st *server.Store, project, path string) (string, int, error) {
	body, err := os.ReadFile(path)
	if err != nil {
		return "", 0, err
	}
	return publishDefinition(ctx, st, project, path, body)
}

// publishDefinition checks an instrument definition as the app will read it
// (a definition the laptops cannot load must never reach them), then
// publishes it.
func publishDefinition(ctx context.Context, st *server.Store, project, name string, body []byte) (string, int, error) {
	id, version, err := server.CheckInstrument(body)
	if err != nil {
		return "", 0, fmt.Errorf("%s: %w", name, err)
	}
	return id, version, st.Publish(ctx, project, id, version, body)
}

func cmdPublish(e env, args []string) int {
	c := named("publish")
	fs, data := flags(e, c)
	project := fs.String("project", "", "progetto (nome o id) / project (name or id)")
	file := fs.String("file", "", "definizione dello strumento (JSON) / instrument definition (JSON)")
	if st, ok := parse(e, fs, data, args); !ok {
		return st
	}
	if !need(e, "project", *project, "file", *file) {
		return 2
	}
	return withStore(e, data, func(ctx context.Context, st *server.Store) error {
		id, v, err := publishFile(ctx, st, *project, *file)
		if err == nil {
			fmt.Fprintf(e.stdout, "%s v%d\n", id, v)
		}
		return err
	})
}

func cmdDevices(e env, args []string) int {
	c := named("devices")
	fs, data := flags(e, c)
	if st, ok := parse(e, fs, data, args); !ok {
		return st
	}
	return withReadStore(e, data, func(ctx context.Context, st *server.Store) error {
		ds, err := st.Devices(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "DEVICE\tTEAM\tRESEARCHER\tLABEL\tENROLLED\tLAST SEEN\tTEAM KEY\tREVOKED\tFORMAT\tCODE BY")
		for _, d := range ds {
			seen := "-"
			if !d.LastSeen.IsZero() {
				seen = d.LastSeen.UTC().Format(time.RFC3339)
			}
			format := "-" // no batch sent yet
			if d.Format > 0 {
				format = strconv.Itoa(d.Format)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%v\t%v\t%s\t%s\n", d.ID, d.Team, d.Researcher, d.Label, d.EnrolledAt.UTC().Format(time.RFC3339), seen, d.HasTeamKey, d.Revoked, format, minter(d.MintedBy))
		}
		return tw.Flush()
	})
}

// cmdAudit prints how the project's keys and codes reached apps and
// laptops, oldest first, one tab-separated event a line.
func cmdAudit(e env, args []string) int {
	c := named("audit")
	fs, data := flags(e, c)
	if st, ok := parse(e, fs, data, args); !ok {
		return st
	}
	return withReadStore(e, data, func(ctx context.Context, st *server.Store) error {
		evs, err := st.Audit(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "AT\tEVENT\tTEAM\tBY\tTO")
		for _, ev := range evs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", ev.At.Format(time.RFC3339), ev.Kind, ev.Team, ev.Actor, ev.Subject)
		}
		return tw.Flush()
	})
}

// minter says who made a device's code: "admin", or "COORDINATOR coordinator-id (its name)"
// so a device whose code a coordinator made stands out in the list.
func minter(m wire.Minter) string {
	if !m.ByCoordinator() {
		return "admin"
	}
	return fmt.Sprintf("COORDINATOR %s (%s)", m.Coordinator, m.CoordinatorLabel)
}

func cmdRevoke(e env, args []string) int {
	c := named("revoke")
	fs, data := flags(e, c)
	device := fs.String("device", "", "id del computer (vedi devices) o dell'app di coordinamento (vedi audit) / id of the laptop (see devices) or of the coordinator's app (see audit)")
	if st, ok := parse(e, fs, data, args); !ok {
		return st
	}
	if !need(e, "device", *device) {
		return 2
	}
	return withStore(e, data, func(ctx context.Context, st *server.Store) error {
		return st.Revoke(ctx, *device)
	})
}

func cmdReview(e env, args []string) int {
	c := named("review")
	fs, data := flags(e, c)
	revision := fs.String("revision", "", "versione della scheda esaminata / the reviewed revision")
	decision := fs.String("decision", "", "returned (restituita con commenti) o approved (approvata)")
	comment := fs.String("comment", "", "commento per la squadra, cifrato per la squadra / comment for the team, encrypted for the team")
	field := fs.String("field", "", "campo a cui si riferisce il commento / field the comment is about")
	author := fs.String("author", "", "chi firma il commento / who signs the comment")
	if st, ok := parse(e, fs, data, args); !ok {
		return st
	}
	if !need(e, "revision", *revision, "decision", *decision) {
		return 2
	}
	var comments []survey.Comment
	if *comment != "" {
		comments = append(comments, survey.Comment{Field: *field, Text: *comment, Author: *author, At: time.Now().UTC()})
	}
	return withStore(e, data, func(ctx context.Context, st *server.Store) error {
		id, err := st.AddReview(ctx, *revision, survey.Status(*decision), comments)
		if err == nil {
			fmt.Fprintln(e.stdout, id)
		}
		return err
	})
}

func cmdStatus(e env, args []string) int {
	c := named("status")
	fs, data := flags(e, c)
	if st, ok := parse(e, fs, data, args); !ok {
		return st
	}
	return withReadStore(e, data, func(ctx context.Context, st *server.Store) error {
		sm, err := st.Summary(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "progetti/projects %d  squadre/teams %d  rilevatori/researchers %d  computer/devices %d (revocati/revoked %d)\n",
			sm.Projects, sm.Teams, sm.Researchers, sm.Devices, sm.Revoked)
		last := "-"
		if !sm.LastBatch.IsZero() {
			last = sm.LastBatch.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(e.stdout, "schede/records %d  versioni/revisions %d  lotti/batches %d  byte cifrati/encrypted bytes %d  ultimo lotto/last batch %s\n\n",
			sm.Records, sm.Revisions, sm.Batches, sm.Bytes, last)
		tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "PROJECT\tTEAM\tMUNICIPALITY\tINSTRUMENT\tSTATUS\tRECORDS\tCONFLICTS")
		for _, c := range sm.Counts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\n", c.Project, c.Team, c.Municipality, c.Instrument, c.Status, c.Records, c.Conflicts)
		}
		return tw.Flush()
	})
}

// exported is one line of the coordinators' export.
type exported struct {
	Revision     string                      `json:"revision"`
	BaseRevision string                      `json:"base_revision,omitempty"`
	RecordID     string                      `json:"record_id"`
	Instrument   string                      `json:"instrument"`
	Version      int                         `json:"instrument_version"`
	Municipality string                      `json:"municipality"`
	Status       survey.Status               `json:"status"`             // as the laptop saved it: draft or final
	Decision     survey.Status               `json:"decision,omitempty"` // the coordinators' latest decision on this version
	SavedAt      time.Time                   `json:"saved_at"`
	Device       string                      `json:"device"`
	Conflict     bool                        `json:"conflict,omitempty"`
	Answers      survey.Answers              `json:"answers"`
	Meta         map[string]survey.FieldMeta `json:"meta,omitempty"`
}

func cmdExport(e env, args []string) int {
	c := named("export")
	fs, data := flags(e, c)
	keyFile := fs.String("key", "", "file della chiave privata del progetto / the project's private key file")
	out := fs.String("out", "", "file di uscita (predefinito: standard output) / output file (default: standard output)")
	if st, ok := parse(e, fs, data, args); !ok {
		return st
	}
	if !need(e, "key", *keyFile) {
		return 2
	}
	id, err := readKeyFile(*keyFile)
	if err != nil {
		return fail(e, err)
	}
	w := e.stdout
	if *out != "" {
		f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return fail(e, err)
		}
		defer f.Close()
		w = f
	}
	return withReadStore(e, data, func(ctx context.Context, st *server.Store) error {
		revs, err := st.Revisions(ctx)
		if err != nil {
			return err
		}
		decisions, err := st.Decisions(ctx)
		if err != nil {
			return err
		}
		opener, headers, err := st.Opener(ctx, id)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(w)
		skipped := 0
		for i := range revs {
			r := &revs[i]
			rec, err := opener.Open(r, headers[r.Header])
			if err != nil {
				skipped++ // another project's record: not for this key
				continue
			}
			status := r.Status
			if status.Decision() {
				status = survey.StatusFinal // a laptop's claim, kept from before the server refused them
			}
			if err := enc.Encode(exported{Revision: r.Revision, BaseRevision: r.BaseRevision, RecordID: r.RecordID, Instrument: r.Instrument,
				Version: r.InstrumentVersion, Municipality: r.Municipality, Status: status, Decision: decisions[r.Revision], SavedAt: r.SavedAt, Device: r.Origin,
				Conflict: r.Conflict, Answers: rec.Answers, Meta: rec.Meta}); err != nil {
				return err
			}
		}
		fmt.Fprintf(e.stderr, "sinba-server: %d versioni esportate, %d non di questa chiave / %d revisions exported, %d not for this key\n",
			len(revs)-skipped, skipped, len(revs)-skipped, skipped)
		return nil
	})
}

// readKeyFile reads the project key from a plain key file (seal.KeyFile)
// written by project or demo.
func readKeyFile(path string) (*age.X25519Identity, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	id, err := seal.OpenKeyFile(data, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return id, nil
}
