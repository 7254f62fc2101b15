package localdb

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"sinba/survey"
)

// SyncState is where a revision stands with the server.
type SyncState string

// The sync states of a revision.
const (
	SyncPending SyncState = "pending" // saved here, still in the outbox
	SyncSent    SyncState = "sent"    // the server acknowledged it (see ReceiptID)
	SyncRemote  SyncState = "remote"  // it came from the server: another laptop or a review
)

// SaveOptions go with a Save.
type SaveOptions struct {
	Status survey.Status // "" = draft
	Actor  string        // who saves, for the audit trail
	// BaseRevision is the revision the edit started from; "" means the
	// current head. If it is no longer the head (two windows, an import over
	// an edited record), both versions are kept and the record is flagged in
	// conflict: nothing typed is overwritten.
	BaseRevision string
	// Note says, in the record's history, what this version is when it is
	// more than an edit: a move to a newer instrument version says what
	// moved. It is kept sealed with the version and, in Italian, in the
	// audit trail.
	Note survey.Text
}

// RecordInfo is what lists show of a record: the plain columns of its head
// and the decrypted display label from the in-memory index.
type RecordInfo struct {
	ID                string
	Revision          string // the head
	BaseRevision      string // the head's parent
	OtherRevision     string // the other head while in conflict
	Instrument        string
	InstrumentVersion int
	Municipality      string
	Status            survey.Status
	SyncState         SyncState
	Conflict          bool
	Damaged           bool // the sealed summary failed authentication (see ErrTampered)
	Created, Updated  time.Time
	Label             string // surname and name, or the pseudonym
}

// Revision is one saved version of a record, decrypted.
type Revision struct {
	Revision       string
	BaseRevision   string
	MergedRevision string // the other head a resolution merged
	RecordID       string
	Status         survey.Status
	SyncState      SyncState
	ReceiptID      string
	Origin         string // device id for a remote revision
	Actor          string
	SavedAt        time.Time
	Record         survey.Record
	Comments       []survey.Comment // a review decision's comments
	Note           survey.Text      // what the version is beyond an edit (SaveOptions.Note)
	Err            error            // non-nil (ErrTampered) when this version cannot be read
}

// RemoteRevision is a version received by sync: from another laptop of the
// team, or a coordinator's review decision.
type RemoteRevision struct {
	RecordID, Revision, BaseRevision string
	MergedRevision                   string // set when the remote version resolved a conflict
	Status                           survey.Status
	Record                           survey.Record
	// Origin is the device id of the laptop that made it, or
	// OriginCoordinators for a review decision. Only a decision keeps a
	// Status that is a survey.Status.Decision: a version from a laptop that
	// claims one is stored as final, so no laptop approves or returns a
	// record.
	Origin   string
	Comments []survey.Comment
	SavedAt  time.Time // zero = now
}

// OriginCoordinators is the origin of a revision made by a review decision.
const OriginCoordinators = "coordinatori"

// payload is the sealed part of a revision.
type payload struct {
	Record   survey.Record    `json:"record"`
	Actor    string           `json:"actor,omitempty"`
	Comments []survey.Comment `json:"comments,omitempty"`
	Note     note             `json:"note,omitzero"`
}

// note is a version's note as sealed: a survey.Text. Stores written before
// notes were a Text hold one string, "Italiano / English", which only a move
// to a newer instrument version wrote; it reads as the Text it was made of.
type note survey.Text

// UnmarshalJSON reads a note in either form.
func (n *note) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*n = note(survey.LegacyMoveNote(s))
		return nil
	}
	var t survey.Text
	if err := json.Unmarshal(b, &t); err != nil {
		return err
	}
	*n = note(t)
	return nil
}

type revRow struct {
	revision, recordID, base, merged, instrument string
	version                                      int
	municipality, status, origin                 string
	syncState, receipt                           string
	savedAt                                      int64
	sealed                                       []byte
}

