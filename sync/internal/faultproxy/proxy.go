// Package faultproxy is a TCP proxy for tests that misbehaves on purpose:
// it cuts connections at random byte offsets in either direction, delays
// traffic, and duplicates a connection's requests to the backend. It only
// listens on loopback.
package faultproxy

import (
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Faults are the odds, per connection, of each misbehaviour.
type Faults struct {
	CutUp     float64       // cut the client-to-server stream after a random number of bytes
	CutDown   float64       // cut the server-to-client stream after a random number of bytes
	Duplicate float64       // send the client's bytes to a second backend connection as well
	Delay     float64       // delay each chunk by up to MaxDelay
	MaxDelay  time.Duration // for Delay
	MaxCut    int           // cut offsets are drawn in [0, MaxCut)
}

// Stats count what the proxy did.
type Stats struct {
	Conns, CutsUp, CutsDown, Dups, Delays atomic.Int64
}

// Proxy forwards connections to the address Backend returns at dial time,
// so the backend can restart on another port.
type Proxy struct {
	Backend func() string
	Stats   Stats

	ln     net.Listener
	mu     sync.Mutex
	faults Faults
	conns  map[net.Conn]bool
	wg     sync.WaitGroup
}

// New listens on a loopback port.
func New(backend func() string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{Backend: backend, ln: ln, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the proxy's address.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// SetFaults changes the odds for new connections.
func (p *Proxy) SetFaults(f Faults) {
	p.mu.Lock()
	p.faults = f
	p.mu.Unlock()
}

// Close stops the proxy and cuts every connection.
func (p *Proxy) Close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Proxy) track(c net.Conn, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on {
		p.conns[c] = true
	} else {
		delete(p.conns, c)
	}
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		f := p.faults
		p.mu.Unlock()
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.serve(c, f)
		}()
	}
}

func chance(p float64) bool { return p > 0 && rand.Float64() < p }

func (p *Proxy) serve(client net.Conn, f Faults) {
	p.Stats.Conns.Add(1)
	p.track(client, true)
	defer p.track(client, false)
	defer client.Close()
	server, err := net.DialTimeout("tcp", p.Backend(), time.Second)
	if err != nil {
		return // the backend is down: the client sees the connection close
	}
	p.track(server, true)
	defer p.track(server, false)
	defer server.Close()

	up, down := -1, -1 // bytes after which to cut; -1 never
	maxCut := max(f.MaxCut, 1)
	switch {
	case chance(f.CutUp):
		up = rand.IntN(maxCut)
		p.Stats.CutsUp.Add(1)
	case chance(f.CutDown):
		down = rand.IntN(maxCut)
		p.Stats.CutsDown.Add(1)
	}
	var delay time.Duration
	if chance(f.Delay) && f.MaxDelay > 0 {
		delay = time.Duration(rand.Int64N(int64(f.MaxDelay)))
		p.Stats.Delays.Add(1)
	}
	var dup net.Conn
	if chance(f.Duplicate) {
		if dup, err = net.DialTimeout("tcp", p.Backend(), time.Second); err == nil {
			p.Stats.Dups.Add(1)
			p.track(dup, true)
			defer p.track(dup, false)
			defer dup.Close()
			go io.Copy(io.Discard, dup) // the duplicate's answers go nowhere
		}
	}
	done := make(chan struct{}, 2)
	go func() {
		pipe(server, client, up, delay, dup)
		done <- struct{}{}
	}()
	go func() {
		pipe(client, server, down, delay, nil)
		done <- struct{}{}
	}()
	<-done // either side ending ends the connection: deferred closes cut the other
}

// pipe copies src to dst, stopping after limit bytes (limit < 0: no limit),
// sleeping delay before each chunk, and copying to tee as well if not nil.
func pipe(dst, src net.Conn, limit int, delay time.Duration, tee net.Conn) {
	buf := make([]byte, 4096)
	sent := 0
	for {
		n, err := src.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if limit >= 0 && sent+n > limit {
				chunk = chunk[:limit-sent]
			}
			if delay > 0 {
				time.Sleep(delay)
			}
			if tee != nil {
				_, _ = tee.Write(chunk)
			}
			if _, werr := dst.Write(chunk); werr != nil {
				return
			}
			sent += len(chunk)
			if limit >= 0 && sent >= limit {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
