// Package backend adapts the real local store and sync client to the small
// interfaces the user interface declares (package ui), so that ui never
// imports SQL or HTTP code and cmd/sinba only wires.
package backend

import (
	"context"
	"os"
	"path/filepath"

	"sinba/localdb"
	"sinba/survey"
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
type Vault struct{ Dir string }

// NewVault returns the vault of the data folder dir.
func NewVault(dir string) *Vault { return &Vault{Dir: dir} }

// Exists implements ui.Vault.
func (v *Vault) Exists() bool { return localdb.Exists(v.Dir) }

// Create implements ui.Vault.
func (v *Vault) Create(passphrase []byte) (ui.Store, string, error) {
	s, key, err := localdb.Create(v.Dir, passphrase)
	if err != nil {
		return nil, "", err
	}
	return &Store{DB: s}, key, nil
}

// Open implements ui.Vault.
func (v *Vault) Open(passphrase []byte) (ui.Store, error) {
	s, err := localdb.Open(v.Dir, passphrase)
	if err != nil {
		return nil, err
	}
	return &Store{DB: s}, nil
}

// OpenWithRecovery implements ui.Vault.
func (v *Vault) OpenWithRecovery(key string) (ui.Store, error) {
	s, err := localdb.OpenWithRecovery(v.Dir, key)
	if err != nil {
		return nil, err
	}
	return &Store{DB: s}, nil
}

// Store is an unlocked local store seen by the user interface.
type Store struct{ DB *localdb.Store }

// Actor names who saves on this laptop in the local audit trail.
const Actor = "rilevatore"

// Save implements ui.Store.
func (s *Store) Save(ctx context.Context, rec survey.Record, status survey.Status) (ui.RecordRow, error) {
	info, err := s.DB.Save(ctx, rec, localdb.SaveOptions{Status: status, Actor: Actor})
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

// List implements ui.Store.
func (s *Store) List(ctx context.Context) ([]ui.RecordRow, error) {
	infos, err := s.DB.List(ctx, localdb.Filter{})
	if err != nil {
		return nil, err
	}
	rows := make([]ui.RecordRow, len(infos))
	for i, info := range infos {
		rows[i] = row(info)
	}
	return rows, nil
}

// Lock implements ui.Store.
func (s *Store) Lock() error { return s.DB.Lock() }

func row(info localdb.RecordInfo) ui.RecordRow {
	return ui.RecordRow{
		ID:           info.ID,
		Instrument:   info.Instrument,
		Municipality: info.Municipality,
		Label:        info.Label,
		Status:       info.Status,
		Synced:       info.SyncState == localdb.SyncSent,
		Conflict:     info.Conflict,
		Updated:      info.Updated,
	}
}