// ad binds a revision's ciphertext to its identity and to every plain column
// that says what it is, so a row cannot be swapped or relabelled.
func (r *revRow) ad() []byte {
	return assocData("revision", r.recordID, r.revision, r.base, r.merged, r.instrument,
		fmt.Sprint(r.version), r.municipality, r.status, r.origin)
}

const revCols = `revision, record_id, base, merged, instrument, instrument_version, municipality, status,
	origin, sync_state, receipt_id, saved_at, payload`

func scanRev(sc scanner) (*revRow, error) {
	var r revRow
	err := sc.Scan(&r.revision, &r.recordID, &r.base, &r.merged, &r.instrument, &r.version, &r.municipality,
		&r.status, &r.origin, &r.syncState, &r.receipt, &r.savedAt, &r.sealed)
	return &r, err
}

func (s *Store) openRev(r *revRow) (*payload, error) {
	pt, err := openWith(s.k.seal, r.sealed, r.ad())
	if err != nil {
		return nil, tampered("revisions", r.revision)
	}
	var p payload
	dec := json.NewDecoder(bytes.NewReader(pt))
	dec.UseNumber() // numbers come back exactly as they were typed
	if err := dec.Decode(&p); err != nil {
		return nil, tampered("revisions", r.revision)
	}
	return &p, nil
}

func (r *revRow) revision_() Revision {
	return Revision{
		Revision: r.revision, BaseRevision: r.base, MergedRevision: r.merged, RecordID: r.recordID,
		Status: survey.Status(r.status), SyncState: SyncState(r.syncState), ReceiptID: r.receipt,
		Origin: r.origin, SavedAt: fromMilli(r.savedAt),
	}
}

// recordRow is the records row of one record inside a write transaction.
type recordRow struct {
	exists          bool
	head, otherHead string
	status          survey.Status
	created         int64
}

func (s *Store) loadRecordRow(ctx context.Context, tx *sql.Tx, id string) (recordRow, error) {
	var rr recordRow
	err := s.queryRowTx(ctx, tx, `SELECT head, other_head, status, created FROM records WHERE id = ?`, id).
		Scan(&rr.head, &rr.otherHead, &rr.status, &rr.created)
	if errors.Is(err, sql.ErrNoRows) {
		return rr, nil
	}
	rr.exists = err == nil
	return rr, dbError("read record", err)
}

// insertRev seals and writes one revision.
func (s *Store) insertRev(ctx context.Context, tx *sql.Tx, r *revRow, p *payload) error {
	pt, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("localdb: encode record: %w", err)
	}
	if r.sealed, err = sealWith(s.k.seal, pt, r.ad()); err != nil {
		return err
	}
	_, err = s.execTx(ctx, tx, `INSERT INTO revisions(`+revCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		r.revision, r.recordID, r.base, r.merged, r.instrument, r.version, r.municipality, r.status,
		r.origin, r.syncState, r.receipt, r.savedAt, r.sealed)
	return dbError("save revision", err)
}

