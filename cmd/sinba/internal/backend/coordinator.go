package backend

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"

	"sinba/localdb"
	"sinba/localdb/dataset"
	"sinba/localdb/registry"
	"sinba/survey"
	"sinba/survey/export"
	"sinba/survey/instfile"
	"sinba/survey/quality"
	"sinba/sync/coord"
	"sinba/sync/seal"
	"sinba/sync/session"
	"sinba/ui/coordinator"
)

// Coordinator adapts the coordinator profile (package sync/coord) to the
// coordinators' screens.
type Coordinator struct {
	C      *coord.Coordinator
	Author string // who decides and exports, for comments and the audit trail

	// The instruments built in and published that the store holds, read
	// again at every Instruments (after a download or a publish the
	// screens reload): the loader parses each definition once.
	mu     sync.Mutex
	loader *registry.Loader
	set    *registry.Set
}

var _ coordinator.Backend = (*Coordinator)(nil)

// NewCoordinatorDeps returns what coordinator.New needs for a coordinator
// profile over an unlocked store, with the instruments shipped and published.
func NewCoordinatorDeps(ctx context.Context, c *coord.Coordinator, language string) (coordinator.Deps, error) {
	b := &Coordinator{C: c, Author: "coordinamento"}
	reg, err := b.Instruments(ctx)
	if err != nil {
		return coordinator.Deps{}, err
	}
	fonts, _ := printFonts() // without them the review offers no printout
	return coordinator.Deps{Backend: b, Registry: reg, Ref: b.set.Reference, Language: language, Fonts: fonts}, nil
}

// Instruments implements coordinator.Backend: the registry read again from
// the store, with what a download or a publish brought.
func (b *Coordinator) Instruments(ctx context.Context) (*survey.Registry, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.loader == nil {
		l, err := registry.NewLoader()
		if err != nil {
			return nil, err
		}
		b.loader = l
	}
	set, err := b.loader.Load(ctx, b.C.Store())
	if err != nil {
		if b.set != nil {
			return b.set.Registry, err
		}
		return nil, err
	}
	b.set = set
	return set.Registry, nil
}

// registry is the registry as of the last Instruments, read first when
// there is none yet.
func (b *Coordinator) registry(ctx context.Context) (*survey.Registry, error) {
	b.mu.Lock()
	set := b.set
	b.mu.Unlock()
	if set != nil {
		return set.Registry, nil
	}
	return b.Instruments(ctx)
}

// operatorsSecret is the store secret that keeps, per project, the codice
// fiscale that last sent SINBA flows (a JSON object, project id to code).
const operatorsSecret = "coord/sinba-operators"

func (b *Coordinator) operators(ctx context.Context) map[string]string {
	out := map[string]string{}
	if data, err := b.C.Store().Secret(ctx, operatorsSecret); err == nil {
		_ = json.Unmarshal(data, &out)
	}
	return out
}

// rememberOperator keeps a valid operator code for the project; anything
// else is never kept, so nothing stands in for a code not given.
func (b *Coordinator) rememberOperator(ctx context.Context, code string) error {
	code = strings.ToUpper(strings.TrimSpace(code))
	if !survey.ValidOperatorCode(code) {
		return nil
	}
	p, err := b.C.Profile(ctx)
	if err != nil {
		return err
	}
	ops := b.operators(ctx)
	if ops[p.ProjectID] == code {
		return nil
	}
	ops[p.ProjectID] = code
	data, _ := json.Marshal(ops)
	return b.C.Store().SetSecret(ctx, operatorsSecret, data)
}

// Profile implements coordinator.Backend.
func (b *Coordinator) Profile(ctx context.Context) (coordinator.Profile, error) {
	p, err := b.C.Profile(ctx)
	return coordinator.Profile{Project: p.ProjectName, Server: p.ServerURL, HasProjectKey: p.HasProjectKey,
		Operator: b.operators(ctx)[p.ProjectID]}, err
}

