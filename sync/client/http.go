package client

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
// honoured when it asks for longer.
type Backoff struct {
	Base, Max time.Duration
	Attempts  int
}

func (b Backoff) delay(attempt int) time.Duration {
	d := b.Base << min(attempt, 20)
	if d > b.Max || d <= 0 {
		d = b.Max
	}
	// Equal jitter: spread many laptops coming back online at once.
	return d/2 + rand.N(d/2+1)
}

// maxRetryAfter bounds a Retry-After so a wrong header cannot stall sync for hours.
const maxRetryAfter = 10 * time.Minute

// maxResponse bounds what the client reads of one response, compressed or not.
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
func temporary(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// Signer is who signs a request: a laptop's device or a coordinator's app,
// enrolled with the server at ServerURL. An empty ID sends the request
// unsigned (enrolment).
type Signer struct {
	ServerURL string
	ID        string
	Key       ed25519.PrivateKey
}

// Conn is the one code path of signed requests, for the laptops and the
// coordinators' apps alike: it signs, keeps the server's clock, retries
// what is safe to retry, and turns refusals into ServerError.
type Conn struct {
	HTTP    *http.Client
	Backoff Backoff
	offset  atomic.Int64
}

// Do sends one request, retrying transport failures and temporary refusals
// (busy, rate, clock, replay) with Backoff. Every attempt carries the same
// body; a write (POST) also carries one idempotency key for all its
// attempts, so the server does it once whatever attempt got through (a batch
// is made safe by its own id as well).
func (c *Conn) Do(ctx context.Context, who Signer, method, path string, body []byte, contentType string, out any) error {
	if method != http.MethodGet {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + wire.QueryIdempotencyKey + "=" + uuid.NewString()
	}
	var last error
	for attempt := 0; attempt < c.Backoff.Attempts; attempt++ {
		if attempt > 0 {
			wait := c.Backoff.delay(attempt - 1)
			var se *retryAfterError
			if errors.As(last, &se) && se.after > wait {
				wait = min(se.after, maxRetryAfter)
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return errors.Join(ctx.Err(), last)
			case <-t.C:
			}
		}
		last = c.Once(ctx, who, method, path, body, contentType, out)
		if last == nil {
			return nil
		}
		var se *ServerError
		if errors.As(last, &se) && !temporary(se.Status) && se.Refusal.Code != wire.CodeClockSkew && se.Refusal.Code != wire.CodeReplay {
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
func (c *Conn) Once(ctx context.Context, who Signer, method, path string, body []byte, contentType string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, who.ServerURL+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept-Encoding", "zstd")
	if who.ID != "" {
		wire.Sign(req, who.ID, who.Key, body, time.Now().Add(c.clockOffset()))
	}
	resp, err := c.HTTP.Do(req)
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
			c.learnClock(resp.Header.Get("Date"))
		}
		if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && ra > 0 {
			return &retryAfterError{after: time.Duration(ra) * time.Second, err: se}
		}
		return se
	}
	c.learnClock(resp.Header.Get("Date"))
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
func (c *Conn) learnClock(date string) {
	t, err := http.ParseTime(date)
	if err != nil {
		return
	}
	off := time.Until(t)
	if off < 2*time.Second && off > -2*time.Second {
		off = 0
	}
	c.offset.Store(int64(off))
}

func (c *Conn) clockOffset() time.Duration { return time.Duration(c.offset.Load()) }

// signer is the laptop's identity for Conn.
func (d *deviceState) signer() Signer {
	return Signer{ServerURL: d.ServerURL, ID: d.DeviceID, Key: d.signKey()}
}

// do sends one request of the laptop with retries (Conn.Do).
func (c *Client) do(ctx context.Context, d *deviceState, method, path string, body []byte, contentType string, out any) error {
	return c.conn.Do(ctx, d.signer(), method, path, body, contentType, out)
}