// putHead writes the records row for a new head (or other head) together
// with its sealed summary and blind index entries, and returns the index
// entry to publish after commit.
func (s *Store) putHead(ctx context.Context, tx *sql.Tx, rr recordRow, head *revRow, otherHead string, rec *survey.Record) (*indexEntry, error) {
	sm := summarize(rec)
	smb, _ := json.Marshal(sm)
	sealed, err := sealWith(s.k.seal, smb, assocData("summary", head.recordID, head.revision))
	if err != nil {
		return nil, err
	}
	created := rr.created
	if !rr.exists {
		created = head.savedAt
	}
	// A returned record stays returned while it is edited: only finalising
	// it again (or a new decision) moves it on.
	status := head.status
	if rr.exists && rr.status == survey.StatusReturned && status == string(survey.StatusDraft) {
		status = string(survey.StatusReturned)
	}
	if _, err := s.execTx(ctx, tx, `INSERT INTO records(id, instrument, instrument_version, municipality, status, head, other_head, created, updated, summary)
		VALUES (?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT(id) DO UPDATE SET instrument=excluded.instrument, instrument_version=excluded.instrument_version,
			municipality=excluded.municipality, status=excluded.status, head=excluded.head, other_head=excluded.other_head,
			updated=excluded.updated, summary=excluded.summary`,
		head.recordID, head.instrument, head.version, head.municipality, status, head.revision, otherHead,
		created, head.savedAt, sealed); err != nil {
		return nil, dbError("save record", err)
	}
	if _, err := s.execTx(ctx, tx, `DELETE FROM blind_index WHERE record_id = ?`, head.recordID); err != nil {
		return nil, dbError("save index", err)
	}
	for _, tag := range s.k.blindTags(sm) {
		if _, err := s.execTx(ctx, tx, `INSERT OR IGNORE INTO blind_index(tag, record_id) VALUES (?, ?)`, tag, head.recordID); err != nil {
			return nil, dbError("save index", err)
		}
	}
	info := RecordInfo{
		ID: head.recordID, Revision: head.revision, BaseRevision: head.base, OtherRevision: otherHead,
		Instrument: head.instrument, InstrumentVersion: head.version, Municipality: head.municipality,
		Status: survey.Status(status), SyncState: SyncState(head.syncState), Conflict: otherHead != "",
		Created: fromMilli(created), Updated: fromMilli(head.savedAt),
	}
	return newIndexEntry(info, sm), nil
}

func checkRecord(rec *survey.Record, status survey.Status) error {
	if rec.Instrument == "" {
		return survey.NewError("la scheda non ha uno strumento", "the record has no instrument")
	}
	if !status.Valid() {
		return survey.Errorf("stato sconosciuto %q", "unknown status %q", status)
	}
	return nil
}

// Save stores rec as a new immutable revision on top of its head (a new
// record when rec.ID is empty or unknown) and queues it for sync. When it
// returns without error the revision is on disk. A review decision is not a
// status a laptop saves (ErrDecision): decisions come from the coordinators
// by sync.
func (s *Store) Save(ctx context.Context, rec survey.Record, opt SaveOptions) (RecordInfo, error) {
	if opt.Status == "" {
		opt.Status = survey.StatusDraft
	}
	if opt.Status.Decision() {
		return RecordInfo{}, fmt.Errorf("localdb: %q: %w", opt.Status, ErrDecision)
	}
	if err := checkRecord(&rec, opt.Status); err != nil {
		return RecordInfo{}, err
	}
	if rec.ID == "" {
		rec.ID = uuid.NewString()
	}
	return s.write(ctx, func(tx *sql.Tx) (*indexEntry, error) {
		return s.saveTx(ctx, tx, rec, opt)
	})
}

// saveTx is Save inside the caller's transaction (rec.ID set, opt checked).
func (s *Store) saveTx(ctx context.Context, tx *sql.Tx, rec survey.Record, opt SaveOptions) (*indexEntry, error) {
	rr, err := s.loadRecordRow(ctx, tx, rec.ID)
	if err != nil {
		return nil, err
	}
	base, other := rr.head, rr.otherHead
	if opt.BaseRevision != "" && opt.BaseRevision != rr.head {
		if err := s.checkRevOf(ctx, tx, rec.ID, opt.BaseRevision); err != nil {
			return nil, err
		}
		base, other = opt.BaseRevision, rr.head
	}
	r := s.newRev(&rec, opt.Status, base, "", SyncPending, "")
	return s.commitLocal(ctx, tx, rr, r, other, &payload{Record: rec, Actor: opt.Actor, Note: note(opt.Note)}, opt.Actor, "save")
}

