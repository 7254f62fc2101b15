package coord

import (
	"context"
	"net/http"
	"slices"

	"sinba/localdb/registry"
	"sinba/survey/instfile"
	"sinba/sync/wire"
)

// Propose reads and checks an instrument file and compares it with the
// latest earlier version of that instrument, as the server lists the
// published ones now (or as of the last sync, when the server cannot be
// reached). A file that does not check is an *instfile.InvalidError; a version that
// exists with other content is refused, since records rely on a version
// never changing.
func (c *Coordinator) Propose(ctx context.Context, name string, data []byte) (*instfile.Proposal, error) {
	var ins wire.Instruments
	if err := c.call(ctx, http.MethodGet, wire.PathCoordInstruments, nil, &ins); err == nil {
		_ = c.setJSON(ctx, secretInstruments, ins.Instruments)
	}
	set, err := registry.Load(ctx, c.store)
	if err != nil {
		return nil, err
	}
	in, err := instfile.Read(name, data, set.Reference)
	if err != nil {
		return nil, err
	}
	published, err := c.Instruments(ctx)
	if err != nil {
		return nil, err
	}
	return instfile.Propose(name, in, set.Registry, func(id string, v int) bool {
		return slices.ContainsFunc(published, func(w wire.Instrument) bool { return w.ID == id && w.Version == v })
	})
}

// PublishProposal publishes a proposal's canonical JSON; a version already
// published with the same content is not sent again.
func (c *Coordinator) PublishProposal(ctx context.Context, p *instfile.Proposal) (wire.Instrument, error) {
	if p.AlreadyPublished {
		return wire.Instrument{ID: p.Instrument.ID, Version: p.Instrument.Version}, nil
	}
	return c.Publish(ctx, p.Body)
}
