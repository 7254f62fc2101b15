package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// AuditEntry is one line of the local audit trail.
type AuditEntry struct {
	Seq      int64
	At       time.Time
	Actor    string // who: the researcher's name as entered, or a device id for sync
	Action   string // create, unlock, unlock-recovery, save, resolve, receive, conflict, sent, change-passphrase, import, backup, print
	RecordID string
	Revision string
	Detail   string
	Err      error // ErrTampered when the entry cannot be read
}

type auditPayload struct {
	Actor    string `json:"a,omitempty"`
	Action   string `json:"x"`
	RecordID string `json:"r,omitempty"`
	Revision string `json:"v,omitempty"`
	Detail   string `json:"d,omitempty"`
}

// audit appends to the trail in its own transaction.
func (s *Store) audit(ctx context.Context, actor, action, recordID, revision, detail string) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return dbError("audit", err)
	}
	defer tx.Rollback()
	if err := s.auditTx(ctx, tx, actor, action, recordID, revision, detail); err != nil {
		return err
	}
	return dbError("audit", tx.Commit())
}

// auditTx appends to the trail inside the caller's transaction, so an action
// and its trace commit together. The sequence number is the row id, bound
// into the ciphertext, so entries cannot be reordered or swapped; it is
// taken as max+1 inside the write transaction, which holds SQLite's lock.
func (s *Store) auditTx(ctx context.Context, tx *sql.Tx, actor, action, recordID, revision, detail string) error {
	var seq int64
	if err := s.queryRowTx(ctx, tx, `SELECT coalesce(max(seq), 0) + 1 FROM audit`).Scan(&seq); err != nil {
		return dbError("audit", err)
	}
	at := unixMilli(s.now())
	pt, _ := json.Marshal(auditPayload{Actor: actor, Action: action, RecordID: recordID, Revision: revision, Detail: detail})
	sealed, err := sealWith(s.k.seal, pt, assocData("audit", fmt.Sprint(seq), fmt.Sprint(at)))
	if err != nil {
		return err
	}
	_, err = s.execTx(ctx, tx, `INSERT INTO audit(seq, at, payload) VALUES (?, ?, ?)`, seq, at, sealed)
	return dbError("audit", err)
}

// Audit returns the latest entries of the local audit trail, newest first
// (all of them when limit <= 0). An entry that fails authentication is
// returned with Err set, the others stay readable.
func (s *Store) Audit(ctx context.Context, limit int) ([]AuditEntry, error) {
	release, err := s.begin()
	if err != nil {
		return nil, err
	}
	defer release()
	rows, err := s.r.QueryContext(ctx, `SELECT seq, at, payload FROM audit ORDER BY seq DESC LIMIT ?`, sqlLimit(limit))
	if err != nil {
		return nil, dbError("audit", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		var sealed []byte
		if err := rows.Scan(&e.Seq, &at, &sealed); err != nil {
			return nil, dbError("audit", err)
		}
		e.At = fromMilli(at)
		var p auditPayload
		pt, err := openWith(s.k.seal, sealed, assocData("audit", fmt.Sprint(e.Seq), fmt.Sprint(at)))
		if err == nil {
			err = json.Unmarshal(pt, &p)
		}
		if err != nil {
			e.Err = tampered("audit", fmt.Sprint(e.Seq))
		}
		e.Actor, e.Action, e.RecordID, e.Revision, e.Detail = p.Actor, p.Action, p.RecordID, p.Revision, p.Detail
		out = append(out, e)
	}
	return out, dbError("audit", rows.Err())
}
