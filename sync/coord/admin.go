package coord

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"sinba/localdb/registry"
	"sinba/sync/seal"
	"sinba/sync/wire"
)

// Teams returns the project's teams as of the last Sync or change made here.
func (c *Coordinator) Teams(ctx context.Context) ([]wire.Team, error) {
	var teams []wire.Team
	_, err := c.getJSON(ctx, secretTeams, &teams)
	return teams, err
}

// RefreshTeams asks the server for the teams now.
func (c *Coordinator) RefreshTeams(ctx context.Context) ([]wire.Team, error) {
	if err := c.refreshTeams(ctx, &Report{}); err != nil {
		return nil, err
	}
	return c.Teams(ctx)
}

// Instruments returns the instrument versions published in the project, as
// of the last Sync or Publish.
func (c *Coordinator) Instruments(ctx context.Context) ([]wire.Instrument, error) {
	var ins []wire.Instrument
	_, err := c.getJSON(ctx, secretInstruments, &ins)
	return ins, err
}

// CreateTeam adds a team to the project and returns its id.
func (c *Coordinator) CreateTeam(ctx context.Context, name string) (string, error) {
	var out wire.Created
	if err := c.call(ctx, http.MethodPost, wire.PathCoordTeams, wire.NameRequest{Name: name}, &out); err != nil {
		return "", err
	}
	_ = c.store.Log(ctx, "", "coord-team", "", name)
	_, _ = c.RefreshTeams(ctx)
	return out.ID, nil
}

// CreateResearcher adds a researcher to a team (by id or name).
func (c *Coordinator) CreateResearcher(ctx context.Context, team, name string) (string, error) {
	var out wire.Created
	if err := c.call(ctx, http.MethodPost, wire.PathCoordResearchers, wire.NameRequest{Parent: team, Name: name}, &out); err != nil {
		return "", err
	}
	_ = c.store.Log(ctx, "", "coord-researcher", "", team+": "+name)
	_, _ = c.RefreshTeams(ctx)
	return out.ID, nil
}

// Code makes a one-time enrolment code for a researcher's laptop (by id or
// name), valid for ttl (0: 72 hours).
func (c *Coordinator) Code(ctx context.Context, researcher string, ttl time.Duration) (wire.CodeResponse, error) {
	return c.code(ctx, wire.CodeRequest{Researcher: researcher, TTLSeconds: int64(ttl / time.Second)})
}

// CoordinatorCode makes a one-time code for a second coordinator's app.
func (c *Coordinator) CoordinatorCode(ctx context.Context, ttl time.Duration) (wire.CodeResponse, error) {
	return c.code(ctx, wire.CodeRequest{Coordinator: true, TTLSeconds: int64(ttl / time.Second)})
}

func (c *Coordinator) code(ctx context.Context, req wire.CodeRequest) (wire.CodeResponse, error) {
	var out wire.CodeResponse
	err := c.call(ctx, http.MethodPost, wire.PathCoordCodes, req, &out)
	if err == nil {
		who := req.Researcher
		if req.Coordinator {
			who = "coordinatore / coordinator"
		}
		_ = c.store.Log(ctx, "", "coord-code", "", who)
	}
	return out, err
}

// Assign gives a municipality (ISTAT code) to a team, or takes it away.
func (c *Coordinator) Assign(ctx context.Context, team, municipality string, remove bool) error {
	if err := c.call(ctx, http.MethodPost, wire.PathCoordAssignments, wire.AssignRequest{Team: team, Municipality: municipality, Remove: remove}, nil); err != nil {
		return err
	}
	action := "coord-assign"
	if remove {
		action = "coord-unassign"
	}
	_ = c.store.Log(ctx, "", action, "", team+": "+municipality)
	_, err := c.RefreshTeams(ctx)
	return err
}

// Publish publishes an instrument definition (its JSON) to every laptop of
// the project, with a compression dictionary trained for it on synthetic
// records (seal.PublishedDictionary); the server checks it as the app will read it.
// A version published before keeps the dictionary it has.
func (c *Coordinator) Publish(ctx context.Context, body []byte) (wire.Instrument, error) {
	var out wire.Instrument
	set, err := registry.Load(ctx, c.store)
	if err != nil {
		return out, err
	}
	// Without a dictionary (synth could not make the samples, or the body
	// is not JSON, which the server refuses) the version is published all
	// the same; its records are then compressed without one.
	dict, err := seal.PublishedDictionary(set.Reference, body)
	if err != nil {
		dict = nil
	}
	if err := c.call(ctx, http.MethodPost, wire.PathCoordInstruments, wire.PublishRequest{Body: body, Dictionary: dict}, &out); err != nil {
		return out, err
	}
	_ = c.store.Log(ctx, "", "coord-publish", "", out.ID+" v"+strconv.Itoa(out.Version))
	var ins wire.Instruments
	if err := c.call(ctx, http.MethodGet, wire.PathCoordInstruments, nil, &ins); err == nil {
		_ = c.setJSON(ctx, secretInstruments, ins.Instruments)
	}
	return out, nil
}
