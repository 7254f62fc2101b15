package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"filippo.io/age"
	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx", for the drills' databases

	"sinba/assets"
	"sinba/localdb"
	"sinba/survey"
	"sinba/survey/synth"
	"sinba/sync/client"
	"sinba/sync/seal"
	"sinba/sync/server"
	"sinba/sync/session"
	"sinba/sync/wire"
)

// The reference date of all synthetic data here: fixed, so every run
// measures the same records.
var benchRefDate = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

type domain struct {
	reg *survey.Registry
	ref *survey.Reference
}

func loadDomain() (*domain, error) {
	ref, err := survey.LoadReference(assets.Reference)
	if err != nil {
		return nil, err
	}
	reg, err := survey.LoadInstruments(assets.Instruments, ref)
	if err != nil {
		return nil, err
	}
	return &domain{reg: reg, ref: ref}, nil
}

// cases generates n case records of the given municipalities.
func (d *domain) cases(seed uint64, n int, munis []string) ([]survey.Record, error) {
	ds, err := synth.Generate(d.reg, d.ref, synth.Options{Seed: seed, Cases: n, Municipalities: munis,
		RefDate: benchRefDate, NoQuestionnaires: true})
	if err != nil {
		return nil, err
	}
	return ds.Records, nil
}

// cheapKDF keeps Argon2id out of the figures that are not about unlocking
// (the unlock figure measures the production parameters on their own).
var cheapKDF = localdb.Options{KDF: localdb.KDFParams{Time: 1, Memory: 64, Threads: 1}}

var passphrase = []byte("passphrase del banco di prova")

// project is a real server store with a project, teams and assignments,
// set up through the same Store methods the sinba-server admin commands use.
type project struct {
	dir      string
	database string // what server.Open takes: dir, or a PostgreSQL URL
	drop     func() error
	store    *server.Store
	id       string
	key      *age.X25519Identity // the coordinators' key
	teams    []string
	munis    map[string][]string // team id -> ISTAT codes
}

// close closes the project's store, if still open, and drops its
// database if the drill made one.
func (p *project) close() error {
	if p.store != nil {
		p.store.Close()
		p.store = nil
	}
	return p.drop()
}

// pilotMunicipalities are real ISTAT codes spread across regions (Roma,
// Napoli, Milano, Torino, Bari, Palermo, Firenze, Bologna, Cagliari,
// Perugia, ...), handed out to teams round robin.
var pilotMunicipalities = []string{"058091", "063049", "015146", "001272", "072006", "082053", "048017", "037006",
	"092009", "054039", "065116", "023091", "042002", "067041", "078045", "080063", "032006", "010025", "021008", "006003"}

func newProject(dir string, teams int) (*project, error) {
	return newProjectOn(backend{}, dir, teams)
}

// backend is where a drill's server keeps its data: SQLite in the drill's
// folder, or, with postgres set (the URL of a PostgreSQL server, as a user
// who may create databases), a database the drill creates there for
// itself and drops at the end.
type backend struct{ postgres string }

func (b backend) String() string {
	if b.postgres != "" {
		return "PostgreSQL"
	}
	return "SQLite"
}

// database makes the drill's database: dir itself for SQLite, or a new
// PostgreSQL database; drop removes it once every store on it is closed.
func (b backend) database(dir string) (database string, drop func() error, err error) {
	if b.postgres == "" {
		return dir, func() error { return nil }, nil
	}
	u, err := url.Parse(b.postgres)
	if err != nil || !server.IsPostgres(b.postgres) {
		return "", nil, fmt.Errorf("--postgres %q non è l'indirizzo di un server PostgreSQL (postgres://utente@host/postgres) / is not a PostgreSQL server's address (postgres://user@host/postgres)", b.postgres)
	}
	admin, err := sql.Open("pgx", b.postgres)
	if err != nil {
		return "", nil, err
	}
	name := "sinba_bench_" + strings.ReplaceAll(uuid.NewString()[:13], "-", "")
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("PostgreSQL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), func() error {
		defer admin.Close()
		_, err := admin.Exec(`DROP DATABASE ` + name)
		return err
	}, nil
}

