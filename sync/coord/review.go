package coord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/google/uuid"

	"sinba/localdb"
	"sinba/survey"
	"sinba/sync/seal"
	"sinba/sync/wire"
)

// ErrNothingToReview means the record has no version from a laptop to
// decide on.
var ErrNothingToReview = survey.NewError("questa scheda non ha una versione inviata da un computer da rivedere", "this record has no version sent by a laptop to review")

// Review sends a decision on a record's latest version from a laptop:
// approved, or returned with comments. The comments are sealed here for the
// team (whose laptops show them to the researcher) and for the project key
// (so every coordinator sees them in the history); the server cannot read
// them. The decision is applied to the store at once and logged.
func (c *Coordinator) Review(ctx context.Context, recordID string, decision survey.Status, comments []survey.Comment, author string) (string, error) {
	if decision != survey.StatusApproved && decision != survey.StatusReturned {
		return "", survey.Errorf("decisione %q non valida: approvare o restituire", "invalid decision %q: approve or return", decision)
	}
	if decision == survey.StatusReturned && len(comments) == 0 {
		return "", survey.NewError("per restituire una scheda scrivere almeno un commento", "to return a record write at least one comment")
	}
	key, err := c.projectKey(ctx)
	if err != nil {
		return "", err
	}
	_, info, err := c.store.Get(ctx, recordID)
	if err != nil {
		return "", err
	}
	target, err := c.store.GetRevision(ctx, info.Revision)
	if err != nil {
		return "", err
	}
	// A decision is about what a laptop sent: deciding again on a record
	// already decided targets the version that decision was about.
	for target.Origin == OriginCoordinators {
		if target, err = c.store.GetRevision(ctx, target.BaseRevision); err != nil {
			if errors.Is(err, localdb.ErrNotFound) {
				return "", ErrNothingToReview
			}
			return "", err
		}
	}
	if target.Err != nil {
		return "", target.Err
	}
	now := time.Now().UTC()
	for i := range comments {
		comments[i].Text = strings.TrimSpace(comments[i].Text)
		if comments[i].Author == "" {
			comments[i].Author = author
		}
		if comments[i].At.IsZero() {
			comments[i].At = now
		}
	}
	req := wire.ReviewRequest{ID: uuid.NewString(), Revision: target.Revision, Decision: string(decision)}
	if len(comments) > 0 {
		team, err := c.teamRecipient(ctx, recordID)
		if err != nil {
			return "", err
		}
		plain, err := json.Marshal(comments)
		if err != nil {
			return "", err
		}
		if req.Comments, err = seal.Encrypt(plain, team, key.Recipient()); err != nil {
			return "", err
		}
	}
	var resp wire.ReviewResponse
	if err := c.call(ctx, http.MethodPost, wire.PathCoordReviews, req, &resp); err != nil {
		return "", err
	}
	if _, err := c.store.ApplyRemote(ctx, localdb.RemoteRevision{
		RecordID: recordID, Revision: req.ID, BaseRevision: target.Revision, Status: decision,
		Record: target.Record, Origin: OriginCoordinators, Comments: comments, SavedAt: now,
	}); err != nil {
		return "", err
	}
	_ = c.store.Log(ctx, author, "review-"+string(decision), recordID, fmt.Sprintf("%d comments", len(comments)))
	return req.ID, nil
}

// teamRecipient is the age recipient of the team that entered a record.
func (c *Coordinator) teamRecipient(ctx context.Context, recordID string) (*age.X25519Recipient, error) {
	teams := map[string]string{}
	if _, err := c.getJSON(ctx, secretRecordTeams, &teams); err != nil {
		return nil, err
	}
	name := teams[recordID]
	list, err := c.Teams(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range list {
		if t.Name == name && t.Recipient != "" {
			return seal.ParseRecipient(t.Recipient)
		}
	}
	return nil, survey.NewError("la squadra di questa scheda non ha una chiave nota: sincronizzare e riprovare", "the team of this record has no known key: sync and try again")
}
