// Package coord is the coordinators' side of sync: the coordinator profile of
// the desktop app. Over the coordinator's own encrypted local store (package
// localdb) it enrols with a coordinator code, holds the project key (made
// here when the code creates the project: the server only ever receives its
// public half), makes the pseudonym secret and hands it to every laptop
// sealed for the laptop's device key, downloads the project's revisions and
// decrypts them into the store, sends review decisions with comments sealed
// for the team, and administers teams, researchers, codes, assignments and
// instruments. It talks to the server through package sync/session, as the
// laptops do; what needs no server lives with the package that owns it:
// reading and exporting the store's records (localdb/dataset), the
// instrument registry (localdb/registry), reading and checking instrument
// files (survey/instfile).
//
// Nothing decrypted is ever written outside the sealed store, except by an
// export (localdb/dataset), to a folder the coordinator chooses.
package coord

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"filippo.io/age"

	"sinba/localdb"
	"sinba/localdb/dataset"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/sync/seal"
	"sinba/sync/session"
	"sinba/sync/wire"
)

// Keys of the coordinator's sealed secrets in the local store.
const (
	secretProfile     = "coord/profile"
	secretProjectKey  = "coord/project-key"
	secretCursor      = "coord/cursor"
	secretFeedFormat  = "coord/feed-format" // the wire format the cursor was read in
	secretTeams       = "coord/teams"
	secretRecordTeams = dataset.TeamsSecret // the team of each record, for the exports
	secretInstruments = "coord/instruments"
	// The pseudonym secret sits under the same key as on a laptop, so
	// anything that derives pseudonyms from a store works on both.
	secretPseudonym = client.SecretPseudonym
)

// OriginCoordinators is the origin of a revision made by a review decision,
// as on the laptops.
const OriginCoordinators = client.OriginCoordinators

// Errors a person may see.
var (
	ErrNotEnrolled = survey.NewError("il profilo di coordinamento non è iscritto a un server: usare \"sinba coord init\" con il codice di coordinamento",
		"the coordinator profile is not enrolled with a server: use \"sinba coord init\" with the coordinator code")
	ErrAlreadyEnrolled = survey.NewError("questo profilo di coordinamento è già iscritto", "this coordinator profile is already enrolled")
	ErrNoProjectKey    = survey.NewError("manca la chiave del progetto: importarla dal file cifrato ricevuto da un altro coordinatore (\"sinba coord key-import\")",
		"the project key is missing: import it from the encrypted file received from another coordinator (\"sinba coord key-import\")")
	ErrWrongProjectKey = survey.NewError("questa chiave non è quella del progetto: controllare il file", "this key is not the project's key: check the file")
)

// Options tune a Coordinator; the zero value is right for the app.
type Options struct {
	HTTPClient *http.Client
	Backoff    session.Backoff // session.DefaultBackoff when zero
	// AllowHTTP lets Enrol accept http:// for a server on another computer
	// (session.ServerURL); the caller warns (session.InsecureWarning).
	AllowHTTP bool
}

// Coordinator is the coordinator profile over one local store.
type Coordinator struct {
	store *localdb.Store
	opt   Options
	run   sync.Mutex // one download at a time
	sess  *session.Session
}

// New returns the coordinator profile over store.
func New(store *localdb.Store, opt Options) *Coordinator {
	return &Coordinator{store: store, opt: opt, sess: session.New(session.Options{HTTPClient: opt.HTTPClient, Backoff: opt.Backoff})}
}

// Store is the coordinator's local store.
func (c *Coordinator) Store() *localdb.Store { return c.store }

// profile is the enrolment, kept sealed in the local store.
type profile struct {
	ServerURL        string    `json:"server_url"`
	CoordinatorID    string    `json:"coordinator_id"`
	SignKey          []byte    `json:"sign_key"`
	AgeIdentity      string    `json:"age_identity"`
	ProjectID        string    `json:"project_id"`
	ProjectName      string    `json:"project_name"`
	ProjectRecipient string    `json:"project_recipient"`
	EnrolledAt       time.Time `json:"enrolled_at"`
}

// Profile is what the app shows of the coordinator's enrolment.
type Profile struct {
	ServerURL, CoordinatorID          string
	ProjectID, ProjectName, Recipient string
	EnrolledAt                        time.Time
	HasProjectKey                     bool // the project key is in the store: records can be decrypted
	HasSecret                         bool // the pseudonym secret is in the store
}

