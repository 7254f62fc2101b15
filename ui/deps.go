package ui

import (
	"context"
	"errors"
	"time"

	"sinba/survey"
	"sinba/ui/form"
)

// The interfaces below are what the screens need from storage, the
// instrument registry and sync. They are declared here, where they are used;
// cmd/sinba adapts the real localdb, survey registry and sync client to them.

// Errors the adapters return (wrapped) so that the screens can say what to do.
var (
	ErrWrongPassphrase  = errors.New("wrong passphrase")
	ErrWrongRecoveryKey = errors.New("wrong recovery key")
	ErrOffline          = errors.New("server unreachable")
	// ErrNoPseudonymSecret: the laptop has not received the project's
	// pseudonym secret yet, so a child's pseudonym cannot be computed.
	ErrNoPseudonymSecret = errors.New("no pseudonym secret yet")
)

// Vault opens or creates the encrypted local store.
type Vault interface {
	// Exists reports whether a store has already been created on this laptop.
	Exists() bool
	// Create makes a new store protected by passphrase and returns it with
	// the recovery key, which is shown to the user once.
	Create(passphrase []byte) (Store, string, error)
	// Open unlocks the store with the passphrase.
	Open(passphrase []byte) (Store, error)
	// OpenWithRecovery unlocks the store with the recovery key.
	OpenWithRecovery(recoveryKey string) (Store, error)
	// Restore replaces the store on this laptop with an encrypted backup,
	// which opens with the passphrase it was made under. The store must be
	// locked first.
	Restore(backupPath string, passphrase []byte) (Store, error)
}

// State is where a record stands as the researcher sees it: its review
// status combined with sync and conflicts.
type State string

// The states shown in the case list and counted on the home screen.
const (
	StateDraft    State = "draft"
	StateFinal    State = "final"    // finalised, not yet received by the server
	StateSynced   State = "synced"   // received by the server
	StateReturned State = "returned" // sent back by a coordinator with comments
	StateApproved State = "approved"
	StateConflict State = "conflict" // two edits of the same version: a person must choose
)

// States lists the states in the order the screens show them.
var States = []State{StateConflict, StateReturned, StateDraft, StateFinal, StateSynced, StateApproved}

// RecordRow is one line of the case list.
type RecordRow struct {
	ID           string
	Revision     string // the version shown: an edit saved from it names it as its base
	Instrument   string
	Version      int
	Municipality string
	Label        string // a display name the store decrypted: name or pseudonym
	Status       survey.Status
	Synced       bool
	Conflict     bool
	Updated      time.Time
}

// State is the row's state as the screens show it.
func (r RecordRow) State() State {
	switch {
	case r.Conflict:
		return StateConflict
	case r.Status == survey.StatusReturned:
		return StateReturned
	case r.Status == survey.StatusApproved:
		return StateApproved
	case r.Status == survey.StatusDraft:
		return StateDraft
	case r.Synced:
		return StateSynced
	}
	return StateFinal
}

// Sort orders the case list.
type Sort string

// The orders of the case list.
const (
	SortUpdated Sort = ""       // most recently changed first
	SortLabel   Sort = "label"  // by name, A to Z
	SortStatus  Sort = "status" // by state
)

// Filter selects records for the case list. Empty fields match everything.
type Filter struct {
	Instrument   string
	Municipality string
	State        State
	Query        string // words matched against name, codice fiscale and pseudonym
	Sort         Sort
}

// Store is an unlocked local store.
type Store interface {
	// Save stores a new version of rec edited from revision base ("" for a
	// new record); if base is no longer the newest version, both are kept
	// and the record is in conflict.
	Save(ctx context.Context, rec survey.Record, status survey.Status, base string) (RecordRow, error)
	Get(ctx context.Context, id string) (survey.Record, RecordRow, error)
	// List returns the rows matching f; it reads an in-memory index, so it
	// can run on every key press.
	List(ctx context.Context, f Filter) ([]RecordRow, error)
	// ReviewState returns where a record stands in the review loop: the
	// coordinators' comment threads (kept until they approve the record),
	// each with its state and the researcher's replies.
	ReviewState(ctx context.Context, id string) (survey.ReviewState, error)
	// MarkSeen records that the researcher opened the record: its open
	// threads are "seen".
	MarkSeen(ctx context.Context, id string) error
	// Conflict returns the two versions of a record in conflict: the one on
	// this laptop and the other one.
	Conflict(ctx context.Context, id string) (mine, theirs survey.Record, err error)
	// Resolve ends a conflict with the version a person put together.
	Resolve(ctx context.Context, id string, merged survey.Record) (RecordRow, error)
	// SaveMoved saves rec, moved to a newer instrument version (Instruments.Move),
	// as a new version of the record edited from revision base, with a line
	// in its history saying what moved; the version before stays in the
	// history. Only a draft or a returned record moves.
	SaveMoved(ctx context.Context, rec survey.Record, base string, m *survey.Moved) (RecordRow, error)
	// ChangePassphrase replaces the passphrase; old is ignored when the
	// store was opened with the recovery key.
	ChangePassphrase(old, new []byte) error
	// Backup writes an encrypted copy of the store to path.
	Backup(ctx context.Context, path string) error
	// SetIdleLock locks the store after d without Touch and then calls
	// onLock from another goroutine; d <= 0 turns it off.
	SetIdleLock(d time.Duration, onLock func())
	// Touch records activity for the idle lock.
	Touch()
	// Lock drops the keys from memory; the store must be opened again.
	Lock() error
}

