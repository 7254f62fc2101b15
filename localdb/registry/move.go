package registry

import (
	"context"

	"sinba/localdb"
	"sinba/survey"
)

// ErrNotMovable refuses to move a record that is neither a draft nor
// returned: what was finalised or approved stays as it was checked.
var ErrNotMovable = survey.NewError("solo una bozza o una scheda restituita può passare a una nuova versione dello strumento; una scheda finalizzata va prima riaperta",
	"only a draft or a returned record can move to a new instrument version; reopen a finalised record first")

var errConflict = survey.NewError("la scheda è in conflitto: risolvi prima il conflitto", "the record is in conflict: resolve the conflict first")

// Movable reports whether a record in status may move to a newer version:
// only what the researcher is still working on.
func Movable(st survey.Status) bool { return st == survey.StatusDraft || st == survey.StatusReturned }

// SaveMoved saves rec, which reg.Move carried to a newer version as m says,
// as a new version of its record edited from revision base (the head when
// ""): the version before stays in the record's history, and the new one
// notes what moved. The record must be a draft or returned.
func SaveMoved(ctx context.Context, db *localdb.Store, reg *survey.Registry, rec survey.Record, base string, m *survey.Moved, actor string) (localdb.RecordInfo, error) {
	_, info, err := db.Get(ctx, rec.ID)
	if err != nil {
		return localdb.RecordInfo{}, err
	}
	if !Movable(info.Status) {
		return localdb.RecordInfo{}, ErrNotMovable
	}
	if info.Conflict {
		return localdb.RecordInfo{}, errConflict
	}
	if rec.Version != m.To || info.InstrumentVersion != m.From {
		return localdb.RecordInfo{}, survey.Errorf("la scheda è alla versione %d, non %d", "the record is at version %d, not %d", info.InstrumentVersion, m.From)
	}
	from, _ := reg.Get(rec.Instrument, m.From)
	to, _ := reg.Get(rec.Instrument, m.To)
	// A returned record stays returned (localdb keeps the decision): the
	// move is the researcher's version, like an edit.
	return db.Save(ctx, rec, localdb.SaveOptions{Status: survey.StatusDraft, Actor: actor, BaseRevision: base, Note: m.Note(from, to)})
}

// MoveRecord moves the stored record id to version to of its instrument
// (0: the version new records take) and saves it as SaveMoved does.
func MoveRecord(ctx context.Context, db *localdb.Store, set *Set, id string, to int, actor string) (*survey.Moved, localdb.RecordInfo, error) {
	rec, info, err := db.Get(ctx, id)
	if err != nil {
		return nil, localdb.RecordInfo{}, err
	}
	if !Movable(info.Status) {
		return nil, info, ErrNotMovable
	}
	if to == 0 {
		in, _, ok := set.ForNew(rec.Instrument)
		if !ok {
			return nil, info, survey.Errorf("strumento %s sconosciuto", "unknown instrument %s", rec.Instrument)
		}
		to = in.Version
	}
	// Only to a version the project published: the server refuses any
	// other, and a move cannot be taken back.
	if !set.IsPublished(rec.Instrument, to) {
		return nil, info, survey.Errorf("la versione %d di %s non è stata pubblicata dal coordinamento (o non è ancora arrivata: sincronizza)", "version %d of %s has not been published by the coordinators (or has not arrived yet: sync)", to, rec.Instrument)
	}
	m, err := set.Registry.Move(&rec, to)
	if err != nil {
		return nil, info, err
	}
	info, err = SaveMoved(ctx, db, set.Registry, rec, info.Revision, m, actor)
	return m, info, err
}