// newProjectOn is newProject on b: its database is made in (or for) dir.
func newProjectOn(b backend, dir string, teams int) (*project, error) {
	ctx := context.Background()
	database, drop, err := b.database(dir)
	if err != nil {
		return nil, err
	}
	st, err := server.Open(database)
	if err != nil {
		drop()
		return nil, err
	}
	p := &project{dir: dir, database: database, drop: drop, store: st, munis: map[string][]string{}}
	if p.key, err = seal.NewKey(); err != nil {
		return nil, err
	}
	if p.id, err = st.CreateProject(ctx, "Pilota sintetico", p.key.Recipient().String()); err != nil {
		return nil, err
	}
	// The coordinators' set-up comes first: the server makes no laptop code
	// for a project without its pseudonym secret.
	_, sealed, err := seal.NewProjectSecret(p.key.Recipient())
	if err != nil {
		return nil, err
	}
	if ref, err := st.SetProjectSecret(ctx, p.id, sealed); err != nil {
		return nil, err
	} else if ref != nil {
		return nil, ref
	}
	for i := 0; i < teams; i++ {
		t, err := st.CreateTeam(ctx, p.id, fmt.Sprintf("Squadra %03d", i+1))
		if err != nil {
			return nil, err
		}
		p.teams = append(p.teams, t)
	}
	for i, m := range pilotMunicipalities {
		t := p.teams[i%teams]
		if err := st.Assign(ctx, t, m); err != nil {
			return nil, err
		}
		p.munis[t] = append(p.munis[t], m)
	}
	// Teams beyond the list share municipalities with earlier ones: an
	// assignment may go to more than one team.
	for i, t := range p.teams {
		if len(p.munis[t]) == 0 {
			m := pilotMunicipalities[i%len(pilotMunicipalities)]
			if err := st.Assign(ctx, t, m); err != nil {
				return nil, err
			}
			p.munis[t] = []string{m}
		}
	}
	// Publish the shipped instruments, as "sinba-server instrument publish" does.
	err = fs.WalkDir(assets.Instruments, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(assets.Instruments, path)
		if err != nil {
			return err
		}
		var head struct {
			ID      string `json:"id"`
			Version int    `json:"version"`
		}
		if err := json.Unmarshal(body, &head); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return st.Publish(ctx, p.id, head.ID, head.Version, body)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// publishDictionary trains a zstd dictionary for the case instrument's
// latest published version on synthetic records (seed apart from the
// measured ones) and publishes it with the version, as the coordinators do.
func (p *project) publishDictionary(d *domain, munis []string) error {
	ctx := context.Background()
	ins, err := p.store.Instruments(ctx, p.id)
	if err != nil {
		return err
	}
	var latest *wire.Instrument
	for i := range ins {
		if ins[i].ID == survey.InstrumentCase && (latest == nil || ins[i].Version > latest.Version) {
			latest = &ins[i]
		}
	}
	if latest == nil {
		return fmt.Errorf("no %s instrument published", survey.InstrumentCase)
	}
	samples, err := d.cases(99, 400, munis)
	if err != nil {
		return err
	}
	if latest.Dictionary, err = seal.TrainDictionary(*latest, samples); err != nil {
		return err
	}
	return p.store.PublishInstrument(ctx, p.id, *latest)
}

// code makes a researcher of team and a one-time enrolment code for them.
func (p *project) code(team string) (string, error) {
	ctx := context.Background()
	rid, err := p.store.CreateResearcher(ctx, team, fmt.Sprintf("Rilevatore %d", time.Now().UnixNano()))
	if err != nil {
		return "", err
	}
	c, _, err := p.store.CreateCode(ctx, rid, time.Hour)
	return c, err
}

// countingListener counts the bytes the server reads and writes: what goes
// on the wire, headers and framing included.
type countingListener struct {
	net.Listener
	in, out atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, l: l}, nil
}

func (l *countingListener) reset()       { l.in.Store(0); l.out.Store(0) }
func (l *countingListener) total() int64 { return l.in.Load() + l.out.Load() }

type countingConn struct {
	net.Conn
	l *countingListener
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.l.in.Add(int64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.l.out.Add(int64(n))
	return n, err
}

// httpServer serves h on a fresh loopback port behind a byte counter.
type httpServer struct {
	URL string
	ln  *countingListener
	hs  *http.Server
}

func serveHTTP(h http.Handler) (*httpServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &httpServer{URL: "http://" + ln.Addr().String(), ln: &countingListener{Listener: ln},
		hs: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	go s.hs.Serve(s.ln)
	return s, nil
}

func (s *httpServer) Close() { s.hs.Close() }

// serveProject serves the sinba API over p's store.
func serveProject(p *project, cfg server.Config) (*httpServer, error) {
	return serveHTTP(server.New(p.store, cfg, slog.New(slog.DiscardHandler)))
}

// laptop is a real local store with a sync client.
type laptop struct {
	dir    string
	store  *localdb.Store
	client *client.Client
	format int // the wire format its client speaks, where a drill mixes them
}

// fastBackoff retries quickly: the drills count on retries, not on waiting.
var fastBackoff = session.Backoff{Base: 5 * time.Millisecond, Max: 100 * time.Millisecond, Attempts: 6}

func newLaptop(dir string, opt client.Options) (*laptop, error) {
	st, _, err := localdb.CreateWith(dir, passphrase, cheapKDF)
	if err != nil {
		return nil, err
	}
	return &laptop{dir: dir, store: st, client: client.New(st, opt)}, nil
}

// enrol makes a laptop and enrols it with a fresh code of team.
func enrolLaptop(ctx context.Context, p *project, team, url, dir string, opt client.Options) (*laptop, error) {
	code, err := p.code(team)
	if err != nil {
		return nil, err
	}
	l, err := newLaptop(dir, opt)
	if err != nil {
		return nil, err
	}
	if _, err := l.client.Enrol(ctx, url, code); err != nil {
		l.store.Close()
		return nil, fmt.Errorf("enrol: %w", err)
	}
	return l, nil
}

// dirSize is the bytes of every file in dir.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

func tempDir(prefix string) (string, func(), error) {
	d, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", nil, err
	}
	return d, func() { os.RemoveAll(d) }, nil
}

// latencyProxy forwards TCP connections to target, holding every chunk of
// bytes for oneWay before passing it on, in both directions: a link with a
// round-trip time of twice oneWay and no bandwidth limit.
type latencyProxy struct {
	ln     net.Listener
	target string
	oneWay time.Duration
}

func newLatencyProxy(target string, oneWay time.Duration) (*latencyProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &latencyProxy{ln: ln, target: target, oneWay: oneWay}
	go p.serve()
	return p, nil
}

func (p *latencyProxy) URL() string { return "http://" + p.ln.Addr().String() }
func (p *latencyProxy) Close()      { p.ln.Close() }

func (p *latencyProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				return
			}
			defer up.Close()
			done := make(chan struct{}, 2)
			go p.pipe(up, c, done)
			go p.pipe(c, up, done)
			<-done
		}()
	}
}

// pipe delays each chunk read from src by oneWay, keeping their order: the
// chunks are in flight together, as on a real link.
func (p *latencyProxy) pipe(dst, src net.Conn, done chan<- struct{}) {
	defer func() { done <- struct{}{} }()
	type chunk struct {
		at   time.Time
		data []byte
	}
	q := make(chan chunk, 1024)
	go func() {
		defer close(q)
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			if n > 0 {
				q <- chunk{time.Now().Add(p.oneWay), buf[:n]}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range q {
		time.Sleep(time.Until(c.at))
		if _, err := dst.Write(c.data); err != nil {
			return
		}
	}
	if tc, ok := dst.(*net.TCPConn); ok {
		tc.CloseWrite()
	}
}
