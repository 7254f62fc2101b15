package client

import (
	"context"
	"errors"
	"time"

	"sinba/survey"
	"sinba/sync/session"
)

// secretRounds keeps the laptop's last rounds, sealed like every setting.
const secretRounds = "sync/rounds"

// RoundsKept is how many rounds the laptop remembers.
const RoundsKept = 10

// Failure says why a round did not complete.
type Failure string

// The failures of a round.
const (
	FailOffline Failure = "offline" // the server could not be reached
	FailTimeout Failure = "timeout" // the round took too long
	FailRefused Failure = "refused" // the server refused (Message says why)
	FailOther   Failure = "other"   // anything else (Message says what)
)

// Round is one sync round as the laptop remembers it: what it sent and
// received, the coordinators' decisions it brought, and how it ended.
type Round struct {
	At          time.Time     `json:"at"`
	Duration    time.Duration `json:"duration"`
	Sent        int           `json:"sent,omitempty"`
	Accepted    int           `json:"accepted,omitempty"`
	Duplicates  int           `json:"duplicates,omitempty"`
	Refused     int           `json:"refused,omitempty"`
	Conflicts   int           `json:"conflicts,omitempty"` // sent, and in conflict on the server or here
	Received    int           `json:"received,omitempty"`  // colleagues' versions
	Approved    int           `json:"approved,omitempty"`  // review decisions: approvals
	Returned    int           `json:"returned,omitempty"`  // review decisions: sent back with comments
	Instruments int           `json:"instruments,omitempty"`
	Receipt     string        `json:"receipt,omitempty"` // the last batch's receipt id
	Failure     Failure       `json:"failure,omitempty"`
	Message     survey.Text   `json:"message,omitzero"`
	// Repeats counts the failures just like this one that followed it, folded
	// in so that a laptop offline for a day keeps its history; At is then the
	// last of them.
	Repeats int `json:"repeats,omitempty"`
	// InstrumentVersions are the instrument versions received (Instruments
	// counts them); rounds kept before they were named have only the count.
	InstrumentVersions []InstrumentVersion `json:"instrument_versions,omitempty"`
	FeedUnread         bool                `json:"feed_unread,omitempty"` // see Report.FeedUnread
}

// Idle reports whether the round completed with nothing to send or receive.
func (r *Round) Idle() bool {
	return r.Failure == "" && r.Sent+r.Received+r.Approved+r.Returned+r.Instruments == 0
}

// Rounds returns the rounds the laptop remembers, newest first. Rounds
// with nothing to send or receive are not kept (a laptop syncing every two
// minutes would write all day for nothing), so the newest round kept may be
// older than the last contact with the server.
func (c *Client) Rounds(ctx context.Context) ([]Round, error) {
	var rs []Round
	err := c.secretJSON(ctx, secretRounds, &rs)
	return rs, err
}

// remember keeps a round in the history, unless it was idle, cut short by
// the app (locking, quitting) or made before enrolment.
func (c *Client) remember(ctx context.Context, start time.Time, rep *Report, err error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, ErrNotEnrolled) || rep == nil {
		return
	}
	r := Round{At: start.UTC(), Duration: time.Since(start), Sent: rep.Sent, Accepted: rep.Accepted, Duplicates: rep.Duplicates,
		Refused: rep.Refused, Conflicts: rep.Conflicts + rep.LocalConflicts, Received: rep.Received,
		Approved: rep.Approved, Returned: rep.Returned, Instruments: rep.Instruments,
		InstrumentVersions: rep.InstrumentVersions, FeedUnread: rep.FeedUnread}
	if n := len(rep.Receipts); n > 0 {
		r.Receipt = rep.Receipts[n-1].BatchID
	}
	if err != nil {
		r.Failure, r.Message = failure(err)
	}
	if r.Idle() {
		return
	}
	// A round that ran out of time still writes its history.
	ctx = context.WithoutCancel(ctx)
	rs, rerr := c.Rounds(ctx)
	if rerr != nil {
		rs = nil // an unreadable history starts again rather than stopping sync
	}
	if len(rs) > 0 && r.Failure != "" && rs[0].Failure == r.Failure && rs[0].Message == r.Message && r.Sent+r.Received == 0 {
		rs[0].Repeats++
		rs[0].At, rs[0].Duration = r.At, r.Duration
	} else {
		rs = append([]Round{r}, rs[:min(len(rs), RoundsKept-1)]...)
	}
	if werr := c.setSecretJSON(ctx, secretRounds, rs); werr != nil {
		c.opt.Logger.Warn("sync: the history of rounds was not saved", "err", werr)
	}
}

// failure classifies what ended a round.
func failure(err error) (Failure, survey.Text) {
	var se *session.ServerError
	var off *session.OfflineError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return FailTimeout, survey.Text{}
	case errors.As(err, &se):
		return FailRefused, survey.Text{IT: se.Refusal.Message("it"), EN: se.Refusal.Message("en")}
	case errors.As(err, &off):
		return FailOffline, survey.Text{}
	}
	return FailOther, survey.Text{IT: survey.ErrorText(err, "it"), EN: survey.ErrorText(err, "en")}
}

// Holdings is what the server holds of this laptop's work, as the receipts
// kept here say.
type Holdings struct {
	Held       int // records of which the server holds a version saved here
	HeldLatest int // of those, the ones it holds at the newest version saved here
	Waiting    int // records with versions waiting to be sent
	Refused    int // versions the server refused, kept here and not sent again
}

// Holdings counts, from the local receipts, what the server holds of this
// laptop's work and what waits to be sent.
func (c *Client) Holdings(ctx context.Context) (Holdings, error) {
	s, err := c.store.SentSummary(ctx)
	if err != nil {
		return Holdings{}, err
	}
	refused := map[string]bool{}
	if err := c.secretJSON(ctx, secretRefused, &refused); err != nil {
		return Holdings{}, err
	}
	return Holdings{Held: s.Held, HeldLatest: s.HeldLatest, Waiting: s.Waiting, Refused: len(refused)}, nil
}
