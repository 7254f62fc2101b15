// Package session is the one signed session with the server, for both roles
// on the laptop side: the researchers' app (package sync/client) and the
// coordinators' (package sync/coord) are built on it. It owns the transport
// (zstd answers, a bounded read), request signing (wire.Sign), retries that
// honour the server's Retry-After with jittered, capped backoff, the offset
// of the server's clock (learnt from its Date header), enrolment with a
// one-time code, and the paging of a feed and the merging of its revisions
// and review decisions in feed order. Neither role speaks HTTP but through
// it, so both have the same rules.
package session

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"sinba/sync/wire"
)

// Backoff is how requests are retried: delays grow from Base doubling up to
// Max, with jitter, for at most Attempts tries; a server's Retry-After is
// honoured when it asks for longer, up to MaxRetryAfter.
type Backoff struct {
	Base, Max time.Duration
	Attempts  int
}

// DefaultBackoff is the one retry rule of both apps: at most five tries,
// over about eight seconds when the server says nothing of when to come
// back. A person waiting on a coordinator's button and a laptop's
// background round get the same; a round cut short is simply run again
// later.
var DefaultBackoff = Backoff{Base: 500 * time.Millisecond, Max: 8 * time.Second, Attempts: 5}

func (b Backoff) delay(attempt int) time.Duration {
	d := b.Base << min(attempt, 20)
	if d > b.Max || d <= 0 {
		d = b.Max
	}
	// Equal jitter: spread many laptops coming back online at once.
	return d/2 + rand.N(d/2+1)
}

// MaxRetryAfter bounds a Retry-After, so a wrong header cannot stall an app
// for hours.
const MaxRetryAfter = 2 * time.Minute

// maxResponse bounds what is read of one response, compressed or not.
const maxResponse = 32 << 20

// ServerError is a refusal from the server, with its HTTP status.
type ServerError struct {
	Status  int
	Refusal wire.Error
}

func (e *ServerError) Error() string { return e.Refusal.Error() }

// Message is the refusal's message for people in language, without its code.
func (e *ServerError) Message(language string) string { return e.Refusal.Message(language) }

// temporary reports whether the request may succeed if simply sent again.
func (e *ServerError) temporary() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500 ||
		e.Refusal.Code == wire.CodeClockSkew || e.Refusal.Code == wire.CodeReplay
}

// OfflineError means the server could not be reached; nothing is lost, the
// next attempt sends what is left.
type OfflineError struct{ Err error }

func (e *OfflineError) Error() string {
	return "server non raggiungibile: i dati restano sul computer e saranno inviati alla prossima connessione / " +
		"server unreachable: the data stays on this computer and will be sent at the next connection (" + e.Err.Error() + ")"
}

func (e *OfflineError) Unwrap() error { return e.Err }

// Explain turns a transport failure into an OfflineError, with a message
// for a person; a refusal from the server already carries one, and an end
// of ctx stays what it is.
func Explain(ctx context.Context, err error) error {
	var se *ServerError
	var off *OfflineError
	if err == nil || errors.As(err, &se) || errors.As(err, &off) || errors.Is(err, context.Canceled) || ctx.Err() != nil {
		return err
	}
	return &OfflineError{Err: err}
}

// Identity is who signs a request: a laptop's device or a coordinator's
// app, enrolled with the server at ServerURL. An empty ID sends the request
// unsigned (enrolment).
type Identity struct {
	ServerURL string
	ID        string
	Key       ed25519.PrivateKey
}

// Options tune a Session; the zero value is right for the apps.
type Options struct {
	HTTPClient *http.Client
	Backoff    Backoff // DefaultBackoff when zero
}

// Session is the signed session of one app with its server: it signs,
// keeps the server's clock, retries what is safe to retry, and turns
// refusals into ServerError. It is safe for concurrent use.
type Session struct {
	http    *http.Client
	backoff Backoff
	offset  atomic.Int64
}

// New returns a session.
func New(opt Options) *Session {
	if opt.HTTPClient == nil {
		opt.HTTPClient = &http.Client{Timeout: 2 * time.Minute}
	}
	if opt.Backoff == (Backoff{}) {
		opt.Backoff = DefaultBackoff
	}
	return &Session{http: opt.HTTPClient, backoff: opt.Backoff}
}

