// Package backend adapts the real local store, instrument registry and sync
// client to the small interfaces the user interface declares (package ui),
// so that ui never imports SQL or HTTP code and cmd/sinba only wires.
package backend

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"sinba/localdb"
	"sinba/localdb/registry"
	"sinba/survey"
	"sinba/sync/client"
	"sinba/ui"
)

// DefaultDataDir is where the app keeps its encrypted store when --data is
// not given: $SINBA_DATA, or the user's configuration folder
// (~/.config/sinba on Linux, %AppData%\sinba on Windows).
func DefaultDataDir() string {
	if d := os.Getenv("SINBA_DATA"); d != "" {
		return d
	}
	base, err := os.UserConfigDir()
	if err != nil {
		base = "."
	}
	return filepath.Join(base, "sinba")
}

// Vault opens the encrypted store in one data folder.
type Vault struct {
	Dir string
	// Options tune the store; tests pass cheap KDF parameters.
	Options localdb.Options
	// Instruments is the app's instrument registry: each store opened here
	// refreshes it with the versions the store holds (nil: the review loop
	// compares answers as they are).
	Instruments *Instruments
}

// NewVault returns the vault of the data folder dir.
func NewVault(dir string) *Vault { return &Vault{Dir: dir} }

// Exists implements ui.Vault.
func (v *Vault) Exists() bool { return localdb.Exists(v.Dir) }

// Create implements ui.Vault.
func (v *Vault) Create(passphrase []byte) (ui.Store, string, error) {
	s, key, err := localdb.CreateWith(v.Dir, passphrase, v.Options)
	if err != nil {
		return nil, "", err
	}
	return v.wrap(s), key, nil
}

// Open implements ui.Vault.
func (v *Vault) Open(passphrase []byte) (ui.Store, error) {
	s, err := localdb.OpenWith(v.Dir, passphrase, v.Options)
	if err != nil {
		return nil, uiError(err)
	}
	return v.wrap(s), nil
}

// OpenWithRecovery implements ui.Vault.
func (v *Vault) OpenWithRecovery(key string) (ui.Store, error) {
	s, err := localdb.OpenWithRecoveryOpts(v.Dir, key, v.Options)
	if err != nil {
		return nil, uiError(err)
	}
	return v.wrap(s), nil
}

// Restore implements ui.Vault. The store it replaces is kept beside it by
// localdb, never deleted.
func (v *Vault) Restore(backupPath string, passphrase []byte) (ui.Store, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := localdb.RestoreWith(ctx, backupPath, v.Dir, localdb.Credentials{Passphrase: passphrase}, true, v.Options); err != nil {
		return nil, uiError(err)
	}
	st, err := v.Open(passphrase)
	if err != nil {
		return nil, err
	}
	// The backup carries the enrolment of the laptop it was made on; this
	// one must enrol again as a laptop of its own.
	if err := client.ForgetDevice(ctx, st.(*Store).DB); err != nil {
		_ = st.Lock()
		return nil, err
	}
	return st, nil
}

// wrap makes the opened store the one the app's instruments read: before
// the first screen shows, so that every record held opens at once.
func (v *Vault) wrap(s *localdb.Store) *Store {
	if v.Instruments != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// A store whose list cannot be read still opens: the built-in
		// versions read most records, and the next sync writes it again.
		_ = v.Instruments.refresh(ctx, s)
	}
	return &Store{DB: s, vault: v}
}

// uiError marks the errors the screens explain in their own words.
func uiError(err error) error {
	switch {
	case errors.Is(err, localdb.ErrWrongPassphrase):
		return fmt.Errorf("%w: %w", ui.ErrWrongPassphrase, err)
	case errors.Is(err, localdb.ErrWrongRecoveryKey), errors.Is(err, localdb.ErrMalformedRecoveryKey):
		return fmt.Errorf("%w: %w", ui.ErrWrongRecoveryKey, err)
	}
	return err
}

// Store is an unlocked local store seen by the user interface.
type Store struct {
	DB    *localdb.Store
	vault *Vault
}

// Actor names who saves on this laptop in the local audit trail.
const Actor = "rilevatore"

// Save implements ui.Store.
func (s *Store) Save(ctx context.Context, rec survey.Record, status survey.Status, base string) (ui.RecordRow, error) {
	info, err := s.DB.Save(ctx, rec, localdb.SaveOptions{Status: status, Actor: Actor, BaseRevision: base})
	if err != nil {
		return ui.RecordRow{}, err
	}
	return row(info), nil
}

// Get implements ui.Store.
func (s *Store) Get(ctx context.Context, id string) (survey.Record, ui.RecordRow, error) {
	rec, info, err := s.DB.Get(ctx, id)
	if err != nil {
		return survey.Record{}, ui.RecordRow{}, err
	}
	return rec, row(info), nil
}

