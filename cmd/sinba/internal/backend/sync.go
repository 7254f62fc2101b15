package backend

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"sinba/survey"
	"sinba/sync/client"
	"sinba/sync/session"
	"sinba/sync/wire"
	"sinba/ui"
)

// Syncer adapts the sync client of one unlocked store to ui.Syncer and
// ui.TeamDevices.
type Syncer struct {
	C    *client.Client
	stop func() // ends the background loop, if running

	mu      sync.Mutex
	pending map[string]client.PendingDevice // as last shown, by id
}

// NewSyncer is the ui.SyncerFactory of the app.
func NewSyncer(s ui.Store) ui.Syncer {
	st, ok := s.(*Store)
	if !ok {
		return nil
	}
	return &Syncer{C: client.New(st.DB, client.Options{})}
}

// Enrolled implements ui.Syncer.
func (s *Syncer) Enrolled(ctx context.Context) bool {
	_, err := s.C.Enrolled(ctx)
	return err == nil
}

// Server implements ui.Syncer.
func (s *Syncer) Server(ctx context.Context) string {
	e, err := s.C.Enrolled(ctx)
	if err != nil {
		return ""
	}
	if e.TeamName != "" {
		return fmt.Sprintf("%s (%s · %s)", e.ServerURL, e.ProjectName, e.TeamName)
	}
	return e.ServerURL
}

// Enrol implements ui.Syncer.
func (s *Syncer) Enrol(ctx context.Context, serverURL, code string) error {
	_, err := s.C.Enrol(ctx, serverURL, code)
	return syncError(err)
}

// Assignments implements ui.Syncer.
func (s *Syncer) Assignments(ctx context.Context) []string {
	a, _ := s.C.Assignments(ctx)
	return a
}

// LastReport implements ui.Syncer: the newest round remembered that
// completed, with the refusals of its last receipt; before any, the newest
// receipt kept in the store.
func (s *Syncer) LastReport(ctx context.Context) (*ui.SyncReport, error) {
	rounds, _ := s.C.Rounds(ctx)
	receipts, err := s.C.Receipts(ctx, 1)
	for _, r := range rounds {
		if r.Failure != "" {
			continue
		}
		rep := &ui.SyncReport{Sent: r.Sent, Accepted: r.Accepted, Refused: r.Refused, Received: r.Received,
			Approved: r.Approved, Returned: r.Returned, Conflicts: r.Conflicts, ReceiptID: shortID(r.Receipt), At: r.At,
			Instruments: r.Instruments, InstrumentVersions: uiVersions(r.InstrumentVersions), FeedUnread: r.FeedUnread}
		if len(receipts) > 0 && receipts[0].BatchID == r.Receipt {
			rep.Messages = refusals(receipts[0])
		}
		return rep, nil
	}
	if err != nil || len(receipts) == 0 {
		return nil, err
	}
	r := receipts[0]
	return &ui.SyncReport{Sent: len(r.Accepted) + len(r.Refused), Accepted: len(r.Accepted), Refused: len(r.Refused),
		ReceiptID: shortID(r.BatchID), At: r.ReceivedAt, Messages: refusals(r)}, nil
}

// uiVersions are instrument versions in the screens' terms.
func uiVersions(vs []client.InstrumentVersion) []ui.InstrumentVersion {
	var out []ui.InstrumentVersion
	for _, v := range vs {
		out = append(out, ui.InstrumentVersion{Instrument: v.ID, Version: v.Version})
	}
	return out
}

// refusals are the reasons a receipt gives for the versions it refused.
func refusals(r wire.Receipt) []survey.Text {
	var out []survey.Text
	for _, rf := range r.Refused {
		out = append(out, survey.Text{IT: rf.MessageIT, EN: rf.MessageEN})
	}
	return out
}

// Holdings implements ui.SyncHistory.
func (s *Syncer) Holdings(ctx context.Context) (ui.SyncHoldings, error) {
	h, err := s.C.Holdings(ctx)
	return ui.SyncHoldings{Held: h.Held, HeldLatest: h.HeldLatest, Waiting: h.Waiting, Refused: h.Refused}, err
}

// Rounds implements ui.SyncHistory.
func (s *Syncer) Rounds(ctx context.Context) ([]ui.SyncRound, error) {
	rs, err := s.C.Rounds(ctx)
	out := make([]ui.SyncRound, len(rs))
	for i, r := range rs {
		out[i] = ui.SyncRound{At: r.At, Sent: r.Sent, Accepted: r.Accepted, Refused: r.Refused, Conflicts: r.Conflicts,
			Received: r.Received, Approved: r.Approved, Returned: r.Returned, Instruments: r.Instruments,
			InstrumentVersions: uiVersions(r.InstrumentVersions), Failure: ui.SyncFailure(r.Failure), Message: r.Message, Repeats: r.Repeats}
	}
	return out, err
}

// SyncOnce implements ui.Syncer.
func (s *Syncer) SyncOnce(ctx context.Context, progress func(done, total int)) (ui.SyncReport, error) {
	rep, err := s.C.SyncOnce(ctx, progress)
	if rep == nil {
		return ui.SyncReport{}, syncError(err)
	}
	return uiReport(rep), syncError(err)
}

