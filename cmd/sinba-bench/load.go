package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/sync/server"
	"sinba/sync/session"
	"sinba/sync/wire"
)

func runLoad(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("load", stderr)
	devices := fs.Int("devices", 100, "portatili che sincronizzano insieme / laptops syncing at once")
	records := fs.Int("records", 20, "schede salvate su ogni portatile / records saved on each laptop")
	teams := fs.Int("teams", 0, "squadre (0 = una ogni 5 portatili) / teams (0 = one per 5 laptops)")
	seed := fs.Uint64("seed", 1, "seme / seed")
	var b backend
	fs.StringVar(&b.postgres, "postgres", "", postgresUsage)
	mix := fs.Bool("mix", false, "metà dei portatili di ogni squadra non ancora aggiornati (formato 1) / half of each team's laptops not yet updated (format 1)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *teams <= 0 {
		*teams = max(1, *devices/5)
	}
	d, err := loadDomain()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	bad, err := loadDrill(d, b, *devices, *records, *teams, *seed, *mix, stdout)
	if err != nil {
		fmt.Fprintf(stdout, "load: ERRORE / ERROR: %v\n", err)
		return 1
	}
	if bad {
		fmt.Fprintln(stdout, "ESITO / RESULT: qualcosa è andato perso / something was lost")
		return 1
	}
	fmt.Fprintln(stdout, "ESITO / RESULT: nulla perso / nothing lost")
	return 0
}

// loadConfig is the production configuration, except for enrolment, which
// all laptops do from the same loopback address here.
var loadConfig = server.Config{EnrolRate: 1000, EnrolBurst: 1000}