// Sync implements coordinator.Backend.
func (b *Coordinator) Sync(ctx context.Context) (coordinator.SyncSummary, error) {
	rep, err := b.C.Sync(ctx)
	if rep == nil {
		return coordinator.SyncSummary{}, err
	}
	return coordinator.SyncSummary{Revisions: rep.Revisions, Reviews: rep.Reviews, Unreadable: rep.Unreadable, SecretsGranted: rep.SecretsGranted}, err
}

// Entries implements coordinator.Backend.
func (b *Coordinator) Entries(ctx context.Context) ([]quality.Entry, error) {
	entries, _, err := dataset.Entries(ctx, b.C.Store())
	return entries, err
}

// History implements coordinator.Backend.
func (b *Coordinator) History(ctx context.Context, id string) ([]coordinator.Version, error) {
	hist, err := b.C.Store().History(ctx, id)
	out := make([]coordinator.Version, 0, len(hist))
	for _, h := range hist {
		v := coordinator.Version{Revision: h.Revision, Status: h.Status, At: h.SavedAt, ByCoord: h.Origin == coord.OriginCoordinators,
			Record: h.Record, Unreadable: h.Err != nil}
		if !v.ByCoord {
			v.Origin = h.Origin
		}
		v.Comments = h.Comments
		out = append(out, v)
	}
	return out, err
}

// Review implements coordinator.Backend.
func (b *Coordinator) Review(ctx context.Context, id string, decision survey.Status, comments []survey.Comment) error {
	_, err := b.C.Review(ctx, id, decision, comments, b.Author)
	return err
}

// ReviewState implements coordinator.Backend.
func (b *Coordinator) ReviewState(ctx context.Context, id string) (survey.ReviewState, error) {
	reg, err := b.registry(ctx)
	if err != nil {
		return survey.ReviewState{}, err
	}
	return b.C.Store().ReviewState(ctx, id, reg)
}

func exportOptions(req coordinator.ExportRequest, actor string) dataset.Options {
	return dataset.Options{Format: req.Format, Dir: req.Dir, Statuses: req.Statuses,
		SINBA: export.SINBAOptions{CFOperatore: req.CFOperatore}, Actor: actor}
}

func exportResult(m export.Manifest) coordinator.ExportResult {
	res := coordinator.ExportResult{Records: m.Records, Files: len(m.Files), Refused: m.Refused, Dir: m.Dir, Manifest: m.Name}
	for _, v := range m.Versions {
		res.Versions = append(res.Versions, coordinator.ExportVersion{Instrument: v.Instrument, Version: v.Version, Records: v.Records})
	}
	return res
}

// Export implements coordinator.Backend. A SINBA export keeps its operator
// code for the project, for the next one.
func (b *Coordinator) Export(ctx context.Context, req coordinator.ExportRequest) (coordinator.ExportResult, error) {
	reg, err := b.registry(ctx)
	if err != nil {
		return coordinator.ExportResult{}, err
	}
	m, err := dataset.Export(ctx, b.C.Store(), reg, exportOptions(req, b.Author))
	if err == nil && req.Format == export.FormatSINBA {
		err = b.rememberOperator(ctx, req.CFOperatore)
	}
	return exportResult(m), err
}

// PlanExport implements coordinator.Backend with dataset.Plan.
func (b *Coordinator) PlanExport(ctx context.Context, req coordinator.ExportRequest) (coordinator.ExportResult, error) {
	reg, err := b.registry(ctx)
	if err != nil {
		return coordinator.ExportResult{}, err
	}
	p, err := dataset.Plan(ctx, b.C.Store(), reg, exportOptions(req, b.Author))
	return exportResult(p.Manifest), err
}

// DefaultCoordinatorDir is where the coordinator profile lives when --data
// is not given: beside the researcher's store, never in it, so one computer
// can hold both without mixing keys.
func DefaultCoordinatorDir() string { return DefaultDataDir() + "-coordinamento" }

// CoordinatorProfile is the coordinator profile of one data folder for the
// screens: created and enrolled as "sinba coord init" does, its key imported
// as "sinba coord key-import" does (the same calls of package sync/coord),
// and locked when the app quits.
type CoordinatorProfile struct {
	Folder   string
	Language string
	// Options tune the store and the profile; tests pass cheap ones.
	Options      localdb.Options
	CoordOptions coord.Options
	store        *localdb.Store
	coord        *coord.Coordinator
}

