// Package server is the central server of sinba: standard net/http handlers
// over the server's own SQLite store. It holds only envelopes and
// ciphertext. It never answers 500 to bad input: every refusal carries a
// code from package wire and a message in Italian and English.
package server

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"sinba/sync/wire"
)

// Config holds the server's limits. The zero value of a field means its default.
type Config struct {
	Limits        wire.Limits
	DeviceRate    float64 // requests per second per device
	DeviceBurst   int
	EnrolRate     float64 // enrolment attempts per second per address: codes are short
	EnrolBurst    int
	MaxInFlight   int           // batches decoded and stored at once; memory is bounded by this
	QueueWait     time.Duration // how long a batch waits for its turn before 503
	ChangesLimit  int           // feed items per page
	Now           func() time.Time
	DisableLimits bool // tests of throughput only
}

func (c *Config) defaults() {
	if c.Limits == (wire.Limits{}) {
		c.Limits = wire.DefaultLimits
	}
	if c.DeviceRate == 0 {
		c.DeviceRate, c.DeviceBurst = 5, 60
	}
	if c.EnrolRate == 0 {
		c.EnrolRate, c.EnrolBurst = 0.1, 5
	}
	if c.MaxInFlight == 0 {
		c.MaxInFlight = 4
	}
	if c.QueueWait == 0 {
		c.QueueWait = 10 * time.Second
	}
	if c.ChangesLimit == 0 {
		c.ChangesLimit = 200
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Server is the HTTP API.
type Server struct {
	store    *Store
	cfg      Config
	log      *slog.Logger
	mux      *http.ServeMux
	devices  *limiter
	enrols   *limiter
	nonces   *nonces
	inflight chan struct{}
	seen     sync.Map // device id -> time.Time of the last recorded contact
}

// New returns the API over store.
func New(store *Store, cfg Config, log *slog.Logger) *Server {
	cfg.defaults()
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{
		store:    store,
		cfg:      cfg,
		log:      log,
		mux:      http.NewServeMux(),
		devices:  newLimiter(cfg.DeviceRate, cfg.DeviceBurst),
		enrols:   newLimiter(cfg.EnrolRate, cfg.EnrolBurst),
		nonces:   newNonces(wire.MaxSkew),
		inflight: make(chan struct{}, cfg.MaxInFlight),
	}
	if cfg.DisableLimits {
		s.devices, s.enrols = newLimiter(0, 0), newLimiter(0, 0)
	}
	s.mux.HandleFunc("POST "+wire.PathEnrol, s.handleEnrol)
	s.mux.HandleFunc("POST "+wire.PathBatches, s.authed(s.handleBatch))
	s.mux.HandleFunc("GET "+wire.PathChanges, s.authed(s.handleChanges))
	s.mux.HandleFunc("POST "+wire.PathKeys, s.authed(s.handleKeys))
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

// statusWriter remembers the status for the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
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
		s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "device", r.Header.Get(wire.HeaderDevice),
			"remote", r.RemoteAddr, "bytes_in", r.ContentLength, "ms", time.Since(start).Milliseconds())
	}()
	w.Header().Set("Cache-Control", "no-store")
	// Laptops set their signing clock from this header.
	w.Header().Set("Date", s.cfg.Now().UTC().Format(http.TimeFormat))
	s.mux.ServeHTTP(sw, r)
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
	writeJSON(w, wire.Status(e.Code), e)
}

// fail logs an internal error and answers 500 without its text.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
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

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) handleEnrol(w http.ResponseWriter, r *http.Request) {
	if ok, wait := s.enrols.allow(remoteHost(r), s.cfg.Now()); !ok {
		s.refuse(w, r, wire.NewError(wire.CodeRateLimited), wait)
		return
	}
	body, e := s.readBody(w, r, 16<<10)
	if e != nil {
		s.refuse(w, r, e, 0)
		return
	}
	var req wire.EnrolRequest
	if err := json.Unmarshal(body, &req); err != nil {
		s.refuse(w, r, wire.Errorf(wire.CodeInvalid, "richiesta di iscrizione non leggibile", "unreadable enrolment request"), 0)
		return
	}
	if req.Version != wire.Version {
		s.refuse(w, r, wire.NewError(wire.CodeUnsupportedVersion), 0)
		return
	}
	resp, refusal, err := s.store.Enrol(r.Context(), &req)
	switch {
	case err != nil:
		s.fail(w, r, err)
	case refusal != nil:
		s.log.Warn("enrolment refused", "remote", r.RemoteAddr, "code", refusal.Code)
		s.refuse(w, r, refusal, 0)
	default:
		s.log.Info("device enrolled", "device", resp.DeviceID, "team", resp.TeamID)
		writeJSON(w, http.StatusOK, resp)
	}
}

