package server

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"sinba/sync/wire"
)

// Quota bounds what one device and one team may make the server store, in
// bytes (see rowBytes); zero or less means no bound.
type Quota struct {
	Device, Team int64
}

// rowBytes is what a stored row costs beyond its ciphertexts (envelope,
// indexes), so a flood of tiny revisions or empty batches also fills a quota.
const rowBytes = 512

// Ingest stores a batch in one transaction and returns its receipt. A batch
// id seen before returns the receipt given then, and a revision id seen
// before is acknowledged as a duplicate without storing anything: together
// they make a resent batch harmless, whatever byte the first attempt was cut at.
// A revision that would take the device or its team past q is refused with
// CodeQuotaExceeded (and stays in the laptop's outbox); a batch that stores
// nothing new while the device is at its quota leaves no receipt behind.
func (s *Store) Ingest(ctx context.Context, d *Principal, b *wire.Batch, lim wire.Limits, q Quota) (*wire.Receipt, error) {
	var receipt *wire.Receipt
	// The project's batches one at a time: each updates its team's row and
	// appends to the project's feed, whose order is its commit order (on
	// PostgreSQL the feed's trigger takes the project's lock; taken here,
	// before the transaction's snapshot, concurrent batches of one project
	// wait for each other instead of failing each other's serializable
	// transactions).
	err := s.txSerial(ctx, d.ProjectID, func(tx *txn) error {
		st := s.st.in(ctx, tx)
		var stored []byte
		var owner string
		err := st.get(stBatchByID).QueryRowContext(ctx, b.ID).Scan(&owner, &stored)
		if err == nil {
			if owner != d.ID {
				// A batch id is a UUID the device made; another device
				// reusing it is not the same batch.
				return errBatchReused
			}
			receipt = new(wire.Receipt)
			return json.Unmarshal(stored, receipt)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		now := time.Now().UTC()
		receipt = &wire.Receipt{BatchID: b.ID, DeviceID: d.ID, ReceivedAt: now, Accepted: []wire.Accepted{}, Refused: []wire.Refused{}}
		header := ""
		if b.Version == wire.FormatV2 {
			header = b.ID
		}
		assigned, err := stringSet(ctx, st.get(stAssigned), d.TeamID)
		if err != nil {
			return err
		}
		published, err := stringSet(ctx, st.get(stPublished), d.ProjectID)
		if err != nil {
			return err
		}
		var use usage
		if err := st.get(stUsage).QueryRowContext(ctx, d.ID).
			Scan(&use.device, &use.team); err != nil {
			return err
		}
		start := use
		h, err := heldOf(ctx, st, b.Revisions)
		if err != nil {
			return err
		}
		// What to do with each revision is decided first, without writing;
		// then the revisions to store are written, in order.
		plan := make([]verdict, len(b.Revisions))
		for i := range b.Revisions {
			plan[i] = decide(d, &b.Revisions[i], lim, assigned, published, q, &use, h)
		}
		if err := storeRevisions(ctx, st, d, b, now, plan, h); err != nil {
			return err
		}
		for i := range b.Revisions {
			r, acc, ref := &b.Revisions[i], plan[i].acc, plan[i].ref
			if ref != nil {
				// Only what was checked goes back and into the receipt:
				// the ids if they are ids, and the server's own message.
				receipt.Refused = append(receipt.Refused, wire.Refused{RecordID: wire.EchoID(r.RecordID), Revision: wire.EchoID(r.Revision), Error: *ref})
			} else if header == "" || acc.Duplicate || acc.Conflict {
				// A format-2 receipt counts what was accepted and lists only
				// the exceptions (wire.ExpandReceipt).
				receipt.Accepted = append(receipt.Accepted, acc)
			}
		}
		if err := feedRevisions(ctx, st, d, h.stored); err != nil {
			return err
		}
		if header != "" {
			receipt.Count = len(b.Revisions) - len(receipt.Refused)
		}
		if use == start && q.Device > 0 && use.device >= q.Device {
			return nil // nothing new, and no room for the receipt
		}
		if header != "" && use != start {
			// The header is kept once, and only for a batch that stored a
			// revision that needs it.
			h := b.Header
			if _, err := st.get(stInsertHeader).ExecContext(ctx, b.ID, d.ID, d.TeamID, h.Content, nullBytes(h.Identity), now.Unix()); err != nil {
				return err
			}
			use.device += int64(len(h.Content)+len(h.Identity)) + rowBytes
		}
		body, err := json.Marshal(receipt)
		if err != nil {
			return err
		}
		if _, err := st.get(stInsertBatch).ExecContext(ctx, b.ID, d.ID, body, now.Unix()); err != nil {
			return err
		}
		grew := use.device - start.device + int64(len(body)) + rowBytes
		if _, err := st.get(stDeviceGrew).ExecContext(ctx, now.Unix(), grew, b.Version, d.ID); err != nil {
			return err
		}
		_, err = st.get(stTeamGrew).ExecContext(ctx, grew, d.TeamID)
		return err
	})
	return receipt, err
}

// usage is what a device and its team hold, in bytes.
type usage struct{ device, team int64 }

// quotaRefusal says whether storing more bytes would take the device or its
// team past q.
func (u usage) quotaRefusal(more int64, q Quota) *wire.Error {
	switch {
	case q.Device > 0 && u.device+more > q.Device:
		return wire.NewError(wire.CodeQuotaExceeded)
	case q.Team > 0 && u.team+more > q.Team:
		return wire.Errorf(wire.CodeQuotaExceeded, "spazio sul server esaurito per la squadra: la scheda resta sul computer; avvisare il coordinamento",
			"the team's storage on the server is used up: the record stays on this computer; tell the coordinators")
	}
	return nil
}

var errBatchReused = errors.New("batch id used by another device")

// held is what the server holds of a batch's revision and record ids, read
// once for the batch and kept up to date as the batch is stored.
type held struct {
	revisions map[string]heldRevision
	records   map[string]string // record id -> team
	stored    []string          // revisions stored by this batch, in order
}

type heldRevision struct {
	record, team string
	conflict     bool
}

// heldOf looks a batch's ids up, lookupChunk at a time.
func heldOf(ctx context.Context, st *txStmts, revs []wire.Revision) (*held, error) {
	h := &held{revisions: make(map[string]heldRevision, len(revs)), records: make(map[string]string, len(revs))}
	args := make([]any, lookupChunk)
	lookup := func(stmt int, id func(*wire.Revision) string, scan func(*sql.Rows) error) error {
		for from := 0; from < len(revs); from += lookupChunk {
			for i := range args {
				args[i] = ""
				if from+i < len(revs) {
					args[i] = id(&revs[from+i])
				}
			}
			rows, err := st.get(stmt).QueryContext(ctx, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				if err := scan(rows); err != nil {
					rows.Close()
					return err
				}
			}
			if err := rows.Close(); err != nil {
				return err
			}
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	}
	err := lookup(stRevisionsIn, func(r *wire.Revision) string { return r.Revision }, func(rows *sql.Rows) error {
		var id string
		var r heldRevision
		if err := rows.Scan(&id, &r.record, &r.team, &r.conflict); err != nil {
			return err
		}
		h.revisions[id] = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = lookup(stRecordsIn, func(r *wire.Revision) string { return r.RecordID }, func(rows *sql.Rows) error {
		var id, team string
		if err := rows.Scan(&id, &team); err != nil {
			return err
		}
		h.records[id] = team
		return nil
	})
	return h, err
}

// feedRevisions puts the revisions a batch stored into the team's feed, in
// their order.
func feedRevisions(ctx context.Context, st *txStmts, d *Principal, revs []string) error {
	return insertRows(ctx, st, stInsertFeed, stInsertFeedChunk, len(revs), func(i int) []any {
		return []any{d.ProjectID, d.TeamID, revs[i]}
	})
}

// insertRecords writes the records of revs, each new to the server.
func insertRecords(ctx context.Context, st *txStmts, d *Principal, now time.Time, revs []*wire.Revision) error {
	return insertRows(ctx, st, stInsertRecord, stInsertRecordChunk, len(revs), func(i int) []any {
		return []any{revs[i].RecordID, d.ProjectID, d.TeamID, now.Unix()}
	})
}

// insertRevisions writes revs, from batch b of device d, with conflict as
// their flag.
func insertRevisions(ctx context.Context, st *txStmts, d *Principal, b *wire.Batch, now time.Time, revs []*wire.Revision, conflict bool) error {
	return insertRows(ctx, st, stInsertRevision, stInsertRevisionChunk, len(revs), func(i int) []any {
		r := revs[i]
		contentSum := sha256.Sum256(r.Content)
		var identitySum []byte
		if len(r.Identity) > 0 {
			s := sha256.Sum256(r.Identity)
			identitySum = s[:]
		}
		return []any{r.Revision, r.RecordID, r.BaseRevision, r.MergedRevision, d.ID, d.TeamID, r.Instrument, r.InstrumentVersion, r.Municipality, string(r.Status),
			r.SavedAt.UnixMilli(), now.Unix(), b.ID, r.Content, contentSum[:], nullBytes(r.Identity), identitySum, len(r.Content) + len(r.Identity), conflict, b.Version}
	})
}

// insertRows inserts n rows, row i with the arguments args(i): lookupChunk
// at a time with statement chunk, the rest one at a time with statement one.
// Each statement costs the same whatever its rows, so a batch's rows go in
// with few of them.
func insertRows(ctx context.Context, st *txStmts, one, chunk, n int, args func(i int) []any) error {
	i := 0
	for ; n-i >= lookupChunk; i += lookupChunk {
		first := args(i)
		all := append(make([]any, 0, len(first)*lookupChunk), first...)
		for k := i + 1; k < i+lookupChunk; k++ {
			all = append(all, args(k)...)
		}
		if _, err := st.get(chunk).ExecContext(ctx, all...); err != nil {
			return err
		}
	}
	for ; i < n; i++ {
		if _, err := st.get(one).ExecContext(ctx, args(i)...); err != nil {
			return err
		}
	}
	return nil
}

// verdict is what the ingest decides for one revision of a batch before it
// writes anything: refused (ref), a duplicate of one the server holds, or to
// be stored (in a record the server does not hold yet, or not).
type verdict struct {
	acc       wire.Accepted
	ref       *wire.Error
	store     bool
	newRecord bool
}

// decide checks revision r of d's batch and says what to do with it. h and
// use are kept as if the revisions decided so far were stored: a revision
// sent twice in one batch is a duplicate the second time, a second revision
// of a record new to the server is one of a known record, and the quota
// counts what the batch's earlier revisions take.
func decide(d *Principal, r *wire.Revision, lim wire.Limits, assigned, published map[string]bool, q Quota, use *usage, h *held) verdict {
	v := verdict{acc: wire.Accepted{RecordID: r.RecordID, Revision: r.Revision}}
	refuse := func(e *wire.Error) verdict { v.ref = e; return v }
	if e := wire.ValidateRevision(r, lim); e != nil {
		return refuse(e)
	}
	if r.Status.Decision() {
		return refuse(wire.NewError(wire.CodeReviewDecision))
	}
	if old, ok := h.revisions[r.Revision]; ok {
		if old.record != r.RecordID || old.team != d.TeamID {
			return refuse(wire.NewError(wire.CodeRevisionReused))
		}
		v.acc.Duplicate = true // its conflict flag is the one it has when it comes (storeRevisions)
		return v
	}
	team, known := h.records[r.RecordID]
	switch {
	case known && team != d.TeamID:
		return refuse(wire.NewError(wire.CodeOtherTeam))
	case !assigned[r.Municipality]:
		return refuse(wire.NewError(wire.CodeNotAssigned))
	case !published[instrumentRef(r.Instrument, r.InstrumentVersion)]:
		return refuse(wire.NewError(wire.CodeUnknownInstrument))
	}
	cost := int64(len(r.Content)+len(r.Identity)) + rowBytes
	if e := use.quotaRefusal(cost, q); e != nil {
		return refuse(e)
	}
	use.device += cost
	use.team += cost
	h.records[r.RecordID] = d.TeamID
	h.revisions[r.Revision] = heldRevision{record: r.RecordID, team: d.TeamID}
	v.store, v.newRecord = true, !known
	return v
}

// storeRevisions writes the revisions plan says to store, in the batch's
// order, and sets the conflict flags: two edits of the same base are
// siblings, both kept and both flagged for a person to resolve (nothing is
// overwritten), and a duplicate reports the flag its revision has when it
// comes. The revisions of records new to the server (which have no revision
// to be a sibling of) are written lookupChunk to a statement with their
// records; each edit of a known record is written on its own, after those
// before it, since its siblings may be among them.
func storeRevisions(ctx context.Context, st *txStmts, d *Principal, b *wire.Batch, now time.Time, plan []verdict, h *held) error {
	var pending []*wire.Revision // of records new to the server, not written yet
	flush := func() error {
		if err := insertRecords(ctx, st, d, now, pending); err != nil {
			return err
		}
		if err := insertRevisions(ctx, st, d, b, now, pending, false); err != nil {
			return err
		}
		pending = pending[:0]
		return nil
	}
	for i := range b.Revisions {
		r, v := &b.Revisions[i], &plan[i]
		switch {
		case v.acc.Duplicate:
			v.acc.Conflict = h.revisions[r.Revision].conflict
			continue
		case !v.store:
			continue
		}
		h.stored = append(h.stored, r.Revision)
		if v.newRecord {
			pending = append(pending, r)
			continue
		}
		if err := flush(); err != nil {
			return err
		}
		rows, err := st.get(stFlagSiblings).QueryContext(ctx, r.RecordID, r.BaseRevision)
		if err != nil {
			return err
		}
		for rows.Next() {
			var sibling string
			if err := rows.Scan(&sibling); err != nil {
				rows.Close()
				return err
			}
			v.acc.Conflict = true
			if s, ok := h.revisions[sibling]; ok {
				s.conflict = true
				h.revisions[sibling] = s
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if err := insertRevisions(ctx, st, d, b, now, []*wire.Revision{r}, v.acc.Conflict); err != nil {
			return err
		}
		if v.acc.Conflict {
			s := h.revisions[r.Revision]
			s.conflict = true
			h.revisions[r.Revision] = s
		}
	}
	return flush()
}

func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

func stringSet(ctx context.Context, st *sql.Stmt, args ...any) (map[string]bool, error) {
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	set := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		set[s] = true
	}
	return set, rows.Err()
}