// uiReport says what a round did in the screens' terms.
func uiReport(rep *client.Report) ui.SyncReport {
	if rep == nil {
		return ui.SyncReport{}
	}
	out := ui.SyncReport{Sent: rep.Sent, Accepted: rep.Accepted, Refused: rep.Refused, Received: rep.Received,
		Approved: rep.Approved, Returned: rep.Returned, Conflicts: rep.Conflicts + rep.LocalConflicts,
		Instruments: rep.Instruments, InstrumentVersions: uiVersions(rep.InstrumentVersions), FeedUnread: rep.FeedUnread,
		WaitingTeamKey: rep.WaitingTeamKey, PendingDevices: len(rep.PendingDevices)}
	if n := len(rep.Receipts); n > 0 {
		last := rep.Receipts[n-1]
		out.ReceiptID, out.At = shortID(last.BatchID), last.ReceivedAt
		for _, r := range rep.Receipts {
			out.Messages = append(out.Messages, refusals(r)...)
		}
	}
	if out.At.IsZero() {
		out.At = timeNow()
	}
	if rep.WaitingTeamKey {
		out.Messages = append(out.Messages, survey.Text{
			IT: "In attesa della chiave della squadra da un collega già collegato: le schede restano in coda",
			EN: "Waiting for the team key from a colleague already enrolled: the records stay queued"})
	}
	return out
}

// syncError marks an unreachable server, which the screens explain.
func syncError(err error) error {
	var off *session.OfflineError
	if errors.As(err, &off) {
		return fmt.Errorf("%w: %w", ui.ErrOffline, err)
	}
	return err
}

var timeNow = time.Now

// shortID is the first block of a UUID: enough to tell receipts apart when
// reading them to a coordinator on the phone.
func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// StartBackground implements ui.BackgroundSyncer over the client's own loop,
// which backs off while the server cannot be reached.
func (s *Syncer) StartBackground(every time.Duration, report func(ui.SyncReport, error)) {
	s.StopBackground()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	s.stop = func() { cancel(); <-done }
	go func() {
		defer close(done)
		s.C.Run(ctx, every, func(rep *client.Report, err error) { report(uiReport(rep), syncError(err)) })
	}()
}

// StopBackground implements ui.BackgroundSyncer; it returns once the loop
// has ended, so the store can be locked after it.
func (s *Syncer) StopBackground() {
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
}

// Kick implements ui.BackgroundSyncer.
func (s *Syncer) Kick() { s.C.Kick() }

// Codes implements ui.TeamDevices.
func (s *Syncer) Codes(ctx context.Context) ui.KeyCodes {
	e, err := s.C.Enrolled(ctx)
	if err != nil {
		return ui.KeyCodes{}
	}
	return ui.KeyCodes{Own: e.Fingerprint, TeamKey: e.TeamKeyCode, ProjectKey: e.ProjectKeyCode}
}

// PendingDevices implements ui.TeamDevices: none when this laptop does not
// hold the team key. It remembers what it listed, so that a grant goes to
// the key that was shown.
func (s *Syncer) PendingDevices(ctx context.Context) ([]ui.PendingDevice, error) {
	ps, err := s.C.PendingDevices(ctx)
	if errors.Is(err, client.ErrNoTeamKey) {
		return nil, nil
	}
	if err != nil {
		return nil, syncError(err)
	}
	shown := map[string]client.PendingDevice{}
	out := make([]ui.PendingDevice, 0, len(ps))
	for _, p := range ps {
		shown[p.ID] = p
		out = append(out, uiDevice(p))
	}
	s.mu.Lock()
	s.pending = shown
	s.mu.Unlock()
	return out, nil
}

func uiDevice(p client.PendingDevice) ui.PendingDevice {
	return ui.PendingDevice{ID: p.ID, Label: p.Label, Researcher: p.Researcher, EnrolledAt: p.EnrolledAt,
		ByCoordinator: p.MintedBy.ByCoordinator(), Coordinator: p.MintedBy.CoordinatorLabel, Fingerprint: p.Fingerprint}
}

// TeamKeyOrigin implements ui.TeamDevices.
func (s *Syncer) TeamKeyOrigin(ctx context.Context) *ui.KeyOrigin {
	o, err := s.C.TeamKeyOrigin(ctx)
	if err != nil || o == nil {
		return nil
	}
	return &ui.KeyOrigin{MadeBy: uiDevice(o.MadeBy), GrantedBy: uiDevice(o.GrantedBy)}
}

// GrantTeamKey implements ui.TeamDevices, for a laptop PendingDevices listed
// with the same verification code.
func (s *Syncer) GrantTeamKey(ctx context.Context, d ui.PendingDevice) error {
	s.mu.Lock()
	p, ok := s.pending[d.ID]
	s.mu.Unlock()
	if !ok || p.Fingerprint != d.Fingerprint {
		return client.ErrNotPending
	}
	return syncError(s.C.GrantTeamKey(ctx, p))
}