func (s *Store) newRev(rec *survey.Record, status survey.Status, base, merged string, st SyncState, origin string) *revRow {
	return &revRow{
		revision: uuid.NewString(), recordID: rec.ID, base: base, merged: merged,
		instrument: rec.Instrument, version: rec.Version, municipality: rec.Municipality,
		status: string(status), origin: origin, syncState: string(st), savedAt: unixMilli(s.now()),
	}
}

// commitLocal writes a revision made on this laptop: revision, head, outbox
// and audit, all in the caller's transaction.
func (s *Store) commitLocal(ctx context.Context, tx *sql.Tx, rr recordRow, r *revRow, other string, p *payload, actor, action string) (*indexEntry, error) {
	if err := s.insertRev(ctx, tx, r, p); err != nil {
		return nil, err
	}
	e, err := s.putHead(ctx, tx, rr, r, other, &p.Record)
	if err != nil {
		return nil, err
	}
	if _, err := s.execTx(ctx, tx, `INSERT INTO outbox(revision) VALUES (?)`, r.revision); err != nil {
		return nil, dbError("outbox", err)
	}
	detail := p.Note.IT
	if other != "" {
		if detail != "" {
			detail += "; "
		}
		detail += "conflict with " + other
	}
	return e, s.auditTx(ctx, tx, actor, action, r.recordID, r.revision, detail)
}

