package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/google/uuid"

	"sinba/survey"
	"sinba/sync/seal"
	"sinba/sync/wire"
)

// The coordinators' set-up and administration. cmd/sinba-server calls these;
// nothing here is reachable over HTTP.

// CreateProject adds a project whose records are sealed for recipient (the
// public half of the coordinators' project key).
func (s *Store) CreateProject(ctx context.Context, name, recipient string) (string, error) {
	if strings.TrimSpace(name) == "" {
		return "", errors.New("progetto senza nome / project without a name")
	}
	if _, err := seal.ParseRecipient(recipient); err != nil {
		return "", fmt.Errorf("chiave pubblica del progetto non valida / invalid project public key: %w", err)
	}
	id := uuid.NewString()
	_, err := s.exec(ctx).ExecContext(ctx, `INSERT INTO projects (id, name, recipient, created_at) VALUES (?, ?, ?, ?)`, id, name, recipient, time.Now().Unix())
	if isUnique(err) {
		return "", fmt.Errorf("esiste già un progetto %q / a project %q already exists", name, name)
	}
	return id, err
}

// CreateTeam adds a team to a project (named by id or name).
func (s *Store) CreateTeam(ctx context.Context, project, name string) (string, error) {
	pid, err := s.resolve(ctx, "projects", project)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(name) == "" {
		return "", errors.New("squadra senza nome / team without a name")
	}
	id := uuid.NewString()
	_, err = s.exec(ctx).ExecContext(ctx, `INSERT INTO teams (id, project_id, name, created_at) VALUES (?, ?, ?, ?)`, id, pid, name, time.Now().Unix())
	if isUnique(err) {
		return "", fmt.Errorf("esiste già una squadra %q / a team %q already exists", name, name)
	}
	return id, err
}

// CreateResearcher adds a researcher to a team (named by id or name).
func (s *Store) CreateResearcher(ctx context.Context, team, name string) (string, error) {
	tid, err := s.resolve(ctx, "teams", team)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(name) == "" {
		return "", errors.New("rilevatore senza nome / researcher without a name")
	}
	id := uuid.NewString()
	_, err = s.exec(ctx).ExecContext(ctx, `INSERT INTO researchers (id, team_id, name, created_at) VALUES (?, ?, ?, ?)`, id, tid, name, time.Now().Unix())
	return id, err
}

// codeAlphabet is Crockford's base 32: no I, L, O, U, so a code read aloud
// or copied by hand survives.
const codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// CreateCode makes a one-time enrolment code for a researcher, valid for ttl,
// on the server administrator's authority (the sinba-server command).
// Ten characters (50 bits) typed as XXXXX-XXXXX; the server keeps only its
// hash, and enrolment attempts are rate-limited.
func (s *Store) CreateCode(ctx context.Context, researcher string, ttl time.Duration) (string, time.Time, error) {
	rid, err := s.resolve(ctx, "researchers", researcher)
	if err != nil {
		return "", time.Time{}, err
	}
	return s.insertCode(ctx, rid, ttl, "")
}

// CreateCodeByCoordinator makes a laptop code for a researcher (an id the
// handler has resolved within the coordinator's project) on a coordinator
// app's authority. The code, and the device enrolled with it, remember that
// coordinator: the team's laptops show the device as made by a coordinator
// when they are asked to hand it the team key.
func (s *Store) CreateCodeByCoordinator(ctx context.Context, coordinator, researcherID string, ttl time.Duration) (string, time.Time, error) {
	return s.insertCode(ctx, researcherID, ttl, coordinator)
}

func (s *Store) insertCode(ctx context.Context, rid string, ttl time.Duration, mintedBy string) (string, time.Time, error) {
	var q queryRower = s.r
	if tx, ok := ctx.Value(txKey{}).(*txn); ok {
		q = tx // the caller's transaction sees what it wrote
	}
	if err := projectReady(ctx, q, rid); err != nil {
		return "", time.Time{}, err
	}
	code, err := newCode()
	if err != nil {
		return "", time.Time{}, err
	}
	now := time.Now()
	exp := now.Add(ttl)
	_, err = s.exec(ctx).ExecContext(ctx, `INSERT INTO enrol_codes (hash, researcher_id, expires_at, created_at, minted_by) VALUES (?, ?, ?, ?, ?)`,
		codeHash(code), rid, exp.Unix(), now.Unix(), mintedBy)
	return code, exp, err
}

