package server

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"sinba/sync/seal"
	"sinba/sync/wire"
)

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
	// The project's lock, as its other writers: the team's row, which
	// every batch of the team updates, and the devices' rows.
	err := s.txSerial(ctx, d.ProjectID, func(tx *txn) error {
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
