package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/google/uuid"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
	_ "modernc.org/sqlite"

	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/sync/seal"
	"sinba/sync/server"
	"sinba/sync/synctest"
	"sinba/sync/wire"
)

// row is one line of the table: a figure of ours beside its baseline and,
// where issue #16 set one, its target.
type row struct {
	figure, unit string
	ours, base   float64 // base 0: no baseline
	share        bool    // ours is a part of base: the ratio is a percentage
	target       *target
}

// target is what a figure must reach: its text, and whether ours (and the
// baseline) reach it.
type target struct {
	text string
	met  func(ours, base float64) bool
}

// atMostTimes is a ratio to the baseline of at most x.
func atMostTimes(text string, x float64) *target {
	return &target{text, func(ours, base float64) bool { return base > 0 && ours/base <= x }}
}

func (r row) targetCell() string {
	switch {
	case r.target == nil:
		return ""
	case r.target.met(r.ours, r.base):
		return r.target.text + ": met"
	}
	return r.target.text + ": **not met**"
}

func (r row) ratio() string {
	switch {
	case r.base == 0:
		return "—"
	case r.share && 100*r.ours/r.base < 1:
		return fmt.Sprintf("%.2f%%", 100*r.ours/r.base)
	case r.share:
		return fmt.Sprintf("%.1f%%", 100*r.ours/r.base)
	}
	return fmt.Sprintf("%.3g×", r.ours/r.base)
}

func num(x float64) string {
	switch {
	case x == 0:
		return "—"
	case x >= 100:
		return withThousands(fmt.Sprintf("%.0f", x))
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.3g", x)
}

func withThousands(s string) string {
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// sizes of one run.
type sizes struct {
	saves, syncs, benchtime int
}

func runBench(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("run", stderr)
	quick := fs.Bool("quick", false, "carichi piccoli, meno di due minuti / small workloads, under two minutes")
	goTest := fs.Bool("go-test", true, "esegue anche go test -bench dei pacchetti (spento da --quick salvo richiesta) / also runs the packages' go test -bench (off with --quick unless asked)")
	benchtime := fs.Int("benchtime", 20, "iterazioni per i benchmark di go test / iterations for the go test benchmarks")
	saves := fs.Int("saves", 0, "salvataggi misurati (0 = 3000, 300 con --quick) / saves measured")
	syncs := fs.Int("syncs", 0, "schede sincronizzate misurate (0 = 2000, 300 con --quick) / synced records measured")
	only := fs.String("steps", "store,sync,raw", "parti da misurare, separate da virgole / parts to measure, comma-separated")
	cpuProfile := fs.String("cpuprofile", "", "scrive il profilo della CPU delle parti misurate in questo file (go tool pprof) / writes the CPU profile of the parts measured to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	sz := sizes{saves: 3000, syncs: 2000, benchtime: *benchtime}
	if *quick {
		sz = sizes{saves: 300, syncs: 300, benchtime: *benchtime}
		if !explicit["go-test"] {
			*goTest = false
		}
	}
	if *saves > 0 {
		sz.saves = *saves
	}
	if *syncs > 0 {
		sz.syncs = *syncs
	}
	d, err := loadDomain()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintln(stdout, machine())
	fmt.Fprintf(stdout, "Load average (1, 5, 15 min) at the start: %s\n", loadAverage())
	fmt.Fprintln(stdout)
	start := time.Now()
	var rows []row
	steps := []struct {
		name string
		f    func(*domain, sizes, io.Writer) ([]row, error)
	}{{"store", benchStore}, {"sync", benchSync}, {"raw", benchRaw}}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	for _, s := range steps {
		if !slices.Contains(strings.Split(*only, ","), s.name) {
			continue
		}
		fmt.Fprintf(stderr, "… %s\n", s.name)
		r, err := s.f(d, sz, stderr)
		if err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", s.name, err)
			return 1
		}
		rows = append(rows, r...)
	}
	rows = withShares(rows)
	fmt.Fprintln(stdout, "| figure | ours | baseline | ratio | target (#16) | unit |")
	fmt.Fprintln(stdout, "|---|---:|---:|---:|---|---|")
	for _, r := range rows {
		fmt.Fprintf(stdout, "| %s | %s | %s | %s | %s | %s |\n", r.figure, num(r.ours), num(r.base), r.ratio(), r.targetCell(), r.unit)
	}
	fmt.Fprintf(stdout, "\nIn-process figures measured in %s (%d saves, %d synced records); load average at the end: %s.\n",
		time.Since(start).Round(time.Second), sz.saves, sz.syncs, loadAverage())
	if *goTest {
		fmt.Fprintln(stderr, "… go test -bench")
		if err := goTestBenchmarks(stdout, stderr, sz.benchtime); err != nil {
			fmt.Fprintf(stderr, "go test -bench: %v\n", err)
			return 1
		}
	}
	return 0
}

// machine describes where the figures were measured.
func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			var kb int64
			if _, err := fmt.Sscanf(l, "MemTotal: %d kB", &kb); err == nil {
				mem = fmt.Sprintf(", %.0f GiB RAM", float64(kb)/(1<<20))
				break
			}
		}
	}
	return fmt.Sprintf("Machine: %s, %d logical CPUs (GOMAXPROCS %d)%s, %s/%s, %s", cpu, runtime.NumCPU(), runtime.GOMAXPROCS(0),
		mem, runtime.GOOS, runtime.GOARCH, runtime.Version())
}

