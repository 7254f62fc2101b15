package server

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"sinba/sync/seal"
	"sinba/sync/wire"
)

// Enrol spends a one-time code and registers the device's public keys.
func (s *Store) Enrol(ctx context.Context, req *wire.EnrolRequest) (*wire.EnrolResponse, *wire.Error, error) {
	if len(req.SignKey) != ed25519.PublicKeySize {
		return nil, wire.Errorf(wire.CodeInvalid, "chiave di firma non valida", "invalid signing key"), nil
	}
	if _, err := seal.ParseRecipient(req.Recipient); err != nil {
		return nil, wire.Errorf(wire.CodeInvalid, "chiave del dispositivo non valida", "invalid device key"), nil
	}
	label := strings.TrimSpace(req.Label)
	if len(label) > 100 {
		label = label[:100]
	}
	var resp wire.EnrolResponse
	var refusal *wire.Error
	now := time.Now()
	err := s.tx(ctx, func(tx *txn) error {
		var researcher, mintedBy string
		var expires int64
		var used sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT researcher_id, expires_at, used_at, minted_by FROM enrol_codes WHERE hash = ?`, codeHash(req.Code)).Scan(&researcher, &expires, &used, &mintedBy)
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
		}
		// A code made before the rule, or before a project lost its set-up:
		// the code stays unused, for after the coordinators' set-up.
		if err := projectReady(ctx, tx, researcher); errors.Is(err, ErrProjectNotReady) {
			refusal = ErrProjectNotReady
			return nil
		} else if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `SELECT r.name, t.id, t.name, p.id, p.name, p.recipient FROM researchers r JOIN teams t ON t.id = r.team_id JOIN projects p ON p.id = t.project_id WHERE r.id = ?`, researcher).
			Scan(&resp.ResearcherName, &resp.TeamID, &resp.TeamName, &resp.ProjectID, &resp.ProjectName, &resp.ProjectRecipient)
		if err != nil {
			return err
		}
		resp.DeviceID = uuid.NewString()
		if _, err := tx.ExecContext(ctx, `INSERT INTO devices (id, researcher_id, team_id, project_id, sign_key, recipient, label, enrolled_at, minted_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			resp.DeviceID, researcher, resp.TeamID, resp.ProjectID, req.SignKey, req.Recipient, label, now.Unix(), mintedBy); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE enrol_codes SET used_at = ?, device_id = ? WHERE hash = ?`, now.Unix(), resp.DeviceID, codeHash(req.Code))
		return err
	})
	if err != nil || refusal != nil {
		return nil, refusal, err
	}
	return &resp, nil, nil
}

// keyState is what the device needs to hold and pass on the team key.
func (s *Store) keyState(ctx context.Context, d *Principal) (wire.KeyState, error) {
	var ks wire.KeyState
	if err := s.r.QueryRowContext(ctx, `SELECT recipient FROM teams WHERE id = ?`, d.TeamID).Scan(&ks.TeamRecipient); err != nil {
		return ks, err
	}
	err := s.r.QueryRowContext(ctx, `SELECT wrapped FROM key_grants WHERE device_id = ?`, d.ID).Scan(&ks.Wrapped)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return ks, err
	}
	if err := s.secretState(ctx, d, &ks); err != nil {
		return ks, err
	}
	if len(ks.Wrapped) == 0 {
		return ks, nil // only a holder of the key can hand it on
	}
	if ks.Origin, err = s.keyOrigin(ctx, d); err != nil {
		return ks, err
	}
	// What a teammate is shown before handing the key over: the laptop's
	// name, its researcher, when it enrolled, and who made its code.
	rows, err := s.r.QueryContext(ctx, `SELECT d.id, d.recipient, d.label, r.name, d.enrolled_at, d.minted_by, `+minterLabel+`
		FROM devices d JOIN researchers r ON r.id = d.researcher_id LEFT JOIN key_grants g ON g.device_id = d.id
		WHERE d.team_id = ? AND d.revoked_at IS NULL AND g.device_id IS NULL ORDER BY d.enrolled_at LIMIT 100`, d.TeamID)
	if err != nil {
		return ks, err
	}
	defer rows.Close()
	for rows.Next() {
		var p wire.Pending
		var enrolled int64
		if err := rows.Scan(&p.DeviceID, &p.Recipient, &p.Label, &p.Researcher, &enrolled, &p.MintedBy.Coordinator, &p.MintedBy.CoordinatorLabel); err != nil {
			return ks, err
		}
		p.EnrolledAt = time.Unix(enrolled, 0).UTC()
		ks.Pending = append(ks.Pending, p)
	}
	return ks, rows.Err()
}

// keyOrigin describes the laptop that made d's team key (the first to hand
// a copy to itself) and the one that handed d its copy.
func (s *Store) keyOrigin(ctx context.Context, d *Principal) (*wire.KeyOrigin, error) {
	var o wire.KeyOrigin
	var maker, granter string
	err := s.r.QueryRowContext(ctx, `SELECT device_id FROM key_grants WHERE team_id = ? AND granted_by = device_id ORDER BY created_at, rowid LIMIT 1`, d.TeamID).Scan(&maker)
	if err == nil {
		err = s.r.QueryRowContext(ctx, `SELECT granted_by FROM key_grants WHERE device_id = ?`, d.ID).Scan(&granter)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil // no laptop of the team handed a copy to itself: nothing to say
	}
	if err != nil {
		return nil, err
	}
	for _, x := range []struct {
		id  string
		out *wire.Pending
	}{{maker, &o.MadeBy}, {granter, &o.GrantedBy}} {
		var enrolled int64
		err := s.r.QueryRowContext(ctx, `SELECT d.id, d.label, r.name, d.enrolled_at, d.minted_by, `+minterLabel+`
			FROM devices d JOIN researchers r ON r.id = d.researcher_id WHERE d.id = ?`, x.id).
			Scan(&x.out.DeviceID, &x.out.Label, &x.out.Researcher, &enrolled, &x.out.MintedBy.Coordinator, &x.out.MintedBy.CoordinatorLabel)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		x.out.EnrolledAt = time.Unix(enrolled, 0).UTC()
	}
	return &o, nil
}

// minterLabel is the SQL expression of the name of the coordinator's app
// that made a device's code (d.minted_by); empty for the administrator.
const minterLabel = `COALESCE((SELECT c.label FROM coordinators c WHERE c.id = d.minted_by), '')`

// SetKeys records the team recipient (only if the team has none: the first
// laptop wins, a later one gets CodeConflict and takes the existing key) and
// grants of the team key to devices of the same team.
func (s *Store) SetKeys(ctx context.Context, d *Principal, req *wire.KeysRequest) (*wire.Error, error) {
	if len(req.Grants) > 100 {
		return wire.NewError(wire.CodeTooManyRecords), nil
	}
	if len(req.SecretGrants) > 0 {
		// Only a laptop that holds the pseudonym secret may pass it on, and
		// only to its own team.
		var held int
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM secret_grants WHERE device_id = ?`, d.ID).Scan(&held); err != nil {
			return nil, err
		}
		if held == 0 {
			return wire.Errorf(wire.CodeInvalid, "questo computer non ha il segreto del progetto", "this computer does not hold the project secret"), nil
		}
		if refusal, err := s.GrantSecret(ctx, d.ProjectID, d.TeamID, d.ID, req.SecretGrants); refusal != nil || err != nil {
			return refusal, err
		}
	}
	var refusal *wire.Error
	err := s.tx(ctx, func(tx *txn) error {
		if req.TeamRecipient != "" {
			if _, err := seal.ParseRecipient(req.TeamRecipient); err != nil {
				refusal = wire.Errorf(wire.CodeInvalid, "chiave della squadra non valida", "invalid team key")
				return nil
			}
			res, err := tx.ExecContext(ctx, `UPDATE teams SET recipient = ? WHERE id = ? AND recipient = ''`, req.TeamRecipient, d.TeamID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				refusal = wire.Errorf(wire.CodeConflict, "la squadra ha già una chiave", "the team already has a key")
				return nil
			}
		}
		now := time.Now().Unix()
		// A device hands the key to another only if it holds a copy
		// itself: one that never had the key cannot take a teammate's
		// place in the queue with a copy of something else. A copy for
		// itself (the first laptop, a restored one) harms nobody.
		var holds int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM key_grants WHERE device_id = ?`, d.ID).Scan(&holds); err != nil {
			return err
		}
		for _, g := range req.Grants {
			if len(g.Wrapped) == 0 || len(g.Wrapped) > 4096 {
				refusal = wire.Errorf(wire.CodeInvalid, "chiave consegnata non valida", "invalid key grant")
				return nil
			}
			if g.DeviceID != d.ID && holds == 0 {
				refusal = wire.Errorf(wire.CodeInvalid, "questo computer non ha la chiave della squadra: non può consegnarla", "this laptop does not hold the team key: it cannot hand it over")
				return nil
			}
			// Only to devices of the same team; a grant already made stays.
			if _, err := tx.ExecContext(ctx, `INSERT INTO key_grants (device_id, team_id, wrapped, granted_by, created_at)
				SELECT id, team_id, ?, ?, ? FROM devices WHERE id = ? AND team_id = ? AND revoked_at IS NULL
				ON CONFLICT DO NOTHING`,
				g.Wrapped, d.ID, now, g.DeviceID, d.TeamID); err != nil {
				return err
			}
		}
		return nil
	})
	if refusal != nil {
		return refusal, nil
	}
	return nil, err
}
