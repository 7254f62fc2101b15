package localdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"sinba/survey"
)

// PseudonymField is the answer that holds a child's pseudonymous identifier
// (SINBA's IDBeneficiario); it is indexed for Lookup and search.
const PseudonymField = "IDBeneficiario"

// normalizeFiscalCode brings a codice fiscale to the form the blind index
// hashes (capitals, no spaces, omocodia undone), so that the same code typed
// differently finds the same child. If a later version normalises otherwise,
// the next unlock rebuilds the blind index (see ensureBlindIndex).
var normalizeFiscalCode = survey.NormalizeFiscalCode

// summary is what the in-memory index needs of a record, sealed in
// records.summary so that unlocking decrypts small blobs, not every record.
type summary struct {
	Label      string `json:"l,omitempty"`
	FiscalCode string `json:"cf,omitempty"`
	Pseudonym  string `json:"p,omitempty"`
}

func summarize(rec *survey.Record) summary {
	var sm summary
	if id := rec.Identity; !id.Empty() {
		sm.Label = strings.TrimSpace(id.Surname + " " + id.Name)
		sm.FiscalCode = id.FiscalCode
	}
	if p, ok := rec.Answers[PseudonymField].(string); ok {
		sm.Pseudonym = strings.TrimSpace(p)
	}
	if sm.Label == "" {
		sm.Label = sm.Pseudonym
	}
	return sm
}

// blindTags are the blind index entries of a record: exact lookups by
// codice fiscale and by pseudonym.
func (k *keys) blindTags(sm summary) [][]byte {
	var tags [][]byte
	if cf := normalizeFiscalCode(sm.FiscalCode); cf != "" {
		tags = append(tags, k.blindMAC("cf", cf))
	}
	if sm.Pseudonym != "" {
		tags = append(tags, k.blindMAC("pseudonym", sm.Pseudonym))
	}
	return tags
}

// memIndex is built at unlock from the sealed summaries and dropped at lock:
// typing in the search box never touches the disk or decrypts a record.
type memIndex struct {
	mu      sync.RWMutex
	entries map[string]*indexEntry
}

type indexEntry struct {
	info   RecordInfo
	search string // lower-case label, codice fiscale and pseudonym
	label  string // lower-case label, the key of SortLabel
}

func newIndexEntry(info RecordInfo, sm summary) *indexEntry {
	info.Label = sm.Label
	return &indexEntry{info: info, label: strings.ToLower(sm.Label),
		search: strings.ToLower(strings.Join([]string{sm.Label, normalizeFiscalCode(sm.FiscalCode), sm.Pseudonym}, "\x00"))}
}

func (m *memIndex) put(e *indexEntry) {
	m.mu.Lock()
	m.entries[e.info.ID] = e
	m.mu.Unlock()
}

func (m *memIndex) get(id string) (RecordInfo, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	e, ok := m.entries[id]
	if !ok {
		return RecordInfo{}, false
	}
	return e.info, true
}

func (m *memIndex) setSync(revisions map[string]bool, state SyncState) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range m.entries {
		if revisions[e.info.Revision] {
			e.info.SyncState = state
		}
	}
}

const recordCols = `r.id, r.instrument, r.instrument_version, r.municipality, r.status, r.head, r.other_head,
	r.created, r.updated, r.summary, v.base, v.sync_state`

type scanner interface{ Scan(...any) error }

// scanRecord reads a records row joined with its head revision and opens
// its summary. A summary that fails authentication still yields the plain
// columns, flagged Damaged, so one bad row does not hide the others.
func (s *Store) scanRecord(sc scanner) (*indexEntry, error) {
	var info RecordInfo
	var status, syncState string
	var created, updated int64
	var sealed []byte
	if err := sc.Scan(&info.ID, &info.Instrument, &info.InstrumentVersion, &info.Municipality, &status,
		&info.Revision, &info.OtherRevision, &created, &updated, &sealed, &info.BaseRevision, &syncState); err != nil {
		return nil, err
	}
	info.Status = survey.Status(status)
	info.SyncState = SyncState(syncState)
	info.Conflict = info.OtherRevision != ""
	info.Created, info.Updated = fromMilli(created), fromMilli(updated)
	var sm summary
	pt, err := openWith(s.k.seal, sealed, assocData("summary", info.ID, info.Revision))
	if err == nil {
		err = json.Unmarshal(pt, &sm)
	}
	if err != nil {
		info.Damaged = true
	}
	return newIndexEntry(info, sm), nil
}

