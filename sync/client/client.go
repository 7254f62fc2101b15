// Package client is the laptop's side of sync. It packs what the local
// store's outbox holds into zstd-compressed batches, seals each record for
// the coordinators and the team before it leaves, sends them with retries,
// keeps the server's receipts, and applies what the server has for the team:
// instruments, assignments, colleagues' records and review decisions.
//
// Everything it must remember (device keys, server address, team key,
// cursor) lives in the local store's sealed secrets, so it is as safe as
// the records themselves.
package client

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"filippo.io/age"

	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/seal"
	"sinba/sync/session"
	"sinba/sync/wire"
)

// Secret keys in the local store.
const (
	secretDevice      = "sync/device"
	secretTeamKey     = "sync/team-key"
	secretCursor      = "sync/cursor"
	secretAssignments = "sync/assignments"
	secretInstruments = "sync/instruments"
	secretRefused     = "sync/refused"
	secretKeyOrigin   = "sync/team-key-origin"
	// secretFeedFormat is the wire format the saved cursor was read in: a
	// laptop moving to format 2 reads its feed again from the start once,
	// since the server left colleagues' format-2 revisions out before.
	secretFeedFormat = "sync/feed-format"
)

// ErrNotEnrolled means the laptop has no enrolment yet.
var ErrNotEnrolled = survey.NewError("questo computer non è iscritto a un server: usare \"sinba enrol\" con il codice ricevuto dal coordinamento",
	"this computer is not enrolled with a server: use \"sinba enrol\" with the code you received from the coordinators")

// ErrAlreadyEnrolled means Enrol was called on an enrolled laptop.
var ErrAlreadyEnrolled = survey.NewError("questo computer è già iscritto", "this computer is already enrolled")

// Options tune a client; the zero value is right for the app.
type Options struct {
	HTTPClient     *http.Client
	Backoff        session.Backoff // session.DefaultBackoff when zero
	BatchRevisions int             // revisions per batch
	BatchBytes     int             // ciphertext bytes per batch, roughly
	Logger         *slog.Logger
	// AllowHTTP lets Enrol accept http:// for a server on another computer
	// (ServerURL); the app then warns (InsecureWarning).
	AllowHTTP bool
	// Format is the wire format the laptop sends and reads: wire.FormatV2
	// unless set (wire.FormatV1 plays a laptop not yet updated, for the
	// fault runs of a mixed fleet).
	Format int
}

// Client syncs one local store with its server. One sync runs at a time.
type Client struct {
	store *localdb.Store
	opt   Options
	run   sync.Mutex // one round at a time
	sess  *session.Session
	kick  chan struct{}
	dicts dictCache
}

