package server

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"sinba/sync/wire"
)

// Rate is a token bucket: Rate tokens a second, Burst at most. A zero
// Rate means no bound.
type Rate struct {
	Rate  float64
	Burst int
}

// Admit lets a verified signer's request in, in one transaction of the
// store: it takes a token from the signer's rate bucket, then records the
// request's nonce until its timestamp leaves the clock window. Both are in
// the store, so every server process on the same database shares them and a
// restart forgets neither. wait > 0 means the bucket is empty (the nonce is
// not used, so the request may come again after wait); replay means the
// store has seen the nonce.
func (s *Store) Admit(ctx context.Context, signer, nonce string, ts int64, rate Rate, now time.Time) (wait time.Duration, replay bool, err error) {
	err = s.tx(ctx, func(tx *txn) error {
		if rate.Rate > 0 {
			wait, err = takeToken(ctx, tx, &s.st, signer, rate, now)
			if err != nil || wait > 0 {
				return err
			}
		}
		expires := ts + int64(wire.MaxSkew/time.Second) + 1
		res, err := tx.StmtContext(ctx, s.st[stUseNonce]).ExecContext(ctx, signer, nonce, expires)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		replay = n == 0
		return err
	})
	return wait, replay, err
}

// takeToken takes a token from signer's bucket in one statement, which
// concurrent server processes cannot interleave: the bucket refills at
// rate.Rate since it was last touched, up to rate.Burst. An empty bucket is
// left as it was, and the answer is how long until it holds a token.
func takeToken(ctx context.Context, tx *txn, st *prepared, signer string, rate Rate, now time.Time) (time.Duration, error) {
	t := float64(now.UnixNano()) / 1e9
	burst := float64(rate.Burst)
	var left float64
	err := tx.StmtContext(ctx, st[stTakeToken]).QueryRowContext(ctx, takeTokenArgs(signer, t, rate.Rate, burst)...).Scan(&left)
	if err == nil {
		return 0, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	var tokens, at float64
	if err := tx.StmtContext(ctx, st[stBucket]).QueryRowContext(ctx, signer).Scan(&tokens, &at); err != nil {
		return 0, err
	}
	have := min(burst, tokens+max(0, t-at)*rate.Rate)
	return time.Duration((1 - have) / rate.Rate * float64(time.Second)), nil
}

// idempotencyTTL is how long the answer to a keyed write is kept: longer
// than any retry of the app, which gives up within minutes.
const idempotencyTTL = 7 * 24 * time.Hour

// PruneNonces drops the nonces whose requests are past the clock window and
// the answers to keyed writes older than idempotencyTTL.
func (s *Store) PruneNonces(ctx context.Context, now time.Time) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM nonces WHERE expires_at < ?`, now.Unix())
	if err == nil {
		_, err = s.w.ExecContext(ctx, `DELETE FROM idempotency WHERE created_at < ?`, now.Add(-idempotencyTTL).Unix())
	}
	return err
}

// errKeyReused means an idempotency key came back with another request.
var errKeyReused = errors.New("idempotency key reused for another request")

// Once runs fn at most once for a signer's idempotency key: fn's writes and
// the record of its answer are one transaction, so a request sent again
// (retried, or replayed after its nonce expired) gets the answer of the
// first and changes nothing, even across a crash. request identifies what
// was asked (method, path, body): the same key with another request gets
// errKeyReused. An answer with status 500 or more is not kept, so the
// write may be tried again. project is the signer's project: fn's writes
// (reviews, publications, grants) go in its feed or beside it, so the
// transaction takes the project's lock before it begins, as the ingest of
// the project's batches does (see txSerial). An error fn returns rolls its
// writes back; one the engine may mend (a serialization failure of a write
// fn made) runs fn again, and ErrBusy means the attempts ran out.
func (s *Store) Once(ctx context.Context, signer, project, key string, request []byte, fn func(context.Context) (int, []byte, error)) (status int, answer []byte, err error) {
	err = s.retry(ctx, func() error {
		var err error
		status, answer, err = s.once(ctx, signer, project, key, request, fn)
		return err
	})
	return status, answer, err
}

// once is one attempt of Once: on PostgreSQL, two processes given the same
// key at once both run fn, and the commit of one fails and runs again.
func (s *Store) once(ctx context.Context, signer, project, key string, request []byte, fn func(context.Context) (int, []byte, error)) (int, []byte, error) {
	idSum := sha256.Sum256([]byte("sinba-idempotency-id\n" + signer + "\n" + key))
	sealKey := sha256.Sum256([]byte("sinba-idempotency-seal\n" + signer + "\n" + key))
	reqSum := sha256.Sum256(request)
	tx, err := s.w.BeginTx(ctx, project)
	if err != nil {
		return 0, nil, err
	}
	defer func() { _ = tx.Rollback() }()
	var stored, sealed []byte
	var status int
	err = tx.QueryRowContext(ctx, `SELECT request_sha256, status, answer FROM idempotency WHERE id = ?`, idSum[:]).Scan(&stored, &status, &sealed)
	if err == nil {
		if subtle.ConstantTimeCompare(stored, reqSum[:]) != 1 {
			return 0, nil, errKeyReused
		}
		answer, err := openAnswer(sealKey[:], sealed)
		return status, answer, err
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, nil, err
	}
	status, answer, err := fn(context.WithValue(ctx, txKey{}, tx))
	if err != nil {
		return 0, nil, err // rolled back
	}
	if status >= 500 {
		return status, answer, nil // rolled back
	}
	if sealed, err = sealAnswer(sealKey[:], answer); err != nil {
		return 0, nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO idempotency (id, request_sha256, status, answer, created_at) VALUES (?, ?, ?, ?, ?)`,
		idSum[:], reqSum[:], status, sealed, time.Now().Unix()); err != nil {
		return 0, nil, err
	}
	return status, answer, tx.Commit()
}

func sealAnswer(key, plain []byte) ([]byte, error) {
	aead, err := answerAEAD(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, plain, nil), nil
}

func openAnswer(key, sealed []byte) ([]byte, error) {
	aead, err := answerAEAD(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize() {
		return nil, fmt.Errorf("stored answer too short")
	}
	return aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], nil)
}

func answerAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