// Pseudonymizer is implemented by a store that can derive a child's
// IDBeneficiario from the codice fiscale with the project's key.
type Pseudonymizer interface {
	Pseudonym(fiscalCode string) (string, error)
}

// RecoveryChecker is implemented by a store that can check a recovery key
// without replacing the open session.
type RecoveryChecker interface {
	CheckRecoveryKey(key string) error
}

// Instruments gives the forms of the instruments and the reference lists.
type Instruments interface {
	// Form returns the form of an instrument version (0: the newest) with
	// its texts in language, rules included.
	Form(instrument string, version int, language string) (*form.Spec, error)
	// Municipalities searches the Italian municipalities by name or code.
	Municipalities(language string) form.Source
	// Refresh reads the instrument versions published in the project that
	// the store holds: after the store opens and after a sync round that
	// received some. It runs off the UI goroutine.
	Refresh(ctx context.Context, s Store) error
	// Problems are the published versions received that this app cannot
	// use (each says to update the app).
	Problems() []survey.Text
	// Current is the version new records of the instrument take, and
	// whether the project has published it (false: none received yet, so
	// the version built into the app, which the server takes only once
	// the coordinators publish it).
	Current(instrument string) (version int, published bool)
	// Move computes rec moved to version to by the migrations the versions
	// declare, without saving it: the moved record and what moved.
	Move(rec survey.Record, to int) (survey.Record, *survey.Moved, error)
	// Lines says what a move did, one line per change (survey.Moved.Lines).
	MoveLines(instrument string, m *survey.Moved) []survey.Text
}

// SyncReport is what a sync round tells the user.
type SyncReport struct {
	Sent, Accepted, Refused int
	Received                int  // colleagues' versions
	Approved, Returned      int  // coordinators' decisions: approved, sent back with comments
	Conflicts               int  // records in conflict
	Instruments             int  // instrument versions received
	WaitingTeamKey          bool // enrolled, the laptop waits for a colleague to hand over the team key
	PendingDevices          int  // team laptops waiting for this one to hand them the team key
	ReceiptID               string
	Messages                []survey.Text // refusals and notices
	At                      time.Time
	// InstrumentVersions names the instrument versions received (a report
	// of a round kept before they were named has only the count).
	InstrumentVersions []InstrumentVersion
	// FeedUnread: the round stopped before the end of what the server has
	// (waiting for the team key), so versions it published may still come.
	FeedUnread bool
	// Before is the last round that moved something, when this one moved
	// nothing: the receipt of an idle round says what the one before brought
	// rather than contradicting the history of rounds.
	Before *SyncReport
}

// Idle reports whether the round sent and received nothing.
func (r *SyncReport) Idle() bool {
	return r.Sent+r.Received+r.Approved+r.Returned+r.Instruments == 0
}

// InstrumentVersion names one version of an instrument.
type InstrumentVersion struct {
	Instrument string
	Version    int
}

// PublishedVersion is a version of an instrument the project published that
// the store holds; Problem, when set, says why this app cannot read it.
type PublishedVersion struct {
	InstrumentVersion
	Problem *survey.Text
}

// PublishedInstruments is implemented by Instruments that can say which
// published versions the store holds, for the sync receipt.
type PublishedInstruments interface {
	// Published lists them by instrument, oldest version first; err is set
	// when the last Refresh failed (the list is then the one before it).
	Published() (versions []PublishedVersion, err error)
	// Title is the instrument's title in language; its id when unknown.
	Title(instrument, language string) string
}

// SyncFailure says why a sync round did not complete.
type SyncFailure string

// The failures of a round, as SyncHistory reports them.
const (
	SyncOffline SyncFailure = "offline" // the server could not be reached
	SyncTimeout SyncFailure = "timeout" // the round took too long
	SyncRefused SyncFailure = "refused" // the server refused (Message says why)
	SyncFailed  SyncFailure = "other"   // anything else (Message says what)
)