func (s *Store) checkRevOf(ctx context.Context, tx *sql.Tx, id, rev string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM revisions WHERE revision = ? AND record_id = ?`, rev, id).Scan(&n); err != nil {
		return dbError("read revision", err)
	}
	if n == 0 {
		return fmt.Errorf("localdb: revision %s of record %s: %w", rev, id, ErrNotFound)
	}
	return nil
}

// write runs fn in the writer's transaction and, after commit, publishes the
// index entry it returns.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) (*indexEntry, error)) (RecordInfo, error) {
	release, err := s.begin()
	if err != nil {
		return RecordInfo{}, err
	}
	defer release()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.stmts.prepareWanted(ctx, s.w); err != nil {
		return RecordInfo{}, dbError("prepare", err)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return RecordInfo{}, dbError("begin", err)
	}
	defer tx.Rollback()
	e, err := fn(tx)
	if err != nil {
		return RecordInfo{}, err
	}
	if err := tx.Commit(); err != nil {
		return RecordInfo{}, dbError("commit", err)
	}
	if e == nil {
		return RecordInfo{}, nil
	}
	s.idx.put(e)
	return e.info, nil
}

// Get returns the head of a record, decrypted.
func (s *Store) Get(ctx context.Context, id string) (survey.Record, RecordInfo, error) {
	release, err := s.begin()
	if err != nil {
		return survey.Record{}, RecordInfo{}, err
	}
	defer release()
	info, ok := s.idx.get(id)
	if !ok {
		return survey.Record{}, RecordInfo{}, fmt.Errorf("localdb: record %s: %w", id, ErrNotFound)
	}
	r, p, err := s.readRev(ctx, info.Revision)
	if err != nil {
		return survey.Record{}, info, err
	}
	_ = r
	return p.Record, info, nil
}

// GetRevision returns one revision, decrypted (e.g. the other head of a
// conflict).
func (s *Store) GetRevision(ctx context.Context, revision string) (Revision, error) {
	release, err := s.begin()
	if err != nil {
		return Revision{}, err
	}
	defer release()
	r, p, err := s.readRev(ctx, revision)
	if r == nil {
		return Revision{}, err
	}
	out := r.revision_()
	if err != nil {
		out.Err = err
		return out, err
	}
	out.Record, out.Actor, out.Comments, out.Note = p.Record, p.Actor, p.Comments, survey.Text(p.Note)
	return out, nil
}

func (s *Store) readRev(ctx context.Context, revision string) (*revRow, *payload, error) {
	r, err := scanRev(s.r.QueryRowContext(ctx, `SELECT `+revCols+` FROM revisions WHERE revision = ?`, revision))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("localdb: revision %s: %w", revision, ErrNotFound)
	}
	if err != nil {
		return nil, nil, dbError("read revision", err)
	}
	p, err := s.openRev(r)
	return r, p, err
}

// History returns every saved version of a record, oldest first. A version
// that cannot be decrypted is listed with Err set, so the others stay
// readable.
func (s *Store) History(ctx context.Context, id string) ([]Revision, error) {
	return s.history(ctx, id, `saved_at, rowid`)
}

// history is History in the given order: by the times the versions were
// saved (clocks of several laptops and the server), or by rowid, the order
// they reached this store.
func (s *Store) history(ctx context.Context, id, order string) ([]Revision, error) {
	release, err := s.begin()
	if err != nil {
		return nil, err
	}
	defer release()
	rows, err := s.r.QueryContext(ctx, `SELECT `+revCols+` FROM revisions WHERE record_id = ? ORDER BY `+order, id)
	if err != nil {
		return nil, dbError("history", err)
	}
	defer rows.Close()
	var out []Revision
	for rows.Next() {
		r, err := scanRev(rows)
		if err != nil {
			return nil, dbError("history", err)
		}
		v := r.revision_()
		if p, err := s.openRev(r); err != nil {
			v.Err = err
		} else {
			v.Record, v.Actor, v.Comments, v.Note = p.Record, p.Actor, p.Comments, survey.Text(p.Note)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError("history", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("localdb: record %s: %w", id, ErrNotFound)
	}
	return out, nil
}

// ApplyRemote stores a version received by sync. It is idempotent by
// revision. The version becomes the head when it builds on our head (or our
// head is already among its ancestors, or says the same thing); otherwise
// both are kept and the record is flagged in conflict: nothing is
// overwritten, Resolve merges them.
func (s *Store) ApplyRemote(ctx context.Context, rv RemoteRevision) (conflict bool, err error) {
	if rv.Status == "" {
		rv.Status = survey.StatusDraft
	}
	if rv.Revision == "" || rv.RecordID == "" {
		return false, fmt.Errorf("localdb: remote revision without id")
	}
	if rv.Status.Decision() && rv.Origin != OriginCoordinators {
		rv.Status = survey.StatusFinal // a laptop's claim: finalised, awaiting review
	}
	rec := rv.Record
	rec.ID = rv.RecordID
	if err := checkRecord(&rec, rv.Status); err != nil {
		return false, err
	}
	info, err := s.write(ctx, func(tx *sql.Tx) (*indexEntry, error) {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM revisions WHERE revision = ?`, rv.Revision).Scan(&n); err != nil {
			return nil, dbError("read revision", err)
		}
		if n > 0 {
			return nil, nil // already here
		}
		rr, err := s.loadRecordRow(ctx, tx, rec.ID)
		if err != nil {
			return nil, err
		}
		r := s.newRev(&rec, rv.Status, rv.BaseRevision, rv.MergedRevision, SyncRemote, rv.Origin)
		r.revision = rv.Revision
		if !rv.SavedAt.IsZero() {
			r.savedAt = unixMilli(rv.SavedAt)
		}
		p := &payload{Record: rec, Comments: rv.Comments}
		if err := s.insertRev(ctx, tx, r, p); err != nil {
			return nil, err
		}
		head, other := r, rr.otherHead
		action := "receive"
		switch {
		case !rr.exists, rv.BaseRevision == rr.head, rv.MergedRevision == rr.head && rr.head != "":
			if rv.MergedRevision != "" && (rv.MergedRevision == rr.otherHead || rv.BaseRevision == rr.otherHead) {
				other = "" // the remote side resolved our conflict
			}
		case rr.otherHead != "" && rv.BaseRevision == rr.otherHead:
			// Progress on the other side of an open conflict.
			head, other = nil, rv.Revision
		default:
			ff, err := s.supersedes(ctx, tx, rr.head, r, p)
			if err != nil {
				return nil, err
			}
			if !ff {
				head, other, action = nil, rv.Revision, "conflict"
			}
		}
		if err := s.auditTx(ctx, tx, rv.Origin, action, rec.ID, rv.Revision, ""); err != nil {
			return nil, err
		}
		if head != nil {
			return s.putHead(ctx, tx, rr, head, other, &rec)
		}
		// The head stays ours: only the conflict flag changes.
		if _, err := tx.ExecContext(ctx, `UPDATE records SET other_head = ? WHERE id = ?`, other, rec.ID); err != nil {
			return nil, dbError("save record", err)
		}
		return s.reloadEntry(ctx, tx, rec.ID)
	})
	if err != nil {
		return false, err
	}
	if info.ID == "" { // already applied: report the record's current state
		release, err := s.begin()
		if err != nil {
			return false, err
		}
		defer release()
		cur, _ := s.idx.get(rv.RecordID)
		return cur.Conflict, nil
	}
	return info.Conflict, nil
}

