package server

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"sinba/survey"
	"sinba/sync/wire"
)

// feedSQL are the reads of the feeds (a laptop's changes and the
// coordinators' pages): a page of 200 revisions runs a few hundred, so they
// are prepared once, on the reading connections, when the store opens.
var feedSQL = [...]string{
	// The team's feed after a cursor. Each revision's sending device
	// comes with it, so that the laptop's own (most of what follows its own
	// uploads) are passed over without reading them.
	fdChanges: `SELECT f.seq, f.kind, f.ref, COALESCE(r.device_id, '') FROM feed f
		LEFT JOIN revisions r ON f.kind = 'revision' AND r.revision = f.ref
		WHERE f.project_id = ? AND f.seq > ? AND (f.team_id IS NULL OR f.team_id = ?) ORDER BY f.seq LIMIT ?`,
	// The project's revisions and reviews after a cursor, for the coordinators.
	fdCoord: `SELECT seq, kind, ref, '' FROM feed WHERE project_id = ? AND seq > ? AND kind IN ('revision', 'review') ORDER BY seq LIMIT ?`,
	fdCoordRevision: `SELECT v.revision, v.record_id, v.base_revision, v.merged_revision, v.instrument, v.instrument_version, v.municipality,
		v.status, v.saved_at, v.received_at, v.content, v.device_id, v.conflict, t.name, CASE WHEN v.format >= 2 THEN v.batch_id ELSE '' END
		FROM revisions v JOIN teams t ON t.id = v.team_id WHERE v.revision = ?`,
	fdCoordReview: `SELECT r.id, r.revision, v.record_id, t.name, r.decision, r.comments, r.created_at
		FROM reviews r JOIN revisions v ON v.revision = r.revision JOIN teams t ON t.id = r.team_id WHERE r.id = ?`,
	fdInstrument:  `SELECT body, dictionary FROM instruments WHERE project_id = ? AND instrument = ? AND version = ?`,
	fdReview:      `SELECT id, revision, decision, comments, created_at FROM reviews WHERE id = ?`,
	fdHeader:      `SELECT content, identity FROM batch_headers WHERE batch_id = ?`,
	fdAssignments: `SELECT municipality FROM assignments WHERE team_id = ? ORDER BY municipality`,
	fdRevision:    `SELECT ` + revisionColumns + ` FROM revisions WHERE revision = ?`,
}

// revisionColumns are the columns of a revision scanRevision reads. A
// revision of format 2 names its header by its batch's id; one of format 1
// names none (an empty string).
const revisionColumns = `revision, record_id, base_revision, merged_revision, instrument, instrument_version, municipality, status, saved_at, content, identity, device_id, conflict,
	CASE WHEN format >= 2 THEN batch_id ELSE '' END`

const (
	fdChanges = iota
	fdCoord
	fdCoordRevision
	fdCoordReview
	fdInstrument
	fdReview
	fdHeader
	fdAssignments
	fdRevision
	fdCount
)

// feedStmts holds feedSQL, prepared.
type feedStmts [fdCount]*sql.Stmt

// pageBytes bounds one page of changes, whatever the count, so neither end
// holds more than this at once.
const pageBytes = 2 << 20

