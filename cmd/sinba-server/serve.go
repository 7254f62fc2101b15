package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
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
	register(&command{Name: "serve", Usage: "(--data DIR | --database URL) [--addr HOST:PORT] [--addr-file FILE] [--cert FILE --key FILE] [--log text|json] [--log-level info] [--trusted-proxy CIDR,...] [--device-quota-mib 256] [--team-quota-mib 2048] [--device-rate 5 --device-burst 60]",
		Short: "avvia il server; con --cert e --key in TLS / runs the server; with --cert and --key over TLS", Run: cmdServe})
	register(&command{Name: "demo", Usage: "(--data DIR | --database URL) [--code-file FILE] [--instruments DIR] [--municipalities 063049,065116]",
		Short: "crea un progetto dimostrativo e stampa un codice di iscrizione / sets up a demo project and prints an enrolment code", Run: cmdDemo})
}

func cmdServe(e env, args []string) int {
	c := named("serve")
	fs, data := flags(e, c)
	addr := fs.String("addr", "127.0.0.1:8470", "indirizzo di ascolto / listen address")
	addrFile := fs.String("addr-file", "", "scrive qui l'indirizzo su cui ascolta, quando ascolta (con --addr 127.0.0.1:0: una porta libera) / writes the address it listens on here, once it listens (with --addr 127.0.0.1:0: a free port)")
	cert := fs.String("cert", "", "certificato TLS (PEM) / TLS certificate (PEM)")
	key := fs.String("key", "", "chiave privata TLS (PEM) / TLS private key (PEM)")
	logFormat := fs.String("log", "json", "formato dei log: json o text / log format: json or text")
	logLevel := fs.String("log-level", "info", "livello minimo dei log: debug, info, warn, error / lowest log level: debug, info, warn, error")
	proxies := fs.String("trusted-proxy", "", "proxy inversi fidati (CIDR, separati da virgole): il client si legge da X-Forwarded-For / trusted reverse proxies (CIDR, comma-separated): the client is read from X-Forwarded-For")
	deviceQuota := fs.Int64("device-quota-mib", server.DefaultDeviceQuota>>20, "spazio sul server per computer, in MiB (0 = senza limite) / server storage per laptop, in MiB (0 = no bound)")
	teamQuota := fs.Int64("team-quota-mib", server.DefaultTeamQuota>>20, "spazio sul server per squadra, in MiB (0 = senza limite) / server storage per team, in MiB (0 = no bound)")
	deviceRate := fs.Float64("device-rate", server.DefaultDeviceRate, "richieste al secondo per computer o app dei coordinatori, in media, tra tutti i processi / requests a second per laptop or coordinators' app, on average, across all processes")
	deviceBurst := fs.Int("device-burst", server.DefaultDeviceBurst, "richieste di fila oltre la media / requests in a row beyond the average")
	if st, ok := parse(e, fs, data, args); !ok {
		return st
	}
	if *deviceRate <= 0 || *deviceBurst < 1 {
		fmt.Fprintln(e.stderr, "sinba-server: --device-rate e --device-burst vanno oltre zero / --device-rate and --device-burst must be above zero")
		return 2
	}
	if (*cert == "") != (*key == "") {
		fmt.Fprintln(e.stderr, "sinba-server: --cert e --key vanno insieme / --cert and --key go together")
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(e.stderr, "sinba-server: --log-level %q non valido: debug, info, warn o error / invalid --log-level %q: debug, info, warn or error\n", *logLevel, *logLevel)
		return 2
	}
	cfg := server.Config{DeviceQuota: quotaBytes(*deviceQuota), TeamQuota: quotaBytes(*teamQuota), DeviceRate: *deviceRate, DeviceBurst: *deviceBurst}
	for _, p := range strings.Split(*proxies, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			if a, aerr := netip.ParseAddr(p); aerr == nil {
				prefix, err = a.Prefix(a.BitLen())
			}
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "sinba-server: --trusted-proxy %q non valido (es. 10.0.0.1 o 10.0.0.0/24) / invalid --trusted-proxy %q (e.g. 10.0.0.1 or 10.0.0.0/24)\n", p, p)
			return 2
		}
		cfg.TrustedProxies = append(cfg.TrustedProxies, prefix)
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewJSONHandler(e.stderr, opts)
	if *logFormat == "text" {
		h = slog.NewTextHandler(e.stderr, opts)
	}
	log := slog.New(h)
	// The certificate is read before anything listens, so a wrong path
	// stops here instead of after "listening".
	var tlsCert *tls.Certificate
	if *cert != "" {
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			return fail(e, fmt.Errorf("certificato TLS non leggibile / unreadable TLS certificate: %w", err))
		}
		tlsCert = &pair
	}
	st, err := openExisting(data)
	if err != nil {
		return fail(e, err)
	}
	defer st.Close()
	if m := st.Migrated(); len(m) > 0 {
		log.Info("schema brought up to date", "migrations", m)
	} else {
		log.Info("schema up to date")
	}
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
	if tlsCert != nil {
		scheme = "https"
	}
	log.Info("listening", "url", scheme+"://"+ln.Addr().String(), "database", data.String())
	if *addrFile != "" {
		if err := writeAddrFile(*addrFile, ln.Addr().String()); err != nil {
			ln.Close()
			return fail(e, err)
		}
		defer os.Remove(*addrFile)
	}
	if e.ready != nil {
		e.ready(ln.Addr().String())
	}
	if err := server.New(st, cfg, log).Serve(ctx, ln, tlsCert); err != nil {
		return fail(e, err)
	}
	log.Info("stopped")
	return 0
}

// writeAddrFile writes the address the server listens on, whole or not at
// all: a script waiting for the file never reads half an address.
func writeAddrFile(path, addr string) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(addr+"\n"), 0o644); err != nil {
		return fmt.Errorf("file dell'indirizzo non scrivibile / cannot write the address file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("file dell'indirizzo non scrivibile / cannot write the address file: %w", err)
	}
	return nil
}

// quotaBytes turns a quota flag in MiB into Config's bytes: 0 is no bound.
func quotaBytes(mib int64) int64 {
	if mib <= 0 {
		return -1
	}
	return mib << 20
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
	if *data.data == "" {
		fmt.Fprintln(e.stderr, "sinba-server: manca --data, dove scrivere la chiave del progetto / --data is missing, where to write the project key")
		return 2
	}
	if err := os.MkdirAll(*data.data, 0o700); err != nil { // on PostgreSQL, the store does not make it
		return fail(e, err)
	}
	st, err := server.Open(data.Database())
	if err != nil {
		return fail(e, err)
	}
	defer st.Close()
	ctx := context.Background()
	keyPath := filepath.Join(*data.data, demoKeyFile)
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
	fmt.Fprintf(e.stderr, "sinba-server: progetto / project %q, squadra / team %q (comuni / municipalities %s), rilevatore / researcher %q\n",
		demoProject, demoTeam, strings.Join(assigned, ", "), demoResearcher)
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