var _ coordinator.ProfileStore = (*CoordinatorProfile)(nil)

// Dir implements coordinator.ProfileStore.
func (p *CoordinatorProfile) Dir() string { return p.Folder }

// Exists implements coordinator.ProfileStore.
func (p *CoordinatorProfile) Exists() bool { return localdb.Exists(p.Folder) }

// Create implements coordinator.ProfileStore: a coordinator's store is made
// like a laptop's, recovery key and all.
func (p *CoordinatorProfile) Create(passphrase []byte) (string, error) {
	st, key, err := localdb.CreateWith(p.Folder, passphrase, p.Options)
	if err != nil {
		return "", err
	}
	p.use(st)
	return key, nil
}

// Open implements coordinator.ProfileStore.
func (p *CoordinatorProfile) Open(passphrase []byte) error {
	st, err := localdb.OpenWith(p.Folder, passphrase, p.Options)
	if err != nil {
		return err
	}
	p.use(st)
	return nil
}

func (p *CoordinatorProfile) use(st *localdb.Store) {
	p.Close()
	p.store, p.coord = st, coord.New(st, p.CoordOptions)
}

// Enrolment implements coordinator.ProfileStore.
func (p *CoordinatorProfile) Enrolment(ctx context.Context) (coordinator.Enrolment, error) {
	if p.coord == nil {
		return coordinator.Enrolment{}, errLocked
	}
	prof, err := p.coord.Profile(ctx)
	if errors.Is(err, coord.ErrNotEnrolled) {
		return coordinator.Enrolment{}, nil
	}
	return coordinator.Enrolment{Enrolled: err == nil, Project: prof.ProjectName, HasProjectKey: prof.HasProjectKey}, err
}

// Enrol implements coordinator.ProfileStore with coord.Enrol, as "sinba
// coord init" does.
func (p *CoordinatorProfile) Enrol(ctx context.Context, server, code string) (coordinator.Enrolment, error) {
	if p.coord == nil {
		return coordinator.Enrolment{}, errLocked
	}
	prof, err := p.coord.Enrol(ctx, server, code)
	if err != nil {
		return coordinator.Enrolment{}, refusal(err)
	}
	return coordinator.Enrolment{Enrolled: true, Project: prof.ProjectName, HasProjectKey: prof.HasProjectKey}, nil
}

// ImportKey implements coordinator.ProfileStore as Coordinator.ImportKey.
func (p *CoordinatorProfile) ImportKey(ctx context.Context, data, passphrase []byte) error {
	if p.coord == nil {
		return errLocked
	}
	return (&Coordinator{C: p.coord}).ImportKey(ctx, data, passphrase)
}

// Deps implements coordinator.ProfileStore.
func (p *CoordinatorProfile) Deps(ctx context.Context) (coordinator.Deps, error) {
	if p.coord == nil {
		return coordinator.Deps{}, errLocked
	}
	return NewCoordinatorDeps(ctx, p.coord, p.Language)
}

var errLocked = survey.NewError("il profilo di coordinamento è chiuso", "the coordinator profile is locked")

// Close drops the profile's keys from memory.
func (p *CoordinatorProfile) Close() {
	if p.store != nil {
		_ = p.store.Lock()
		p.store, p.coord = nil, nil
	}
}

// refusal drops the machine code from a server's refusal, so that the screens
// show only its "Italiano / English" message; other errors pass unchanged.
func refusal(err error) error {
	var se *session.ServerError
	if errors.As(err, &se) && se.Refusal.MessageIT != "" {
		return errors.New(se.Refusal.MessageIT + " / " + se.Refusal.MessageEN)
	}
	return err
}

