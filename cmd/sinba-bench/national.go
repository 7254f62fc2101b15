package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"filippo.io/age"
	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // the database/sql driver "pgx", for the database's size

	"sinba/survey"
	"sinba/sync/seal"
	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

// nationalScale is the shape of a national roll-out: about 400,000
// children in charge across Italy's 7,901 municipalities, each record
// revised four times (first entry, two updates, the final one).
type nationalScale struct {
	children, revisions, municipalities, teams, laptops int
	atOnce, perBatch                                    int
	processes                                           int
	backend                                             backend
	cpuProfile                                          string // the upload phases' CPU profile, for go tool pprof
}

func runNational(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("national", stderr)
	var sc nationalScale
	fs.IntVar(&sc.children, "children", 400_000, "minori in carico, una scheda ciascuno / children in charge, one case record each")
	fs.IntVar(&sc.revisions, "revisions", 4, "revisioni di ogni scheda / revisions of each record")
	fs.IntVar(&sc.municipalities, "municipalities", 7901, "comuni / municipalities")
	fs.IntVar(&sc.teams, "teams", 400, "squadre, ciascuna con i suoi comuni / teams, each with its municipalities")
	fs.IntVar(&sc.laptops, "laptops", 2000, "portatili / laptops")
	fs.IntVar(&sc.atOnce, "at-once", 32, "portatili che sincronizzano nello stesso momento / laptops syncing at the same moment")
	fs.IntVar(&sc.perBatch, "per-batch", 100, "revisioni per lotto / revisions per batch")
	fs.IntVar(&sc.processes, "processes", 1, "processi del server sulla stessa base di dati / server processes on the same database")
	fs.StringVar(&sc.backend.postgres, "postgres", "", postgresUsage)
	fs.StringVar(&sc.cpuProfile, "cpuprofile", "", "scrive il profilo della CPU delle fasi d'invio in questo file (go tool pprof) / writes the upload phases' CPU profile to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if sc.children < 1 || sc.revisions < 1 || sc.teams < 1 || sc.laptops < sc.teams || sc.municipalities < sc.teams ||
		sc.atOnce < 1 || sc.perBatch < 1 || sc.perBatch > wire.DefaultLimits.MaxRevisions || sc.processes < 1 {
		fmt.Fprintln(stderr, "national: valori non validi (almeno un portatile e un comune per squadra, lotti fino al limite del server) / invalid values (at least one laptop and one municipality per team, batches up to the server's limit)")
		return 2
	}
	res, err := nationalRun(sc, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stdout, "national: ERRORE / ERROR: %v\n", err)
		return 1
	}
	fmt.Fprintln(stdout, res)
	if res.lost != 0 || res.extra != 0 {
		fmt.Fprintln(stdout, "ESITO / RESULT: qualcosa è andato perso o doppio / something was lost or duplicated")
		return 1
	}
	fmt.Fprintln(stdout, "ESITO / RESULT: nulla perso / nothing lost")
	return 0
}

// nationalResult is what one national run measured.
type nationalResult struct {
	sc          nationalScale
	backend     string
	setup       time.Duration // the project, teams, assignments, enrolments
	elapsed     time.Duration // every revision uploaded
	revisions   int           // on the server at the end
	lost, extra int
	rounds      []time.Duration // one laptop's sync round: its batches of one revision each of its children
	bytes       int64           // the database on disk
	busy        int64           // batches the server answered 503 or 429 to, sent again
}

func (r *nationalResult) String() string {
	perSec := float64(r.revisions) / r.elapsed.Seconds()
	return fmt.Sprintf("national [%s, %d processo/i / process(es)]: %d minori, %d revisioni ciascuno, %d comuni, %d squadre, %d portatili, %d alla volta, lotti di %d / %d children, %d revisions each, %d municipalities, %d teams, %d laptops, %d at once, batches of %d\n"+
		"national: preparazione / set-up %s; %d revisioni in %s: %.0f revisioni/s / revisions a second; giro di un portatile / one laptop's round %s\n"+
		"national: base di dati / database %.1f MiB, %.0f byte per revisione / bytes per revision; perse / lost %d, doppie / duplicated %d; "+
		"risposte 503/429 (server occupato, lotto rinviato) / 503/429 answers (server busy, batch sent again) %d; %s",
		r.backend, r.sc.processes, r.sc.children, r.sc.revisions, r.sc.municipalities, r.sc.teams, r.sc.laptops, r.sc.atOnce, r.sc.perBatch,
		r.sc.children, r.sc.revisions, r.sc.municipalities, r.sc.teams, r.sc.laptops, r.sc.atOnce, r.sc.perBatch,
		r.setup.Round(time.Millisecond), r.revisions, r.elapsed.Round(time.Millisecond), perSec, quantiles(r.rounds),
		float64(r.bytes)/(1<<20), float64(r.bytes)/float64(max(1, r.revisions)), r.lost, r.extra, r.busy, machine())
}