// Enrol registers this app as a coordinator of a project with a one-time
// coordinator code. When the code creates the project, the project key pair
// and the pseudonym secret are made here first and kept in the store; the
// server receives the public half and the secret sealed for it. When the
// project exists, the project key must be imported (SetProjectKey).
func (c *Coordinator) Enrol(ctx context.Context, serverURL, code string) (Profile, error) {
	if _, err := c.profile(ctx); err == nil {
		return Profile{}, ErrAlreadyEnrolled
	} else if !errors.Is(err, ErrNotEnrolled) {
		return Profile{}, err
	}
	if _, _, err := session.ServerURL(serverURL, c.opt.AllowHTTP); err != nil {
		return Profile{}, err // before a key is made
	}
	// A key made by an earlier attempt cut after the server created the
	// project is reused: it may be the project's only key.
	project, err := c.projectKey(ctx)
	if errors.Is(err, ErrNoProjectKey) {
		if project, err = seal.NewKey(); err == nil {
			err = c.store.SetSecret(ctx, secretProjectKey, []byte(project.String()))
		}
	}
	if err != nil {
		return Profile{}, err
	}
	secret, err := c.pseudonymSecret(ctx)
	if err != nil {
		return Profile{}, err
	}
	sealedSecret, err := seal.Encrypt(secret, project.Recipient())
	if err != nil {
		return Profile{}, err
	}
	en, err := c.sess.Enrol(ctx, serverURL, c.opt.AllowHTTP, wire.EnrolRequest{Code: code, Role: wire.RoleCoordinator, Label: hostLabel(),
		ProjectRecipient: project.Recipient().String(), ProjectSecret: sealedSecret})
	if err != nil {
		return Profile{}, err
	}
	resp := en.Answer
	serverURL = en.ServerURL
	if resp.ProjectRecipient != project.Recipient().String() {
		// Someone else's project: its key comes from another coordinator,
		// and so does its secret (through the server, sealed for that key).
		if err := errors.Join(c.store.SetSecret(ctx, secretProjectKey, nil), c.store.SetSecret(ctx, secretPseudonym, nil)); err != nil {
			return Profile{}, err
		}
	}
	p := &profile{ServerURL: serverURL, CoordinatorID: resp.CoordinatorID, SignKey: en.Keys.Sign, AgeIdentity: en.Keys.Age.String(),
		ProjectID: resp.ProjectID, ProjectName: resp.ProjectName, ProjectRecipient: resp.ProjectRecipient, EnrolledAt: time.Now().UTC()}
	if err := c.setJSON(ctx, secretProfile, p); err != nil {
		return Profile{}, err
	}
	action := "coord-enrol"
	if resp.Created {
		action = "coord-create-project"
	}
	_ = c.store.Log(ctx, "", action, "", resp.ProjectName+" "+serverURL)
	return c.Profile(ctx)
}

// Profile returns the enrolment, or ErrNotEnrolled.
func (c *Coordinator) Profile(ctx context.Context) (Profile, error) {
	p, err := c.profile(ctx)
	if err != nil {
		return Profile{}, err
	}
	out := Profile{ServerURL: p.ServerURL, CoordinatorID: p.CoordinatorID, ProjectID: p.ProjectID, ProjectName: p.ProjectName,
		Recipient: p.ProjectRecipient, EnrolledAt: p.EnrolledAt}
	if _, err := c.projectKey(ctx); err == nil {
		out.HasProjectKey = true
	} else if !errors.Is(err, ErrNoProjectKey) {
		return out, err
	}
	if b, err := c.store.Secret(ctx, secretPseudonym); err == nil && len(b) > 0 {
		out.HasSecret = true
	}
	return out, nil
}

func (c *Coordinator) profile(ctx context.Context) (*profile, error) {
	var p profile
	found, err := c.getJSON(ctx, secretProfile, &p)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, ErrNotEnrolled
	}
	return &p, nil
}

// projectKey returns the project identity held here, or ErrNoProjectKey.
func (c *Coordinator) projectKey(ctx context.Context) (*age.X25519Identity, error) {
	b, err := c.store.Secret(ctx, secretProjectKey)
	if errors.Is(err, localdb.ErrNotFound) {
		return nil, ErrNoProjectKey
	}
	if err != nil {
		return nil, err
	}
	return seal.ParseIdentity(string(b))
}

func (c *Coordinator) getJSON(ctx context.Context, key string, v any) (bool, error) {
	b, err := c.store.Secret(ctx, key)
	if errors.Is(err, localdb.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal(b, v)
}

func (c *Coordinator) setJSON(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.store.SetSecret(ctx, key, b)
}

// call sends one signed request of the coordinator and decodes the answer,
// through the session both apps share: refusals that mean "not processed,
// try again" (busy, rate, clock) and cut connections are retried a few
// times, writes with one idempotency key, so a retried creation happens
// once; a server out of reach is an OfflineError.
func (c *Coordinator) call(ctx context.Context, method, path string, in, out any) error {
	p, err := c.profile(ctx)
	if err != nil {
		return err
	}
	who := session.Identity{ServerURL: p.ServerURL, ID: p.CoordinatorID, Key: ed25519.PrivateKey(p.SignKey)}
	return c.sess.Call(ctx, who, method, path, in, out)
}
