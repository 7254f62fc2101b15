package ui

import (
	"context"
	"time"

	"sinba/survey"
)

// The interfaces below are what the screens need from storage and sync.
// They are declared here, where they are used; cmd/sinba adapts the real
// localdb and sync client to them, and tests can use the real ones too.

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
}

// RecordRow is one line of the case list.
type RecordRow struct {
	ID           string
	Instrument   string
	Municipality string
	Label        string // a display name the store decrypted: name or pseudonym
	Status       survey.Status
	Synced       bool
	Conflict     bool
	Updated      time.Time
}

// Store is an unlocked local store.
type Store interface {
	Save(ctx context.Context, rec survey.Record, status survey.Status) (RecordRow, error)
	Get(ctx context.Context, id string) (survey.Record, RecordRow, error)
	List(ctx context.Context) ([]RecordRow, error)
	// Lock drops the keys from memory; the store must be opened again.
	Lock() error
}

// SyncReport is what a sync round tells the user.
type SyncReport struct {
	Sent, Accepted, Refused, Received int
	ReceiptID                         string
	Messages                          []string // refusals and notices, in the user's language
	At                                time.Time
}

// Syncer talks to the central server.
type Syncer interface {
	// Enrolled reports whether this laptop is enrolled with a server.
	Enrolled(ctx context.Context) bool
	// Enrol registers the laptop with the server using a one-time code.
	Enrol(ctx context.Context, serverURL, code string) error
	// SyncOnce runs one round; progress is called with records done so far.
	SyncOnce(ctx context.Context, progress func(done, total int)) (SyncReport, error)
}

// SyncerFactory returns the sync client for an unlocked store.
type SyncerFactory func(Store) Syncer
