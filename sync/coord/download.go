package coord

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"filippo.io/age"

	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/seal"
	"sinba/sync/session"
	"sinba/sync/wire"
)

// Report is what one Sync did.
type Report struct {
	Revisions      int  // revisions decrypted into the store
	Reviews        int  // review decisions (by any coordinator) applied
	Unreadable     int  // items that could not be decrypted (skipped)
	Conflicts      int  // records the revisions left in conflict
	SecretCreated  bool // this app gave the project its pseudonym secret
	SecretsGranted int  // laptops handed the pseudonym secret
	Teams          int
	Duration       time.Duration
}

// Sync brings the coordinator's store up to date: the project's pseudonym
// secret (made or received, and handed to the laptops still waiting for
// it), the teams and published instruments, then every revision and review
// decision since the last Sync, decrypted with the project key into the
// store. Without the project key it does the rest and returns
// ErrNoProjectKey.
func (c *Coordinator) Sync(ctx context.Context) (*Report, error) {
	c.run.Lock()
	defer c.run.Unlock()
	start := time.Now()
	rep := &Report{}
	if _, err := c.profile(ctx); err != nil {
		return rep, err
	}
	if err := c.refreshTeams(ctx, rep); err != nil {
		return rep, err
	}
	var ins wire.Instruments
	if err := c.call(ctx, http.MethodGet, wire.PathCoordInstruments, nil, &ins); err != nil {
		return rep, err
	}
	if err := c.setJSON(ctx, secretInstruments, ins.Instruments); err != nil {
		return rep, err
	}
	key, err := c.projectKey(ctx)
	if errors.Is(err, ErrNoProjectKey) {
		return rep, ErrNoProjectKey
	}
	if err != nil {
		return rep, err
	}
	if err := c.syncSecret(ctx, key, rep); err != nil {
		return rep, err
	}
	if err := c.download(ctx, key, ins.Instruments, rep); err != nil {
		return rep, err
	}
	rep.Duration = time.Since(start)
	return rep, nil
}

func (c *Coordinator) refreshTeams(ctx context.Context, rep *Report) error {
	var teams wire.Teams
	if err := c.call(ctx, http.MethodGet, wire.PathCoordTeams, nil, &teams); err != nil {
		return err
	}
	rep.Teams = len(teams.Teams)
	return c.setJSON(ctx, secretTeams, teams.Teams)
}

// syncSecret makes sure the project and this app share one pseudonym secret
// and that every laptop has its copy.
func (c *Coordinator) syncSecret(ctx context.Context, key *age.X25519Identity, rep *Report) error {
	var p wire.Project
	if err := c.call(ctx, http.MethodGet, wire.PathCoordProject, nil, &p); err != nil {
		return err
	}
	var secret []byte
	if len(p.Secret) == 0 {
		// A project made with "sinba-server project": the first
		// coordinator's app to sync gives it its secret.
		s, err := c.pseudonymSecret(ctx)
		if err != nil {
			return err
		}
		sealed, err := seal.Encrypt(s, key.Recipient())
		if err != nil {
			return err
		}
		err = c.call(ctx, http.MethodPost, wire.PathCoordSecret, wire.SecretRequest{Secret: sealed}, nil)
		var se *session.ServerError
		if errors.As(err, &se) && se.Refusal.Code == wire.CodeConflict {
			return c.syncSecret(ctx, key, rep) // another coordinator was first: take theirs
		}
		if err != nil {
			return err
		}
		secret, rep.SecretCreated = s, true
	} else {
		s, err := seal.Decrypt(p.Secret, key)
		if err != nil {
			return survey.NewError("il segreto del progetto sul server non si apre con la chiave del progetto", "the project secret on the server does not open with the project key")
		}
		if have, _ := c.store.Secret(ctx, secretPseudonym); string(have) != string(s) {
			if err := c.store.SetSecret(ctx, secretPseudonym, s); err != nil {
				return err
			}
		}
		secret = s
	}
	var pending wire.Grants
	if err := c.call(ctx, http.MethodGet, wire.PathCoordGrants, nil, &pending); err != nil {
		return err
	}
	var grants wire.Grants
	for _, d := range pending.Pending {
		r, err := seal.ParseRecipient(d.Recipient)
		if err != nil {
			continue
		}
		w, err := seal.Encrypt(secret, r)
		if err != nil {
			return err
		}
		grants.Grants = append(grants.Grants, wire.Grant{DeviceID: d.DeviceID, Wrapped: w})
	}
	if len(grants.Grants) == 0 {
		return nil
	}
	if err := c.call(ctx, http.MethodPost, wire.PathCoordGrants, grants, nil); err != nil {
		return err
	}
	rep.SecretsGranted = len(grants.Grants)
	return nil
}

