package main

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"sinba/assets"
	"sinba/sync/server"
)

func init() {
	register(&command{Name: "serve", Usage: "--data DIR [--addr HOST:PORT] [--cert FILE --key FILE] [--log text|json]",
		Short: "avvia il server; con --cert e --key in TLS / runs the server; with --cert and --key over TLS", Run: cmdServe})
	register(&command{Name: "demo", Usage: "--data DIR [--code-file FILE] [--instruments DIR] [--municipalities 063049,065116]",
		Short: "crea un progetto dimostrativo e stampa un codice di iscrizione / sets up a demo project and prints an enrolment code", Run: cmdDemo})
}

func cmdServe(e env, args []string) int {
	c := named("serve")
	fs, data := flags(e, c)
	addr := fs.String("addr", "127.0.0.1:8470", "indirizzo di ascolto / listen address")
	cert := fs.String("cert", "", "certificato TLS (PEM) / TLS certificate (PEM)")
	key := fs.String("key", "", "chiave privata TLS (PEM) / TLS private key (PEM)")
	logFormat := fs.String("log", "json", "formato dei log: json o text / log format: json or text")
	if st, ok := parse(e, fs, data, args); !ok {
		return st
	}
	if (*cert == "") != (*key == "") {
		fmt.Fprintln(e.stderr, "sinba-server: --cert e --key vanno insieme / --cert and --key go together")
		return 2
	}
	var h slog.Handler = slog.NewJSONHandler(e.stderr, nil)
	if *logFormat == "text" {
		h = slog.NewTextHandler(e.stderr, nil)
	}
	log := slog.New(h)
	st, err := openExisting(*data)
	if err != nil {
		return fail(e, err)
	}
	defer st.Close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fail(e, err)
	}
	ctx := e.ctx
	if ctx == nil {
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
	}
	scheme := "http"
	if *cert != "" {
		scheme = "https"
	}
	log.Info("listening", "url", scheme+"://"+ln.Addr().String(), "data", *data)
	if e.ready != nil {
		e.ready(ln.Addr().String())
	}
	if err := server.New(st, server.Config{}, log).Serve(ctx, ln, *cert, *key); err != nil {
		return fail(e, err)
	}
	log.Info("stopped")
	return 0
}

// Demo set-up: one project, one team with two pilot municipalities, one
// researcher, one enrolment code.
const (
	demoProject    = "Indagine pilota S.In.Ba (demo)"
	demoTeam       = "Squadra Campania"
	demoResearcher = "Rilevatore demo"
	demoKeyFile    = "coordinator-project.key"
)

const demoMunicipalities = "063049,065116" // Napoli, Salerno

func cmdDemo(e env, args []string) int {
	c := named("demo")
	fs, data := flags(e, c)
	codeFile := fs.String("code-file", "", "scrive anche qui il codice di iscrizione / also writes the enrolment code here")
	instruments := fs.String("instruments", "", "cartella delle definizioni degli strumenti da pubblicare (predefinite: quelle incluse nel programma) / folder of instrument definitions to publish (default: those built in)")
	munis := fs.String("municipalities", demoMunicipalities, "comuni (codici ISTAT) assegnati alla squadra / municipalities (ISTAT codes) assigned to the team")
	if st, ok := parse(e, fs, data, args); !ok {
		return st
	}
	st, err := server.OpenStore(*data)
	if err != nil {
		return fail(e, err)
	}
	defer st.Close()
	ctx := context.Background()
	keyPath := filepath.Join(*data, demoKeyFile)
	pid, err := newProject(ctx, st, demoProject, "", keyPath)
	if err != nil {
		return fail(e, err)
	}
	tid, err := st.CreateTeam(ctx, pid, demoTeam)
	if err != nil {
		return fail(e, err)
	}
	assigned := strings.Split(*munis, ",")
	for _, m := range assigned {
		if err := st.Assign(ctx, tid, m); err != nil {
			return fail(e, err)
		}
	}
	rid, err := st.CreateResearcher(ctx, tid, demoResearcher)
	if err != nil {
		return fail(e, err)
	}
	published, err := publishDemoInstruments(ctx, st, pid, *instruments)
	if err != nil {
		return fail(e, err)
	}
	for _, p := range published {
		fmt.Fprintf(e.stderr, "sinba-server: pubblicato / published %s\n", p)
	}
	if len(published) == 0 {
		fmt.Fprintf(e.stderr, "sinba-server: nessuno strumento in %s: pubblicarli con \"publish\" / no instruments in %s: publish them with \"publish\"\n", *instruments, *instruments)
	}
	code, exp, err := st.CreateCode(ctx, rid, 30*24*time.Hour)
	if err != nil {
		return fail(e, err)
	}
	if *codeFile != "" {
		if err := os.WriteFile(*codeFile, []byte(code+"\n"), 0o600); err != nil {
			return fail(e, err)
		}
	}
	fmt.Fprintf(e.stderr, "sinba-server: progetto / project %q, squadra / team %q (comuni / municipalities %v), rilevatore / researcher %q\n",
		demoProject, demoTeam, assigned, demoResearcher)
	fmt.Fprintf(e.stderr, "sinba-server: chiave privata dei coordinatori / coordinators' private key: %s (custodirla fuori dal server / keep it off the server)\n", keyPath)
	fmt.Fprintf(e.stderr, "sinba-server: codice valido fino a / code valid until %s\n", exp.Format(time.RFC3339))
	fmt.Fprintln(e.stdout, code)
	return 0
}

// publishDemoInstruments publishes the definitions in dir, or the ones built
// into the program when dir is empty, and names what it published.
func publishDemoInstruments(ctx context.Context, st *server.Store, project, dir string) ([]string, error) {
	var fsys fs.FS = assets.Instruments
	pattern := "instruments/*.json"
	if dir != "" {
		fsys, pattern = os.DirFS(dir), "*.json"
	}
	files, err := fs.Glob(fsys, pattern)
	if err != nil {
		return nil, err
	}
	var done []string
	for _, f := range files {
		body, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		id, v, err := publishDefinition(ctx, st, project, f, body)
		if err != nil {
			return nil, err
		}
		done = append(done, fmt.Sprintf("%s v%d", id, v))
	}
	return done, nil
}
