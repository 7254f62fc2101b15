package server

import (
	"math"
	"sync"
	"time"
)

// limiter is a token bucket per key (a device id, or an address for
// enrolment). Refill rate per second, burst tokens at most.
type limiter struct {
	rate, burst float64
	mu          sync.Mutex
	buckets     map[string]*bucket
	lastPrune   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(rate float64, burst int) *limiter {
	return &limiter{rate: rate, burst: float64(burst), buckets: map[string]*bucket{}}
}

// allow takes a token for key; if there is none it says how long to wait.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	if l.rate <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastPrune) > time.Minute {
		// A full bucket is the same as no bucket: drop them so the map
		// stays as small as the set of recently active keys.
		for k, b := range l.buckets {
			if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
				delete(l.buckets, k)
			}
		}
		l.lastPrune = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return false, wait
}

// nonces remembers the nonces of signed requests for as long as their
// timestamps are acceptable, so a captured request cannot be replayed.
type nonces struct {
	mu        sync.Mutex
	seen      map[string]time.Time
	window    time.Duration
	lastPrune time.Time
}

func newNonces(window time.Duration) *nonces {
	return &nonces{seen: map[string]time.Time{}, window: window}
}

// fresh records nonce and reports whether it was new.
func (n *nonces) fresh(nonce string, now time.Time) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if now.Sub(n.lastPrune) > n.window/4 {
		for k, t := range n.seen {
			if now.Sub(t) > 2*n.window {
				delete(n.seen, k)
			}
		}
		n.lastPrune = now
	}
	if _, dup := n.seen[nonce]; dup {
		return false
	}
	n.seen[nonce] = now
	return true
}