// download applies pages of the project's feed from the cursor on, saving
// the cursor after each page: a cut Sync starts again where it stopped, and
// applying a revision twice is harmless (localdb is idempotent by revision).
func (c *Coordinator) download(ctx context.Context, key *age.X25519Identity, instruments []wire.Instrument, rep *Report) error {
	cursor := session.Cursor{Key: secretCursor, FormatKey: secretFeedFormat, Format: wire.FormatV2}
	teams := map[string]string{}
	if _, err := c.getJSON(ctx, secretRecordTeams, &teams); err != nil {
		return err
	}
	// A dictionary that is not one is left out: the records of its version
	// then count as unreadable, and the rest open.
	dicts, _ := seal.DictionariesOf(instruments)
	open := seal.NewOpener(key, dicts)
	applyRevision := func(r *wire.CoordRevision, opened seal.Opened, newTeams *bool) error {
		rec, err := opened.Record, opened.Err
		if err != nil {
			rep.Unreadable++
			return nil
		}
		conflict, err := c.store.ApplyRemote(ctx, localdb.RemoteRevision{
			RecordID: r.RecordID, Revision: r.Revision.Revision, BaseRevision: r.BaseRevision, MergedRevision: r.MergedRevision,
			Status: r.Status, Record: rec, Origin: r.Origin, SavedAt: r.SavedAt,
		})
		if err != nil {
			return err
		}
		if teams[r.RecordID] != r.Team {
			teams[r.RecordID], *newTeams = r.Team, true
		}
		rep.Revisions++
		if conflict {
			rep.Conflicts++
		}
		return nil
	}
	applyReview := func(rv *wire.CoordReview) error {
		ok, err := c.applyReview(ctx, key, rv)
		if ok {
			rep.Reviews++
		} else if err == nil {
			rep.Unreadable++
		}
		return err
	}
	return session.Feed[wire.CoordRevisions]{
		Fetch: func(ctx context.Context, cursor int64) (*wire.CoordRevisions, error) {
			var page wire.CoordRevisions
			err := c.call(ctx, http.MethodGet, session.FeedPath(wire.PathCoordRevisions, cursor, wire.FormatV2), nil, &page)
			return &page, err
		},
		End: func(page *wire.CoordRevisions) (int64, bool) { return page.Cursor, page.More },
		Apply: func(page *wire.CoordRevisions) (bool, error) {
			// Opened on every core first, applied in order after.
			revs := make([]*wire.Revision, len(page.Revisions))
			for i := range page.Revisions {
				revs[i] = &page.Revisions[i].Revision
			}
			opened := open.OpenAll(revs, seal.HeaderIndex(page.Headers))
			newTeams := false
			err := session.InFeedOrder(page.Revisions, page.Reviews,
				func(r *wire.CoordRevision) int64 { return r.Seq }, func(rv *wire.CoordReview) int64 { return rv.Seq },
				func(i int, r *wire.CoordRevision) error { return applyRevision(r, opened[i], &newTeams) }, applyReview)
			if err == nil && newTeams {
				err = c.setJSON(ctx, secretRecordTeams, teams)
			}
			return err == nil, err
		},
		Save: func(at int64) error { return cursor.Save(ctx, c.store, at) },
	}.Follow(ctx, cursor.Load(ctx, c.store), nil)
}

// applyReview stores a decision as the laptops do: a revision of the record
// on top of the reviewed one, with the decision as status and the comments.
// false means it could not be read (its comments were sealed for the team
// only, by an older server command, or the reviewed revision is unknown here).
func (c *Coordinator) applyReview(ctx context.Context, key *age.X25519Identity, rv *wire.CoordReview) (bool, error) {
	reviewed, err := c.store.GetRevision(ctx, rv.Revision)
	if errors.Is(err, localdb.ErrNotFound) || (err == nil && reviewed.Err != nil) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var comments []survey.Comment
	if len(rv.Comments) > 0 {
		plain, err := seal.Decrypt(rv.Comments, key)
		if err != nil {
			comments = []survey.Comment{{Text: "(commenti leggibili solo dalla squadra / comments readable by the team only)", At: rv.At}}
		} else {
			if err := json.Unmarshal(plain, &comments); err != nil {
				return false, nil
			}
		}
	}
	// A decision never sorts before the version it decides on (see
	// wire.Review.DecidedAt): the server keeps its time to the second.
	at := rv.At
	if at.Before(reviewed.SavedAt) {
		at = reviewed.SavedAt
	}
	_, err = c.store.ApplyRemote(ctx, localdb.RemoteRevision{
		RecordID: rv.RecordID, Revision: rv.ID, BaseRevision: rv.Revision, Status: survey.Status(rv.Decision),
		Record: reviewed.Record, Origin: OriginCoordinators, Comments: comments, SavedAt: at,
	})
	return err == nil, err
}
