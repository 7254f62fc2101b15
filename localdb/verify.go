package localdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Verify reads every sealed row and SQLite's own integrity check, and
// returns the rows that fail authentication (nil when all is well). It is
// slow on a large store: meant for a "check" action, not for every unlock.
func (s *Store) Verify(ctx context.Context) ([]*TamperError, error) {
	release, err := s.begin()
	if err != nil {
		return nil, err
	}
	defer release()
	var problems []string
	rows, err := s.r.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return nil, dbError("verify", err)
	}
	for rows.Next() {
		var line string
		rows.Scan(&line)
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	rows.Close()
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w (sqlite: %s)", ErrTampered, strings.Join(problems, "; "))
	}
	var bad []*TamperError
	check := func(table, query string, open func(*sql.Rows) (string, error)) error {
		rows, err := s.r.QueryContext(ctx, query)
		if err != nil {
			return dbError("verify", err)
		}
		defer rows.Close()
		for rows.Next() {
			id, err := open(rows)
			if err != nil {
				bad = append(bad, &TamperError{Table: table, ID: id})
			}
		}
		return dbError("verify", rows.Err())
	}
	steps := []struct {
		table, query string
		open         func(*sql.Rows) (string, error)
	}{
		{"revisions", `SELECT ` + revCols + ` FROM revisions`, func(rows *sql.Rows) (string, error) {
			r, err := scanRev(rows)
			if err != nil {
				return "", err
			}
			_, err = s.openRev(r)
			return r.revision, err
		}},
		{"records", `SELECT ` + recordCols + ` FROM records r JOIN revisions v ON v.revision = r.head`, func(rows *sql.Rows) (string, error) {
			e, err := s.scanRecord(rows)
			if err != nil {
				return "", err
			}
			if e.info.Damaged {
				return e.info.ID, ErrTampered
			}
			return e.info.ID, nil
		}},
		{"audit", `SELECT seq, at, payload FROM audit`, func(rows *sql.Rows) (string, error) {
			var seq, at int64
			var sealed []byte
			if err := rows.Scan(&seq, &at, &sealed); err != nil {
				return "", err
			}
			_, err := openWith(s.k.seal, sealed, assocData("audit", fmt.Sprint(seq), fmt.Sprint(at)))
			return fmt.Sprint(seq), err
		}},
		{"receipts", `SELECT id, body FROM receipts`, func(rows *sql.Rows) (string, error) {
			var id string
			var sealed []byte
			if err := rows.Scan(&id, &sealed); err != nil {
				return "", err
			}
			_, err := openWith(s.k.seal, sealed, assocData("receipt", id))
			return id, err
		}},
		{"secrets", `SELECT key, value FROM secrets`, func(rows *sql.Rows) (string, error) {
			var key string
			var sealed []byte
			if err := rows.Scan(&key, &sealed); err != nil {
				return "", err
			}
			_, err := openWith(s.k.seal, sealed, assocData("secret", key))
			return key, err
		}},
	}
	for _, st := range steps {
		if err := check(st.table, st.query, st.open); err != nil {
			return bad, err
		}
	}
	return bad, nil
}
