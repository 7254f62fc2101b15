package server

import (
	"context"
	"database/sql"
	"time"

	"sinba/sync/wire"
)

// DeviceInfo is a device as the admin commands list it.
type DeviceInfo struct {
	ID, Label, Researcher, Team string
	EnrolledAt                  time.Time
	LastSeen                    time.Time // zero if never
	Revoked                     bool
	HasTeamKey                  bool
	MintedBy                    wire.Minter // who made the code it enrolled with
	Format                      int         // the wire format of the last batch it sent; 0: none yet
}

// Devices lists enrolled devices.
func (s *Store) Devices(ctx context.Context) ([]DeviceInfo, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT d.id, d.label, r.name, t.name, d.enrolled_at, d.last_seen_at, d.revoked_at IS NOT NULL, g.device_id IS NOT NULL, d.minted_by, `+minterLabel+`, d.format
		FROM devices d JOIN researchers r ON r.id = d.researcher_id JOIN teams t ON t.id = d.team_id LEFT JOIN key_grants g ON g.device_id = d.id
		ORDER BY t.name, r.name, d.enrolled_at`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DeviceInfo
	for rows.Next() {
		var d DeviceInfo
		var enrolled int64
		var seen sql.NullInt64
		if err := rows.Scan(&d.ID, &d.Label, &d.Researcher, &d.Team, &enrolled, &seen, &d.Revoked, &d.HasTeamKey, &d.MintedBy.Coordinator, &d.MintedBy.CoordinatorLabel, &d.Format); err != nil {
			return nil, err
		}
		d.EnrolledAt = time.Unix(enrolled, 0)
		if seen.Valid {
			d.LastSeen = time.Unix(seen.Int64, 0)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Count is one line of the status summary: the latest revision of each
// record, grouped.
type Count struct {
	Project, Team, Municipality, Instrument, Status string
	Records, Conflicts                              int
}

// Summary is what has arrived, for "sinba-server status".
type Summary struct {
	Projects, Teams, Researchers, Devices, Revoked int
	Revisions, Records, Batches                    int
	Bytes                                          int64
	Counts                                         []Count
	LastBatch                                      time.Time
}

// Summary counts what the server holds. A record counts once, with the
// status of its latest revision, or the coordinators' latest decision on it:
// approved and returned come from decisions only (a laptop's claim of one,
// kept from before the server refused them, counts as final). A record
// counts as in conflict while two of its revisions share a base and no later
// revision merged them.
func (s *Store) Summary(ctx context.Context) (*Summary, error) {
	var sm Summary
	var last sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM projects), (SELECT count(*) FROM teams), (SELECT count(*) FROM researchers),
		(SELECT count(*) FROM devices), (SELECT count(*) FROM devices WHERE revoked_at IS NOT NULL),
		(SELECT count(*) FROM revisions), (SELECT count(*) FROM records), (SELECT count(*) FROM batches),
		(SELECT CAST(coalesce(sum(size), 0) AS BIGINT) FROM revisions), (SELECT max(received_at) FROM batches)`).
		Scan(&sm.Projects, &sm.Teams, &sm.Researchers, &sm.Devices, &sm.Revoked, &sm.Revisions, &sm.Records, &sm.Batches, &sm.Bytes, &last)
	if err != nil {
		return nil, err
	}
	if last.Valid {
		sm.LastBatch = time.Unix(last.Int64, 0)
	}
	rows, err := s.r.QueryContext(ctx, `WITH latest AS (
			SELECT v.* FROM revisions v WHERE v.rowid = (SELECT max(rowid) FROM revisions w WHERE w.record_id = v.record_id)
		), open_conflict AS (
			SELECT DISTINCT v.record_id FROM revisions v WHERE v.conflict = TRUE
			AND NOT EXISTS (SELECT 1 FROM revisions m WHERE m.record_id = v.record_id AND m.merged_revision <> '')
		)
		SELECT p.name, t.name, l.municipality, l.instrument,
			coalesce((SELECT r.decision FROM reviews r WHERE r.revision = l.revision ORDER BY r.created_at DESC, r.rowid DESC LIMIT 1),
				CASE WHEN l.status IN ('approved', 'returned') THEN 'final' ELSE l.status END) AS state,
			count(*), count(c.record_id)
		FROM latest l JOIN teams t ON t.id = l.team_id JOIN projects p ON p.id = t.project_id
		LEFT JOIN open_conflict c ON c.record_id = l.record_id
		GROUP BY p.name, t.name, l.municipality, l.instrument, state
		ORDER BY p.name, t.name, l.municipality, l.instrument, state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Project, &c.Team, &c.Municipality, &c.Instrument, &c.Status, &c.Records, &c.Conflicts); err != nil {
			return nil, err
		}
		sm.Counts = append(sm.Counts, c)
	}
	return &sm, rows.Err()
}

// ProjectRecipient returns the public project key of a project.
func (s *Store) ProjectRecipient(ctx context.Context, project string) (string, error) {
	id, err := s.resolve(ctx, "projects", project)
	if err != nil {
		return "", err
	}
	var r string
	err = s.r.QueryRowContext(ctx, `SELECT recipient FROM projects WHERE id = ?`, id).Scan(&r)
	return r, err
}
