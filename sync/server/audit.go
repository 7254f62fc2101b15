package server

import (
	"context"
	"fmt"
	"time"
)

// AuditEvent is one step of how the project's keys and codes reached
// devices: who can hold the project key and the pseudonym secret (the
// coordinators' apps), who made each laptop code, and who handed each
// laptop the team key and the pseudonym secret. It is read from the rows
// the server keeps anyway; nothing here says what a holder did offline with
// what it holds.
type AuditEvent struct {
	At      time.Time
	Kind    string // one of the Audit* constants
	Team    string // team name; empty for the coordinators' apps
	Actor   string // who did it: "admin", a coordinator's app or a laptop, as "label (id)"
	Subject string // what it was done to: a researcher, a device, as "label (id)"
}

// Audit event kinds.
const (
	AuditCoordinatorEnrolled = "coordinator-enrolled" // holds the project key and the pseudonym secret, or will once it imports the key
	AuditCoordinatorRevoked  = "coordinator-revoked"
	AuditLaptopCode          = "laptop-code"      // a one-time code for a researcher's laptop
	AuditDeviceEnrolled      = "device-enrolled"  // Actor: who made its code
	AuditTeamKeyGranted      = "team-key-granted" // Actor: the laptop that handed it (the device itself: made or kept the key)
	AuditSecretGranted       = "secret-granted"   // the pseudonym secret; Actor: a coordinator's app or a laptop
	AuditDeviceRevoked       = "device-revoked"
)

// auditQuery reads the events from the tables that record them.
var auditQuery = func() string {
	// who renders an id of a coordinator's app or a device as "label (id)",
	// and '' as the administrator.
	const who = `CASE WHEN %[1]s = '' THEN 'admin' ELSE COALESCE((SELECT c.label FROM coordinators c WHERE c.id = %[1]s), (SELECT x.label FROM devices x WHERE x.id = %[1]s), '?') || ' (' || %[1]s || ')' END`
	q := `SELECT at, kind, team, actor, subject FROM (
		SELECT c.enrolled_at AS at, '` + AuditCoordinatorEnrolled + `' AS kind, '' AS team, 'admin' AS actor, c.label || ' (' || c.id || ')' AS subject, 0 AS o FROM coordinators c
		UNION ALL SELECT c.revoked_at, '` + AuditCoordinatorRevoked + `', '', 'admin', c.label || ' (' || c.id || ')', 1 FROM coordinators c WHERE c.revoked_at IS NOT NULL
		UNION ALL SELECT e.created_at, '` + AuditLaptopCode + `', t.name, ` + fmt.Sprintf(who, "e.minted_by") + `, r.name, 2
			FROM enrol_codes e JOIN researchers r ON r.id = e.researcher_id JOIN teams t ON t.id = r.team_id
		UNION ALL SELECT d.enrolled_at, '` + AuditDeviceEnrolled + `', t.name, ` + fmt.Sprintf(who, "d.minted_by") + `, d.label || ' (' || d.id || ')', 3
			FROM devices d JOIN teams t ON t.id = d.team_id
		UNION ALL SELECT g.created_at, '` + AuditTeamKeyGranted + `', t.name, ` + fmt.Sprintf(who, "g.granted_by") + `, d.label || ' (' || d.id || ')', 4
			FROM key_grants g JOIN devices d ON d.id = g.device_id JOIN teams t ON t.id = d.team_id
		UNION ALL SELECT g.created_at, '` + AuditSecretGranted + `', t.name, ` + fmt.Sprintf(who, "g.granted_by") + `, d.label || ' (' || d.id || ')', 5
			FROM secret_grants g JOIN devices d ON d.id = g.device_id JOIN teams t ON t.id = d.team_id
		UNION ALL SELECT d.revoked_at, '` + AuditDeviceRevoked + `', t.name, 'admin', d.label || ' (' || d.id || ')', 6
			FROM devices d JOIN teams t ON t.id = d.team_id WHERE d.revoked_at IS NOT NULL
	) AS events ORDER BY at, o`
	return q
}()

// Audit lists every such event, oldest first.
func (s *Store) Audit(ctx context.Context) ([]AuditEvent, error) {
	rows, err := s.r.QueryContext(ctx, auditQuery)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEvent
	for rows.Next() {
		var e AuditEvent
		var at int64
		if err := rows.Scan(&at, &e.Kind, &e.Team, &e.Actor, &e.Subject); err != nil {
			return nil, err
		}
		e.At = time.Unix(at, 0).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
