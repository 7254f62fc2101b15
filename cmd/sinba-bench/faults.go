package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/sync/server"
	"sinba/sync/wire"
)

func runFaults(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("faults", stderr)
	kills := fs.Int("kills", 200, "processi uccisi con SIGKILL durante i salvataggi / processes killed with SIGKILL while saving")
	attempts := fs.Int("attempts", 500, "sincronizzazioni attraverso il proxy caotico / sync rounds through the chaos proxy")
	restarts := fs.Int("restarts", 10, "riavvii brutali del server durante la ricezione / hard server restarts during ingest")
	seed := fs.Uint64("seed", uint64(time.Now().UnixNano()), "seme / seed")
	mix := fs.Bool("mix", false, "portatili non ancora aggiornati (formato 1) accanto agli altri; il portatile del proxy caotico si aggiorna a metà / laptops not yet updated (format 1) beside the others; the chaos proxy's laptop is updated halfway")
	var b backend
	fs.StringVar(&b.postgres, "postgres", "", postgresUsage)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	d, err := loadDomain()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "seed %d, server su / server on %s\n", *seed, b)
	if *mix {
		fmt.Fprintln(stdout, "formati misti / mixed formats: 1 e 2 / 1 and 2")
	}
	failed := false
	for _, drill := range []struct {
		name string
		run  func() (bool, error)
	}{
		{"kills", func() (bool, error) { return killDrill(d, *kills, *seed, stdout) }},
		{"chaos", func() (bool, error) { return chaosDrill(d, b, *attempts, *seed, *mix, stdout) }},
		{"restarts", func() (bool, error) { return restartDrill(d, b, *restarts, *seed, *mix, stdout) }},
	} {
		bad, err := drill.run()
		if err != nil {
			fmt.Fprintf(stdout, "%s: ERRORE / ERROR: %v\n", drill.name, err)
			failed = true
		}
		failed = failed || bad
	}
	if failed {
		fmt.Fprintln(stdout, "ESITO / RESULT: qualcosa è andato perso o storto / something was lost or went wrong")
		return 1
	}
	fmt.Fprintln(stdout, "ESITO / RESULT: nulla perso / nothing lost")
	return 0
}