// supersedes reports whether remote may replace our head without losing
// anything: our head is among its known ancestors, or both say the same.
func (s *Store) supersedes(ctx context.Context, tx *sql.Tx, head string, remote *revRow, rp *payload) (bool, error) {
	seen := map[string]bool{}
	queue := []string{remote.base, remote.merged}
	for len(queue) > 0 && len(seen) < 10000 {
		rev := queue[0]
		queue = queue[1:]
		if rev == "" || seen[rev] {
			continue
		}
		if rev == head {
			return true, nil
		}
		seen[rev] = true
		var base, merged string
		err := tx.QueryRowContext(ctx, `SELECT base, merged FROM revisions WHERE revision = ?`, rev).Scan(&base, &merged)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return false, dbError("read revision", err)
		}
		queue = append(queue, base, merged)
	}
	hr, err := scanRev(tx.QueryRowContext(ctx, `SELECT `+revCols+` FROM revisions WHERE revision = ?`, head))
	if err != nil {
		return false, dbError("read revision", err)
	}
	hp, err := s.openRev(hr)
	if err != nil {
		return false, nil // our head is unreadable: keep both, let a person decide
	}
	a, _ := json.Marshal(hp.Record)
	b, _ := json.Marshal(rp.Record)
	return hr.status == remote.status && bytes.Equal(a, b), nil
}

func (s *Store) reloadEntry(ctx context.Context, tx *sql.Tx, id string) (*indexEntry, error) {
	e, err := s.scanRecord(tx.QueryRowContext(ctx, `SELECT `+recordCols+` FROM records r JOIN revisions v ON v.revision = r.head WHERE r.id = ?`, id))
	return e, dbError("read record", err)
}

// Resolve saves merged as a new revision based on both heads of a record in
// conflict and clears the conflict. On a record not in conflict it is a
// plain Save.
func (s *Store) Resolve(ctx context.Context, id string, merged survey.Record, actor string) (RecordInfo, error) {
	merged.ID = id
	return s.write(ctx, func(tx *sql.Tx) (*indexEntry, error) {
		rr, err := s.loadRecordRow(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if !rr.exists {
			return nil, fmt.Errorf("localdb: record %s: %w", id, ErrNotFound)
		}
		var status string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM revisions WHERE revision = ?`, rr.head).Scan(&status); err != nil {
			return nil, dbError("read revision", err)
		}
		if survey.Status(status).Decision() {
			// The merge is the researcher's: a decision it builds on
			// stays the coordinators' (a returned record stays returned).
			status = string(survey.StatusDraft)
			if rr.status == survey.StatusApproved {
				status = string(survey.StatusFinal)
			}
		}
		if err := checkRecord(&merged, survey.Status(status)); err != nil {
			return nil, err
		}
		r := s.newRev(&merged, survey.Status(status), rr.head, rr.otherHead, SyncPending, "")
		return s.commitLocal(ctx, tx, rr, r, "", &payload{Record: merged, Actor: actor}, actor, "resolve")
	})
}
