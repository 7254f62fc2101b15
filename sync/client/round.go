package client

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"filippo.io/age"
	"github.com/google/uuid"

	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/seal"
	"sinba/sync/session"
	"sinba/sync/wire"
)

// InstrumentVersion names one version of an instrument.
type InstrumentVersion struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
}

// Report is what one round of sync did, for the app and `sinba sync` to show.
type Report struct {
	Receipts       []wire.Receipt // one per batch sent, in order
	Sent           int            // revisions sent this round
	Accepted       int            // of which the server holds (new or already had)
	Duplicates     int            // of which it already had
	Refused        int            // of which it refused (see the receipts)
	Conflicts      int            // sent revisions the server flagged in conflict
	Received       int            // colleagues' revisions applied here
	Reviews        int            // review decisions applied here
	Approved       int            // of which approvals
	Returned       int            // of which records sent back with comments
	Instruments    int            // instrument versions received (len(InstrumentVersions))
	LocalConflicts int            // records that applying remote versions left in conflict
	Unreadable     int            // remote items that could not be decrypted (skipped)
	WaitingTeamKey bool           // no colleague has handed this laptop the team key yet
	// InstrumentVersions are the instrument versions received, in the order
	// the server published them.
	InstrumentVersions []InstrumentVersion
	// FeedUnread is set when the round stopped before the end of the
	// server's feed (waiting for the team key, with more pages): versions
	// published later in it are still to come. After a round without it,
	// the laptop has received every version the server has published.
	FeedUnread bool
	// PendingDevices are the team's laptops waiting for the team key, which
	// this laptop holds: each gets it only if a researcher confirms it here
	// (GrantTeamKey).
	PendingDevices []PendingDevice
	Assignments    []string
	Duration       time.Duration
}

// SyncOnce runs one round: team key housekeeping, upload of the outbox in
// batches, download of the team's changes. progress, if not nil, is called
// with revisions sent so far and the total to send. The round is kept in the
// laptop's history of rounds (see Rounds).
func (c *Client) SyncOnce(ctx context.Context, progress func(done, total int)) (*Report, error) {
	c.run.Lock()
	defer c.run.Unlock()
	start := time.Now()
	rep, err := c.round(ctx, progress)
	c.remember(ctx, start, rep, err)
	return rep, err
}

func (c *Client) round(ctx context.Context, progress func(done, total int)) (*Report, error) {
	start := time.Now()
	rep := &Report{}
	d, err := c.device(ctx)
	if err != nil {
		return rep, err
	}
	cursor := c.cursor(ctx)
	first, err := c.changes(ctx, d, cursor)
	if err != nil {
		return rep, session.Explain(ctx, err)
	}
	team, teamRecipient, err := c.keys(ctx, d, &first.Keys)
	if err != nil {
		return rep, session.Explain(ctx, err)
	}
	rep.WaitingTeamKey = team == nil
	if team != nil {
		rep.PendingDevices = pendingDevices(first.Keys.Pending)
	}
	if err := c.upload(ctx, d, teamRecipient, rep, progress); err != nil {
		return rep, session.Explain(ctx, err)
	}
	if err := c.download(ctx, d, team, cursor, first, rep); err != nil {
		return rep, session.Explain(ctx, err)
	}
	rep.Duration = time.Since(start)
	return rep, nil
}

// feedCursor is where the laptop has read its team's feed to.
func (c *Client) feedCursor() session.Cursor {
	return session.Cursor{Key: secretCursor, FormatKey: secretFeedFormat, Format: c.opt.Format}
}

func (c *Client) cursor(ctx context.Context) int64 { return c.feedCursor().Load(ctx, c.store) }

// changes fetches the page of the team's feed after cursor.
func (c *Client) changes(ctx context.Context, d *deviceState, cursor int64) (*wire.Changes, error) {
	var ch wire.Changes
	err := c.do(ctx, d, http.MethodGet, session.FeedPath(wire.PathChanges, cursor, c.opt.Format), nil, "", &ch)
	return &ch, err
}