// killDrill starts a child that saves records into a store and kills it
// with SIGKILL at a random point, kills times; then every save the child
// acknowledged must be in the store and every row must decrypt.
func killDrill(d *domain, kills int, seed uint64, w io.Writer) (bool, error) {
	tmp, done, err := tempDir("sinba-bench-kills-")
	if err != nil {
		return false, err
	}
	defer done()
	dir := filepath.Join(tmp, "store")
	st, _, err := localdb.CreateWith(dir, passphrase, cheapKDF)
	if err != nil {
		return false, err
	}
	st.Close()
	self, err := os.Executable()
	if err != nil {
		return false, err
	}
	// The child gets its records from a file: loading the reference data in
	// every child would cost more than the saves it makes.
	pool, err := d.cases(seed, 200, pilotMunicipalities[:3])
	if err != nil {
		return false, err
	}
	poolFile := filepath.Join(tmp, "pool.json")
	if b, err := json.Marshal(pool); err != nil {
		return false, err
	} else if err := os.WriteFile(poolFile, b, 0o600); err != nil {
		return false, err
	}
	r := rand.New(rand.NewPCG(seed, 1))
	acked := map[string]string{} // revision -> record id
	start := time.Now()
	var midSave int
	for round := 0; round < kills; round++ {
		cmd := exec.Command(self, "_saver", dir, poolFile, strconv.FormatUint(seed+uint64(round), 10))
		out, err := cmd.StdoutPipe()
		if err != nil {
			return false, err
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			return false, err
		}
		lines := make(chan string)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// Let it acknowledge a few saves, then kill it up to 4 ms later: about
		// the time of a save, so kills fall at random points of the loop,
		// inside a transaction or between two.
		want := 1 + r.IntN(12)
		got := 0
		timeout := time.After(30 * time.Second)
	wait:
		for got < want {
			select {
			case l, ok := <-lines:
				if !ok {
					break wait
				}
				if rec(acked, l) {
					got++
				}
			case <-timeout:
				break wait
			}
		}
		time.Sleep(time.Duration(r.IntN(4000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		for l := range lines { // lines written before the kill are acknowledged saves
			rec(acked, l)
		}
		err = cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			return false, fmt.Errorf("round %d: the child ended by itself (%v) instead of being killed", round+1, err)
		}
		midSave++
	}
	ctx := context.Background()
	st, err = localdb.OpenWith(dir, passphrase, cheapKDF)
	if err != nil {
		return true, fmt.Errorf("the store does not open after the kills: %w", err)
	}
	defer st.Close()
	lost := 0
	for rev, id := range acked {
		got, err := st.GetRevision(ctx, rev)
		if err != nil || got.RecordID != id {
			lost++
		}
	}
	bad, err := st.Verify(ctx)
	if err != nil {
		return true, fmt.Errorf("verify: %w", err)
	}
	// And the store still takes a save.
	more, err := d.cases(seed, 1, pilotMunicipalities[:1])
	if err != nil {
		return false, err
	}
	if _, err := st.Save(ctx, more[0], localdb.SaveOptions{Actor: "drill"}); err != nil {
		return true, fmt.Errorf("the store refuses a save after the kills: %w", err)
	}
	fmt.Fprintf(w, "kills: %d processi uccisi con SIGKILL durante i salvataggi in %s; salvataggi confermati %d, persi %d, righe illeggibili %d / %d processes SIGKILLed while saving; acknowledged saves %d, lost %d, unreadable rows %d\n",
		midSave, time.Since(start).Round(time.Millisecond), len(acked), lost, len(bad), midSave, len(acked), lost, len(bad))
	return lost+len(bad) > 0, nil
}

func rec(acked map[string]string, line string) bool {
	f := strings.Fields(line)
	if len(f) == 3 && f[0] == "ack" {
		acked[f[2]] = f[1]
		return true
	}
	return false
}

// runSaverChild is the child of killDrill: it saves until it is killed and
// prints "ack RECORD REVISION" after each save returns.
func runSaverChild(args []string, stdout, stderr io.Writer) int {
	if len(args) != 3 {
		return 2
	}
	seed, _ := strconv.ParseUint(args[2], 10, 64)
	var pool []survey.Record
	b, err := os.ReadFile(args[1])
	if err == nil {
		err = json.Unmarshal(b, &pool)
	}
	if err != nil || len(pool) == 0 {
		fmt.Fprintln(stderr, "pool:", err)
		return 1
	}
	st, err := localdb.OpenWith(args[0], passphrase, cheapKDF)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 3
	}
	ctx := context.Background()
	r := rand.New(rand.NewPCG(seed, 2))
	e := &editor{pool: pool, next: r.IntN(len(pool))}
	for {
		info, err := e.save(ctx, st, r)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 4
		}
		// Unbuffered: a line the parent reads is a save that returned.
		os.Stdout.WriteString("ack " + info.ID + " " + info.Revision + "\n")
	}
}

