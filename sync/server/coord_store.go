package server

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"sinba/survey"
	"sinba/sync/wire"
)

// maxSealedSecret bounds a sealed pseudonym secret or a wrapped copy: a
// 32-byte secret sealed for a few recipients is well under it.
const maxSealedSecret = 4096

// CreateCoordinatorCode makes a one-time code that enrols a coordinator's
// app in an existing project (named by id or name).
func (s *Store) CreateCoordinatorCode(ctx context.Context, project string, ttl time.Duration) (string, time.Time, error) {
	pid, err := s.resolve(ctx, "projects", project)
	if err != nil {
		return "", time.Time{}, err
	}
	return s.insertCoordCode(ctx, pid, "", ttl)
}

// CreateProjectCode makes a one-time code that creates the project name when
// a coordinator's app spends it: the app makes the project key pair and the
// pseudonym secret, and the server receives only the public half and the
// secret sealed for it.
func (s *Store) CreateProjectCode(ctx context.Context, name string, ttl time.Duration) (string, time.Time, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", time.Time{}, survey.NewError("progetto senza nome", "project without a name")
	}
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM projects WHERE name = ?`, name).Scan(&n); err != nil {
		return "", time.Time{}, err
	}
	if n > 0 {
		return "", time.Time{}, survey.Errorf("esiste già un progetto %q", "a project %q already exists", name)
	}
	return s.insertCoordCode(ctx, "", name, ttl)
}

func (s *Store) insertCoordCode(ctx context.Context, pid, name string, ttl time.Duration) (string, time.Time, error) {
	code, err := newCode()
	if err != nil {
		return "", time.Time{}, err
	}
	now := time.Now()
	exp := now.Add(ttl)
	var project any
	if pid != "" {
		project = pid
	}
	_, err = s.exec(ctx).ExecContext(ctx, `INSERT INTO coord_codes (hash, project_id, project_name, expires_at, created_at) VALUES (?, ?, ?, ?, ?)`,
		codeHash(code), project, name, exp.Unix(), now.Unix())
	return code, exp, err
}

// Project returns a project with its sealed pseudonym secret.
func (s *Store) Project(ctx context.Context, pid string) (wire.Project, error) {
	p := wire.Project{ID: pid}
	err := s.r.QueryRowContext(ctx, `SELECT name, recipient, secret FROM projects WHERE id = ?`, pid).Scan(&p.Name, &p.Recipient, &p.Secret)
	return p, err
}

// SetProjectSecret records the pseudonym secret sealed for the project key,
// only if the project has none: the first coordinator's secret is the one.
func (s *Store) SetProjectSecret(ctx context.Context, pid string, sealed []byte) (*wire.Error, error) {
	if len(sealed) == 0 || len(sealed) > maxSealedSecret {
		return wire.Errorf(wire.CodeInvalid, "segreto del progetto non valido", "invalid project secret"), nil
	}
	res, err := s.exec(ctx).ExecContext(ctx, `UPDATE projects SET secret = ? WHERE id = ? AND secret IS NULL`, sealed, pid)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return wire.Errorf(wire.CodeConflict, "il progetto ha già un segreto", "the project already has a secret"), nil
	}
	return nil, nil
}

// CoordRevisions returns one page of the project's revisions and review
// decisions after cursor, in arrival order.
// A coordinators' app that reads format 1 only is not given format-2
// revisions; the page carries the content keys of those it is given.
func (s *Store) CoordRevisions(ctx context.Context, pid string, cursor int64, limit, format int) (*wire.CoordRevisions, error) {
	out := &wire.CoordRevisions{Cursor: cursor}
	items, more, err := s.feed(ctx, limit, s.fd[fdCoord], pid, cursor, limit+1)
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
		case "revision":
			var cr wire.CoordRevision
			var saved, received int64
			var status string
			err := s.fd[fdCoordRevision].QueryRowContext(ctx, it.ref).
				Scan(&cr.Revision.Revision, &cr.RecordID, &cr.BaseRevision, &cr.MergedRevision, &cr.Instrument, &cr.InstrumentVersion, &cr.Municipality,
					&status, &saved, &received, &cr.Content, &cr.Origin, &cr.Conflict, &cr.Team, &cr.Header)
			if err != nil {
				return nil, err
			}
			if !hs.readable(cr.Header) {
				out.Cursor = it.seq
				continue
			}
			if size, err = hs.add(ctx, s, cr.Header, false, size); err != nil {
				return nil, err
			}
			cr.Seq = it.seq
			cr.Status, cr.SavedAt, cr.ReceivedAt = survey.Status(status), time.UnixMilli(saved).UTC(), time.Unix(received, 0).UTC()
			size += len(cr.Content)
			out.Revisions = append(out.Revisions, cr)
		case "review":
			var rv wire.CoordReview
			var at int64
			err := s.fd[fdCoordReview].QueryRowContext(ctx, it.ref).
				Scan(&rv.ID, &rv.Revision, &rv.RecordID, &rv.Team, &rv.Decision, &rv.Comments, &at)
			if err != nil {
				return nil, err
			}
			rv.Seq, rv.At = it.seq, time.Unix(at, 0).UTC()
			size += len(rv.Comments)
			out.Reviews = append(out.Reviews, rv)
		}
		out.Cursor = it.seq
	}
	out.Headers = hs.list
	return out, nil
}

// AddSealedReview records a decision whose comments the coordinator's app
// sealed itself. The review id comes from the app: the same decision sent
// again is acknowledged as a duplicate.
func (s *Store) AddSealedReview(ctx context.Context, pid string, req *wire.ReviewRequest) (*wire.ReviewResponse, *wire.Error, error) {
	decision := survey.Status(req.Decision)
	if decision != survey.StatusReturned && decision != survey.StatusApproved {
		return nil, wire.Errorf(wire.CodeInvalid, "decisione non valida: returned o approved", "invalid decision: returned or approved"), nil
	}
	if !wire.IsUUID(req.ID) {
		return nil, wire.Errorf(wire.CodeInvalid, "identificativo della decisione non valido", "invalid decision id"), nil
	}
	if len(req.Comments) > 64<<10 {
		return nil, wire.NewError(wire.CodeTooLarge), nil
	}
	var refusal *wire.Error
	resp := &wire.ReviewResponse{ID: req.ID}
	err := s.txSerial(ctx, pid, func(tx *txn) error { // the feed's writer: see Ingest
		var oldRevision string
		err := tx.QueryRowContext(ctx, `SELECT revision FROM reviews WHERE id = ?`, req.ID).Scan(&oldRevision)
		if err == nil {
			if oldRevision != req.Revision {
				refusal = wire.Errorf(wire.CodeConflict, "identificativo della decisione già usato", "decision id already used")
			}
			resp.Duplicate = true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var teamID, recipient string
		err = tx.QueryRowContext(ctx, `SELECT v.team_id, t.recipient FROM revisions v JOIN teams t ON t.id = v.team_id WHERE v.revision = ? AND t.project_id = ?`,
			req.Revision, pid).Scan(&teamID, &recipient)
		if errors.Is(err, sql.ErrNoRows) {
			refusal = wire.Errorf(wire.CodeNotFound, "versione della scheda non trovata", "record revision not found")
			return nil
		}
		if err != nil {
			return err
		}
		if len(req.Comments) > 0 && recipient == "" {
			refusal = wire.NewError(wire.CodeNoTeamKey)
			return nil
		}
		return insertReview(ctx, tx, req.ID, req.Revision, teamID, pid, decision, req.Comments)
	})
	if err != nil || refusal != nil {
		return nil, refusal, err
	}
	return resp, nil, nil
}

// insertReview stores a decision and puts it in the team's feed.
func insertReview(ctx context.Context, tx *txn, id, revision, teamID, projectID string, decision survey.Status, sealed []byte) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO reviews (id, revision, team_id, decision, comments, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		id, revision, teamID, string(decision), nullBytes(sealed), time.Now().Unix()); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO feed (project_id, team_id, kind, ref) VALUES (?, ?, 'review', ?)`, projectID, teamID, id)
	return err
}