// nationalLaptop is a simulated laptop: a device enrolled over HTTP that
// speaks the wire protocol, with its children.
type nationalLaptop struct {
	dev      *synctest.Device
	children []int // global child numbers
	munis    []string
}

// nationalRun sets up a project of sc.teams teams over sc.municipalities
// municipalities and enrols sc.laptops laptops, then plays the roll-out:
// in each of sc.revisions phases every laptop syncs one revision of each of
// its children, sc.atOnce laptops at a time, through sc.processes server
// processes on one database (laptops spread round robin, as behind a
// proxy), whose internal errors go to errs. The ciphertexts are sealed once and sent again under fresh ids:
// sealing is the laptops' work, and what is measured is the server.
func nationalRun(sc nationalScale, w, errs io.Writer) (*nationalResult, error) {
	ctx := context.Background()
	res := &nationalResult{sc: sc, backend: sc.backend.String()}
	tmp, done, err := tempDir("sinba-bench-national-")
	if err != nil {
		return nil, err
	}
	defer done()
	start := time.Now()
	dir := filepath.Join(tmp, "server")
	p, err := newProjectOn(sc.backend, dir, sc.teams)
	if err != nil {
		return nil, err
	}
	defer p.close()
	// Every team gets its share of the municipalities (the pilot's
	// assignments newProject made stay too).
	for m := 0; m < sc.municipalities; m++ {
		t := p.teams[m%sc.teams]
		code := fmt.Sprintf("%06d", 100001+m)
		if err := p.store.Assign(ctx, t, code); err != nil {
			return nil, err
		}
		p.munis[t] = append(p.munis[t], code)
	}
	cfg := server.Config{EnrolRate: 1e6, EnrolBurst: 1e6, EnrolGlobalRate: 1e6, EnrolGlobalBurst: 1e6}
	var urls []string
	for i := 0; i < sc.processes; i++ {
		st := p.store
		if i > 0 {
			// Another process: its own store, with its own connections, on
			// the same database.
			if st, err = server.Open(p.database); err != nil {
				return nil, err
			}
			defer st.Close()
		}
		srv, err := serveHTTP(server.New(st, cfg, slog.New(slog.NewTextHandler(errs, &slog.HandlerOptions{Level: slog.LevelError}))))
		if err != nil {
			return nil, err
		}
		defer srv.Close()
		urls = append(urls, srv.URL)
	}
	busy := &busyCounter{rt: &http.Transport{MaxIdleConnsPerHost: sc.atOnce}}
	hc := &http.Client{Transport: busy}
	laps := make([]*nationalLaptop, sc.laptops)
	for i := range laps {
		team := p.teams[i%sc.teams]
		code, err := p.code(team)
		if err != nil {
			return nil, err
		}
		dev, err := synctest.Enrol(hc, urls[i%len(urls)], code)
		if err != nil {
			return nil, fmt.Errorf("laptop %d: %w", i, err)
		}
		laps[i] = &nationalLaptop{dev: dev, munis: p.munis[team]}
	}
	for c := 0; c < sc.children; c++ {
		l := laps[c%sc.laptops]
		l.children = append(l.children, c)
	}
	pool, err := newNationalPool(p.key.Recipient(), sc.perBatch)
	if err != nil {
		return nil, err
	}
	res.setup = time.Since(start)

	stopProfile := func() {}
	if sc.cpuProfile != "" {
		f, err := os.Create(sc.cpuProfile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return nil, err
		}
		stopProfile = sync.OnceFunc(pprof.StopCPUProfile)
		defer stopProfile()
	}
	fmt.Fprintf(w, "national: preparazione / set-up %s; carico medio / load average %s\n", res.setup.Round(time.Millisecond), loadAverage())
	var mu sync.Mutex
	var failed error
	start = time.Now()
	for k := 0; k < sc.revisions; k++ {
		jobs := make(chan *nationalLaptop)
		var wg sync.WaitGroup
		for range sc.atOnce {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for l := range jobs {
					t0 := time.Now()
					err := l.syncRound(ctx, k, sc.perBatch, pool)
					el := time.Since(t0)
					mu.Lock()
					res.rounds = append(res.rounds, el)
					if err != nil && failed == nil {
						failed = err
					}
					mu.Unlock()
				}
			}()
		}
		for _, l := range laps {
			jobs <- l
		}
		close(jobs)
		wg.Wait()
		if failed != nil {
			return nil, failed
		}
		fmt.Fprintf(w, "national: revisione %d di ogni scheda inviata / revision %d of every record uploaded: %s; carico medio / load average %s\n", k+1, k+1, time.Since(start).Round(time.Millisecond), loadAverage())
	}
	res.elapsed = time.Since(start)
	stopProfile()
	t0 := time.Now()
	sum, err := p.store.Summary(ctx)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "national: riepilogo del server (sinba-server status) / the server's summary: %s; carico medio / load average %s\n", time.Since(t0).Round(time.Millisecond), loadAverage())
	res.revisions = sum.Revisions
	want := sc.children * sc.revisions
	res.lost, res.extra = max(0, want-sum.Revisions), max(0, sum.Revisions-want)
	if sum.Records != sc.children {
		res.lost += max(0, sc.children-sum.Records)
		res.extra += max(0, sum.Records-sc.children)
	}
	res.busy = busy.n.Load()
	if res.bytes, err = databaseSize(p.database); err != nil {
		return nil, err
	}
	return res, nil
}