// keys makes sure the team has a key and that this laptop holds it when a
// colleague has handed it over, and hands it on to colleagues waiting for
// it. It returns the team identity (nil while waiting) and the recipient.
func (c *Client) keys(ctx context.Context, d *deviceState, ks *wire.KeyState) (*age.X25519Identity, age.Recipient, error) {
	mine, err := seal.ParseIdentity(d.AgeIdentity)
	if err != nil {
		return nil, nil, err
	}
	team, err := c.teamIdentity(ctx)
	if err != nil {
		return nil, nil, err
	}
	if ks.TeamRecipient == "" {
		// First laptop of the team: make the key and keep it before telling
		// the server, so it is never announced without being held.
		if team == nil {
			if team, err = seal.NewKey(); err != nil {
				return nil, nil, err
			}
			if err := c.store.SetSecret(ctx, secretTeamKey, []byte(team.String())); err != nil {
				return nil, nil, err
			}
		}
		wrapped, err := seal.Encrypt([]byte(team.String()), mine.Recipient())
		if err != nil {
			return nil, nil, err
		}
		body, _ := json.Marshal(wire.KeysRequest{TeamRecipient: team.Recipient().String(), Grants: []wire.Grant{{DeviceID: d.DeviceID, Wrapped: wrapped}}})
		var got wire.KeyState
		err = c.do(ctx, d, http.MethodPost, wire.PathKeys, body, "application/json", &got)
		var se *session.ServerError
		if errors.As(err, &se) && se.Refusal.Code == wire.CodeConflict {
			// Another laptop won the race: take the state again.
			ch, err := c.changes(ctx, d, c.cursor(ctx))
			if err != nil {
				return nil, nil, err
			}
			got = ch.Keys
		} else if err != nil {
			return nil, nil, err
		}
		*ks = got
	}
	held := team != nil && team.Recipient().String() == ks.TeamRecipient
	if len(ks.Wrapped) > 0 && !held {
		plain, err := seal.Decrypt(ks.Wrapped, mine)
		if err != nil {
			return nil, nil, fmt.Errorf("sync: team key: %w", err)
		}
		got, err := seal.ParseIdentity(string(plain))
		if err != nil {
			return nil, nil, fmt.Errorf("sync: team key: %w", err)
		}
		// Only the key the team announced is kept: a copy of anything else
		// is not the team's key, whoever wrapped it.
		if got.Recipient().String() == ks.TeamRecipient && (team == nil || team.String() != got.String()) {
			if err := c.store.SetSecret(ctx, secretTeamKey, plain); err != nil {
				return nil, nil, err
			}
			team = got
		} else if got.Recipient().String() != ks.TeamRecipient {
			c.opt.Logger.Warn("sync: the copy of the team key handed to this laptop is not the team's key")
		}
	}
	if team != nil && team.Recipient().String() != ks.TeamRecipient {
		team = nil // a key made here lost the race and was never granted
	}
	recipient, err := seal.ParseRecipient(ks.TeamRecipient)
	if err != nil {
		return nil, nil, fmt.Errorf("sync: team recipient: %w", err)
	}
	if team != nil && len(ks.Wrapped) == 0 {
		// This laptop holds the team key but the server has no copy for it:
		// a store restored from a backup, enrolled again as a new device. It
		// hands a copy to itself, which gives nobody anything new, so that
		// its teammates are not asked to confirm a laptop that already has
		// the key, and it can confirm theirs.
		if err := c.grant(ctx, d, team, []wire.Pending{{DeviceID: d.DeviceID, Recipient: mine.Recipient().String()}}, ks); err != nil {
			return nil, nil, err
		}
	}
	if team != nil {
		if err := c.keepOrigin(ctx, ks.Origin); err != nil {
			return nil, nil, err
		}
	}
	if err := c.pseudonymSecret(ctx, d, mine, ks); err != nil {
		return nil, nil, err
	}
	// Colleagues waiting for the team key get it only when a researcher of
	// the team confirms each of them on this laptop (GrantTeamKey): never
	// here, whoever made their codes.
	return team, recipient, nil
}

// grant hands the team key to devices, each copy wrapped for the recipient
// given (the one a person was shown), and takes the key state the server
// answers with into ks.
func (c *Client) grant(ctx context.Context, d *deviceState, team *age.X25519Identity, to []wire.Pending, ks *wire.KeyState) error {
	var req wire.KeysRequest
	for _, p := range to {
		r, err := seal.ParseRecipient(p.Recipient)
		if err != nil {
			return fmt.Errorf("sync: device %s: %w", p.DeviceID, err)
		}
		w, err := seal.Encrypt([]byte(team.String()), r)
		if err != nil {
			return err
		}
		req.Grants = append(req.Grants, wire.Grant{DeviceID: p.DeviceID, Wrapped: w})
	}
	body, _ := json.Marshal(req)
	var got wire.KeyState
	if err := c.do(ctx, d, http.MethodPost, wire.PathKeys, body, "application/json", &got); err != nil {
		return err
	}
	*ks = got
	return nil
}

