// Package server is the central server of sinba: standard net/http handlers
// over the server's own SQLite store. It holds only envelopes and
// ciphertext. It never answers 500 to bad input: every refusal carries a
// code from package wire and a message in Italian and English.
package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"sinba/sync/wire"
)

// Config holds the server's limits. The zero value of a field means its default.
type Config struct {
	Limits      wire.Limits
	DeviceRate  float64 // requests per second per verified device or coordinator
	DeviceBurst int
	EnrolRate   float64 // enrolment attempts per second per address: codes are short
	EnrolBurst  int
	// EnrolGlobalRate bounds enrolment attempts from every address together.
	// It is well above one address's share, so one address (a proxy
	// without TrustedProxies, say) cannot use it all up.
	EnrolGlobalRate  float64
	EnrolGlobalBurst int
	// UnauthRate bounds the requests per address that fail authentication
	// (a bad signature, an unknown device, a wrong clock); past it an
	// address is refused before anything is looked up.
	UnauthRate  float64
	UnauthBurst int
	// MaxAddresses bounds each per-address table; addresses past it share
	// one bucket.
	MaxAddresses int
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client; without them the client is the peer address.
	TrustedProxies []netip.Prefix
	MaxInFlight    int           // batches (and instrument uploads) decoded and stored at once; memory is bounded by this
	MaxRequests    int           // other authenticated requests served at once
	SignerInFlight int           // requests of one device or coordinator at once
	QueueWait      time.Duration // how long a request waits for its turn before 503
	ChangesLimit   int           // feed items per page
	// DeviceQuota and TeamQuota bound, in bytes, what one laptop and one
	// team may make the server store (ciphertexts, envelopes, receipts);
	// past it a revision is refused with CodeQuotaExceeded and stays on the
	// laptop. Negative means no bound.
	DeviceQuota, TeamQuota int64
	Now                    func() time.Time
	DisableLimits          bool // tests of throughput only
}

// The default rate of a verified signer's requests (Config.DeviceRate and
// DeviceBurst), shared by every server process on the database.
const (
	DefaultDeviceRate  = 5
	DefaultDeviceBurst = 60
)