// chaosDrill syncs a laptop through a proxy that cuts connections at random
// byte offsets in either direction, delays them and delivers requests twice;
// then, with the proxy calm, syncs until the outbox is empty. The server must
// hold every saved revision exactly once, intact.
func chaosDrill(d *domain, b backend, attempts int, seed uint64, mix bool, w io.Writer) (bool, error) {
	ctx := context.Background()
	tmp, done, err := tempDir("sinba-bench-chaos-")
	if err != nil {
		return false, err
	}
	defer done()
	p, err := newProjectOn(b, filepath.Join(tmp, "server"), 1)
	if err != nil {
		return false, err
	}
	defer p.close()
	srv, err := serveProject(p, drillConfig)
	if err != nil {
		return false, err
	}
	defer srv.Close()
	proxy, err := newChaosProxy(strings.TrimPrefix(srv.URL, "http://"), seed)
	if err != nil {
		return false, err
	}
	defer proxy.Close()
	team := p.teams[0]
	lap, err := enrolLaptop(ctx, p, team, "http://"+proxy.Addr(), filepath.Join(tmp, "laptop"), drillClient(2, nil, formatOf(mix, 1)))
	if err != nil {
		return false, err
	}
	defer lap.store.Close()
	pool, err := d.cases(seed, 300, p.munis[team])
	if err != nil {
		return false, err
	}
	r := rand.New(rand.NewPCG(seed, 3))
	e := &editor{pool: pool}
	proxy.chaos.Store(true)
	start := time.Now()
	var ok, failed, saves, resent int
	for i := 0; i < attempts; i++ {
		if mix && i == attempts/2 {
			lap.client = client.New(lap.store, drillClient(2, nil, wire.FormatV2)) // updated halfway
		}
		for n := r.IntN(3); n > 0; n-- {
			if _, err := e.save(ctx, lap.store, r); err != nil {
				return false, err
			}
			saves++
		}
		rep, err := lap.client.SyncOnce(ctx, nil)
		if err != nil {
			failed++
		} else {
			ok++
		}
		if rep != nil {
			resent += rep.Duplicates
		}
	}
	proxy.chaos.Store(false)
	if err := drainOutbox(ctx, lap, 30); err != nil {
		return true, err
	}
	t, err := verifyServer(ctx, p.store, p.key, []*localdb.Store{lap.store})
	if err != nil {
		return false, err
	}
	fmt.Fprintf(w, "chaos: %d sincronizzazioni attraverso il proxy in %s (%d riuscite, %d fallite), %d salvataggi; connessioni %d: tagliate verso il server %d, tagliate verso il portatile %d, rallentate %d, richieste consegnate due volte %d\n",
		attempts, time.Since(start).Round(time.Millisecond), ok, failed, saves, proxy.conns.Load(), proxy.cutUp.Load(), proxy.cutDown.Load(), proxy.delayed.Load(), proxy.dups.Load())
	fmt.Fprintf(w, "chaos: %d sync rounds through the proxy (%d succeeded, %d failed), %d saves; connections %d: cut towards the server %d, cut towards the laptop %d, delayed %d, requests delivered twice %d\n",
		attempts, ok, failed, saves, proxy.conns.Load(), proxy.cutUp.Load(), proxy.cutDown.Load(), proxy.delayed.Load(), proxy.dups.Load())
	fmt.Fprintf(w, "chaos: risposte del server alle seconde consegne / server answers to second deliveries: %s; revisioni rinviate che il server aveva già / resent revisions the server already had: %d\n",
		proxy.replySummary(), resent)
	fmt.Fprintf(w, "chaos: %s\n", t)
	return t.bad(), nil
}

// chaosProxy forwards TCP connections to target; while chaos is on, each
// connection is passed, cut after a random number of bytes (one way or the
// other), slowed, or its request delivered a second time on a new
// connection after the first one ends.
type chaosProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	r      *rand.Rand
	chaos  atomic.Bool
	wg     sync.WaitGroup

	conns, cutUp, cutDown, delayed, dups atomic.Int64
	replies                              map[string]int // HTTP status of second deliveries
}

// replySummary lists how the server answered second deliveries.
func (p *chaosProxy) replySummary() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var keys []string
	for k := range p.replies {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, p.replies[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func newChaosProxy(target string, seed uint64) (*chaosProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &chaosProxy{ln: ln, target: target, r: rand.New(rand.NewPCG(seed, 4))}
	go p.serve()
	return p, nil
}

func (p *chaosProxy) Addr() string { return p.ln.Addr().String() }

func (p *chaosProxy) Close() {
	p.ln.Close()
	p.wg.Wait()
}

func (p *chaosProxy) intn(n int) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.r.IntN(n)
}

func (p *chaosProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.handle(c)
		}()
	}
}

const (
	actPass = iota
	actCutUp
	actCutDown
	actDelay
	actDuplicate
)