// upload sends the outbox in batches. Each batch is acknowledged by a
// receipt before its revisions leave the outbox, so a round cut anywhere
// resends at most one batch, which the server deduplicates.
func (c *Client) upload(ctx context.Context, d *deviceState, team age.Recipient, rep *Report, progress func(done, total int)) error {
	entries, err := c.store.Outbox(ctx, 0)
	if err != nil {
		return err
	}
	refused := map[string]bool{}
	if err := c.secretJSON(ctx, secretRefused, &refused); err != nil {
		return err
	}
	refusedBefore := len(refused)
	pending := entries[:0]
	inOutbox := map[string]bool{}
	for _, e := range entries {
		inOutbox[e.Revision] = true
		if !refused[e.Revision] {
			pending = append(pending, e)
		}
	}
	for rev := range refused { // forget what has left the outbox
		if !inOutbox[rev] {
			delete(refused, rev)
		}
	}
	if len(pending) == 0 {
		if len(refused) == refusedBefore {
			return nil // nothing changed: no write on an idle round
		}
		return c.setSecretJSON(ctx, secretRefused, refused)
	}
	project, err := seal.ParseRecipient(d.ProjectRecipient)
	if err != nil {
		return err
	}
	dicts, err := c.dictionaries(ctx)
	if err != nil {
		return err
	}
	refusedChanged := len(refused) != refusedBefore
	total, done := len(pending), 0
	if progress != nil {
		progress(0, total)
	}
	for len(pending) > 0 {
		b := wire.Batch{Version: c.opt.Format, ID: uuid.NewString()}
		sealRecord := func(rec survey.Record, _ string) ([]byte, []byte, error) { return seal.SealRecord(rec, project, team) }
		if b.Version >= wire.FormatV2 {
			bs, err := seal.NewBatchSealer(b.ID, d.DeviceID, project, team, dicts)
			if err != nil {
				return err
			}
			h := bs.Header()
			b.Header, sealRecord = &h, bs.Seal
		}
		size := 0
		for len(pending) > 0 && len(b.Revisions) < c.opt.BatchRevisions && (size < c.opt.BatchBytes || len(b.Revisions) == 0) {
			e := pending[0]
			pending = pending[1:]
			content, identity, err := sealRecord(e.Record, e.Revision)
			if err != nil {
				return err
			}
			size += len(content) + len(identity)
			b.Revisions = append(b.Revisions, wire.Revision{
				RecordID: e.RecordID, Revision: e.Revision, BaseRevision: e.BaseRevision, MergedRevision: e.MergedRevision,
				Instrument: e.Instrument, InstrumentVersion: e.InstrumentVersion, Municipality: e.Municipality,
				Status: e.Status, SavedAt: e.SavedAt.UTC(), Content: content, Identity: identity,
			})
		}
		body, err := wire.EncodeBatch(&b)
		if err != nil {
			return err
		}
		var receipt wire.Receipt
		if err := c.do(ctx, d, http.MethodPost, wire.PathBatches, body, wire.ContentTypeBatch, &receipt); err != nil {
			return err
		}
		if receipt.BatchID != b.ID {
			return fmt.Errorf("sync: receipt for batch %q, sent %q", receipt.BatchID, b.ID)
		}
		if b.Version >= wire.FormatV2 {
			if err := wire.ExpandReceipt(&receipt, b.Revisions); err != nil {
				return err
			}
		}
		raw, _ := json.Marshal(receipt)
		if err := c.store.SaveReceipt(ctx, receipt.BatchID, raw); err != nil {
			return err
		}
		var sent []string
		for _, a := range receipt.Accepted {
			sent = append(sent, a.Revision)
			rep.Accepted++
			if a.Duplicate {
				rep.Duplicates++
			}
			if a.Conflict {
				rep.Conflicts++
			}
		}
		for _, r := range receipt.Refused {
			rep.Refused++
			// A refusal that a coordinator can lift is tried again next
			// round; any other stays here, unsent, and is not resent.
			if !wire.Retryable(r.Code) && !refused[r.Revision] {
				refused[r.Revision] = true
				refusedChanged = true
			}
		}
		if err := c.store.MarkSent(ctx, sent, receipt.BatchID); err != nil {
			return err
		}
		if refusedChanged { // a write only when the set changed
			if err := c.setSecretJSON(ctx, secretRefused, refused); err != nil {
				return err
			}
			refusedChanged = false
		}
		rep.Sent += len(b.Revisions)
		rep.Receipts = append(rep.Receipts, receipt)
		done += len(b.Revisions)
		if progress != nil {
			progress(done, total)
		}
	}
	return nil
}