// List implements ui.Store. The sync state is not a column of the index, so
// "final" and "synced" are told apart here.
func (s *Store) List(ctx context.Context, f ui.Filter) ([]ui.RecordRow, error) {
	lf := localdb.Filter{Instrument: f.Instrument, Municipality: f.Municipality, Query: f.Query}
	switch f.Sort {
	case ui.SortLabel:
		lf.Sort = localdb.SortLabel
	case ui.SortStatus:
		lf.Sort = localdb.SortStatus
	}
	switch f.State {
	case ui.StateConflict:
		lf.Conflict = true
	case ui.StateDraft:
		lf.Status = survey.StatusDraft
	case ui.StateReturned:
		lf.Status = survey.StatusReturned
	case ui.StateApproved:
		lf.Status = survey.StatusApproved
	case ui.StateFinal, ui.StateSynced:
		lf.Status = survey.StatusFinal
	}
	infos, err := s.DB.List(ctx, lf)
	if err != nil {
		return nil, err
	}
	rows := make([]ui.RecordRow, 0, len(infos))
	for _, info := range infos {
		r := row(info)
		if f.State != "" && r.State() != f.State {
			continue
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// ReviewState implements ui.Store: the record's review threads.
func (s *Store) ReviewState(ctx context.Context, id string) (survey.ReviewState, error) {
	var reg *survey.Registry
	if s.vault.Instruments != nil {
		reg = s.vault.Instruments.Registry()
	}
	return s.DB.ReviewState(ctx, id, reg)
}

// SaveMoved implements ui.Store.
func (s *Store) SaveMoved(ctx context.Context, rec survey.Record, base string, m *survey.Moved) (ui.RecordRow, error) {
	info, err := registry.SaveMoved(ctx, s.DB, s.vault.Instruments.Registry(), rec, base, m, Actor)
	if err != nil {
		return ui.RecordRow{}, err
	}
	return row(info), nil
}

// MarkSeen implements ui.Store.
func (s *Store) MarkSeen(ctx context.Context, id string) error {
	return s.DB.MarkSeen(ctx, id)
}

// Conflict implements ui.Store.
func (s *Store) Conflict(ctx context.Context, id string) (mine, theirs survey.Record, err error) {
	mine, info, err := s.DB.Get(ctx, id)
	if err != nil {
		return mine, theirs, err
	}
	if info.OtherRevision == "" {
		return mine, mine, nil
	}
	other, err := s.DB.GetRevision(ctx, info.OtherRevision)
	if err != nil {
		return mine, theirs, err
	}
	if other.Err != nil {
		return mine, theirs, other.Err
	}
	return mine, other.Record, nil
}

// Resolve implements ui.Store.
func (s *Store) Resolve(ctx context.Context, id string, merged survey.Record) (ui.RecordRow, error) {
	info, err := s.DB.Resolve(ctx, id, merged, Actor)
	if err != nil {
		return ui.RecordRow{}, err
	}
	return row(info), nil
}

// ChangePassphrase implements ui.Store.
func (s *Store) ChangePassphrase(old, new []byte) error {
	return uiError(s.DB.ChangePassphrase(old, new))
}

// CheckRecoveryKey implements ui.RecoveryChecker: it opens the same folder
// a second time with the key and closes it at once.
func (s *Store) CheckRecoveryKey(key string) error {
	o, err := localdb.OpenWithRecoveryOpts(s.DB.Dir(), key, s.vault.Options)
	if err != nil {
		return uiError(err)
	}
	return o.Lock()
}

// Backup implements ui.Store.
func (s *Store) Backup(ctx context.Context, path string) error { return s.DB.Backup(ctx, path) }

// SetIdleLock implements ui.Store.
func (s *Store) SetIdleLock(d time.Duration, onLock func()) { s.DB.SetIdleLock(d, onLock) }

// Touch implements ui.Store.
func (s *Store) Touch() { s.DB.Touch() }

// Lock implements ui.Store.
func (s *Store) Lock() error { return s.DB.Lock() }

func row(info localdb.RecordInfo) ui.RecordRow {
	return ui.RecordRow{
		ID:           info.ID,
		Revision:     info.Revision,
		Instrument:   info.Instrument,
		Version:      info.InstrumentVersion,
		Municipality: info.Municipality,
		Label:        info.Label,
		Status:       info.Status,
		Synced:       info.SyncState == localdb.SyncSent || info.SyncState == localdb.SyncRemote,
		Conflict:     info.Conflict,
		Updated:      info.Updated,
	}
}

// Pseudonym implements ui.Pseudonymizer: the child's IDBeneficiario is
// derived from the codice fiscale with the project's pseudonym secret, which
// the laptop receives sealed through sync after enrolment, so every laptop
// of the project gives the same child the same pseudonym and the server can
// compute none. Until the secret has arrived it answers
// client.ErrNoPseudonymSecret and the record waits for it.
func (s *Store) Pseudonym(fiscalCode string) (string, error) {
	secret, err := client.PseudonymSecret(context.Background(), s.DB)
	if errors.Is(err, client.ErrNoPseudonymSecret) {
		return "", fmt.Errorf("%w: %w", ui.ErrNoPseudonymSecret, err)
	}
	if err != nil {
		return "", err
	}
	return survey.Pseudonym(fiscalCode, secret)
}
