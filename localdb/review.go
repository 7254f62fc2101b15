package localdb

import (
	"context"
	"database/sql"
	"errors"

	"sinba/survey"
)

// ReviewState returns where a record stands in the review loop (see
// survey.BuildReview): the last decision and the version it was about, the
// latest version from a laptop, whether it was finalised again after a
// return, what changed since (read with the instruments of reg), and every
// comment thread with its state. The versions are read in the order they
// reached this store, which no clock can reorder. A version that cannot be
// read is left out.
func (s *Store) ReviewState(ctx context.Context, id string, reg *survey.Registry) (survey.ReviewState, error) {
	h, err := s.history(ctx, id, `rowid`)
	if err != nil {
		return survey.ReviewState{}, err
	}
	seen, err := s.seenDecision(ctx, id)
	if err != nil {
		return survey.ReviewState{}, err
	}
	return survey.BuildReview(reg, ReviewSteps(h), seen), nil
}

// ReviewSteps turns a record's history into the steps survey.BuildReview
// reads. Only a version from the coordinators is a decision: the store
// refuses to save one here (ErrDecision) and reads a laptop's claim of one,
// kept by an older build, as final.
func ReviewSteps(h []Revision) []survey.ReviewStep {
	steps := make([]survey.ReviewStep, 0, len(h))
	for _, v := range h {
		if v.Err != nil {
			continue
		}
		st := v.Status
		if st.Decision() && v.Origin != OriginCoordinators {
			st = survey.StatusFinal
		}
		steps = append(steps, survey.ReviewStep{Revision: v.Revision, Base: v.BaseRevision, Status: st,
			SavedAt: v.SavedAt, Record: v.Record, Comments: v.Comments})
	}
	return steps
}

// MarkSeen records that the researcher opened a record: the threads of the
// decisions it has received so far are "seen". It writes nothing to sync.
func (s *Store) MarkSeen(ctx context.Context, id string) error {
	return s.writeTx(ctx, "mark seen", func(tx *sql.Tx) error {
		var decision string
		err := tx.QueryRowContext(ctx, `SELECT revision FROM revisions WHERE record_id = ? AND origin = ? ORDER BY rowid DESC LIMIT 1`,
			id, OriginCoordinators).Scan(&decision)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // nothing to see
		}
		if err != nil {
			return dbError("mark seen", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO review_seen(record_id, at, decision) VALUES (?, ?, ?)
			ON CONFLICT(record_id) DO UPDATE SET at = excluded.at, decision = excluded.decision`, id, unixMilli(s.now()), decision)
		return dbError("mark seen", err)
	})
}

func (s *Store) seenDecision(ctx context.Context, id string) (string, error) {
	release, err := s.begin()
	if err != nil {
		return "", err
	}
	defer release()
	var decision string
	err = s.r.QueryRowContext(ctx, `SELECT decision FROM review_seen WHERE record_id = ?`, id).Scan(&decision)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return decision, dbError("read seen", err)
}
