package localdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"sinba/survey"
)

// OutboxEntry is a revision sync still has to send.
type OutboxEntry struct {
	Seq                int64
	RecordID, Revision string
	BaseRevision       string
	MergedRevision     string // the other head a resolution merged, "" otherwise
	Instrument         string
	InstrumentVersion  int
	Municipality       string
	Status             survey.Status
	Record             survey.Record
	SavedAt            time.Time
}

// Outbox returns up to limit unsent revisions, oldest first (all when limit
// <= 0). A revision that cannot be decrypted is left in the outbox and
// skipped, so one damaged row does not stop sync; Verify reports it.
func (s *Store) Outbox(ctx context.Context, limit int) ([]OutboxEntry, error) {
	release, err := s.begin()
	if err != nil {
		return nil, err
	}
	defer release()
	rows, err := s.r.QueryContext(ctx, `SELECT o.seq, `+prefixed("v.", revCols)+`
		FROM outbox o JOIN revisions v ON v.revision = o.revision ORDER BY o.seq LIMIT ?`, sqlLimit(limit))
	if err != nil {
		return nil, dbError("outbox", err)
	}
	defer rows.Close()
	var out []OutboxEntry
	for rows.Next() {
		var seq int64
		var r revRow
		if err := rows.Scan(&seq, &r.revision, &r.recordID, &r.base, &r.merged, &r.instrument, &r.version, &r.municipality,
			&r.status, &r.origin, &r.syncState, &r.receipt, &r.savedAt, &r.sealed); err != nil {
			return nil, dbError("outbox", err)
		}
		p, err := s.openRev(&r)
		if err != nil {
			continue
		}
		out = append(out, OutboxEntry{
			Seq: seq, RecordID: r.recordID, Revision: r.revision, BaseRevision: r.base, MergedRevision: r.merged,
			Instrument: r.instrument, InstrumentVersion: r.version, Municipality: r.municipality,
			Status: survey.Status(r.status), Record: p.Record, SavedAt: fromMilli(r.savedAt),
		})
	}
	return out, dbError("outbox", rows.Err())
}

// prefixed qualifies every column of a list with a table alias.
func prefixed(alias, cols string) string {
	fields := strings.Split(cols, ",")
	for i, f := range fields {
		fields[i] = alias + strings.TrimSpace(f)
	}
	return strings.Join(fields, ", ")
}