// syncRound uploads revision k of each of l's children, in batches of
// format 2 (what the laptops send).
func (l *nationalLaptop) syncRound(ctx context.Context, k, perBatch int, pool *nationalPool) error {
	for i := 0; i < len(l.children); i += perBatch {
		part := l.children[i:min(len(l.children), i+perBatch)]
		b := &wire.Batch{Version: wire.FormatV2, ID: uuid.NewString(), Header: &wire.Header{Content: pool.header.Content, Identity: pool.header.Identity}}
		b.Header.Batch = b.ID
		b.Revisions = make([]wire.Revision, len(part))
		for j, c := range part {
			r := pool.revs[c%len(pool.revs)]
			r.RecordID, r.Revision = nationalID(c, 0), nationalID(c, k+1)
			if k > 0 {
				r.BaseRevision = nationalID(c, k)
			}
			r.Municipality = l.munis[c%len(l.munis)]
			b.Revisions[j] = r
		}
		rc, err := l.dev.Send(ctx, b)
		if err != nil {
			return err
		}
		if rc.Count != len(part) || len(rc.Refused) > 0 {
			return fmt.Errorf("batch of %d revisions: the server holds %d, refused %d", len(part), rc.Count, len(rc.Refused))
		}
	}
	return nil
}

// busyCounter counts the answers that tell a laptop to come back later
// (the server's queue full, or the signer's rate): each is a batch sent
// again, signed afresh.
type busyCounter struct {
	rt http.RoundTripper
	n  atomic.Int64
}

func (b *busyCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := b.rt.RoundTrip(r)
	if err == nil && (resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusTooManyRequests) {
		b.n.Add(1)
	}
	return resp, err
}

// nationalID is the id of child c's record (rev 0) or of its revision rev:
// a valid UUID, the same in every run.
func nationalID(c, rev int) string {
	return fmt.Sprintf("%08x-%04x-4000-8000-%012x", c, rev, c)
}

// nationalPool is a batch's worth of realistic case records sealed once in
// format 2 for the project and a team key (without a dictionary), and the
// batch header that holds their keys. Every batch sent carries them again
// under fresh ids: the server cannot tell, as it cannot open them.
type nationalPool struct {
	header wire.Header
	revs   []wire.Revision
}

func newNationalPool(project age.Recipient, n int) (*nationalPool, error) {
	team, err := seal.NewKey()
	if err != nil {
		return nil, err
	}
	s, err := seal.NewBatchSealer(uuid.NewString(), "national", project, team.Recipient(), nil)
	if err != nil {
		return nil, err
	}
	p := &nationalPool{header: s.Header(), revs: make([]wire.Revision, n)}
	for i := range p.revs {
		rec := synctest.RealisticCase("063049", uint64(i))
		rev := uuid.NewString()
		content, identity, err := s.Seal(rec, rev)
		if err != nil {
			return nil, err
		}
		p.revs[i] = wire.Revision{Instrument: rec.Instrument, InstrumentVersion: rec.Version, Status: survey.StatusDraft,
			SavedAt: benchRefDate, Content: content, Identity: identity}
	}
	return p, nil
}

// databaseSize is the bytes the database takes on disk: SQLite's files in
// its folder, or what PostgreSQL counts for the database (tables, indexes,
// TOAST; not the WAL, which is the cluster's).
func databaseSize(database string) (int64, error) {
	if !server.IsPostgres(database) {
		return dirSize(database), nil
	}
	db, err := sql.Open("pgx", database)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	return n, db.QueryRow(`SELECT pg_database_size(current_database())`).Scan(&n)
}