// authed checks the device's signature, revocation, replay and rate before
// the handler runs; the handler gets the body already read and checked.
func (s *Server) authed(h func(http.ResponseWriter, *http.Request, *Device, []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		signed, now, ok := s.preauth(w, r)
		if !ok {
			return
		}
		d, err := s.store.Device(r.Context(), signed.DeviceID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if d == nil {
			s.refuse(w, r, wire.NewError(wire.CodeUnauthenticated), 0)
			return
		}
		if d.Revoked {
			s.refuse(w, r, wire.NewError(wire.CodeRevoked), 0)
			return
		}
		// Batches wait for a slot before their body is read, so the memory
		// held by bodies and decoders is bounded by MaxInFlight.
		if r.URL.Path == wire.PathBatches {
			t := time.NewTimer(s.cfg.QueueWait)
			select {
			case s.inflight <- struct{}{}:
				t.Stop()
				defer func() { <-s.inflight }()
			case <-t.C:
				s.refuse(w, r, wire.NewError(wire.CodeOverloaded), time.Second)
				return
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		limit := int64(64 << 10)
		if r.URL.Path == wire.PathBatches {
			limit = s.cfg.Limits.MaxCompressed
		}
		body, ok := s.verified(w, r, signed, d.SignKey, limit, now)
		if !ok {
			return
		}
		// Last contact, for "sinba-server devices": at most one write a
		// minute per device, so idle rounds stay reads.
		if last, ok := s.seen.Load(d.ID); !ok || now.Sub(last.(time.Time)) > time.Minute {
			s.seen.Store(d.ID, now)
			s.store.Seen(r.Context(), d.ID)
		}
		h(w, r, d, body)
	}
}

// preauth checks the protocol version, reads the signature headers and
// applies the signer's rate limit, before anything touches the database.
func (s *Server) preauth(w http.ResponseWriter, r *http.Request) (wire.Signed, time.Time, bool) {
	if v := r.Header.Get(wire.HeaderProtocol); v != strconv.Itoa(wire.Version) {
		s.refuse(w, r, wire.NewError(wire.CodeUnsupportedVersion), 0)
		return wire.Signed{}, time.Time{}, false
	}
	signed, e := wire.ReadSigned(r)
	if e != nil {
		s.refuse(w, r, e, 0)
		return signed, time.Time{}, false
	}
	now := s.cfg.Now()
	if ok, wait := s.devices.allow(signed.DeviceID, now); !ok {
		s.refuse(w, r, wire.NewError(wire.CodeRateLimited), wait)
		return signed, now, false
	}
	return signed, now, true
}

// verified reads the body within limit and checks the signature over it and
// the nonce against replays.
func (s *Server) verified(w http.ResponseWriter, r *http.Request, signed wire.Signed, key ed25519.PublicKey, limit int64, now time.Time) ([]byte, bool) {
	body, e := s.readBody(w, r, limit)
	if e != nil {
		s.refuse(w, r, e, 0)
		return nil, false
	}
	if e := signed.Verify(r, key, body, now); e != nil {
		s.refuse(w, r, e, 0)
		return nil, false
	}
	if !s.nonces.fresh(signed.DeviceID+signed.Nonce, now) {
		s.refuse(w, r, wire.NewError(wire.CodeReplay), 0)
		return nil, false
	}
	return body, true
}

func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request, d *Device, body []byte) {
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
	receipt, err := s.store.Ingest(r.Context(), d, b, s.cfg.Limits)
	if errors.Is(err, errBatchReused) {
		s.refuse(w, r, wire.Errorf(wire.CodeConflict, "identificativo del lotto già usato", "batch id already used"), 0)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("batch", "device", d.ID, "batch", b.ID, "accepted", len(receipt.Accepted), "refused", len(receipt.Refused))
	writeJSON(w, http.StatusOK, receipt)
}

func (s *Server) handleChanges(w http.ResponseWriter, r *http.Request, d *Device, _ []byte) {
	ch, err := s.store.Changes(r.Context(), d, cursorOf(r), s.cfg.ChangesLimit)
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

func (s *Server) handleKeys(w http.ResponseWriter, r *http.Request, d *Device, body []byte) {
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
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12},
	}
}

// Serve serves on ln until ctx ends, then shuts down gracefully: requests in
// flight finish (a batch is committed or not at all, either way safe), new
// ones are refused. With certFile and keyFile it serves TLS.
func (s *Server) Serve(ctx context.Context, ln net.Listener, certFile, keyFile string) error {
	hs := s.HTTPServer()
	errc := make(chan error, 1)
	go func() {
		if certFile != "" {
			errc <- hs.ServeTLS(ln, certFile, keyFile)
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