func (p *chaosProxy) handle(c net.Conn) {
	defer c.Close()
	p.conns.Add(1)
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer up.Close()
	act := actPass
	if p.chaos.Load() {
		switch x := p.intn(100); {
		case x < 40:
		case x < 60:
			act = actCutUp
		case x < 80:
			act = actCutDown
		case x < 90:
			act = actDelay
		default:
			act = actDuplicate
		}
	}
	limitUp, limitDown := int64(-1), int64(-1)
	var delay time.Duration
	switch act {
	case actCutUp:
		limitUp = int64(p.intn(6000))
		p.cutUp.Add(1)
	case actCutDown:
		limitDown = int64(p.intn(1500))
		p.cutDown.Add(1)
	case actDelay:
		delay = time.Duration(1+p.intn(20)) * time.Millisecond
		p.delayed.Add(1)
	}
	var sent []byte // what the laptop sent, for a second delivery
	var mu sync.Mutex
	done := make(chan struct{}, 2)
	pump := func(dst, src net.Conn, limit int64, keep bool) {
		defer func() { done <- struct{}{} }()
		buf := make([]byte, 32<<10)
		var n int64
		for {
			k, err := src.Read(buf)
			if k > 0 {
				if delay > 0 {
					time.Sleep(delay)
				}
				chunk := buf[:k]
				if limit >= 0 && n+int64(k) > limit {
					chunk = buf[:limit-n]
				}
				if keep {
					mu.Lock()
					sent = append(sent, chunk...)
					mu.Unlock()
				}
				if _, werr := dst.Write(chunk); werr != nil {
					break
				}
				n += int64(len(chunk))
				if limit >= 0 && n >= limit {
					break // cut: both ends see the connection drop
				}
			}
			if err != nil {
				if tc, ok := dst.(*net.TCPConn); ok {
					tc.CloseWrite()
				}
				return
			}
		}
		c.Close()
		up.Close()
	}
	go pump(up, c, limitUp, act == actDuplicate)
	go pump(c, up, limitDown, false)
	<-done
	<-done
	if act == actDuplicate && len(sent) > 0 {
		p.dups.Add(1)
		again, err := net.Dial("tcp", p.target)
		if err != nil {
			return
		}
		defer again.Close()
		again.SetDeadline(time.Now().Add(5 * time.Second))
		again.Write(sent)
		// Note how the server answered the second delivery: the status of
		// its first response ("HTTP/1.1 409 ..."), or none if the copy was
		// cut short and never made a request.
		line, _ := bufio.NewReader(again).ReadString('\n')
		status := "no answer"
		if f := strings.Fields(line); len(f) >= 2 {
			status = f[1]
		}
		p.mu.Lock()
		if p.replies == nil {
			p.replies = map[string]int{}
		}
		p.replies[status]++
		p.mu.Unlock()
	}
}