// New returns a client over store.
func New(store *localdb.Store, opt Options) *Client {
	if opt.BatchRevisions == 0 {
		opt.BatchRevisions = 200
	}
	if opt.BatchBytes == 0 {
		opt.BatchBytes = 256 << 10
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Format == 0 {
		opt.Format = wire.FormatV2
	}
	return &Client{store: store, opt: opt, sess: session.New(session.Options{HTTPClient: opt.HTTPClient, Backoff: opt.Backoff}), kick: make(chan struct{}, 1)}
}

// deviceState is this laptop's enrolment, kept sealed in the local store.
type deviceState struct {
	ServerURL        string `json:"server_url"`
	DeviceID         string `json:"device_id"`
	SignKey          []byte `json:"sign_key"` // Ed25519 private key
	AgeIdentity      string `json:"age_identity"`
	ProjectID        string `json:"project_id"`
	ProjectName      string `json:"project_name"`
	ProjectRecipient string `json:"project_recipient"`
	TeamID           string `json:"team_id"`
	TeamName         string `json:"team_name"`
	ResearcherName   string `json:"researcher_name"`
	EnrolledAt       time.Time
}

func (d *deviceState) signKey() ed25519.PrivateKey { return ed25519.PrivateKey(d.SignKey) }

// Enrolment is what the app shows of the laptop's enrolment.
type Enrolment struct {
	ServerURL, DeviceID           string
	ProjectName, TeamName, Person string
	EnrolledAt                    time.Time
	// Fingerprint is the code of this laptop's key (wire.KeyFingerprint):
	// a teammate compares it with the one their laptop shows before handing
	// over the team key.
	Fingerprint string
	// TeamKeyCode and ProjectKeyCode are the codes of the team key held here
	// (empty before it arrives) and of the project key records are sealed
	// for: the same on every laptop of the team, and of the project.
	TeamKeyCode, ProjectKeyCode string
}

// Enrol registers this laptop with the server using a one-time code: it
// makes the device's key pairs, sends the public halves, and keeps the
// private halves sealed in the local store.
func (c *Client) Enrol(ctx context.Context, serverURL, code string) (Enrolment, error) {
	if _, err := c.device(ctx); err == nil {
		return Enrolment{}, ErrAlreadyEnrolled
	} else if !errors.Is(err, ErrNotEnrolled) {
		return Enrolment{}, err
	}
	host, _ := os.Hostname()
	en, err := c.sess.Enrol(ctx, serverURL, c.opt.AllowHTTP, wire.EnrolRequest{Code: code, Role: wire.RoleDevice, Label: host})
	if err != nil {
		return Enrolment{}, err
	}
	if en.Insecure {
		c.opt.Logger.Warn(session.InsecureWarning, "server", en.ServerURL)
	}
	resp := en.Answer
	st := &deviceState{
		ServerURL: en.ServerURL, DeviceID: resp.DeviceID, SignKey: en.Keys.Sign, AgeIdentity: en.Keys.Age.String(),
		ProjectID: resp.ProjectID, ProjectName: resp.ProjectName, ProjectRecipient: resp.ProjectRecipient,
		TeamID: resp.TeamID, TeamName: resp.TeamName, ResearcherName: resp.ResearcherName, EnrolledAt: time.Now().UTC(),
	}
	data, _ := json.Marshal(st)
	if err := c.store.SetSecret(ctx, secretDevice, data); err != nil {
		return Enrolment{}, err
	}
	return st.enrolment(), nil
}

func (d *deviceState) enrolment() Enrolment {
	e := Enrolment{ServerURL: d.ServerURL, DeviceID: d.DeviceID, ProjectName: d.ProjectName, TeamName: d.TeamName,
		Person: d.ResearcherName, EnrolledAt: d.EnrolledAt}
	if id, err := seal.ParseIdentity(d.AgeIdentity); err == nil {
		e.Fingerprint = wire.KeyFingerprint(id.Recipient().String())
	}
	e.ProjectKeyCode = wire.KeyFingerprint(d.ProjectRecipient)
	return e
}

// Enrolled returns the laptop's enrolment, or ErrNotEnrolled.
func (c *Client) Enrolled(ctx context.Context) (Enrolment, error) {
	d, err := c.device(ctx)
	if err != nil {
		return Enrolment{}, err
	}
	e := d.enrolment()
	if team, err := c.teamIdentity(ctx); err == nil && team != nil {
		e.TeamKeyCode = wire.KeyFingerprint(team.Recipient().String())
	}
	return e, nil
}

func (c *Client) device(ctx context.Context) (*deviceState, error) {
	data, err := c.store.Secret(ctx, secretDevice)
	if errors.Is(err, localdb.ErrNotFound) {
		return nil, ErrNotEnrolled
	}
	if err != nil {
		return nil, err
	}
	var d deviceState
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// Assignments returns the municipalities (ISTAT codes) assigned to the team,
// as of the last sync.
func (c *Client) Assignments(ctx context.Context) ([]string, error) {
	var out []string
	err := c.secretJSON(ctx, secretAssignments, &out)
	return out, err
}

// Instruments returns the instrument definitions published for the project,
// as of the last sync.
func (c *Client) Instruments(ctx context.Context) ([]wire.Instrument, error) {
	var out []wire.Instrument
	err := c.secretJSON(ctx, secretInstruments, &out)
	return out, err
}

// Receipts returns the latest server receipts, newest first.
func (c *Client) Receipts(ctx context.Context, limit int) ([]wire.Receipt, error) {
	rs, err := c.store.Receipts(ctx, limit)
	out := make([]wire.Receipt, 0, len(rs))
	for _, r := range rs {
		var rc wire.Receipt
		if json.Unmarshal(r.Body, &rc) == nil {
			out = append(out, rc)
		}
	}
	return out, err
}

// secretJSON reads a JSON secret; absent means leave v as it is.
func (c *Client) secretJSON(ctx context.Context, key string, v any) error {
	data, err := c.store.Secret(ctx, key)
	if errors.Is(err, localdb.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

func (c *Client) setSecretJSON(ctx context.Context, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.store.SetSecret(ctx, key, data)
}

// teamIdentity returns the team key held here, if any.
func (c *Client) teamIdentity(ctx context.Context) (*age.X25519Identity, error) {
	data, err := c.store.Secret(ctx, secretTeamKey)
	if errors.Is(err, localdb.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return seal.ParseIdentity(string(data))
}