func (s *Store) loadIndex(ctx context.Context) error {
	rows, err := s.r.QueryContext(ctx, `SELECT `+recordCols+` FROM records r JOIN revisions v ON v.revision = r.head`)
	if err != nil {
		return dbError("load index", err)
	}
	defer rows.Close()
	idx := &memIndex{entries: map[string]*indexEntry{}}
	for rows.Next() {
		e, err := s.scanRecord(rows)
		if err != nil {
			return dbError("load index", err)
		}
		idx.entries[e.info.ID] = e
	}
	if err := rows.Err(); err != nil {
		return dbError("load index", err)
	}
	s.idx = idx
	return nil
}

// Filter selects records for List. Empty fields match everything.
type Filter struct {
	Instrument   string
	Municipality string
	Status       survey.Status
	Conflict     bool   // only records in conflict
	Query        string // words matched against name, codice fiscale and pseudonym
	Sort         Sort
	Limit        int // 0 = no limit
	Offset       int
}

// Sort orders List results.
type Sort string

// The orders of List; the zero value is SortUpdated.
const (
	SortUpdated Sort = ""        // most recently changed first
	SortCreated Sort = "created" // newest first
	SortLabel   Sort = "label"   // by display label, A to Z
	SortStatus  Sort = "status"  // by status, then most recently changed
)

// List returns the records matching f from the in-memory index: it never
// decrypts a record, so it can run on every key press.
func (s *Store) List(ctx context.Context, f Filter) ([]RecordInfo, error) {
	release, err := s.begin()
	if err != nil {
		return nil, err
	}
	defer release()
	words := strings.Fields(strings.ToLower(f.Query))
	if len(words) > 0 {
		// The codice fiscale is indexed normalised; so is the query word.
		for i, w := range words {
			if n := strings.ToLower(normalizeFiscalCode(w)); n != "" {
				words[i] = n
			}
		}
	}
	// Matches are gathered and sorted as pointers with precomputed keys, and
	// copied out once: the search box calls this on every key press, over
	// tens of thousands of records.
	s.idx.mu.RLock()
	defer s.idx.mu.RUnlock()
	matches := make([]*indexEntry, 0, min(len(s.idx.entries), 256))
	for _, e := range s.idx.entries {
		in := &e.info
		if (f.Instrument != "" && in.Instrument != f.Instrument) ||
			(f.Municipality != "" && in.Municipality != f.Municipality) ||
			(f.Status != "" && in.Status != f.Status) ||
			(f.Conflict && !in.Conflict) {
			continue
		}
		match := true
		for _, w := range words {
			if !strings.Contains(e.search, w) {
				match = false
				break
			}
		}
		if match {
			matches = append(matches, e)
		}
	}
	sortEntries(matches, f.Sort)
	if f.Offset > 0 {
		if f.Offset >= len(matches) {
			return nil, nil
		}
		matches = matches[f.Offset:]
	}
	if f.Limit > 0 && len(matches) > f.Limit {
		matches = matches[:f.Limit]
	}
	out := make([]RecordInfo, len(matches))
	for i, e := range matches {
		out[i] = e.info
	}
	return out, nil
}