func (c *Config) defaults() {
	if c.Limits == (wire.Limits{}) {
		c.Limits = wire.DefaultLimits
	}
	if c.DeviceRate == 0 {
		c.DeviceRate, c.DeviceBurst = DefaultDeviceRate, DefaultDeviceBurst
	}
	if c.EnrolRate == 0 {
		c.EnrolRate, c.EnrolBurst = 0.1, 5
	}
	if c.EnrolGlobalRate == 0 {
		c.EnrolGlobalRate, c.EnrolGlobalBurst = 20*c.EnrolRate, 12*c.EnrolBurst
	}
	if c.UnauthRate == 0 {
		c.UnauthRate, c.UnauthBurst = 1, 30
	}
	if c.MaxAddresses == 0 {
		c.MaxAddresses = 10000
	}
	if c.MaxInFlight == 0 {
		c.MaxInFlight = 4
	}
	if c.MaxRequests == 0 {
		c.MaxRequests = 16
	}
	if c.SignerInFlight == 0 {
		c.SignerInFlight = 2
	}
	if c.QueueWait == 0 {
		c.QueueWait = 10 * time.Second
	}
	if c.ChangesLimit == 0 {
		c.ChangesLimit = 200
	}
	if c.DeviceQuota == 0 {
		c.DeviceQuota = DefaultDeviceQuota
	}
	if c.TeamQuota == 0 {
		c.TeamQuota = DefaultTeamQuota
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Default quotas, sized for the pilot: a researcher's laptop sends a few
// hundred records of a few KiB, each revised a few times, so 256 MiB is
// about a hundred times what one needs, and a team of several laptops gets
// eight of those.
const (
	DefaultDeviceQuota int64 = 256 << 20
	DefaultTeamQuota   int64 = 2 << 30
)

// Server is the HTTP API.
type Server struct {
	store *Store
	cfg   Config
	log   *slog.Logger
	mux   *http.ServeMux
	// signerRate is each verified signer's rate bucket, kept in the
	// store (Store.Admit) with the request's nonce: every server process on
	// one database shares it.
	signerRate Rate
	// What follows is this process's own, and stays so with several
	// processes on one database: the limits of requests not yet
	// authenticated (kept in memory so that a request without a valid
	// signature makes the store hold nothing; with N processes an address
	// gets N times these rates, so set them for one process's share), and
	// the slots that bound this process's memory and goroutines.
	enrols      *limiter // per address
	enrolGlobal *limiter // every address together
	unauth      *limiter // failed authentications per address
	addrs       addresses
	batches     gate       // heavy requests: batches, instrument uploads
	requests    gate       // every other authenticated request
	signers     *perSigner // one signer's requests in flight in this process
	seen        sync.Map   // signer id -> time.Time of the last recorded contact
	lastPrune   atomic.Int64
	refusals    *sampler // of the access log's refusals
	httpErrors  *sampler // of the http.Server's own error log
}

// New returns the API over store.
func New(store *Store, cfg Config, log *slog.Logger) *Server {
	cfg.defaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		store:       store,
		cfg:         cfg,
		log:         log,
		mux:         http.NewServeMux(),
		signerRate:  Rate{Rate: cfg.DeviceRate, Burst: cfg.DeviceBurst},
		enrols:      newLimiter(cfg.EnrolRate, cfg.EnrolBurst, cfg.MaxAddresses),
		enrolGlobal: newLimiter(cfg.EnrolGlobalRate, cfg.EnrolGlobalBurst, 1),
		unauth:      newLimiter(cfg.UnauthRate, cfg.UnauthBurst, cfg.MaxAddresses),
		addrs:       addresses{trusted: cfg.TrustedProxies},
		batches:     make(gate, cfg.MaxInFlight),
		requests:    make(gate, cfg.MaxRequests),
		signers:     &perSigner{max: cfg.SignerInFlight, n: map[string]int{}},
		refusals:    newSampler(time.Minute, 10),
		httpErrors:  newSampler(time.Minute, 10),
	}
	if cfg.DisableLimits {
		s.signerRate, s.enrols, s.enrolGlobal, s.unauth = Rate{}, nil, nil, nil
		s.signers.max = 1 << 30
	}
	// One enrolment path for both roles; the coordinators' old path is
	// the same with the coordinator's role where the request names none.
	s.mux.HandleFunc("POST "+wire.PathEnrol, s.enrol(wire.RoleDevice))
	s.mux.HandleFunc("POST "+wire.PathCoordEnrol, s.enrol(wire.RoleCoordinator))
	s.mux.HandleFunc("POST "+wire.PathBatches, s.authed(route{role: wire.RoleDevice, limit: cfg.Limits.MaxCompressed, heavy: true}, s.handleBatch))
	s.mux.HandleFunc("GET "+wire.PathChanges, s.authed(route{role: wire.RoleDevice, limit: smallBody}, s.handleChanges))
	s.mux.HandleFunc("POST "+wire.PathKeys, s.authed(route{role: wire.RoleDevice, limit: 64 << 10}, s.handleKeys))
	s.routeCoordinators()
	health := func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"ok": true, "version": wire.Version})
	}
	s.mux.HandleFunc("GET /v1/health", health)
	s.mux.HandleFunc("GET /healthz", health)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.refuse(w, r, wire.NewError(wire.CodeNotFound), 0)
	})
	return s
}

// smallBody is the body limit of requests that carry nothing but a little JSON.
const smallBody = 4 << 10

// statusWriter remembers, for the access log, the status, the refusal's
// code and who signed the request once the signature is checked.
type statusWriter struct {
	http.ResponseWriter
	status int
	code   string
	signer string
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// note records the refusal code and the verified signer on the access log's
// writer, wherever the handler's writer wraps it.
func note(w http.ResponseWriter, code, signer string) {
	for w != nil {
		if sw, ok := w.(*statusWriter); ok {
			if code != "" {
				sw.code = code
			}
			if signer != "" {
				sw.signer = signer
			}
			return
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return
		}
		w = u.Unwrap()
	}
}

// ServeHTTP logs every request and turns a panic into a logged 500, so one
// bad request never takes the server down.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", p)
			if sw.status == 0 {
				s.refuse(sw, r, wire.NewError(wire.CodeInternal), 0)
			}
		}
		s.access(r, sw, time.Since(start))
	}()
	w.Header().Set("Cache-Control", "no-store")
	// Laptops set their signing clock from this header.
	w.Header().Set("Date", s.cfg.Now().UTC().Format(http.TimeFormat))
	s.mux.ServeHTTP(sw, r)
}