// download applies pages of changes from the cursor on (the first page
// already fetched), saving the cursor after each page so a cut round starts
// again where it stopped.
func (c *Client) download(ctx context.Context, d *deviceState, team *age.X25519Identity, cursor int64, first *wire.Changes, rep *Report) error {
	var had []string
	if err := c.secretJSON(ctx, secretAssignments, &had); err != nil {
		return err
	}
	var open *seal.Opener
	apply := func(ch *wire.Changes) (bool, error) {
		if !slices.Equal(had, ch.Assignments) {
			if err := c.setSecretJSON(ctx, secretAssignments, ch.Assignments); err != nil {
				return false, err
			}
			had = ch.Assignments
		}
		rep.Assignments = ch.Assignments
		if len(ch.Instruments) > 0 {
			if err := c.keepInstruments(ctx, ch.Instruments, rep); err != nil {
				return false, err
			}
			open = nil // the dictionaries may have changed
		}
		if team == nil && (len(ch.Revisions) > 0 || len(ch.Reviews) > 0) {
			// Without the team key nothing of the team can be opened: keep
			// the cursor where it is until a colleague hands the key over.
			rep.FeedUnread = ch.More
			return false, nil
		}
		if open == nil && team != nil && len(ch.Revisions)+len(ch.Reviews) > 0 {
			dicts, err := c.dictionaries(ctx)
			if err != nil {
				return false, err
			}
			open = seal.NewOpener(team, dicts)
		}
		headers := seal.HeaderIndex(ch.Headers)
		err := session.InFeedOrder(ch.Revisions, ch.Reviews,
			func(r *wire.Revision) int64 { return r.Seq }, func(rv *wire.Review) int64 { return rv.Seq },
			func(_ int, r *wire.Revision) error { return c.applyRevision(ctx, open, headers, r, rep) },
			func(rv *wire.Review) error { return c.applyReview(ctx, open, team, headers, rv, rep) })
		return err == nil, err
	}
	return session.Feed[wire.Changes]{
		Fetch: func(ctx context.Context, cursor int64) (*wire.Changes, error) { return c.changes(ctx, d, cursor) },
		End:   func(ch *wire.Changes) (int64, bool) { return ch.Cursor, ch.More },
		Apply: apply,
		Save:  func(cursor int64) error { return c.feedCursor().Save(ctx, c.store, cursor) },
	}.Follow(ctx, cursor, first)
}

// keepInstruments adds the instrument versions of a feed page to those the
// laptop holds; a version held without its dictionary takes the one it is
// published again with.
func (c *Client) keepInstruments(ctx context.Context, got []wire.Instrument, rep *Report) error {
	var have []wire.Instrument
	if err := c.secretJSON(ctx, secretInstruments, &have); err != nil {
		return err
	}
	for _, in := range got {
		dup := false
		for i, h := range have {
			if h.ID == in.ID && h.Version == in.Version {
				dup = true
				if len(h.Dictionary) == 0 && len(in.Dictionary) > 0 {
					have[i].Dictionary = in.Dictionary // published again with its dictionary
				}
			}
		}
		if !dup {
			have = append(have, in)
			rep.Instruments++
			rep.InstrumentVersions = append(rep.InstrumentVersions, InstrumentVersion{ID: in.ID, Version: in.Version})
		}
	}
	return c.setSecretJSON(ctx, secretInstruments, have)
}

