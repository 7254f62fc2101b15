package server

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// limiter is a token bucket per client address, in this process's memory:
// the limits of requests not yet authenticated, which must make the store
// hold nothing (a verified signer's bucket is in the store, Store.Admit). Refill rate per second, burst tokens at most. The table
// holds at most maxKeys buckets: when it is full of keys still recovering,
// every new key shares one overflow bucket, so a flood of new keys (forged
// ids, sprayed addresses) costs neither memory nor the keys already known.
type limiter struct {
	rate, burst float64
	maxKeys     int
	mu          sync.Mutex
	buckets     map[string]*bucket
	lastPrune   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// overflowKey is the bucket every key shares once the table is full.
const overflowKey = "\x00overflow"

func newLimiter(rate float64, burst, maxKeys int) *limiter {
	return &limiter{rate: rate, burst: float64(burst), maxKeys: maxKeys, buckets: map[string]*bucket{}}
}

// allow takes a token for key; if there is none it says how long to wait.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	return l.take(key, now, true)
}

// exhausted reports whether key has no token left, without taking one.
func (l *limiter) exhausted(key string, now time.Time) (bool, time.Duration) {
	ok, wait := l.take(key, now, false)
	return !ok, wait
}

func (l *limiter) take(key string, now time.Time, spend bool) (bool, time.Duration) {
	if l == nil || l.rate <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastPrune) > time.Minute {
		l.prune(now)
	}
	b, ok := l.buckets[key]
	if !ok && !spend {
		// No bucket is a full bucket, unless the key would share the
		// overflow one.
		if b, ok = l.buckets[overflowKey]; !ok || len(l.buckets) < l.maxKeys {
			return true, 0
		}
	}
	if !ok {
		if len(l.buckets) >= l.maxKeys && now.Sub(l.lastPrune) > time.Second {
			l.prune(now)
		}
		if len(l.buckets) >= l.maxKeys {
			key = overflowKey
			b = l.buckets[key]
		}
		if b == nil {
			b = &bucket{tokens: l.burst, at: now}
			l.buckets[key] = b
		}
	}
	tokens := math.Min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	if tokens >= 1 {
		if spend {
			b.tokens, b.at = tokens-1, now
		}
		return true, 0
	}
	if spend {
		b.tokens, b.at = tokens, now
	}
	return false, time.Duration((1 - tokens) / l.rate * float64(time.Second))
}

// prune drops full buckets: a full bucket is the same as no bucket, so the
// map stays as small as the set of recently active keys.
func (l *limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
	l.lastPrune = now
}

// size is the number of buckets held, for tests.
func (l *limiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// gate bounds how many requests of one kind run at once; a request waits at
// most wait for its turn.
type gate chan struct{}

// enter takes a place; false means the wait ran out or the client left.
func (g gate) enter(r *http.Request, wait time.Duration) bool {
	select {
	case g <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case g <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-r.Context().Done():
		return false
	}
}

func (g gate) leave() { <-g }

// perSigner bounds the requests of one verified signer in flight at once, so
// one laptop (or a stolen key) cannot take every slot.
type perSigner struct {
	mu  sync.Mutex
	max int
	n   map[string]int
}

func (p *perSigner) enter(id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.n[id] >= p.max {
		return false
	}
	p.n[id]++
	return true
}

func (p *perSigner) leave(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.n[id]--; p.n[id] <= 0 {
		delete(p.n, id)
	}
}

// addresses tells the client address of a request for the limits of
// unauthenticated traffic. Behind a reverse proxy every request comes from
// the proxy: with the proxy's address trusted, the client is the nearest
// address in X-Forwarded-For that is not itself a trusted proxy.
type addresses struct {
	trusted []netip.Prefix
}

// key is the limiter key of r's client: the address, or its /64 for IPv6
// (one subscriber gets a whole /64).
func (a addresses) key(r *http.Request) string {
	ip := a.client(r)
	if !ip.IsValid() {
		return r.RemoteAddr
	}
	if ip.Is6() && !ip.Is4In6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.Unmap().String()
}

func (a addresses) client(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	peer = peer.Unmap()
	if !a.isTrusted(peer) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return peer // a garbled chain: the proxy is all we know
		}
		hop = hop.Unmap()
		if !a.isTrusted(hop) {
			return hop
		}
		peer = hop
	}
	return peer
}

func (a addresses) isTrusted(ip netip.Addr) bool {
	for _, p := range a.trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
