package server

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"sinba/sync/seal"
	"sinba/sync/wire"
)

// Enrolment is one path for both roles: one request shape
// (wire.EnrolRequest), one handler (Server.enrol) behind one set of limits
// (per address, then for every address together, before a byte of the body
// is read), and one store method (Store.Enrol) that spends a one-time code
// and registers the app's public keys under the role of the code's kind.

// roleTables are where the principals of one role and their enrolment
// codes are kept.
type roleTables struct {
	principals string // the principals' table
	codes      string // the codes' table
	spentBy    string // its column naming the principal enrolled with a code
}

var tablesOf = map[wire.Role]roleTables{
	wire.RoleDevice:      {principals: "devices", codes: "enrol_codes", spentBy: "device_id"},
	wire.RoleCoordinator: {principals: "coordinators", codes: "coord_codes", spentBy: "coordinator_id"},
}

// codeQuery finds a code of either kind by its hash: its role, what it
// enrols into (a researcher for a laptop code; a project, or the name of
// the project to create, for a coordinator code), its expiry, whether it was
// used and who made it.
const codeQuery = `SELECT '` + string(wire.RoleDevice) + `', researcher_id, '', expires_at, used_at, minted_by FROM enrol_codes WHERE hash = ?
	UNION ALL SELECT '` + string(wire.RoleCoordinator) + `', COALESCE(project_id, ''), project_name, expires_at, used_at, '' FROM coord_codes WHERE hash = ?`

// enrolCode is a code found by codeQuery.
type enrolCode struct {
	role     wire.Role
	ref      string // the researcher (laptop code) or the project (coordinator code; empty: create one named name)
	name     string
	mintedBy string
}

