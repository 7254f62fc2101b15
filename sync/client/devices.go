package client

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"time"

	"filippo.io/age"

	"sinba/survey"
	"sinba/sync/seal"
	"sinba/sync/session"
	"sinba/sync/wire"
)

// PendingDevice is a laptop of the team that is waiting for the team key, as
// a teammate is shown it before deciding. Label, Researcher, EnrolledAt and
// MintedBy are what the server says; Fingerprint is computed here from the
// key the team key would be wrapped for, and is the one thing the laptop can
// check: it must match the code the new laptop shows (Enrolment.Fingerprint).
type PendingDevice struct {
	ID          string
	Label       string // the laptop's name
	Researcher  string // the researcher its code was made for
	EnrolledAt  time.Time
	MintedBy    wire.Minter // who made its code: the server's administrator or a coordinator
	Fingerprint string      // wire.KeyFingerprint of Recipient
	Recipient   string      // the device's age recipient: the grant is wrapped for this key
}

func pendingDevices(ps []wire.Pending) []PendingDevice {
	var out []PendingDevice
	for _, p := range ps {
		if _, err := seal.ParseRecipient(p.Recipient); err != nil {
			continue // nothing could be handed to it anyway
		}
		d := describe(p)
		d.Fingerprint, d.Recipient = wire.KeyFingerprint(p.Recipient), p.Recipient
		out = append(out, d)
	}
	return out
}

// describe is what the server says of a device (no key, no fingerprint).
func describe(p wire.Pending) PendingDevice {
	return PendingDevice{ID: p.DeviceID, Label: p.Label, Researcher: p.Researcher, EnrolledAt: p.EnrolledAt, MintedBy: p.MintedBy}
}

// TeamKeyOrigin is where this laptop's team key came from, as the server
// said: the laptop that made it (the team's first) and the one that handed
// this laptop its copy (described like a waiting device, without key or
// fingerprint). When a coordinator made the code of the laptop that made
// the key, a coordinator may hold the team's key: the app says so.
type TeamKeyOrigin struct {
	MadeBy, GrantedBy PendingDevice
}

// TeamKeyOrigin returns where the team key held here came from, as of the
// last sync; nil before this laptop holds it.
func (c *Client) TeamKeyOrigin(ctx context.Context) (*TeamKeyOrigin, error) {
	var o *wire.KeyOrigin
	if err := c.secretJSON(ctx, secretKeyOrigin, &o); err != nil || o == nil {
		return nil, err
	}
	return &TeamKeyOrigin{MadeBy: describe(o.MadeBy), GrantedBy: describe(o.GrantedBy)}, nil
}

// keepOrigin stores what the server said of the key's origin, when it
// changed.
func (c *Client) keepOrigin(ctx context.Context, o *wire.KeyOrigin) error {
	if o == nil {
		return nil
	}
	data, err := json.Marshal(o)
	if err != nil {
		return err
	}
	if had, err := c.store.Secret(ctx, secretKeyOrigin); err == nil && bytes.Equal(had, data) {
		return nil // an idle round writes nothing
	}
	return c.store.SetSecret(ctx, secretKeyOrigin, data)
}

// ErrNoTeamKey means this laptop does not hold the team key, so it can hand
// it to nobody.
var ErrNoTeamKey = survey.NewError("questo computer non ha ancora la chiave della squadra: non può consegnarla",
	"this computer does not hold the team key yet: it cannot hand it over")

// ErrNotPending means the device is no longer waiting for the team key: a
// teammate has confirmed it, it was revoked, or it is not of this team.
var ErrNotPending = survey.NewError("il computer non è più in attesa della chiave della squadra (già confermato, revocato o di un'altra squadra)",
	"the laptop is no longer waiting for the team key (already confirmed, revoked or of another team)")

// ErrDeviceKeyChanged means the server now lists the device with another key
// than the one the person confirmed: nothing was handed over.
var ErrDeviceKeyChanged = survey.NewError("il server indica per questo computer una chiave diversa da quella mostrata: nulla è stato consegnato; avvisare il coordinamento",
	"the server lists this laptop with another key than the one shown: nothing was handed over; tell the coordinators")

// PendingDevices asks the server which laptops of the team wait for the team
// key. It returns ErrNoTeamKey when this laptop does not hold the key.
func (c *Client) PendingDevices(ctx context.Context) ([]PendingDevice, error) {
	c.run.Lock()
	defer c.run.Unlock()
	_, ks, err := c.keyState(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := c.heldTeamKey(ctx, ks); err != nil {
		return nil, err
	}
	return pendingDevices(ks.Pending), nil
}

// GrantTeamKey hands the team key to one waiting laptop, as a researcher of
// the team confirmed it, wrapped for exactly the key p was shown with; the
// project's pseudonym secret goes with it when the laptop still lacks it.
// It refuses (ErrNotPending, ErrDeviceKeyChanged) when the server no longer
// lists that laptop with that key.
func (c *Client) GrantTeamKey(ctx context.Context, p PendingDevice) error {
	c.run.Lock()
	defer c.run.Unlock()
	d, ks, err := c.keyState(ctx)
	if err != nil {
		return err
	}
	team, err := c.heldTeamKey(ctx, ks)
	if err != nil {
		return err
	}
	var listed *wire.Pending
	for i := range ks.Pending {
		if ks.Pending[i].DeviceID == p.ID {
			listed = &ks.Pending[i]
		}
	}
	switch {
	case listed == nil:
		return ErrNotPending
	case listed.Recipient != p.Recipient || wire.KeyFingerprint(p.Recipient) != p.Fingerprint:
		return ErrDeviceKeyChanged
	}
	if err := c.grant(ctx, d, team, []wire.Pending{*listed}, ks); err != nil {
		return session.Explain(ctx, err)
	}
	mine, err := seal.ParseIdentity(d.AgeIdentity)
	if err != nil {
		return err
	}
	return session.Explain(ctx, c.pseudonymSecret(ctx, d, mine, ks))
}

// keyState asks the server for this laptop's key state (a keys request that
// sets nothing).
func (c *Client) keyState(ctx context.Context) (*deviceState, *wire.KeyState, error) {
	d, err := c.device(ctx)
	if err != nil {
		return nil, nil, err
	}
	var ks wire.KeyState
	if err := c.do(ctx, d, http.MethodPost, wire.PathKeys, []byte("{}"), "application/json", &ks); err != nil {
		return nil, nil, session.Explain(ctx, err)
	}
	return d, &ks, nil
}

// heldTeamKey returns the team key held here when it is the team's current
// one and the server has this laptop's copy of it: only then does the server
// list colleagues waiting for it.
func (c *Client) heldTeamKey(ctx context.Context, ks *wire.KeyState) (*age.X25519Identity, error) {
	team, err := c.teamIdentity(ctx)
	if err != nil {
		return nil, err
	}
	if team == nil || ks.TeamRecipient == "" || team.Recipient().String() != ks.TeamRecipient || len(ks.Wrapped) == 0 {
		return nil, ErrNoTeamKey
	}
	return team, nil
}