// Teams implements coordinator.Backend. When the server cannot be reached it
// returns the teams as of the last download with the error, so the screen
// still shows them.
func (b *Coordinator) Teams(ctx context.Context) ([]coordinator.Team, error) {
	teams, err := b.C.RefreshTeams(ctx)
	if err != nil {
		teams, _ = b.C.Teams(ctx)
	}
	out := make([]coordinator.Team, 0, len(teams))
	for _, t := range teams {
		ct := coordinator.Team{ID: t.ID, Name: t.Name, Municipalities: append([]string(nil), t.Assignments...)}
		for _, r := range t.Researchers {
			ct.Researchers = append(ct.Researchers, coordinator.Researcher{ID: r.ID, Name: r.Name})
		}
		for _, d := range t.Devices {
			ct.Devices = append(ct.Devices, coordinator.Device{Label: d.Label, Researcher: d.Researcher, EnrolledAt: d.EnrolledAt,
				HasTeamKey: d.HasTeamKey, Revoked: d.Revoked, ByCoordinator: d.MintedBy.ByCoordinator(), Coordinator: d.MintedBy.CoordinatorLabel})
		}
		out = append(out, ct)
	}
	return out, refusal(err)
}

// CreateTeam implements coordinator.Backend.
func (b *Coordinator) CreateTeam(ctx context.Context, name string) error {
	_, err := b.C.CreateTeam(ctx, name)
	return refusal(err)
}

// CreateResearcher implements coordinator.Backend.
func (b *Coordinator) CreateResearcher(ctx context.Context, teamID, name string) error {
	_, err := b.C.CreateResearcher(ctx, teamID, name)
	return refusal(err)
}

// EnrolmentCode implements coordinator.Backend, with the server's default
// validity.
func (b *Coordinator) EnrolmentCode(ctx context.Context, researcherID string) (coordinator.Code, error) {
	c, err := b.C.Code(ctx, researcherID, 0)
	return coordinator.Code{Code: c.Code, Expires: c.Expires}, refusal(err)
}

// Assign implements coordinator.Backend.
func (b *Coordinator) Assign(ctx context.Context, teamID, municipality string, remove bool) error {
	return refusal(b.C.Assign(ctx, teamID, municipality, remove))
}

// CheckPublish implements coordinator.Backend with coord.Propose, as "sinba
// coord instrument publish" does.
func (b *Coordinator) CheckPublish(ctx context.Context, name string, data []byte) (coordinator.PublishCheck, error) {
	p, err := b.C.Propose(ctx, name, data)
	var inv *instfile.InvalidError
	if errors.As(err, &inv) {
		out := coordinator.PublishCheck{}
		for _, pr := range inv.Problems {
			out.Problems = append(out.Problems, coordinator.Problem{Where: pr.Where, Message: pr.Message})
		}
		return out, nil
	}
	if err != nil {
		return coordinator.PublishCheck{}, refusal(err)
	}
	out := coordinator.PublishCheck{ID: p.Instrument.ID, Version: p.Instrument.Version, Body: p.Body,
		PreviousPublished: p.PreviousPublished, Changes: p.Changes, AlreadyPublished: p.AlreadyPublished,
		Old: p.Previous, New: p.Instrument}
	if p.Previous != nil {
		out.Previous = p.Previous.Version
	}
	return out, nil
}

// Publish implements coordinator.Backend.
func (b *Coordinator) Publish(ctx context.Context, body []byte) (coordinator.Published, error) {
	in, err := b.C.Publish(ctx, body)
	return coordinator.Published{ID: in.ID, Version: in.Version}, refusal(err)
}

// ExportKey implements coordinator.Backend: the project key in a file
// sealed with passphrase (seal.SealKeyFile), as "sinba coord key-export"
// writes it.
func (b *Coordinator) ExportKey(ctx context.Context, passphrase []byte) ([]byte, error) {
	key, about, err := b.C.KeyForExport(ctx)
	if err != nil {
		return nil, refusal(err)
	}
	return seal.SealKeyFile(key, about, passphrase, 0)
}

// ImportKey implements coordinator.Backend: the project key read from a
// key file (seal.OpenKeyFile), kept if it is the project's, as "sinba
// coord key-import" does.
func (b *Coordinator) ImportKey(ctx context.Context, data, passphrase []byte) error {
	key, err := seal.OpenKeyFile(data, passphrase)
	if err != nil {
		return err
	}
	return b.C.SetProjectKey(ctx, key)
}