// Enrol spends a one-time code and registers the app's public keys, for
// either role: a laptop code enrols a researcher's laptop in the
// researcher's team; a coordinator code enrols a coordinator's app in its
// project, and a project code also creates the project with the key the app
// made. The request's role (a laptop's when empty) must be the code's kind:
// otherwise the code is refused and stays unspent, and so does a code that
// is unknown, used, expired, or of a project not yet set up for laptops.
func (s *Store) Enrol(ctx context.Context, req *wire.EnrolRequest) (*wire.EnrolResponse, *wire.Error, error) {
	role := req.Role
	if role == "" {
		role = wire.RoleDevice
	}
	tables, ok := tablesOf[role]
	if !ok {
		return nil, wire.Errorf(wire.CodeInvalid, "ruolo non valido: device o coordinator", "invalid role: device or coordinator"), nil
	}
	if len(req.SignKey) != ed25519.PublicKeySize {
		return nil, wire.Errorf(wire.CodeInvalid, "chiave di firma non valida", "invalid signing key"), nil
	}
	if _, err := seal.ParseRecipient(req.Recipient); err != nil {
		return nil, wire.Errorf(wire.CodeInvalid, "chiave del dispositivo non valida", "invalid device key"), nil
	}
	if len(req.ProjectSecret) > maxSealedSecret {
		return nil, wire.NewError(wire.CodeTooLarge), nil
	}
	label := strings.TrimSpace(req.Label)
	if len(label) > 100 {
		label = label[:100]
	}
	hash := codeHash(req.Code)
	resp := &wire.EnrolResponse{Role: role}
	var refusal *wire.Error
	now := time.Now()
	err := s.tx(ctx, func(tx *txn) error {
		var c enrolCode
		var expires int64
		var used sql.NullInt64
		err := tx.QueryRowContext(ctx, codeQuery, hash, hash).Scan(&c.role, &c.ref, &c.name, &expires, &used, &c.mintedBy)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			refusal = wire.NewError(wire.CodeCodeInvalid)
			return nil
		case err != nil:
			return err
		case used.Valid:
			refusal = wire.NewError(wire.CodeCodeUsed)
			return nil
		case now.Unix() > expires:
			refusal = wire.NewError(wire.CodeCodeExpired)
			return nil
		case c.role != role:
			refusal = wrongKind(c.role)
			return nil
		}
		var id string
		if role == wire.RoleCoordinator {
			id, refusal, err = enrolCoordinator(ctx, tx, c, req, label, now, resp)
		} else {
			id, refusal, err = enrolDevice(ctx, tx, c, req, label, now, resp)
		}
		if err != nil || refusal != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE `+tables.codes+` SET used_at = ?, `+tables.spentBy+` = ? WHERE hash = ?`, now.Unix(), id, hash)
		return err
	})
	if err != nil || refusal != nil {
		return nil, refusal, err
	}
	return resp, nil, nil
}

// wrongKind is the refusal of a code of role r sent by an app of the other
// role: it says where the code goes, and the code stays unspent.
func wrongKind(r wire.Role) *wire.Error {
	if r == wire.RoleCoordinator {
		return wire.Errorf(wire.CodeCodeInvalid, "questo è un codice di coordinamento: inserirlo nel profilo di coordinamento, non in quello del rilevatore",
			"this is a coordinator code: enter it in the coordinator profile, not the researcher's")
	}
	return wire.Errorf(wire.CodeCodeInvalid, "questo è un codice per il computer di un rilevatore: inserirlo nel profilo del rilevatore, non in quello di coordinamento",
		"this is a code for a researcher's laptop: enter it in the researcher's profile, not the coordinator's")
}

// enrolDevice registers a laptop in the team of the code's researcher.
func enrolDevice(ctx context.Context, tx *txn, c enrolCode, req *wire.EnrolRequest, label string, now time.Time, resp *wire.EnrolResponse) (string, *wire.Error, error) {
	// A code made before the rule, or before a project lost its set-up:
	// the code stays unused, for after the coordinators' set-up.
	if err := projectReady(ctx, tx, c.ref); errors.Is(err, ErrProjectNotReady) {
		return "", ErrProjectNotReady, nil
	} else if err != nil {
		return "", nil, err
	}
	err := tx.QueryRowContext(ctx, `SELECT r.name, t.id, t.name, p.id, p.name, p.recipient FROM researchers r JOIN teams t ON t.id = r.team_id JOIN projects p ON p.id = t.project_id WHERE r.id = ?`, c.ref).
		Scan(&resp.ResearcherName, &resp.TeamID, &resp.TeamName, &resp.ProjectID, &resp.ProjectName, &resp.ProjectRecipient)
	if err != nil {
		return "", nil, err
	}
	resp.DeviceID = uuid.NewString()
	_, err = tx.ExecContext(ctx, `INSERT INTO devices (id, researcher_id, team_id, project_id, sign_key, recipient, label, enrolled_at, minted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		resp.DeviceID, c.ref, resp.TeamID, resp.ProjectID, req.SignKey, req.Recipient, label, now.Unix(), c.mintedBy)
	return resp.DeviceID, nil, err
}

// enrolCoordinator registers a coordinator's app in the code's project, or
// creates the project a project code names with the key the app made.
func enrolCoordinator(ctx context.Context, tx *txn, c enrolCode, req *wire.EnrolRequest, label string, now time.Time, resp *wire.EnrolResponse) (string, *wire.Error, error) {
	if c.ref != "" {
		resp.ProjectID = c.ref
		if err := tx.QueryRowContext(ctx, `SELECT name, recipient FROM projects WHERE id = ?`, resp.ProjectID).Scan(&resp.ProjectName, &resp.ProjectRecipient); err != nil {
			return "", nil, err
		}
	} else {
		if _, err := seal.ParseRecipient(req.ProjectRecipient); err != nil {
			return "", wire.Errorf(wire.CodeInvalid, "chiave pubblica del progetto mancante o non valida", "missing or invalid project public key"), nil
		}
		resp.ProjectID, resp.ProjectName, resp.ProjectRecipient, resp.Created = uuid.NewString(), c.name, req.ProjectRecipient, true
		_, err := tx.ExecContext(ctx, `INSERT INTO projects (id, name, recipient, created_at, secret) VALUES (?, ?, ?, ?, ?)`,
			resp.ProjectID, c.name, req.ProjectRecipient, now.Unix(), nullBytes(req.ProjectSecret))
		if isUnique(err) {
			return "", wire.Errorf(wire.CodeConflict, "esiste già un progetto con questo nome", "a project with this name already exists"), nil
		}
		if err != nil {
			return "", nil, err
		}
	}
	resp.CoordinatorID = uuid.NewString()
	_, err := tx.ExecContext(ctx, `INSERT INTO coordinators (id, project_id, sign_key, recipient, label, enrolled_at) VALUES (?, ?, ?, ?, ?, ?)`,
		resp.CoordinatorID, resp.ProjectID, req.SignKey, req.Recipient, label, now.Unix())
	return resp.CoordinatorID, nil, err
}

// enrol serves the one enrolment path. Before anything is read it applies
// the enrolment limits (per address, then for every address together); the
// body is read within 16 KiB and decoded as the one request shape. role is
// what a request that names none enrols as: wire.RoleDevice on
// wire.PathEnrol (laptops not yet updated send no role), and
// wire.RoleCoordinator on wire.PathCoordEnrol, the old path of the
// coordinators' apps not yet updated. The answer carries the app's id under
// its role's name, which is what those apps read.
func (s *Server) enrol(role wire.Role) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.enrolAllowed(w, r) {
			return
		}
		body, e := s.readBody(w, r, 16<<10)
		if e != nil {
			s.refuse(w, r, e, 0)
			return
		}
		var req wire.EnrolRequest
		if !s.decode(w, r, body, &req) {
			return
		}
		if req.Version != wire.Version {
			s.refuse(w, r, wire.NewError(wire.CodeUnsupportedVersion), 0)
			return
		}
		if req.Role == "" {
			req.Role = role
		}
		resp, refusal, err := s.store.Enrol(r.Context(), &req)
		if err == nil && refusal == nil {
			s.log.Info("enrolled", "role", resp.Role, "principal", resp.ID(), "project", resp.ProjectID, "team", resp.TeamID, "created", resp.Created)
		}
		s.answer(w, r, resp, refusal, err) // a refusal is logged, sampled, by access
	}
}