// SyncRound is one past sync round, for the history on the sync screen.
type SyncRound struct {
	At                                 time.Time // when it started (the last attempt, for repeated failures)
	Sent, Accepted, Refused, Conflicts int
	Received, Approved, Returned       int
	Instruments                        int                 // instrument versions received
	InstrumentVersions                 []InstrumentVersion // which (none in rounds kept before they were named)
	Failure                            SyncFailure         // "" when the round completed
	Message                            survey.Text         // the refusal or the error, for Failure
	Repeats                            int                 // failures just like it that followed, folded in
}

// SyncHoldings is what the server holds of this laptop's work, from the
// receipts kept on the laptop.
type SyncHoldings struct {
	Held       int // records of which the server holds a version saved here
	HeldLatest int // of those, the ones held at their newest version
	Waiting    int // records with versions waiting to be sent
	Refused    int // versions the server refused, kept here unsent
}

// SyncHistory is implemented by a Syncer that remembers its recent rounds
// and can tell, from its receipts, what the server holds of its work.
type SyncHistory interface {
	Holdings(ctx context.Context) (SyncHoldings, error)
	// Rounds are the rounds remembered, newest first; rounds with nothing
	// to send or receive are not among them.
	Rounds(ctx context.Context) ([]SyncRound, error)
}

// Syncer talks to the central server.
type Syncer interface {
	// Enrolled reports whether this laptop is enrolled with a server.
	Enrolled(ctx context.Context) bool
	// Server is the address of the server the laptop is enrolled with.
	Server(ctx context.Context) string
	// Enrol registers the laptop with the server using a one-time code.
	Enrol(ctx context.Context, serverURL, code string) error
	// Assignments are the team's pilot municipalities (ISTAT codes), as
	// the server last said.
	Assignments(ctx context.Context) []string
	// LastReport is the report of the last sync round, if any.
	LastReport(ctx context.Context) (*SyncReport, error)
	// SyncOnce runs one round; progress is called with records done so far.
	SyncOnce(ctx context.Context, progress func(done, total int)) (SyncReport, error)
}

// TeamDevices is implemented by a Syncer that can hand the team key to a
// new laptop of the team. It never does so by itself: a researcher of the
// team confirms each laptop here, after comparing its verification code.
type TeamDevices interface {
	// Codes are this laptop's verification code and those of the keys it
	// holds; empty before enrolment.
	Codes(ctx context.Context) KeyCodes
	// PendingDevices lists the team's laptops waiting for the team key;
	// none when this laptop does not hold the key.
	PendingDevices(ctx context.Context) ([]PendingDevice, error)
	// GrantTeamKey hands the team key to the laptop as it was shown.
	GrantTeamKey(ctx context.Context, d PendingDevice) error
	// TeamKeyOrigin says which laptops made the team key held here and
	// handed it over (described without fingerprints); nil before the key.
	TeamKeyOrigin(ctx context.Context) *KeyOrigin
}

// KeyCodes are codes for people to compare (XXXX-XXXX-XXXX-XXXX): this
// laptop's own, which a teammate checks before confirming it, and those of
// the team key (empty before it arrives) and of the project key, the same
// on every laptop of the team and of the project.
type KeyCodes struct {
	Own, TeamKey, ProjectKey string
}

// KeyOrigin is where this laptop's team key came from, as the server says.
type KeyOrigin struct {
	MadeBy, GrantedBy PendingDevice
}

// PendingDevice is a laptop of the team waiting for the team key. Its name,
// researcher, enrolment time and code maker are what the server says; the
// verification code is computed on this laptop from the key it would get.
type PendingDevice struct {
	ID, Label, Researcher string
	EnrolledAt            time.Time
	ByCoordinator         bool   // a coordinator's app made its enrolment code
	Coordinator           string // that app's name
	Fingerprint           string
}

// BackgroundSyncer is implemented by a Syncer that can sync by itself while
// the store is open: every few minutes when the server is reachable, at
// once when kicked (after a save), waiting longer while it is not.
type BackgroundSyncer interface {
	// StartBackground starts the loop; report hears of every round, from
	// another goroutine.
	StartBackground(every time.Duration, report func(SyncReport, error))
	// StopBackground ends the loop; a round under way is abandoned safely.
	StopBackground()
	// Kick asks the loop to sync now.
	Kick()
}

// BackgroundEvery is how often the app syncs by itself.
var BackgroundEvery = 2 * time.Minute

// SyncerFactory returns the sync client for an unlocked store.
type SyncerFactory func(Store) Syncer