// loadDrill enrols many laptops at once with one server, has each save its
// records and sync, all at the same moment, then syncs until every laptop
// has handed in everything and holds every record of its team.
func loadDrill(d *domain, b backend, devices, records, teams int, seed uint64, mix bool, w io.Writer) (bool, error) {
	ctx := context.Background()
	tmp, done, err := tempDir("sinba-bench-load-")
	if err != nil {
		return false, err
	}
	defer done()
	p, err := newProjectOn(b, filepath.Join(tmp, "server"), teams)
	if err != nil {
		return false, err
	}
	defer p.close()
	srv, err := serveProject(p, loadConfig)
	if err != nil {
		return false, err
	}
	defer srv.Close()

	var peak atomic.Uint64
	stopMem := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stopMem:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	defer close(stopMem)

	// Enrol every laptop at once.
	laps := make([]*laptop, devices)
	teamOf := make([]string, devices)
	errs := make([]error, devices)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range laps {
		teamOf[i] = p.teams[i%teams]
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			laps[i], errs[i] = enrolLaptop(ctx, p, teamOf[i], srv.URL, filepath.Join(tmp, fmt.Sprintf("laptop%03d", i)),
				loadOptions(formatOf(mix, i/teams)))
			if laps[i] != nil {
				laps[i].format = formatOf(mix, i/teams)
			}
		}(i)
	}
	wg.Wait()
	for i, e := range errs {
		if e != nil {
			return false, fmt.Errorf("laptop %d: %w", i, e)
		}
		defer laps[i].store.Close()
	}
	enrolTime := time.Since(start)
	for i, l := range laps {
		recs, err := d.cases(seed*100003+uint64(i), records, p.munis[teamOf[i]])
		if err != nil {
			return false, err
		}
		for _, r := range recs {
			if _, err := l.store.Save(ctx, r, localdb.SaveOptions{Status: survey.StatusFinal, Actor: "load"}); err != nil {
				return false, err
			}
		}
	}

	// Every laptop syncs at the same moment, then again until all is in.
	var mu sync.Mutex
	var lat []time.Duration // of the current phase
	var failed atomic.Int64
	round := func() {
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for _, l := range laps {
			wg.Add(1)
			go func(l *laptop) {
				defer wg.Done()
				<-gate
				t0 := time.Now()
				_, err := l.client.SyncOnce(ctx, nil)
				el := time.Since(t0)
				if err != nil {
					failed.Add(1)
				}
				mu.Lock()
				lat = append(lat, el)
				mu.Unlock()
			}(l)
		}
		close(gate)
		wg.Wait()
	}
	start = time.Now()
	rounds := 0
	for ; rounds < 10; rounds++ {
		round()
		pending := 0
		for _, l := range laps {
			out, err := l.store.Outbox(ctx, 1)
			if err != nil {
				return false, err
			}
			pending += len(out)
		}
		if pending == 0 {
			break
		}
	}
	uploadTime := time.Since(start)
	rounds++
	latUp := quantiles(lat)
	lat = nil

	// A researcher of each team confirms the colleagues' laptops on the one
	// that made the team key; then sync until every laptop holds every
	// record of its team.
	if _, err := confirmColleagues(ctx, laps); err != nil {
		return false, err
	}
	perTeam, perTeamV1 := map[string]int{}, map[string]int{}
	for i, t := range teamOf {
		perTeam[t] += records
		if formatOf(mix, i/teams) == wire.FormatV1 {
			perTeamV1[t] += records
		}
	}
	// A laptop not yet updated is not given its colleagues' format-2
	// records; once updated, it gets them all.
	expect := func(i int) int {
		if laps[i].format == wire.FormatV1 {
			return perTeamV1[teamOf[i]]
		}
		return perTeam[teamOf[i]]
	}
	missing, extra, err := untilComplete(ctx, laps, expect, round)
	if err != nil {
		return false, err
	}
	if mix && missing == 0 {
		for i, l := range laps {
			if l.format == wire.FormatV1 {
				laps[i].client = client.New(l.store, loadOptions(wire.FormatV2))
				laps[i].format = wire.FormatV2
			}
		}
		var more int
		missing, more, err = untilComplete(ctx, laps, expect, round)
		if err != nil {
			return false, err
		}
		extra += more
		fmt.Fprintf(w, "load: formati misti, i portatili in formato 1 aggiornati alla fine / mixed formats, the format-1 laptops updated at the end: %d more rounds\n", more)
	}
	var stores []*localdb.Store
	for _, l := range laps {
		stores = append(stores, l.store)
	}
	t, err := verifyServer(ctx, p.store, p.key, stores)
	if err != nil {
		return false, err
	}
	latDown := quantiles(lat)
	total := devices * records
	fmt.Fprintf(w, "load: %d portatili in %d squadre iscritti insieme in %s; %d schede (%d per portatile) inviate in %s, giri di sincronizzazione simultanei: %d (%.0f schede/s); %d giri falliti e ripresi\n",
		devices, teams, enrolTime.Round(time.Millisecond), total, records, uploadTime.Round(time.Millisecond), rounds, float64(total)/uploadTime.Seconds(), failed.Load())
	fmt.Fprintf(w, "load: %d laptops in %d teams enrolled at once in %s; %d records (%d per laptop) uploaded in %s over %d simultaneous sync rounds (%.0f records/s); %d failed rounds, resumed\n",
		devices, teams, enrolTime.Round(time.Millisecond), total, records, uploadTime.Round(time.Millisecond), rounds, float64(total)/uploadTime.Seconds(), failed.Load())
	fmt.Fprintf(w, "load: durata di un giro / round duration, upload: %s; download of colleagues' records: %s; heap in use at peak %.0f MiB (server and all %d laptops in this process, on the same cores)\n",
		latUp, latDown, float64(peak.Load())/(1<<20), devices)
	fmt.Fprintf(w, "load: schede dei colleghi mancanti sui portatili / colleagues' records missing on laptops: %d (after %d more rounds)\n", missing, extra)
	fmt.Fprintf(w, "load: server su / server on %s; %s\n", b, t)
	return t.bad() || missing > 0, nil
}

// loadOptions are the load drill's laptops' options.
func loadOptions(format int) client.Options {
	return client.Options{Backoff: session.Backoff{Base: 50 * time.Millisecond, Max: 2 * time.Second, Attempts: 8}, Format: format}
}

// untilComplete syncs every laptop, up to ten rounds, until each holds the
// case records expect says, and returns how many are missing and after how
// many rounds.
func untilComplete(ctx context.Context, laps []*laptop, expect func(int) int, round func()) (missing, rounds int, err error) {
	for ; rounds < 10; rounds++ {
		missing = 0
		for i, l := range laps {
			infos, err := l.store.List(ctx, localdb.Filter{Instrument: survey.InstrumentCase})
			if err != nil {
				return 0, rounds, err
			}
			if n := expect(i) - len(infos); n > 0 {
				missing += n
			}
		}
		if missing == 0 {
			break
		}
		round()
	}
	return missing, rounds, nil
}

// quantiles summarises durations as p50, p95 and max.
func quantiles(d []time.Duration) string {
	if len(d) == 0 {
		return "—"
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	q := func(f float64) time.Duration { return s[int(f*float64(len(s)-1))].Round(time.Millisecond) }
	return fmt.Sprintf("p50 %s, p95 %s, max %s", q(0.5), q(0.95), q(1))
}