// Call sends in as JSON (nothing when nil) for who, with retries (Do), and
// decodes the answer into out; a transport failure comes back as an
// OfflineError (Explain).
func (s *Session) Call(ctx context.Context, who Identity, method, path string, in, out any) error {
	body, err := jsonBody(in)
	if err != nil {
		return err
	}
	contentType := ""
	if body != nil {
		contentType = "application/json"
	}
	return Explain(ctx, s.Do(ctx, who, method, path, body, contentType, out))
}

// jsonBody is in as JSON; nil for nil.
func jsonBody(in any) ([]byte, error) {
	if in == nil {
		return nil, nil
	}
	return json.Marshal(in)
}

// Do sends one request, retrying transport failures and temporary refusals
// (busy, rate, clock, replay) with the session's Backoff. Every attempt
// carries the same body; a write (POST) also carries one idempotency key
// for all its attempts, so the server does it once whatever attempt got
// through (a batch is made safe by its own id as well).
func (s *Session) Do(ctx context.Context, who Identity, method, path string, body []byte, contentType string, out any) error {
	if method != http.MethodGet {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + wire.QueryIdempotencyKey + "=" + uuid.NewString()
	}
	var last error
	for attempt := 0; attempt < s.backoff.Attempts; attempt++ {
		if attempt > 0 {
			wait := s.backoff.delay(attempt - 1)
			var ra *retryAfterError
			if errors.As(last, &ra) && ra.after > wait {
				wait = min(ra.after, MaxRetryAfter)
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return errors.Join(ctx.Err(), last)
			case <-t.C:
			}
		}
		last = s.Once(ctx, who, method, path, body, contentType, out)
		if last == nil {
			return nil
		}
		var se *ServerError
		if errors.As(last, &se) && !se.temporary() {
			return last
		}
		if ctx.Err() != nil {
			return errors.Join(ctx.Err(), last)
		}
	}
	return last
}

type retryAfterError struct {
	after time.Duration
	err   error
}

func (e *retryAfterError) Error() string { return e.err.Error() }
func (e *retryAfterError) Unwrap() error { return e.err }

// Once sends one attempt of a request and decodes the answer into out.
func (s *Session) Once(ctx context.Context, who Identity, method, path string, body []byte, contentType string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, who.ServerURL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept-Encoding", "zstd")
	if who.ID != "" {
		wire.Sign(req, who.ID, who.Key, body, time.Now().Add(s.ClockOffset()))
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return err
	}
	if len(data) > maxResponse {
		return fmt.Errorf("sync: response too large")
	}
	if resp.Header.Get("Content-Encoding") == "zstd" {
		if data, err = wire.Decompress(data, maxResponse); err != nil {
			return err
		}
	}
	if resp.StatusCode != http.StatusOK {
		se := &ServerError{Status: resp.StatusCode}
		if json.Unmarshal(data, &se.Refusal) != nil || se.Refusal.Code == "" {
			se.Refusal = *wire.Errorf(wire.CodeInternal, fmt.Sprintf("risposta inattesa del server (HTTP %d)", resp.StatusCode),
				fmt.Sprintf("unexpected server response (HTTP %d)", resp.StatusCode))
		}
		if se.Refusal.Code == wire.CodeClockSkew {
			s.learnClock(resp.Header.Get("Date"))
		}
		if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && ra > 0 {
			return &retryAfterError{after: time.Duration(ra) * time.Second, err: se}
		}
		return se
	}
	s.learnClock(resp.Header.Get("Date"))
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("sync: unreadable server response: %w", err)
	}
	return nil
}

// learnClock keeps the offset between the server's clock and ours, so a
// computer with a wrong clock still signs acceptable timestamps. Date has
// one-second resolution, so small offsets are ignored.
func (s *Session) learnClock(date string) {
	t, err := http.ParseTime(date)
	if err != nil {
		return
	}
	off := time.Until(t)
	if off < 2*time.Second && off > -2*time.Second {
		off = 0
	}
	s.offset.Store(int64(off))
}

// ClockOffset is how far the server's clock is ahead of this computer's, as
// last learnt.
func (s *Session) ClockOffset() time.Duration { return time.Duration(s.offset.Load()) }