// Changes returns what the device's team may see since cursor: instruments
// of the project, the team's revisions from its other laptops and the
// coordinators' reviews, plus the team's assignments and key state. A
// device that reads format 1 only (format below wire.FormatV2) is not given
// format-2 revisions, which it could not open; the page then carries the
// headers of those it is given.
func (s *Store) Changes(ctx context.Context, d *Principal, cursor int64, limit, format int) (*wire.Changes, error) {
	out := &wire.Changes{Cursor: cursor, Assignments: []string{}}
	assigned, err := s.assignments(ctx, d.TeamID)
	if err != nil {
		return nil, err
	}
	out.Assignments = assigned
	// A team sees its records only in the municipalities it is assigned now.
	inScope := func(m string) bool { return slices.Contains(assigned, m) }
	items, more, err := s.feed(ctx, limit, s.fd[fdChanges], d.ProjectID, cursor, d.TeamID, limit+1)
	if err != nil {
		return nil, err
	}
	out.More = more
	size := 0
	hs := headerSet{format: format}
	for _, it := range items {
		if size > pageBytes {
			out.More = true
			break
		}
		switch it.kind {
		case "instrument":
			id, v, _ := strings.Cut(it.ref, ":")
			ver, _ := strconv.Atoi(v)
			ins := wire.Instrument{ID: id, Version: ver}
			if err := s.fd[fdInstrument].QueryRowContext(ctx, d.ProjectID, id, ver).Scan(&ins.Body, &ins.Dictionary); err != nil {
				return nil, err
			}
			size += len(ins.Body) + len(ins.Dictionary)
			out.Instruments = append(out.Instruments, ins)
		case "revision":
			if it.origin == d.ID { // the laptop has its own already
				break
			}
			r, err := s.revision(ctx, it.ref)
			if err != nil {
				return nil, err
			}
			if r.Origin != d.ID && inScope(r.Municipality) && hs.readable(r.Header) { // the laptop has its own already
				if size, err = hs.add(ctx, s, r.Header, true, size); err != nil {
					return nil, err
				}
				r.Seq = it.seq
				size += len(r.Content) + len(r.Identity)
				out.Revisions = append(out.Revisions, r)
			}
		case "review":
			var rv wire.Review
			var decision, revision string
			var at int64
			if err := s.fd[fdReview].QueryRowContext(ctx, it.ref).
				Scan(&rv.ID, &revision, &decision, &rv.Comments, &at); err != nil {
				return nil, err
			}
			rv.Seq, rv.Decision, rv.At = it.seq, survey.Status(decision), time.Unix(at, 0).UTC()
			if rv.Reviewed, err = s.revision(ctx, revision); err != nil {
				return nil, err
			}
			if !inScope(rv.Reviewed.Municipality) || !hs.readable(rv.Reviewed.Header) {
				break
			}
			if size, err = hs.add(ctx, s, rv.Reviewed.Header, true, size); err != nil {
				return nil, err
			}
			size += len(rv.Comments) + len(rv.Reviewed.Content) + len(rv.Reviewed.Identity)
			out.Reviews = append(out.Reviews, rv)
		}
		out.Cursor = it.seq
	}
	out.Headers = hs.list
	out.Keys, err = s.keyState(ctx, d)
	return out, err
}

// headerSet gathers the batch headers of a page of a feed, each once.
type headerSet struct {
	format int
	seen   map[string]bool
	list   []wire.Header
}

// readable says whether a revision with header (empty: format 1) is for a
// reader of the set's format.
func (h *headerSet) readable(header string) bool {
	return header == "" || h.format >= wire.FormatV2
}

// add puts the header of batch into the page (with the identity key if
// identity), unless it is there already, and returns the page's new size.
func (h *headerSet) add(ctx context.Context, s *Store, batch string, identity bool, size int) (int, error) {
	if batch == "" || h.seen[batch] {
		return size, nil
	}
	if h.seen == nil {
		h.seen = map[string]bool{}
	}
	hd := wire.Header{Batch: batch}
	if err := s.fd[fdHeader].QueryRowContext(ctx, batch).Scan(&hd.Content, &hd.Identity); err != nil {
		return size, fmt.Errorf("header of batch %s: %w", batch, err)
	}
	if !identity {
		hd.Identity = nil
	}
	h.seen[batch] = true
	h.list = append(h.list, hd)
	return size + len(hd.Content) + len(hd.Identity), nil
}

// formatOf reads the format a feed request says its device reads.
func formatOf(q interface{ Get(string) string }) int {
	f, err := strconv.Atoi(q.Get(wire.QueryFormat))
	if err != nil || f < wire.FormatV1 {
		return wire.FormatV1
	}
	return f
}

// feedItem is one entry of the feed: what changed (kind) and its id (ref),
// and for a revision the device that sent it, where the query gives it.
type feedItem struct {
	seq               int64
	kind, ref, origin string
}

// feed reads up to limit items with query (which asks for limit+1, so that
// more says whether a page follows, and gives seq, kind, ref and origin).
func (s *Store) feed(ctx context.Context, limit int, query *sql.Stmt, args ...any) (items []feedItem, more bool, err error) {
	rows, err := query.QueryContext(ctx, args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	for rows.Next() {
		var it feedItem
		if err := rows.Scan(&it.seq, &it.kind, &it.ref, &it.origin); err != nil {
			return nil, false, err
		}
		items = append(items, it)
	}
	if len(items) > limit {
		items, more = items[:limit], true
	}
	return items, more, rows.Err()
}

func (s *Store) assignments(ctx context.Context, team string) ([]string, error) {
	rows, err := s.fd[fdAssignments].QueryContext(ctx, team)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (s *Store) revision(ctx context.Context, id string) (wire.Revision, error) {
	return scanRevision(s.fd[fdRevision].QueryRowContext(ctx, id))
}

// instrumentRef is how the feed and the ingest path name an instrument
// version: "id:version" (instrument ids have no colon). PostgreSQL's text
// holds no NUL, which named them before (migration 005 rewrote those).
func instrumentRef(id string, version int) string {
	return id + ":" + strconv.Itoa(version)
}