// access writes the access log line of a request: at Info for what was
// served, at Warn for a refusal. Refusals are sampled (a few lines a minute
// per code, then one line with the count of those held back), since whoever
// sends them chooses how many there are; what is served is bounded by the
// signers' rate limits.
func (s *Server) access(r *http.Request, sw *statusWriter, took time.Duration) {
	args := []any{"method", r.Method, "path", r.URL.Path, "status", sw.status, "code", sw.code, "signer", sw.signer,
		"remote", r.RemoteAddr, "bytes_in", r.ContentLength, "ms", took.Milliseconds()}
	if sw.status < 400 {
		s.log.Info("request", args...)
		return
	}
	kind := sw.code
	if kind == "" {
		kind = strconv.Itoa(sw.status)
	}
	ok, flush := s.refusals.allow(kind, time.Now())
	logSuppressed(s.log, "refusals suppressed", flush)
	if ok {
		s.log.Warn("refused", args...)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"code":"internal"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// refuse answers with a coded error; retry > 0 adds Retry-After.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, e *wire.Error, retry time.Duration) {
	if retry > 0 {
		secs := int((retry + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
	}
	note(w, e.Code, "")
	writeJSON(w, wire.Status(e.Code), e)
}

// busyRetry is the Retry-After of a write whose transaction retries ran out.
const busyRetry = 2 * time.Second

// fail logs an internal error and answers 500 without its text. A
// transaction whose retries ran out (ErrBusy) is a busy database, not an
// internal error: one warning, and 503 with Retry-After, so the app comes
// back. Inside a keyed write's transaction (Once), a failure the engine may
// mend by running the transaction again is handed to Once, which does.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if rec, ok := w.(*recorder); ok && s.store.d.retryable(err) && !errors.Is(err, ErrBusy) {
		rec.again = err
		return
	}
	if errors.Is(err, ErrBusy) {
		s.log.Warn("database busy: transaction retries ran out", "method", r.Method, "path", r.URL.Path, "attempts", maxAttempts, "err", err)
		s.refuse(w, r, wire.NewError(wire.CodeOverloaded), busyRetry)
		return
	}
	s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	s.refuse(w, r, wire.NewError(wire.CodeInternal), 0)
}

// readBody reads the body within limit; the refusal is ready to send.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, *wire.Error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, wire.NewError(wire.CodeTooLarge)
	}
	if err != nil {
		return nil, wire.Errorf(wire.CodeInvalid, "richiesta interrotta", "request interrupted")
	}
	return body, nil
}

// enrolAllowed applies the enrolment limits, per address and then for
// every address together, before anything is read; false means the refusal
// was sent.
func (s *Server) enrolAllowed(w http.ResponseWriter, r *http.Request) bool {
	now := s.cfg.Now()
	ok, wait := s.enrols.allow(s.addrs.key(r), now)
	if ok {
		ok, wait = s.enrolGlobal.allow("", now)
	}
	if !ok {
		dropBody(w)
		s.refuse(w, r, wire.NewError(wire.CodeRateLimited), wait)
	}
	return ok
}

// dropBody makes the server close the connection after the answer instead
// of reading what is left of the body: a refused request holds nothing
// while its sender trickles bytes.
func dropBody(w http.ResponseWriter) {
	w.Header().Set("Connection", "close")
	_ = http.NewResponseController(w).SetReadDeadline(time.Now())
}

// once serves a write that carries an idempotency key: the first request
// with the key runs h, and its answer is kept with its writes; any later one
// gets that answer and runs nothing.
func (s *Server) once(w http.ResponseWriter, r *http.Request, p *Principal, body []byte, h func(http.ResponseWriter, *http.Request, []byte)) {
	key := r.URL.Query().Get(wire.QueryIdempotencyKey)
	if !wire.IsUUID(key) {
		s.refuse(w, r, wire.Errorf(wire.CodeInvalid, "manca la chiave di idempotenza (un UUID): aggiornare il programma",
			"the idempotency key (a UUID) is missing: update the program"), 0)
		return
	}
	request := append([]byte(r.Method+" "+r.URL.Path+"\n"), body...)
	var rec *recorder
	status, answer, err := s.store.Once(r.Context(), p.ID, p.ProjectID, key, request, func(ctx context.Context) (int, []byte, error) {
		rec = &recorder{under: w, header: http.Header{}}
		h(rec, r.WithContext(ctx), body)
		return rec.status, rec.body.Bytes(), rec.again
	})
	switch {
	case errors.Is(err, errKeyReused):
		s.refuse(w, r, wire.Errorf(wire.CodeConflict, "chiave di idempotenza già usata per un'altra richiesta", "idempotency key already used for another request"), 0)
		return
	case err != nil:
		s.fail(w, r, err)
		return
	}
	if rec == nil {
		w.Header().Set("Sinba-Replayed", "true") // the first answer, sent again
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(answer)))
	w.WriteHeader(status)
	_, _ = w.Write(answer)
}