// MarkSent records that the server received these revisions under
// receiptID and takes them out of the outbox. Marking again is harmless.
func (s *Store) MarkSent(ctx context.Context, revisions []string, receiptID string) error {
	if len(revisions) == 0 {
		return nil
	}
	marked := map[string]bool{}
	err := s.writeTx(ctx, "mark sent", func(tx *sql.Tx) error {
		for _, rev := range revisions {
			res, err := tx.ExecContext(ctx, `UPDATE revisions SET sync_state = 'sent', receipt_id = ? WHERE revision = ? AND sync_state = 'pending'`, receiptID, rev)
			if err != nil {
				return dbError("mark sent", err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				marked[rev] = true
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE revision = ?`, rev); err != nil {
				return dbError("mark sent", err)
			}
		}
		if len(marked) == 0 {
			return nil
		}
		return s.auditTx(ctx, tx, "", "sent", "", "", fmt.Sprintf("%d revisions, receipt %s", len(marked), receiptID))
	})
	if err != nil {
		return err
	}
	// writeTx released the store; take it again to publish to the index.
	release, err := s.begin()
	if err != nil {
		return nil // locked meanwhile: the index is gone anyway
	}
	defer release()
	s.idx.setSync(marked, SyncSent)
	return nil
}

// SentSummary is where the records of this laptop's work stand with the
// server, from the receipts sync marked on their revisions.
type SentSummary struct {
	Held       int // records of which the server acknowledged a version saved here
	HeldLatest int // of those, the ones with nothing newer waiting to be sent
	Waiting    int // records with versions saved here still in the outbox
}

// SentSummary counts the records whose versions saved here the server holds
// or still has to receive. Versions that came from the server (a colleague's,
// a review decision) are not this laptop's work and are left out.
func (s *Store) SentSummary(ctx context.Context) (SentSummary, error) {
	release, err := s.begin()
	if err != nil {
		return SentSummary{}, err
	}
	defer release()
	var out SentSummary
	err = s.r.QueryRowContext(ctx, `SELECT COALESCE(SUM(sent > 0), 0), COALESCE(SUM(sent > 0 AND pending = 0), 0), COALESCE(SUM(pending > 0), 0)
		FROM (SELECT SUM(sync_state = ?) AS sent, SUM(sync_state = ?) AS pending FROM revisions
			WHERE sync_state IN (?, ?) GROUP BY record_id)`,
		SyncSent, SyncPending, SyncSent, SyncPending).Scan(&out.Held, &out.HeldLatest, &out.Waiting)
	return out, dbError("sent summary", err)
}

// Receipt is what the server answered to a batch, as sync stored it.
type Receipt struct {
	ID   string
	At   time.Time
	Body []byte
}

// SaveReceipt stores a server receipt, sealed; saving the same id again
// replaces it.
func (s *Store) SaveReceipt(ctx context.Context, id string, body []byte) error {
	release, err := s.begin()
	if err != nil {
		return err
	}
	defer release()
	sealed, err := sealWith(s.k.seal, body, assocData("receipt", id))
	if err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_, err = s.w.ExecContext(ctx, `INSERT INTO receipts(id, at, body) VALUES (?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET body = excluded.body`, id, unixMilli(s.now()), sealed)
	return dbError("save receipt", err)
}

// Receipts returns the latest receipts, newest first (all when limit <= 0).
// A receipt that fails authentication is left out and reported as the error
// after the readable ones are returned.
func (s *Store) Receipts(ctx context.Context, limit int) ([]Receipt, error) {
	release, err := s.begin()
	if err != nil {
		return nil, err
	}
	defer release()
	rows, err := s.r.QueryContext(ctx, `SELECT id, at, body FROM receipts ORDER BY at DESC, id LIMIT ?`, sqlLimit(limit))
	if err != nil {
		return nil, dbError("receipts", err)
	}
	defer rows.Close()
	var out []Receipt
	var bad error
	for rows.Next() {
		var r Receipt
		var at int64
		var sealed []byte
		if err := rows.Scan(&r.ID, &at, &sealed); err != nil {
			return nil, dbError("receipts", err)
		}
		r.At = fromMilli(at)
		if r.Body, err = openWith(s.k.seal, sealed, assocData("receipt", r.ID)); err != nil {
			bad = errors.Join(bad, tampered("receipts", r.ID))
			continue
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("receipts", err)
	}
	return out, bad
}

// Secret returns a sealed setting (device keys, server address, cursors,
// project and team secrets), or ErrNotFound.
func (s *Store) Secret(ctx context.Context, key string) ([]byte, error) {
	release, err := s.begin()
	if err != nil {
		return nil, err
	}
	defer release()
	var sealed []byte
	err = s.r.QueryRowContext(ctx, `SELECT value FROM secrets WHERE key = ?`, key).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, dbError("secret", err)
	}
	v, err := openWith(s.k.seal, sealed, assocData("secret", key))
	if err != nil {
		return nil, tampered("secrets", key)
	}
	return v, nil
}

// SetSecret stores a sealed setting; nil removes it.
func (s *Store) SetSecret(ctx context.Context, key string, val []byte) error {
	release, err := s.begin()
	if err != nil {
		return err
	}
	defer release()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if val == nil {
		_, err = s.w.ExecContext(ctx, `DELETE FROM secrets WHERE key = ?`, key)
		return dbError("secret", err)
	}
	sealed, err := sealWith(s.k.seal, val, assocData("secret", key))
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO secrets(key, value) VALUES (?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, sealed)
	return dbError("secret", err)
}