// restartDrill runs the server as a child process, lets three laptops save
// and sync all the time, and kills the server with SIGKILL at random
// moments, restarting it on the same port; then every revision must be on
// the server exactly once.
func restartDrill(d *domain, b backend, restarts int, seed uint64, mix bool, w io.Writer) (bool, error) {
	ctx := context.Background()
	tmp, done, err := tempDir("sinba-bench-restart-")
	if err != nil {
		return false, err
	}
	defer done()
	p, err := newProjectOn(b, filepath.Join(tmp, "server"), 1)
	if err != nil {
		return false, err
	}
	defer p.close()
	sdb := p.database
	team := p.teams[0]
	const nLaptops = 3
	codes := make([]string, nLaptops)
	for i := range codes {
		if codes[i], err = p.code(team); err != nil {
			return false, err
		}
	}
	munis := p.munis[team]
	key := p.key
	p.store.Close() // the child process owns the database from here
	p.store = nil
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return false, err
	}
	addr := ln.Addr().String()
	ln.Close()
	child, err := startServerChild(sdb, addr)
	if err != nil {
		return false, err
	}
	defer func() { child.stop() }()
	var laptops []*laptop
	var terrs transportErrors
	for i, code := range codes {
		l, err := newLaptop(filepath.Join(tmp, fmt.Sprintf("laptop%d", i)), drillClient(fastBackoff.Attempts, &terrs, formatOf(mix, i)))
		if err != nil {
			return false, err
		}
		defer l.store.Close()
		if _, err := l.client.Enrol(ctx, "http://"+addr, code); err != nil {
			return false, err
		}
		laptops = append(laptops, l)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var rounds, failures, saves atomic.Int64
	errc := make(chan error, nLaptops)
	for i, l := range laptops {
		pool, err := d.cases(seed+uint64(i)*7919, 400, munis)
		if err != nil {
			return false, err
		}
		wg.Add(1)
		go func(l *laptop, e *editor, r *rand.Rand) {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				for n := 1 + r.IntN(5); n > 0; n-- {
					if _, err := e.save(ctx, l.store, r); err != nil {
						errc <- err
						return
					}
					saves.Add(1)
				}
				rounds.Add(1)
				if _, err := l.client.SyncOnce(ctx, nil); err != nil {
					failures.Add(1)
				}
			}
		}(l, &editor{pool: pool}, rand.New(rand.NewPCG(seed, uint64(10+i))))
	}
	r := rand.New(rand.NewPCG(seed, 5))
	start := time.Now()
	for i := 0; i < restarts; i++ {
		time.Sleep(time.Duration(100+r.IntN(400)) * time.Millisecond)
		child.kill()
		if child, err = startServerChild(sdb, addr); err != nil {
			close(stop)
			wg.Wait()
			return true, fmt.Errorf("restart %d: %w", i+1, err)
		}
	}
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
	select {
	case err := <-errc:
		return true, err
	default:
	}
	for _, l := range laptops {
		if err := drainOutbox(ctx, l, 30); err != nil {
			return true, err
		}
	}
	if err := child.stop(); err != nil {
		return true, err
	}
	st, err := server.Open(sdb)
	if err != nil {
		return true, err
	}
	defer st.Close()
	var stores []*localdb.Store
	for _, l := range laptops {
		stores = append(stores, l.store)
	}
	t, err := verifyServer(ctx, st, key, stores)
	if err != nil {
		return false, err
	}
	fmt.Fprintf(w, "restarts: server ucciso con SIGKILL e riavviato %d volte in %s mentre %d portatili salvavano e sincronizzavano (%d salvataggi, %d sincronizzazioni, %d fallite) / server SIGKILLed and restarted %d times while %d laptops saved and synced (%d saves, %d rounds, %d failed)\n",
		restarts, time.Since(start).Round(time.Millisecond), nLaptops, saves.Load(), rounds.Load(), failures.Load(),
		restarts, nLaptops, saves.Load(), rounds.Load(), failures.Load())
	fmt.Fprintf(w, "restarts: richieste interrotte a metà dall'uccisione / requests broken in flight by a kill: %d; rifiutate a server spento / refused while the server was down: %d; il client le ripete / the client retries them\n",
		terrs.broken.Load(), terrs.refused.Load())
	fmt.Fprintf(w, "restarts: %s\n", t)
	return t.bad(), nil
}

// serverChild is the server running in a child process.
type serverChild struct {
	cmd  *exec.Cmd
	done chan error
}

func startServerChild(dir, addr string) (*serverChild, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "_server", dir, addr)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		ok := sc.Scan() && sc.Text() == "ready"
		ready <- ok
		io.Copy(io.Discard, out)
	}()
	c := &serverChild{cmd: cmd, done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait() }()
	select {
	case ok := <-ready:
		if !ok {
			c.kill()
			return nil, fmt.Errorf("the server child did not start")
		}
	case <-time.After(30 * time.Second):
		c.kill()
		return nil, fmt.Errorf("the server child did not start in 30 s")
	}
	return c, nil
}

func (c *serverChild) kill() {
	if c == nil || c.cmd.Process == nil {
		return
	}
	c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.done
	c.cmd.Process = nil
}

// stop asks the server to shut down gracefully.
func (c *serverChild) stop() error {
	if c == nil || c.cmd.Process == nil {
		return nil
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.done:
		c.cmd.Process = nil
		return err
	case <-time.After(20 * time.Second):
		c.kill()
		return fmt.Errorf("the server did not stop on SIGTERM")
	}
}

// runServerChild serves the sinba API over the store of a database (its
// folder, or a PostgreSQL URL) on addr until
// SIGTERM (graceful) or SIGKILL.
func runServerChild(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 {
		return 2
	}
	st, err := server.Open(args[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer st.Close()
	var ln net.Listener
	for i := 0; i < 100; i++ { // the port may still be held for a moment by the killed predecessor
		if ln, err = net.Listen("tcp", args[1]); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer cancel()
	os.Stdout.WriteString("ready\n")
	if err := server.New(st, drillConfig, slog.New(slog.DiscardHandler)).Serve(ctx, ln, nil); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