// recorder keeps what a handler answers, so that the answer can be stored
// with the handler's writes before it is sent.
type recorder struct {
	under  http.ResponseWriter
	header http.Header
	status int
	body   bytes.Buffer
	again  error // a failure of the handler's transaction that running it again may mend (see fail)
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.under }

// pruneSometimes drops expired nonces, at most once a minute.
func (s *Server) pruneSometimes(now time.Time) {
	last := s.lastPrune.Load()
	if now.Unix()-last < 60 || !s.lastPrune.CompareAndSwap(last, now.Unix()) {
		return
	}
	if err := s.store.PruneNonces(context.Background(), now); err != nil {
		s.log.Warn("pruning nonces", "err", err)
	}
}

func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request, d *Principal, body []byte) {
	b, err := wire.DecodeBatch(body, s.cfg.Limits)
	if err != nil {
		var e *wire.Error
		if errors.As(err, &e) {
			s.refuse(w, r, e, 0)
			return
		}
		s.fail(w, r, err)
		return
	}
	receipt, err := s.store.Ingest(r.Context(), d, b, s.cfg.Limits, Quota{Device: s.cfg.DeviceQuota, Team: s.cfg.TeamQuota})
	if errors.Is(err, errBatchReused) {
		s.refuse(w, r, wire.Errorf(wire.CodeConflict, "identificativo del lotto già usato", "batch id already used"), 0)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	accepted := len(receipt.Accepted)
	if b.Version >= wire.FormatV2 {
		accepted = receipt.Count
	}
	s.log.Info("batch", "device", d.ID, "batch", b.ID, "format", b.Version, "accepted", accepted, "refused", len(receipt.Refused))
	writeJSON(w, http.StatusOK, receipt)
}

func (s *Server) handleChanges(w http.ResponseWriter, r *http.Request, d *Principal, _ []byte) {
	ch, err := s.store.Changes(r.Context(), d, cursorOf(r), s.cfg.ChangesLimit, formatOf(r.URL.Query()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.writePage(w, r, ch)
}

// cursorOf reads the cursor of a feed request; anything unreadable is 0.
func cursorOf(r *http.Request) int64 {
	cursor, err := strconv.ParseInt(r.URL.Query().Get("cursor"), 10, 64)
	if err != nil || cursor < 0 {
		return 0
	}
	return cursor
}

// writePage sends a page of a feed, zstd-compressed when the client takes it.
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, page any) {
	body, err := json.Marshal(page)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if len(body) > 512 && acceptsZstd(r) {
		body = wire.Compress(body)
		w.Header().Set("Content-Encoding", "zstd")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

func acceptsZstd(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, p := range strings.Split(v, ",") {
			name, _, _ := strings.Cut(strings.TrimSpace(p), ";")
			if name == "zstd" {
				return true
			}
		}
	}
	return false
}

func (s *Server) handleKeys(w http.ResponseWriter, r *http.Request, d *Principal, body []byte) {
	var req wire.KeysRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.refuse(w, r, wire.Errorf(wire.CodeInvalid, "richiesta non leggibile", "unreadable request"), 0)
		return
	}
	refusal, err := s.store.SetKeys(r.Context(), d, &req)
	switch {
	case err != nil:
		s.fail(w, r, err)
	case refusal != nil:
		s.refuse(w, r, refusal, 0)
	default:
		ks, err := s.store.keyState(r.Context(), d)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, ks)
	}
}

// HTTPServer wraps the handler in an http.Server with timeouts that keep a
// slow or stuck client from holding resources.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          log.New(sampledWriter{log: s.log, s: s.httpErrors, now: time.Now}, "", 0),
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12},
	}
}

// Serve serves on ln until ctx ends, then shuts down gracefully: requests in
// flight finish (a batch is committed or not at all, either way safe), new
// ones are refused. With cert it serves TLS; the caller loads it before it
// listens, so a bad certificate stops the server before it says it is up.
func (s *Server) Serve(ctx context.Context, ln net.Listener, cert *tls.Certificate) error {
	hs := s.HTTPServer()
	errc := make(chan error, 1)
	go func() {
		if cert != nil {
			hs.TLSConfig.Certificates = []tls.Certificate{*cert}
			errc <- hs.ServeTLS(ln, "", "")
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := hs.Shutdown(sctx)
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	return err
}
