package server

import (
	"bytes"
	"io"
	"log/slog"
	"sync"
	"time"
)

// sampler lets through the first perWindow log lines of each kind in a
// window, and counts the rest; the counts are written as one line when a
// later window starts. A flood of refused or forged requests costs a few
// lines a minute, not one line each. Kinds are refusal codes and statuses,
// a small fixed set.
type sampler struct {
	mu         sync.Mutex
	window     time.Duration
	perWindow  int
	start      time.Time
	seen       map[string]int
	suppressed map[string]int
}

func newSampler(window time.Duration, perWindow int) *sampler {
	return &sampler{window: window, perWindow: perWindow, seen: map[string]int{}, suppressed: map[string]int{}}
}

// allow reports whether a line of kind may be written now; flush, when not
// nil, is what was held back in the window just ended.
func (s *sampler) allow(kind string, now time.Time) (ok bool, flush map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.start) >= s.window {
		if len(s.suppressed) > 0 {
			flush = s.suppressed
			s.suppressed = map[string]int{}
		}
		clear(s.seen)
		s.start = now
	}
	if s.seen[kind] < s.perWindow {
		s.seen[kind]++
		return true, flush
	}
	s.suppressed[kind]++
	return false, flush
}

// logSuppressed writes what a sampler held back, if anything.
func logSuppressed(log *slog.Logger, msg string, counts map[string]int) {
	if len(counts) == 0 {
		return
	}
	args := make([]any, 0, 2*len(counts))
	for k, n := range counts {
		args = append(args, k, n)
	}
	log.Warn(msg, slog.Group("suppressed", args...))
}

// sampledWriter is the http.Server's error log (TLS handshake failures,
// malformed requests): one line per write, sampled as a whole, since the
// peer chooses how many there are.
type sampledWriter struct {
	log *slog.Logger
	s   *sampler
	now func() time.Time
}

func (w sampledWriter) Write(p []byte) (int, error) {
	ok, flush := w.s.allow("http", w.now())
	logSuppressed(w.log, "http server errors suppressed", flush)
	if ok {
		w.log.Warn("http server", "msg", string(bytes.TrimSpace(p)))
	}
	return len(p), nil
}

var _ io.Writer = sampledWriter{}