// loadAverage is the machine's load average, as /proc/loadavg says: the
// machine may be shared, and the time figures move with it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], ", ")
	}
	return "unknown"
}

// plainDSN opens a plain SQLite file with the pragmas localdb uses, so the
// baseline differs from the store only in what the store adds.
func plainDSN(path string) string {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(ON)",
		"temp_store(MEMORY)", "secure_delete(ON)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// linkRTT is the round-trip time of the slow-link figure: a plausible
// figure for a municipal office's ADSL or mobile connection (an assumption,
// not a measurement of any office).
const linkRTT = 40 * time.Millisecond

// rounds is how many chunks a workload is measured in.
const rounds = 5

// chunks splits n items into k ranges [from, to).
func chunks(n, k int) [][2]int {
	var out [][2]int
	for i := 0; i < k; i++ {
		if from, to := n*i/k, n*(i+1)/k; to > from {
			out = append(out, [2]int{from, to})
		}
	}
	return out
}

func median(xs []time.Duration) time.Duration {
	s := append([]time.Duration(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

func perOp(r testing.BenchmarkResult) time.Duration { return time.Duration(r.NsPerOp()) }

// benchStore: saves, disk, unlock and lookup of the encrypted store beside a
// plain SQLite table holding the same records as JSON.
func benchStore(d *domain, sz sizes, log io.Writer) ([]row, error) {
	ctx := context.Background()
	tmp, done, err := tempDir("sinba-bench-store-")
	if err != nil {
		return nil, err
	}
	defer done()
	recs, err := d.cases(101, sz.saves, pilotMunicipalities[:10])
	if err != nil {
		return nil, err
	}
	sdir := filepath.Join(tmp, "store")
	st, _, err := localdb.CreateWith(sdir, passphrase, cheapKDF)
	if err != nil {
		return nil, err
	}
	ppath := filepath.Join(tmp, "plain", "plain.db")
	os.MkdirAll(filepath.Dir(ppath), 0o700)
	db, err := sql.Open("sqlite", plainDSN(ppath))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE plain (id TEXT PRIMARY KEY, cf TEXT, record TEXT NOT NULL) STRICT;
		CREATE INDEX plain_cf ON plain(cf)`); err != nil {
		return nil, err
	}
	// In alternating chunks, so that both sides see the same background
	// load of a shared machine; the figure is the median chunk.
	var saveTimes, plainTimes []time.Duration
	for _, c := range chunks(len(recs), rounds) {
		t0 := time.Now()
		for _, r := range recs[c[0]:c[1]] {
			if _, err := st.Save(ctx, r, localdb.SaveOptions{Status: survey.StatusFinal, Actor: "bench"}); err != nil {
				return nil, err
			}
		}
		saveTimes = append(saveTimes, time.Since(t0)/time.Duration(c[1]-c[0]))
		t0 = time.Now()
		for _, r := range recs[c[0]:c[1]] {
			j, _ := json.Marshal(r)
			if _, err := db.Exec(`INSERT INTO plain(id, cf, record) VALUES (?, ?, ?)`, r.ID, r.Identity.FiscalCode, string(j)); err != nil {
				return nil, err
			}
		}
		plainTimes = append(plainTimes, time.Since(t0)/time.Duration(c[1]-c[0]))
	}
	saveTime, plainTime := median(saveTimes), median(plainTimes)
	if err := st.Close(); err != nil {
		return nil, err
	}
	db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)

	// Unlock: open the store (cheap KDF) and load its index, against reading
	// and decoding every row of the plain table.
	var opens, reads []time.Duration
	for i := 0; i < 3; i++ {
		t0 := time.Now()
		s, err := localdb.OpenWith(sdir, passphrase, cheapKDF)
		if err != nil {
			return nil, err
		}
		opens = append(opens, time.Since(t0))
		s.Close()
		t0 = time.Now()
		if err := readAllPlain(ppath); err != nil {
			return nil, err
		}
		reads = append(reads, time.Since(t0))
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	t0 := time.Now()
	k := localdb.DefaultKDF
	argon2.IDKey(passphrase, salt, k.Time, k.Memory, k.Threads, 32)
	kdf := time.Since(t0)

	// Lookup by codice fiscale: the keyed blind index against a plain index.
	st, err = localdb.OpenWith(sdir, passphrase, cheapKDF)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var cf string
	for _, r := range recs {
		if r.Identity.FiscalCode != "" {
			cf = r.Identity.FiscalCode
		}
	}
	var lookErr error
	look := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
			if got, err := st.Lookup(ctx, cf); err != nil || len(got) == 0 {
				lookErr = fmt.Errorf("lookup %s: %d, %v", cf, len(got), err)
				return
			}
		}
	})
	plainLook := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
			var s string
			if err := db.QueryRow(`SELECT record FROM plain WHERE cf = ?`, cf).Scan(&s); err != nil {
				lookErr = err
				return
			}
		}
	})
	if lookErr != nil {
		return nil, lookErr
	}
	n := float64(len(recs))
	return []row{
		{figure: "save one case record: encrypted store (localdb.Save) vs plain SQLite insert, same pragmas", unit: "ms/record",
			ours: ms(saveTime), base: ms(plainTime)},
		{figure: fmt.Sprintf("disk per case record after %d saves (store vs plain table)", len(recs)), unit: "bytes",
			ours: float64(dirSize(sdir)) / n, base: float64(dirSize(filepath.Dir(ppath))) / n},
		{figure: fmt.Sprintf("unlock with %d records (open + index load, KDF apart) vs reading all plain rows", len(recs)), unit: "ms",
			ours: ms(median(opens)), base: ms(median(reads))},
		{figure: "unlock: Argon2id with the production parameters (t=4, 128 MiB, p=2), raw", unit: "ms", ours: ms(kdf)},
		{figure: "find a child by codice fiscale: keyed blind index vs plain indexed column", unit: "µs",
			ours: us(perOp(look)), base: us(perOp(plainLook))},
	}, nil
}

func readAllPlain(path string) error {
	db, err := sql.Open("sqlite", plainDSN(path))
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.Query(`SELECT record FROM plain`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		var r survey.Record
		if err := json.Unmarshal([]byte(s), &r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// captureTransport keeps the bodies of the batches a client posts, so the
// baseline can send exactly the same bytes.
type captureTransport struct {
	base   http.RoundTripper
	mu     sync.Mutex
	bodies [][]byte
	ctype  string
}

func (c *captureTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && req.URL.Path == wire.PathBatches && req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body.Close()
		c.mu.Lock()
		c.bodies = append(c.bodies, b)
		c.ctype = req.Header.Get("Content-Type")
		c.mu.Unlock()
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	return c.base.RoundTrip(req)
}

// benchSync uploads the same case records with sinba's sync, with a raw POST
// of the same compressed batches, and OpenRosa-style; and times an empty
// round beside a bare HTTP round trip.
func benchSync(d *domain, sz sizes, log io.Writer) ([]row, error) {
	ctx := context.Background()
	tmp, done, err := tempDir("sinba-bench-sync-")
	if err != nil {
		return nil, err
	}
	defer done()
	p, err := newProject(filepath.Join(tmp, "server"), 1)
	if err != nil {
		return nil, err
	}
	// The server's disk figure is taken with the database closed (WAL
	// checkpointed), less what the empty project already holds.
	p.store.Close()
	serverBefore := dirSize(p.dir)
	if p.store, err = server.OpenStore(p.dir); err != nil {
		return nil, err
	}
	closeStore := sync.OnceValue(p.store.Close)
	defer closeStore()
	srv, err := serveProject(p, server.Config{DisableLimits: true})
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	team := p.teams[0]
	if err := p.publishDictionary(d, p.munis[team]); err != nil {
		return nil, err
	}
	capture := &captureTransport{base: http.DefaultTransport.(*http.Transport).Clone()}
	lap, err := enrolLaptop(ctx, p, team, srv.URL, filepath.Join(tmp, "laptop"), client.Options{HTTPClient: &http.Client{Transport: capture}})
	if err != nil {
		return nil, err
	}
	defer lap.store.Close()
	if _, err := lap.client.SyncOnce(ctx, nil); err != nil {
		return nil, err
	}
	recs, err := d.cases(202, sz.syncs, p.munis[team])
	if err != nil {
		return nil, err
	}
	// The same compressed batches, posted raw to a handler that only reads them.
	sink, err := serveHTTP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	}))
	if err != nil {
		return nil, err
	}
	defer sink.Close()
	// OpenRosa-style: one multipart request with an XML instance per record,
	// into a server that stores each submission in SQLite.
	or, err := newOpenRosaServer(filepath.Join(tmp, "openrosa", "openrosa.db"))
	if err != nil {
		return nil, err
	}
	closeOR := sync.OnceFunc(or.Close)
	defer closeOR()
	hc := &http.Client{}

	// In chunks, each uploaded the three ways one after the other; the time
	// figures are the median chunk, the bytes are the total.
	var oursTimes, rawTimes, orTimes []time.Duration
	var oursBytes int64
	var sent [][]byte // every batch body, for the server alone
	for _, c := range chunks(len(recs), rounds) {
		part := recs[c[0]:c[1]]
		k := time.Duration(len(part))
		for _, r := range part {
			if _, err := lap.store.Save(ctx, r, localdb.SaveOptions{Status: survey.StatusFinal, Actor: "bench"}); err != nil {
				return nil, err
			}
		}
		srv.ln.reset()
		capture.bodies = nil
		t0 := time.Now()
		rep, err := lap.client.SyncOnce(ctx, nil)
		if err != nil {
			return nil, err
		}
		oursTimes = append(oursTimes, time.Since(t0)/k)
		if rep.Accepted != len(part) {
			return nil, fmt.Errorf("sync accepted %d of %d", rep.Accepted, len(part))
		}
		oursBytes += srv.ln.total()
		sent = append(sent, capture.bodies...)

		t0 = time.Now()
		for _, b := range capture.bodies {
			resp, err := hc.Post(sink.URL+wire.PathBatches, capture.ctype, bytes.NewReader(b))
			if err != nil {
				return nil, err
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		rawTimes = append(rawTimes, time.Since(t0)/k)

		t0 = time.Now()
		for _, r := range part {
			if err := synctest.PostOpenRosa(hc, or.URL+"/submission", synctest.OpenRosaXML(r)); err != nil {
				return nil, err
			}
		}
		orTimes = append(orTimes, time.Since(t0)/k)
	}
	oursTime, rawTime, orTime := median(oursTimes), median(rawTimes), median(orTimes)
	orBytes := or.ln.total()

	// The same upload with a free-text note unique to each record, the
	// part a dictionary cannot know.
	noted, err := d.cases(505, max(50, len(recs)/4), p.munis[team])
	if err != nil {
		return nil, err
	}
	uniqueNotes(noted, 505)
	for _, r := range noted {
		if _, err := lap.store.Save(ctx, r, localdb.SaveOptions{Status: survey.StatusFinal, Actor: "bench"}); err != nil {
			return nil, err
		}
	}
	srv.ln.reset()
	if rep, err := lap.client.SyncOnce(ctx, nil); err != nil || rep.Accepted != len(noted) {
		return nil, fmt.Errorf("sync of records with notes: %+v %v", rep, err)
	}
	notedBytes := srv.ln.total()
	or.ln.reset()
	for _, r := range noted {
		if err := synctest.PostOpenRosa(hc, or.URL+"/submission", synctest.OpenRosaXML(r)); err != nil {
			return nil, err
		}
	}
	notedOR := or.ln.total()
	ingestRate, ingestCPU, err := serverAlone(ctx, p, lap, sent)
	if err != nil {
		return nil, err
	}
	openV2, openV2CPU, openV1, err := coordinatorsOpen(ctx, p, recs)
	if err != nil {
		return nil, err
	}

	// Over a link with a round-trip time, where one request per record
	// pays it once per record and a batch once per batch: a second laptop
	// enrolled through a delaying proxy, and the OpenRosa-style upload
	// through another.
	slowN := max(20, min(200, len(recs)/10))
	slow, err := d.cases(404, slowN, p.munis[team])
	if err != nil {
		return nil, err
	}
	lp, err := newLatencyProxy(strings.TrimPrefix(srv.URL, "http://"), linkRTT/2)
	if err != nil {
		return nil, err
	}
	defer lp.Close()
	slowLap, err := enrolLaptop(ctx, p, team, lp.URL(), filepath.Join(tmp, "laptop-slow"), client.Options{})
	if err != nil {
		return nil, err
	}
	defer slowLap.store.Close()
	if _, err := slowLap.client.SyncOnce(ctx, nil); err != nil {
		return nil, err
	}
	for _, r := range slow {
		if _, err := slowLap.store.Save(ctx, r, localdb.SaveOptions{Status: survey.StatusFinal, Actor: "bench"}); err != nil {
			return nil, err
		}
	}
	t0 := time.Now()
	if rep, err := slowLap.client.SyncOnce(ctx, nil); err != nil || rep.Accepted != slowN {
		return nil, fmt.Errorf("sync over the slow link: %+v %v", rep, err)
	}
	slowOurs := time.Since(t0) / time.Duration(slowN)
	lpOR, err := newLatencyProxy(strings.TrimPrefix(or.URL, "http://"), linkRTT/2)
	if err != nil {
		return nil, err
	}
	defer lpOR.Close()
	t0 = time.Now()
	for _, r := range slow {
		if err := synctest.PostOpenRosa(hc, lpOR.URL()+"/submission", synctest.OpenRosaXML(r)); err != nil {
			return nil, err
		}
	}
	slowOR := time.Since(t0) / time.Duration(slowN)

	// A round with nothing to do, beside a bare request and answer; the
	// round before it brings the colleagues' records sent meanwhile.
	if _, err := lap.client.SyncOnce(ctx, nil); err != nil {
		return nil, err
	}
	var emptyErr error
	empty := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
			if rep, err := lap.client.SyncOnce(ctx, nil); err != nil || rep.Sent != 0 {
				emptyErr = fmt.Errorf("empty round: %+v %v", rep, err)
				return
			}
		}
	})
	bare := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
			resp, err := hc.Get(sink.URL + "/")
			if err != nil {
				emptyErr = err
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	if emptyErr != nil {
		return nil, emptyErr
	}
	srv.Close()
	if err := closeStore(); err != nil {
		return nil, err
	}
	serverDisk := dirSize(p.dir) - serverBefore
	closeOR()
	orDisk := dirSize(filepath.Join(tmp, "openrosa"))
	n := float64(len(recs))
	return []row{
		{figure: fmt.Sprintf("upload %d case records: bytes on the wire per record, sinba (zstd, end-to-end encrypted) vs OpenRosa-style (one multipart XML POST each, in clear)", len(recs)),
			unit: "bytes/record", ours: float64(oursBytes) / n, base: float64(orBytes) / n, target: atMostTimes("≤ 0.1×", 0.1)},
		{figure: fmt.Sprintf("the same with a free-text note unique to each record (%d records)", len(noted)),
			unit: "bytes/record", ours: float64(notedBytes) / float64(len(noted)), base: float64(notedOR) / float64(len(noted)), target: atMostTimes("≤ 1/8×", 1.0/8)},
		{figure: "server disk per record received (sealed revision, envelope, receipt) vs OpenRosa-style XML row", unit: "bytes",
			// Both servers also hold the slow-link and noted records.
			ours: float64(serverDisk) / (n + float64(slowN+len(noted))), base: float64(orDisk) / (n + float64(slowN+len(noted)))},
		{figure: "upload: time per record, sinba round vs OpenRosa-style into SQLite", unit: "ms/record",
			ours: ms(oursTime), base: ms(orTime), target: atMostTimes("≤ 0.5×", 0.5)},
		{figure: fmt.Sprintf("upload over a link with %s round-trip time (%d records): time per record, sinba round vs OpenRosa-style", linkRTT, slowN),
			unit: "ms/record", ours: ms(slowOurs), base: ms(slowOR)},
		{figure: "upload: records per second, sinba round (seal, compress, sign, validate, store) vs raw POST of the same compressed bytes",
			unit: "records/s", ours: 1 / oursTime.Seconds(), base: 1 / rawTime.Seconds()},
		{figure: "a sync round with nothing to do vs a bare HTTP request on loopback", unit: "ms",
			ours: ms(perOp(empty)), base: ms(perOp(bare))},
		{figure: "sinba round: time per record (for the shares below)", unit: "µs/record", ours: us(oursTime)},
		{figure: "server ingest, the server alone (Store.Ingest of the round's batches again, fresh ids; no HTTP, no laptop)", unit: "records/s", ours: ingestRate,
			target: &target{"≥ 12,000/s", func(ours, _ float64) bool { return ours >= 12000 }}},
		{figure: "the same per second of CPU time the process used (what it does when it has a core to itself)", unit: "records/s", ours: ingestCPU},
		{figure: fmt.Sprintf("coordinators opening %s records with the project key: format 2 (header once per batch of 50) vs format 1 (age per record, measured on %d and scaled)", withThousands(strconv.Itoa(coordOpenN)), coordOpenV1N),
			unit: "s", ours: openV2.Seconds(), base: openV1.Seconds(),
			target: &target{"< 1 s", func(ours, _ float64) bool { return ours < 1 }}},
		{figure: fmt.Sprintf("the same in CPU time, spread over the %d cores it opens on (what it takes when they are its own)", runtime.GOMAXPROCS(0)),
			unit: "s", ours: openV2CPU.Seconds() / float64(runtime.GOMAXPROCS(0))},
	}, nil
}

// noteWords make the free-text notes of uniqueNotes.
var noteWords = strings.Fields(`il la minore madre padre nonna zia fratello sorella scuola comunità affido servizio sociale
	ufficio colloquio visita domiciliare relazione tribunale giudice educatore psicologo consultorio segnalazione
	ricevuta inviata aggiornata mancante richiesta verbale incontro protetto progetto educativo individuale frequenza
	assenze ritardi salute pediatra vaccinazioni casa sfratto lavoro disoccupato turni notturni stranieri mediatore
	lingua araba rumena albanese cinese documenti permesso soggiorno rinnovo scaduto attesa settimana mese prossimo
	scorso dopo prima durante senza con per dal fino presso secondo riferito dichiarato verificato non ancora già`)

// uniqueNotes gives every record a note of its own on an answered field:
// words drawn at random (seeded), so no two records share one.
func uniqueNotes(recs []survey.Record, seed uint64) {
	rng := mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for i := range recs {
		r := &recs[i]
		words := make([]string, 8+rng.IntN(8))
		for j := range words {
			words[j] = noteWords[rng.IntN(len(noteWords))]
		}
		note := strings.ToUpper(words[0][:1]) + words[0][1:] + " " + strings.Join(words[1:], " ") + fmt.Sprintf(" (%d/%d).", 1+rng.IntN(28), 1+rng.IntN(12))
		if r.Meta == nil {
			r.Meta = map[string]survey.FieldMeta{}
		}
		m := r.Meta["CondizioneMinore"]
		m.Note = note
		r.Meta["CondizioneMinore"] = m
	}
}

// coordOpenN records are opened by the coordinators' figure; format 1 is
// measured on coordOpenV1N of them.
const coordOpenN, coordOpenV1N = 20000, 1000

// coordPage is a page of the coordinators' feed (the server's default, 200 items).
const coordPage = 200

// serverAlone ingests the batches a round sent once more, straight into the
// server's store with fresh ids, and returns records per second, and per
// second of CPU time.
func serverAlone(ctx context.Context, p *project, lap *laptop, bodies [][]byte) (rate, cpuRate float64, err error) {
	en, err := lap.client.Enrolled(ctx)
	if err != nil {
		return 0, 0, err
	}
	dev, err := p.store.Principal(ctx, en.DeviceID)
	if err != nil || dev == nil {
		return 0, 0, fmt.Errorf("device %s: %v", en.DeviceID, err)
	}
	var batches []*wire.Batch
	n := 0
	for _, body := range bodies {
		b, err := wire.DecodeBatch(body, wire.DefaultLimits)
		if err != nil {
			return 0, 0, err
		}
		b.ID = uuid.NewString()
		if b.Header != nil {
			h := *b.Header
			h.Batch = b.ID
			b.Header = &h
		}
		for i := range b.Revisions {
			b.Revisions[i].RecordID, b.Revisions[i].Revision = uuid.NewString(), uuid.NewString()
			b.Revisions[i].BaseRevision = ""
		}
		n += len(b.Revisions)
		batches = append(batches, b)
	}
	t0, c0 := time.Now(), cpuTime()
	for _, b := range batches {
		rc, err := p.store.Ingest(ctx, dev, b, wire.DefaultLimits, server.Quota{})
		if err != nil {
			return 0, 0, err
		}
		if len(rc.Refused) > 0 {
			return 0, 0, fmt.Errorf("server alone refused %+v", rc.Refused[0])
		}
	}
	return float64(n) / time.Since(t0).Seconds(), float64(n) / (cpuTime() - c0).Seconds(), nil
}

// cpuTime is the CPU time this process has used so far, all its threads
// together: on a shared machine, what a figure cost apart from the time it
// waited for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// coordinatorsOpen seals coordOpenN records (recs over and over) in batches
// of 50 for the project and a team, then times the coordinators opening
// them all with the project key, and coordOpenV1N sealed one by one.
func coordinatorsOpen(ctx context.Context, p *project, recs []survey.Record) (v2, v2CPU, v1 time.Duration, err error) {
	team, err := seal.NewKey()
	if err != nil {
		return 0, 0, 0, err
	}
	ins, err := p.store.Instruments(ctx, p.id)
	if err != nil {
		return 0, 0, 0, err
	}
	dicts, err := seal.DictionariesOf(ins)
	if err != nil {
		return 0, 0, 0, err
	}
	device := uuid.NewString()
	revs := make([]wire.Revision, 0, coordOpenN)
	var headers []wire.Header
	var bs *seal.BatchSealer
	for i := range coordOpenN {
		if i%50 == 0 {
			if bs, err = seal.NewBatchSealer(uuid.NewString(), device, p.key.Recipient(), team.Recipient(), dicts); err != nil {
				return 0, 0, 0, err
			}
			headers = append(headers, bs.Header())
		}
		rec := recs[i%len(recs)]
		rec.ID = uuid.NewString()
		r := wire.Revision{RecordID: rec.ID, Revision: uuid.NewString(), Instrument: rec.Instrument, InstrumentVersion: rec.Version, Origin: device, Header: bs.Header().Batch}
		if r.Content, r.Identity, err = bs.Seal(rec, r.Revision); err != nil {
			return 0, 0, 0, err
		}
		revs = append(revs, r)
	}
	index := seal.HeaderIndex(headers)
	ptrs := make([]*wire.Revision, len(revs))
	for i := range revs {
		ptrs[i] = &revs[i]
	}
	open := seal.NewOpener(p.key, dicts)
	t0, c0 := time.Now(), cpuTime()
	// As the coordinators' app does, a page at a time, on every core.
	for i := 0; i < len(ptrs); i += coordPage {
		for _, o := range open.OpenAll(ptrs[i:min(i+coordPage, len(ptrs))], index) {
			if o.Err != nil {
				return 0, 0, 0, o.Err
			}
		}
	}
	v2, v2CPU = time.Since(t0), cpuTime()-c0
	old := make([]wire.Revision, coordOpenV1N)
	for i := range old {
		rec := recs[i%len(recs)]
		old[i] = wire.Revision{RecordID: rec.ID, Instrument: rec.Instrument, InstrumentVersion: rec.Version}
		if old[i].Content, old[i].Identity, err = seal.SealRecord(rec, p.key.Recipient(), team.Recipient()); err != nil {
			return 0, 0, 0, err
		}
	}
	t0 = time.Now()
	for i := range old {
		if _, err := seal.OpenRecord(&old[i], p.key); err != nil {
			return 0, 0, 0, err
		}
	}
	return v2, v2CPU, time.Since(t0) * coordOpenN / coordOpenV1N, nil
}

// benchRaw measures the primitives alone on the records' own bytes: zstd,
// XChaCha20-Poly1305 (the store's cipher) and age for two recipients (the
// sync's), so their share of a save and of a synced record shows.
func benchRaw(d *domain, sz sizes, log io.Writer) ([]row, error) {
	recs, err := d.cases(303, 200, pilotMunicipalities[:5])
	if err != nil {
		return nil, err
	}
	var plain [][]byte
	var total int
	for _, r := range recs {
		j, _ := json.Marshal(seal.Content{Answers: r.Answers, Meta: r.Meta})
		plain = append(plain, j)
		total += len(j)
	}
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	var compressed int
	for _, p := range plain {
		compressed += len(enc.EncodeAll(p, nil))
	}
	z := testing.Benchmark(func(b *testing.B) {
		buf := make([]byte, 0, 8192)
		for i := 0; b.Loop(); i++ {
			buf = enc.EncodeAll(plain[i%len(plain)], buf[:0])
		}
	})
	key := make([]byte, chacha20poly1305.KeySize)
	rand.Read(key)
	aead, _ := chacha20poly1305.NewX(key)
	nonce := make([]byte, aead.NonceSize())
	x := testing.Benchmark(func(b *testing.B) {
		buf := make([]byte, 0, 8192)
		for i := 0; b.Loop(); i++ {
			rand.Read(nonce)
			buf = aead.Seal(buf[:0], nonce, plain[i%len(plain)], nil)
		}
	})
	k1, _ := age.GenerateX25519Identity()
	k2, _ := age.GenerateX25519Identity()
	var ageErr error
	a := testing.Benchmark(func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			var out bytes.Buffer
			w, err := age.Encrypt(&out, k1.Recipient(), k2.Recipient())
			if err != nil {
				ageErr = err
				return
			}
			w.Write(plain[i%len(plain)])
			w.Close()
		}
	})
	if ageErr != nil {
		return nil, ageErr
	}
	avg := float64(total) / float64(len(plain))
	mbps := func(r testing.BenchmarkResult) float64 { return avg / (float64(r.NsPerOp()) / 1e9) / 1e6 }
	return []row{
		{figure: fmt.Sprintf("raw zstd (default level) on a record's answers and notes (%.0f bytes of JSON, %.0f compressed)", avg, float64(compressed)/float64(len(plain))),
			unit: "MB/s", ours: mbps(z)},
		{figure: "raw XChaCha20-Poly1305 on the same bytes", unit: "MB/s", ours: mbps(x)},
		{figure: "raw age encryption for two X25519 recipients on the same bytes", unit: "MB/s", ours: mbps(a)},
		{figure: "share: raw zstd of a record / sinba round time per record", unit: "µs/record", ours: us(perOp(z)), share: true},
		// Format 2 seals with age once per batch of 200 (the content key for
		// two recipients; the identity key, for one, is not counted here).
		{figure: "share: raw age for two recipients, once per batch of 200 / sinba round time per record", unit: "µs/record", ours: us(perOp(a)) / 200, share: true},
		{figure: "share: raw XChaCha20-Poly1305 of a record / sinba round time per record", unit: "µs/record", ours: us(perOp(x)), share: true},
		{figure: "share: raw XChaCha20-Poly1305 of a record / one encrypted save", unit: "µs/record", ours: us(perOp(x)), share: true},
	}, nil
}

// withShares fills the baseline of the share rows from the rows they are a
// share of.
func withShares(rows []row) []row {
	var round, save float64
	for _, r := range rows {
		switch {
		case strings.HasPrefix(r.figure, "sinba round: time per record"):
			round = r.ours
		case strings.HasPrefix(r.figure, "save one case record"):
			save = r.ours * 1000
		}
	}
	for i, r := range rows {
		if !r.share {
			continue
		}
		if strings.Contains(r.figure, "encrypted save") {
			rows[i].base = save
		} else {
			rows[i].base = round
		}
	}
	return rows
}

// goTestBenchmarks runs the packages' own benchmarks and prints them as a
// second table (no baseline: each package's comparisons are in its names).
func goTestBenchmarks(stdout, stderr io.Writer, benchtime int) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	pkgs, err := benchPackages(root)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nPackage benchmarks (`go test -run '^$' -bench . -benchtime %dx`):\n\n", benchtime)
	fmt.Fprintln(stdout, "| package | benchmark | time/op | other |")
	fmt.Fprintln(stdout, "|---|---|---:|---|")
	for _, pkg := range pkgs {
		args := []string{"test", "-run", "^$", "-bench", ".", "-benchtime", fmt.Sprintf("%dx", benchtime), "-count", "1"}
		if strings.HasPrefix(pkg, "./ui") || strings.HasPrefix(pkg, "./cmd/sinba") {
			args = append(args, "-tags", "migrated_fynedo")
		}
		cmd := exec.Command("go", append(args, pkg)...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			fmt.Fprintf(stdout, "| %s | (not run: %s) | | |\n", pkg, firstLine(out, err))
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
				continue
			}
			var per string
			var other []string
			for i := 2; i+1 < len(f); i += 2 {
				if f[i+1] == "ns/op" {
					per = fmtNs(f[i])
				} else {
					other = append(other, f[i]+" "+f[i+1])
				}
			}
			fmt.Fprintf(stdout, "| %s | %s | %s | %s |\n", pkg, strings.TrimSuffix(f[0], fmt.Sprintf("-%d", runtime.GOMAXPROCS(0))), per, strings.Join(other, ", "))
		}
	}
	return nil
}

func firstLine(out []byte, err error) string {
	for _, l := range strings.Split(string(out), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			return strings.ReplaceAll(l, "|", "/")
		}
	}
	return err.Error()
}

func fmtNs(s string) string {
	var ns float64
	fmt.Sscan(s, &ns)
	switch {
	case ns >= 1e9:
		return fmt.Sprintf("%.2f s", ns/1e9)
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}

// moduleRoot finds go.mod from the working directory up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("go.mod not found: run from inside the sinba module")
		}
		dir = parent
	}
}

// benchPackages lists the packages with a Benchmark function in a test file.
func benchPackages(root string) ([]string, error) {
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err == nil && bytes.Contains(b, []byte("\nfunc Benchmark")) {
			rel, _ := filepath.Rel(root, filepath.Dir(path))
			seen["./"+filepath.ToSlash(rel)] = true
		}
		return nil
	})
	var out []string
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, err
}
