package server

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"net/http"
	"strconv"
	"time"

	"sinba/sync/wire"
)

// Principal is an enrolled signer as the handlers see it: a laptop (its
// team and project) or a coordinator's app (its project; no team). Both
// enrol by one path (Store.Enrol) and sign their requests the same way
// (wire.Sign), and are authenticated by one path (Server.signed); what each
// may do is its role's (sync/README.md, threat model).
type Principal struct {
	ID        string
	Role      wire.Role
	ProjectID string
	TeamID    string // a laptop's team; empty for a coordinator
	SignKey   ed25519.PublicKey
	Revoked   bool
}

// Is reports whether the principal has role r.
func (p *Principal) Is(r wire.Role) bool { return p != nil && p.Role == r }

// refusalFor is what a principal of another role gets on a path of role r.
func refusalFor(r wire.Role) *wire.Error {
	if r == wire.RoleCoordinator {
		return wire.NewError(wire.CodeCoordinatorOnly)
	}
	return wire.NewError(wire.CodeLaptopOnly)
}

// Principal looks up an enrolled signer, laptop or coordinator's app, by
// its id (ids are UUIDs the server made, unique across both); nil if there
// is none.
func (s *Store) Principal(ctx context.Context, id string) (*Principal, error) {
	p := Principal{ID: id}
	var revoked sql.NullInt64
	var key []byte
	err := s.r.QueryRowContext(ctx, `SELECT '`+string(wire.RoleDevice)+`', team_id, project_id, sign_key, revoked_at FROM devices WHERE id = ?
		UNION ALL SELECT '`+string(wire.RoleCoordinator)+`', '', project_id, sign_key, revoked_at FROM coordinators WHERE id = ? LIMIT 1`, id, id).
		Scan(&p.Role, &p.TeamID, &p.ProjectID, &key, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p.SignKey, p.Revoked = ed25519.PublicKey(key), revoked.Valid
	return &p, nil
}

// Seen notes when a principal last talked to the server, for the status
// summary and "sinba-server devices".
func (s *Store) Seen(ctx context.Context, p *Principal) {
	_, _ = s.exec(ctx).ExecContext(ctx, `UPDATE `+tablesOf[p.Role].principals+` SET last_seen_at = ? WHERE id = ?`, time.Now().Unix(), p.ID)
}

// route is how an authenticated endpoint is served.
type route struct {
	role  wire.Role // who may use it
	limit int64     // bytes of the body
	heavy bool      // decoded in one of the MaxInFlight slots instead of the MaxRequests ones
	// idempotent is a write that needs an idempotency key: sent again, it
	// gets the first answer and does nothing new.
	idempotent bool
}

// handler serves an authenticated request of a verified principal.
type handler func(w http.ResponseWriter, r *http.Request, p *Principal, body []byte)

// authed serves an endpoint of rt.role through the one authentication path.
func (s *Server) authed(rt route, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { s.signed(w, r, rt, h) }
}

// signed authenticates a request from its headers and only then gives it
// anything: the signer's rate bucket, its nonce in the store, a place among
// the signer's own requests and among the server's, and the memory of its
// body, read within rt.limit and checked against the signed hash. A request
// that fails authentication is refused at once, without its body being
// read, and counts against its address (UnauthRate); it is logged only as
// the sampled refusals are. A verified principal of another role than the
// route's is refused with a code that says so (CodeCoordinatorOnly,
// CodeLaptopOnly), before it is given anything either.
func (s *Server) signed(w http.ResponseWriter, r *http.Request, rt route, h handler) {
	now := s.cfg.Now()
	addr := s.addrs.key(r)
	if out, wait := s.unauth.exhausted(addr, now); out {
		dropBody(w)
		s.refuse(w, r, wire.NewError(wire.CodeRateLimited), wait)
		return
	}
	unauthenticated := func(e *wire.Error) {
		s.unauth.allow(addr, now)
		dropBody(w)
		s.refuse(w, r, e, 0)
	}
	if v := r.Header.Get(wire.HeaderProtocol); v != strconv.Itoa(wire.Version) {
		unauthenticated(wire.NewError(wire.CodeUnsupportedVersion))
		return
	}
	signed, e := wire.ReadSigned(r)
	if e == nil {
		e = signed.Fresh(now)
	}
	if e != nil {
		unauthenticated(e)
		return
	}
	p, err := s.store.Principal(r.Context(), signed.DeviceID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p == nil {
		unauthenticated(wire.NewError(wire.CodeUnauthenticated))
		return
	}
	if e := signed.Verify(r, p.SignKey, now); e != nil {
		unauthenticated(e)
		return
	}
	// From here the request is the signer's own.
	id := p.ID
	note(w, "", id)
	refuse := func(e *wire.Error, retry time.Duration) {
		dropBody(w)
		s.refuse(w, r, e, retry)
	}
	switch {
	case !p.Is(rt.role):
		refuse(refusalFor(rt.role), 0)
		return
	case p.Revoked:
		refuse(wire.NewError(wire.CodeRevoked), 0)
		return
	}
	wait, replay, err := s.store.Admit(r.Context(), id, signed.Nonce, signed.Timestamp, s.signerRate, now)
	switch {
	case err != nil:
		s.fail(w, r, err)
		return
	case wait > 0:
		refuse(wire.NewError(wire.CodeRateLimited), wait)
		return
	case replay:
		refuse(wire.NewError(wire.CodeReplay), 0)
		return
	}
	s.pruneSometimes(now)
	if !s.signers.enter(id) {
		refuse(wire.Errorf(wire.CodeRateLimited, "troppe richieste insieme da questo computer: nuovo tentativo tra poco",
			"too many requests at once from this computer: retrying shortly"), time.Second)
		return
	}
	defer s.signers.leave(id)
	// The memory held by bodies and decoders is bounded by the gates.
	g := s.requests
	if rt.heavy {
		g = s.batches
	}
	if !g.enter(r, s.cfg.QueueWait) {
		if r.Context().Err() == nil {
			refuse(wire.NewError(wire.CodeOverloaded), time.Second)
		}
		return
	}
	defer g.leave()
	body, e := s.readBody(w, r, rt.limit)
	if e == nil {
		e = signed.CheckBody(body)
	}
	if e != nil {
		s.refuse(w, r, e, 0)
		return
	}
	// Last contact, for "sinba-server devices": at most one write a
	// minute per signer, so idle rounds stay reads.
	if last, ok := s.seen.Load(id); !ok || now.Sub(last.(time.Time)) > time.Minute {
		s.seen.Store(id, now)
		s.store.Seen(r.Context(), p)
	}
	if rt.idempotent {
		s.once(w, r, p, body, func(w http.ResponseWriter, r *http.Request, body []byte) { h(w, r, p, body) })
		return
	}
	h(w, r, p, body)
}