func sortEntries(es []*indexEntry, by Sort) {
	newer := func(a, b *RecordInfo, ta, tb time.Time) int {
		if c := tb.Compare(ta); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	}
	slices.SortFunc(es, func(x, y *indexEntry) int {
		a, b := &x.info, &y.info
		switch by {
		case SortCreated:
			return newer(a, b, a.Created, b.Created)
		case SortLabel:
			if c := strings.Compare(x.label, y.label); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		case SortStatus:
			if c := strings.Compare(string(a.Status), string(b.Status)); c != 0 {
				return c
			}
		}
		return newer(a, b, a.Updated, b.Updated)
	})
}

// Lookup finds records by exact codice fiscale or pseudonym through the
// blind index: one indexed query, no decryption.
func (s *Store) Lookup(ctx context.Context, fiscalCodeOrPseudonym string) ([]RecordInfo, error) {
	release, err := s.begin()
	if err != nil {
		return nil, err
	}
	defer release()
	q := strings.TrimSpace(fiscalCodeOrPseudonym)
	if q == "" {
		return nil, nil
	}
	tags := s.k.blindTags(summary{FiscalCode: q, Pseudonym: q})
	args := make([]any, len(tags))
	for i, t := range tags {
		args[i] = t
	}
	rows, err := s.r.QueryContext(ctx, `SELECT DISTINCT record_id FROM blind_index WHERE tag IN (`+inList(len(tags))+`) ORDER BY record_id`, args...)
	if err != nil {
		return nil, dbError("lookup", err)
	}
	defer rows.Close()
	var out []RecordInfo
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, dbError("lookup", err)
		}
		if info, ok := s.idx.get(id); ok {
			out = append(out, info)
		}
	}
	return out, dbError("lookup", rows.Err())
}

// normaliserProbe fingerprints normalizeFiscalCode by its answers to a few
// inputs (lower case, spaces, omocodia), so that unlocking notices when the
// normaliser has changed and rebuilds the blind index.
func normaliserProbe() string {
	h := sha256.New()
	for _, in := range []string{" rssmra80a01h501u ", "RSSMRA80A01H5LMX", "RSS MRA 80A01 H501U", "bnclra12m41f839r"} {
		h.Write([]byte(normalizeFiscalCode(in)))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ensureBlindIndex rebuilds the blind index when the normaliser changed
// since it was written.
func (s *Store) ensureBlindIndex(ctx context.Context) error {
	var stored string
	err := s.w.QueryRowContext(ctx, `SELECT value FROM store_meta WHERE key = 'cf_normaliser'`).Scan(&stored)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return dbError("blind index", err)
	}
	if stored == normaliserProbe() {
		return nil
	}
	return s.reindex(ctx)
}

// Reindex rewrites the blind index from the sealed summaries. Unlocking
// calls it by itself when the normaliser changed.
func (s *Store) Reindex(ctx context.Context) error {
	release, err := s.begin()
	if err != nil {
		return err
	}
	defer release()
	return s.reindex(ctx)
}

func (s *Store) reindex(ctx context.Context) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return dbError("reindex", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id, head, summary FROM records`)
	if err != nil {
		return dbError("reindex", err)
	}
	type tagged struct {
		id   string
		tags [][]byte
	}
	var all []tagged
	for rows.Next() {
		var id, head string
		var sealed []byte
		if err := rows.Scan(&id, &head, &sealed); err != nil {
			rows.Close()
			return dbError("reindex", err)
		}
		var sm summary
		pt, err := openWith(s.k.seal, sealed, assocData("summary", id, head))
		if err == nil && json.Unmarshal(pt, &sm) == nil {
			all = append(all, tagged{id, s.k.blindTags(sm)})
		}
	}
	rows.Close()
	if _, err := tx.ExecContext(ctx, `DELETE FROM blind_index`); err != nil {
		return dbError("reindex", err)
	}
	for _, t := range all {
		for _, tag := range t.tags {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO blind_index(tag, record_id) VALUES (?, ?)`, tag, t.id); err != nil {
				return dbError("reindex", err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO store_meta(key, value) VALUES ('cf_normaliser', ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, normaliserProbe()); err != nil {
		return dbError("reindex", err)
	}
	return dbError("reindex", tx.Commit())
}