// applyRevision stores a colleague's revision; one that cannot be opened is
// counted and skipped.
func (c *Client) applyRevision(ctx context.Context, open *seal.Opener, headers map[string]*wire.Header, r *wire.Revision, rep *Report) error {
	rec, err := open.Open(r, headers[r.Header])
	if err != nil {
		c.opt.Logger.Warn("sync: unreadable revision", "revision", r.Revision, "err", err)
		rep.Unreadable++
		return nil
	}
	conflict, err := c.store.ApplyRemote(ctx, localdb.RemoteRevision{
		RecordID: r.RecordID, Revision: r.Revision, BaseRevision: r.BaseRevision, MergedRevision: r.MergedRevision,
		Status: r.Status, Record: rec, Origin: r.Origin, SavedAt: r.SavedAt,
	})
	if err != nil {
		return err
	}
	rep.Received++
	if conflict {
		rep.LocalConflicts++
	}
	return nil
}

// applyReview stores a coordinators' decision as a revision on top of the
// reviewed one, with the comments opened with the team key.
func (c *Client) applyReview(ctx context.Context, open *seal.Opener, team *age.X25519Identity, headers map[string]*wire.Header, rv *wire.Review, rep *Report) error {
	rec, err := open.Open(&rv.Reviewed, headers[rv.Reviewed.Header])
	var comments []survey.Comment
	if err == nil && len(rv.Comments) > 0 {
		var plain []byte
		if plain, err = seal.Decrypt(rv.Comments, team); err == nil {
			err = json.Unmarshal(plain, &comments)
		}
	}
	if err != nil {
		c.opt.Logger.Warn("sync: unreadable review", "review", rv.ID, "err", err)
		rep.Unreadable++
		return nil
	}
	conflict, err := c.store.ApplyRemote(ctx, localdb.RemoteRevision{
		RecordID: rv.Reviewed.RecordID, Revision: rv.ID, BaseRevision: rv.Reviewed.Revision,
		Status: rv.Decision, Record: rec, Origin: OriginCoordinators, Comments: comments, SavedAt: rv.DecidedAt(),
	})
	if err != nil {
		return err
	}
	rep.Reviews++
	switch rv.Decision {
	case survey.StatusApproved:
		rep.Approved++
	case survey.StatusReturned:
		rep.Returned++
	}
	if conflict {
		rep.LocalConflicts++
	}
	return nil
}

// dictionaries are those of the instrument versions this laptop has received
// (their question lists and compression dictionaries), read again only when
// the instruments it holds have changed.
func (c *Client) dictionaries(ctx context.Context) (*seal.Dictionaries, error) {
	data, err := c.store.Secret(ctx, secretInstruments)
	if errors.Is(err, localdb.ErrNotFound) {
		data, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	c.dicts.mu.Lock()
	defer c.dicts.mu.Unlock()
	if c.dicts.d != nil && c.dicts.sum == sum {
		return c.dicts.d, nil
	}
	var have []wire.Instrument
	if len(data) > 0 {
		if err := json.Unmarshal(data, &have); err != nil {
			return nil, err
		}
	}
	d, err := seal.DictionariesOf(have)
	if err != nil {
		c.opt.Logger.Warn("sync: instrument dictionary left out", "err", err)
	}
	c.dicts.sum, c.dicts.d = sum, d
	return d, nil
}

// dictCache is the last Dictionaries read, by the digest of what they were
// read from.
type dictCache struct {
	mu  sync.Mutex
	sum [sha256.Size]byte
	d   *seal.Dictionaries
}

// OriginCoordinators is the origin of a revision made by a review decision.
const OriginCoordinators = localdb.OriginCoordinators

// Kick asks a running Run loop to sync now (after a save, or from a button).
func (c *Client) Kick() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// Run syncs every interval, and at once when kicked, until ctx ends. After
// a failure it waits longer, up to ten intervals, so an offline laptop does
// not spin; report, if not nil, hears of every round.
func (c *Client) Run(ctx context.Context, every time.Duration, report func(*Report, error)) {
	if every <= 0 {
		every = 2 * time.Minute
	}
	wait := time.Duration(0)
	failures := 0
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		case <-c.kick:
			t.Stop()
		}
		rep, err := c.SyncOnce(ctx, nil)
		if ctx.Err() != nil {
			return
		}
		if report != nil {
			report(rep, err)
		}
		if errors.Is(err, ErrNotEnrolled) {
			wait = every
			continue
		}
		if err != nil {
			failures++
			wait = min(every<<min(failures, 4), 10*every)
		} else {
			failures, wait = 0, every
		}
	}
}