type queryRower interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// ErrProjectNotReady is returned for a laptop code of a project that has
// no pseudonym secret yet; it is the refusal the API sends.
var ErrProjectNotReady = wire.NewError(wire.CodeProjectNotReady)

// projectReady says whether the project of a researcher is set up for
// laptops: its coordinators have made the project key (every project has
// it) and the pseudonym secret, so no laptop is ever enrolled that cannot
// compute a child's pseudonym.
func projectReady(ctx context.Context, q queryRower, researcher string) error {
	var ready bool
	err := q.QueryRowContext(ctx, `SELECT p.secret IS NOT NULL AND length(p.secret) > 0 FROM researchers r JOIN teams t ON t.id = r.team_id
		JOIN projects p ON p.id = t.project_id WHERE r.id = ?`, researcher).Scan(&ready)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("rilevatore %q: %w", researcher, ErrNotFound)
	}
	if err != nil {
		return err
	}
	if !ready {
		return ErrProjectNotReady
	}
	return nil
}

// newCode makes a random code of ten characters, typed as XXXXX-XXXXX.
func newCode() (string, error) {
	var raw [10]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	var b strings.Builder
	for i, c := range raw {
		if i == 5 {
			b.WriteByte('-')
		}
		b.WriteByte(codeAlphabet[c&31])
	}
	return b.String(), nil
}

// NormalizeCode forgives what people do when typing a code: case, dashes,
// spaces, and the letters that look like digits.
func NormalizeCode(code string) string {
	r := strings.NewReplacer("-", "", " ", "", "O", "0", "I", "1", "L", "1")
	return r.Replace(strings.ToUpper(strings.TrimSpace(code)))
}

func codeHash(code string) []byte {
	sum := sha256.Sum256([]byte("sinba-enrol-code\n" + NormalizeCode(code)))
	return sum[:]
}

var municipalityRE = regexp.MustCompile(`^[0-9]{6}$`)

