package server

import (
	"fmt"
	"testing"
	"time"
)

// Finding 8: 860k forged requests grew the server's memory to 175 MB and
// kept it, one bucket per forged key. A limiter's table now holds at most
// maxKeys buckets; the keys past it share one.
func TestLimiterTableIsBounded(t *testing.T) {
	l := newLimiter(0.001, 1, 1000)
	now := time.Now()
	for i := range 100_000 {
		l.allow(fmt.Sprintf("198.51.%d.%d", i>>8, i&255), now)
	}
	if n := l.size(); n > 1001 {
		t.Fatalf("%d buckets after 100,000 keys, want at most 1001", n)
	}
	// The keys known before the flood keep their own buckets.
	if ok, _ := l.allow("198.51.0.1", now); ok {
		t.Fatal("a known key got a fresh bucket")
	}
	// Once their buckets are full again, they are dropped.
	later := now.Add(time.Hour * 24)
	l.allow("fresh", later)
	if n := l.size(); n > 2 {
		t.Fatalf("%d buckets a day later, want the table pruned", n)
	}
}