// Teams lists a project's teams with their researchers, laptops and
// municipalities.
func (s *Store) Teams(ctx context.Context, pid string) ([]wire.Team, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, name, recipient FROM teams WHERE project_id = ? ORDER BY name`, pid)
	if err != nil {
		return nil, err
	}
	var teams []wire.Team
	for rows.Next() {
		t := wire.Team{Assignments: []string{}, Researchers: []wire.Researcher{}, Devices: []wire.DeviceInfo{}}
		if err := rows.Scan(&t.ID, &t.Name, &t.Recipient); err != nil {
			rows.Close()
			return nil, err
		}
		teams = append(teams, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range teams {
		t := &teams[i]
		if t.Assignments, err = s.assignments(ctx, t.ID); err != nil {
			return nil, err
		}
		rs, err := s.r.QueryContext(ctx, `SELECT id, name FROM researchers WHERE team_id = ? ORDER BY name`, t.ID)
		if err != nil {
			return nil, err
		}
		for rs.Next() {
			var r wire.Researcher
			if err := rs.Scan(&r.ID, &r.Name); err != nil {
				rs.Close()
				return nil, err
			}
			t.Researchers = append(t.Researchers, r)
		}
		rs.Close()
		ds, err := s.r.QueryContext(ctx, `SELECT d.id, d.label, r.name, d.enrolled_at, d.last_seen_at, d.revoked_at IS NOT NULL, g.device_id IS NOT NULL, sg.device_id IS NOT NULL, d.minted_by, `+minterLabel+`
			FROM devices d JOIN researchers r ON r.id = d.researcher_id LEFT JOIN key_grants g ON g.device_id = d.id LEFT JOIN secret_grants sg ON sg.device_id = d.id
			WHERE d.team_id = ? ORDER BY r.name, d.enrolled_at`, t.ID)
		if err != nil {
			return nil, err
		}
		for ds.Next() {
			var d wire.DeviceInfo
			var enrolled int64
			var seen sql.NullInt64
			if err := ds.Scan(&d.ID, &d.Label, &d.Researcher, &enrolled, &seen, &d.Revoked, &d.HasTeamKey, &d.HasSecret, &d.MintedBy.Coordinator, &d.MintedBy.CoordinatorLabel); err != nil {
				ds.Close()
				return nil, err
			}
			d.EnrolledAt = time.Unix(enrolled, 0).UTC()
			if seen.Valid {
				d.LastSeen = time.Unix(seen.Int64, 0).UTC()
			}
			t.Devices = append(t.Devices, d)
		}
		ds.Close()
	}
	return teams, nil
}

// inProject resolves a team or a researcher by id or name within a project,
// so a coordinator can never reach another project's people.
func (s *Store) inProject(ctx context.Context, pid, table, ref string) (string, error) {
	q := `SELECT id FROM teams WHERE project_id = ? AND (id = ? OR name = ?)`
	if table == "researchers" {
		q = `SELECT r.id FROM researchers r JOIN teams t ON t.id = r.team_id WHERE t.project_id = ? AND (r.id = ? OR r.name = ?)`
	}
	rows, err := s.r.QueryContext(ctx, q, pid, ref, ref)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return "", err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	what := map[string]survey.Text{"teams": {IT: "squadra", EN: "team"}, "researchers": {IT: "rilevatore", EN: "researcher"}}[table]
	switch len(ids) {
	case 0:
		return "", survey.Errorf("%s %q: non esiste", "%s %q: does not exist", what, ref).Wrapping(ErrNotFound)
	case 1:
		return ids[0], nil
	}
	return "", survey.Errorf("%s %q: più d'uno con questo nome, usare l'identificativo", "%s %q: more than one with this name, use the id", what, ref)
}

// Instruments returns the instrument versions published in a project.
func (s *Store) Instruments(ctx context.Context, pid string) ([]wire.Instrument, error) {
	rows, err := s.reader(ctx).QueryContext(ctx, `SELECT instrument, version, body, dictionary FROM instruments WHERE project_id = ? ORDER BY instrument, version`, pid)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []wire.Instrument{}
	for rows.Next() {
		var in wire.Instrument
		if err := rows.Scan(&in.ID, &in.Version, &in.Body, &in.Dictionary); err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// SecretPending lists the project's laptops that have no copy of the
// pseudonym secret yet.
func (s *Store) SecretPending(ctx context.Context, pid string) ([]wire.Pending, error) {
	return s.pending(ctx, `SELECT d.id, d.recipient FROM devices d LEFT JOIN secret_grants g ON g.device_id = d.id
		WHERE d.project_id = ? AND d.revoked_at IS NULL AND g.device_id IS NULL ORDER BY d.enrolled_at LIMIT 100`, pid)
}

func (s *Store) pending(ctx context.Context, q string, arg string) ([]wire.Pending, error) {
	rows, err := s.r.QueryContext(ctx, q, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []wire.Pending
	for rows.Next() {
		var p wire.Pending
		if err := rows.Scan(&p.DeviceID, &p.Recipient); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// GrantSecret stores copies of the pseudonym secret wrapped for laptops of
// the project (by a coordinator), or of the granting laptop's team (by a
// colleague: team is then that laptop's team). A copy already there stays.
func (s *Store) GrantSecret(ctx context.Context, pid, team, by string, grants []wire.Grant) (*wire.Error, error) {
	if len(grants) > 100 {
		return wire.NewError(wire.CodeTooManyRecords), nil
	}
	for _, g := range grants {
		if len(g.Wrapped) == 0 || len(g.Wrapped) > maxSealedSecret {
			return wire.Errorf(wire.CodeInvalid, "segreto consegnato non valido", "invalid secret grant"), nil
		}
	}
	// The project's lock, as its other writers: the copies are made from
	// the devices' rows, which every batch updates.
	return nil, s.txSerial(ctx, pid, func(tx *txn) error {
		now := time.Now().Unix()
		for _, g := range grants {
			if _, err := tx.ExecContext(ctx, `INSERT INTO secret_grants (device_id, project_id, wrapped, granted_by, created_at)
				SELECT id, project_id, ?, ?, ? FROM devices WHERE id = ? AND project_id = ? AND (? = '' OR team_id = ?) AND revoked_at IS NULL
				ON CONFLICT DO NOTHING`,
				g.Wrapped, by, now, g.DeviceID, pid, team, team); err != nil {
				return err
			}
		}
		return nil
	})
}

// secretState adds the pseudonym secret to a laptop's key state: its own
// wrapped copy, and the colleagues waiting for one if it holds it.
func (s *Store) secretState(ctx context.Context, d *Principal, ks *wire.KeyState) error {
	err := s.r.QueryRowContext(ctx, `SELECT wrapped FROM secret_grants WHERE device_id = ?`, d.ID).Scan(&ks.ProjectSecret)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	ks.SecretPending, err = s.pending(ctx, `SELECT d.id, d.recipient FROM devices d LEFT JOIN secret_grants g ON g.device_id = d.id
		WHERE d.team_id = ? AND d.revoked_at IS NULL AND g.device_id IS NULL ORDER BY d.enrolled_at LIMIT 100`, d.TeamID)
	return err
}