// Assign gives a municipality (ISTAT code) to a team.
func (s *Store) Assign(ctx context.Context, team, municipality string) error {
	tid, err := s.resolve(ctx, "teams", team)
	if err != nil {
		return err
	}
	if !municipalityRE.MatchString(municipality) {
		return fmt.Errorf("codice ISTAT %q non valido (6 cifre) / invalid ISTAT code %q (6 digits)", municipality, municipality)
	}
	_, err = s.exec(ctx).ExecContext(ctx, `INSERT INTO assignments (team_id, municipality, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, tid, municipality, time.Now().Unix())
	return err
}

// Unassign takes a municipality away from a team.
func (s *Store) Unassign(ctx context.Context, team, municipality string) error {
	tid, err := s.resolve(ctx, "teams", team)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx).ExecContext(ctx, `DELETE FROM assignments WHERE team_id = ? AND municipality = ?`, tid, municipality)
	return err
}

var instrumentRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// Publish makes an instrument version available to every laptop of the
// project. A published version never changes: publishing it again with a
// different body is refused.
func (s *Store) Publish(ctx context.Context, project, instrument string, version int, body []byte) error {
	return s.PublishInstrument(ctx, project, wire.Instrument{ID: instrument, Version: version, Body: body})
}

// PublishInstrument is Publish with the version's optional zstd dictionary
// (seal.TrainDictionary). A version published without one may get one later
// (its laptops receive the version again, with it); once set, it stays.
func (s *Store) PublishInstrument(ctx context.Context, project string, in wire.Instrument) error {
	instrument, version, body := in.ID, in.Version, in.Body
	if len(in.Dictionary) > 0 {
		if _, err := seal.DictionaryID(in.Dictionary); err != nil {
			return fmt.Errorf("dizionario non valido / invalid dictionary: %w", err)
		}
	}
	pid, err := s.resolve(ctx, "projects", project)
	if err != nil {
		return err
	}
	if !instrumentRE.MatchString(instrument) || version < 1 {
		return fmt.Errorf("strumento %q versione %d non valido / invalid instrument %q version %d", instrument, version, instrument, version)
	}
	return s.txSerial(ctx, pid, func(tx *txn) error { // the feed's writer: see Ingest
		var old, oldDict []byte
		err := tx.QueryRowContext(ctx, `SELECT body, dictionary FROM instruments WHERE project_id = ? AND instrument = ? AND version = ?`, pid, instrument, version).Scan(&old, &oldDict)
		if err == nil {
			if string(old) == string(body) {
				if len(oldDict) > 0 || len(in.Dictionary) == 0 {
					return nil
				}
				if _, err := tx.ExecContext(ctx, `UPDATE instruments SET dictionary = ? WHERE project_id = ? AND instrument = ? AND version = ?`, in.Dictionary, pid, instrument, version); err != nil {
					return err
				}
				_, err = tx.ExecContext(ctx, `INSERT INTO feed (project_id, team_id, kind, ref) VALUES (?, NULL, 'instrument', ?)`, pid, instrumentRef(instrument, version))
				return err
			}
			return fmt.Errorf("la versione %d di %s è già pubblicata con un altro contenuto: pubblicare una nuova versione / version %d of %s is already published with other content: publish a new version", version, instrument, version, instrument)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO instruments (project_id, instrument, version, body, published_at, dictionary) VALUES (?, ?, ?, ?, ?, ?)`,
			pid, instrument, version, body, time.Now().Unix(), nullBytes(in.Dictionary)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO feed (project_id, team_id, kind, ref) VALUES (?, NULL, 'instrument', ?)`, pid, instrumentRef(instrument, version))
		return err
	})
}

// Revoke stops a principal of either role, a laptop or a coordinator's
// app, by its id (ids are unique across both): every later request of it
// is refused (CodeRevoked) and the audit lists it. Revoking one already
// revoked changes nothing.
func (s *Store) Revoke(ctx context.Context, id string) error {
	p, err := s.Principal(ctx, id)
	if err != nil {
		return err
	}
	if p == nil {
		return fmt.Errorf("computer o app di coordinamento %q / laptop or coordinator's app %q: %w", id, id, ErrNotFound)
	}
	_, err = s.exec(ctx).ExecContext(ctx, `UPDATE `+tablesOf[p.Role].principals+` SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, time.Now().Unix(), id)
	return err
}

// AddReview records a coordinator's decision on a revision. The comments are
// sealed here for the team at once, so the database never holds them in
// clear; they travel to the team's laptops with the next sync.
func (s *Store) AddReview(ctx context.Context, revision string, decision survey.Status, comments []survey.Comment) (string, error) {
	if decision != survey.StatusReturned && decision != survey.StatusApproved {
		return "", fmt.Errorf("decisione %q non valida: returned o approved / invalid decision %q: returned or approved", decision, decision)
	}
	var teamID, projectID, recipient, projectRecipient string
	err := s.r.QueryRowContext(ctx, `SELECT v.team_id, t.project_id, t.recipient, p.recipient FROM revisions v JOIN teams t ON t.id = v.team_id
		JOIN projects p ON p.id = t.project_id WHERE v.revision = ?`, revision).
		Scan(&teamID, &projectID, &recipient, &projectRecipient)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("versione %q: %w", revision, ErrNotFound)
	}
	if err != nil {
		return "", err
	}
	var sealed []byte
	if len(comments) > 0 {
		r, err := seal.ParseRecipient(recipient)
		if err != nil {
			return "", errors.New("la squadra non ha ancora una chiave: nessun suo computer ha sincronizzato / the team has no key yet: none of its laptops has synced")
		}
		plain, err := json.Marshal(comments)
		if err != nil {
			return "", err
		}
		// Sealed for the project key too, so every coordinator's app can
		// show the record's history with its comments.
		pr, err := seal.ParseRecipient(projectRecipient)
		if err != nil {
			return "", err
		}
		if sealed, err = seal.Encrypt(plain, r, pr); err != nil {
			return "", err
		}
	}
	id := uuid.NewString()
	err = s.txSerial(ctx, projectID, func(tx *txn) error { // the feed's writer: see Ingest
		return insertReview(ctx, tx, id, revision, teamID, projectID, decision, sealed)
	})
	return id, err
}

// resolve finds the id of a row of table by id or by name.
func (s *Store) resolve(ctx context.Context, table, ref string) (string, error) {
	var ids []string
	rows, err := s.reader(ctx).QueryContext(ctx, `SELECT id FROM `+table+` WHERE id = ? OR name = ?`, ref, ref)
	if err != nil {
		return "", err
	}
	defer rows.Close()
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
	what := map[string]string{"projects": "progetto / project", "teams": "squadra / team", "researchers": "rilevatore / researcher"}[table]
	switch len(ids) {
	case 0:
		return "", fmt.Errorf("%s %q: %w", what, ref, ErrNotFound)
	case 1:
		return ids[0], nil
	}
	return "", fmt.Errorf("%s %q: più d'uno con questo nome, usare l'identificativo / more than one with this name, use the id", what, ref)
}

// Revisions returns every revision the server holds, in arrival order: for
// the coordinators' export (still sealed) and for tests.
func (s *Store) Revisions(ctx context.Context) ([]wire.Revision, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+revisionColumns+` FROM revisions ORDER BY rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []wire.Revision
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Headers returns the headers of every format-2 batch the server holds, for
// the coordinators' export (still sealed) and for tests.
func (s *Store) Headers(ctx context.Context) ([]wire.Header, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT batch_id, content, identity FROM batch_headers ORDER BY rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []wire.Header
	for rows.Next() {
		var h wire.Header
		if err := rows.Scan(&h.Batch, &h.Content, &h.Identity); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// Opener opens the records the server holds with id (the project key, for
// the export), with every published version's questions and dictionary,
// and the headers they need.
func (s *Store) Opener(ctx context.Context, id age.Identity) (*seal.Opener, map[string]*wire.Header, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT instrument, version, body, dictionary FROM instruments`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var ins []wire.Instrument
	for rows.Next() {
		var in wire.Instrument
		if err := rows.Scan(&in.ID, &in.Version, &in.Body, &in.Dictionary); err != nil {
			return nil, nil, err
		}
		ins = append(ins, in)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	dicts, err := seal.DictionariesOf(ins) // each was checked when it was published
	if err != nil {
		return nil, nil, err
	}
	hs, err := s.Headers(ctx)
	if err != nil {
		return nil, nil, err
	}
	return seal.NewOpener(id, dicts), seal.HeaderIndex(hs), nil
}

// Decisions returns the coordinators' latest decision on each revision that
// has one, by revision id: where the approved state comes from.
func (s *Store) Decisions(ctx context.Context) (map[string]survey.Status, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT revision, decision FROM reviews ORDER BY created_at, rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]survey.Status{}
	for rows.Next() {
		var rev, d string
		if err := rows.Scan(&rev, &d); err != nil {
			return nil, err
		}
		out[rev] = survey.Status(d)
	}
	return out, rows.Err()
}

type scanner interface{ Scan(...any) error }

func scanRevision(row scanner) (wire.Revision, error) {
	var r wire.Revision
	var saved int64
	var status string
	err := row.Scan(&r.Revision, &r.RecordID, &r.BaseRevision, &r.MergedRevision, &r.Instrument, &r.InstrumentVersion, &r.Municipality, &status, &saved, &r.Content, &r.Identity, &r.Origin, &r.Conflict, &r.Header)
	r.Status = survey.Status(status)
	r.SavedAt = time.UnixMilli(saved).UTC()
	return r, err
}
