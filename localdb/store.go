package localdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"sinba/survey"
)

// Options tune a store. The zero value is what the app uses.
type Options struct {
	// KDF are the Argon2id parameters for new passphrase wraps (Create and
	// ChangePassphrase). Zero means DefaultKDF. Tests pass cheap ones.
	KDF KDFParams
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	schema int // tests: stop migrations at this version (0 = all)
}

func (o Options) kdf() KDFParams {
	if o.KDF == (KDFParams{}) {
		return DefaultKDF
	}
	return o.KDF
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Store is an unlocked local store. It is safe for concurrent use. After Lock
// (or Close, or the idle timeout) every method returns ErrLocked; open the
// folder again to go on.
type Store struct {
	dir  string
	opts Options

	// mu is held for reading by every operation and for writing by Lock, so
	// keys are never wiped under a running operation.
	mu sync.RWMutex
	k  *keys
	w  *sql.DB // the one writer connection
	// stmts are the save path's statements, prepared on w.
	stmts stmtCache
	r     *sql.DB // the reader pool

	// wmu orders write operations together with the in-memory index update
	// that follows their commit.
	wmu sync.Mutex
	idx *memIndex

	recovered bool // opened with the recovery key: ChangePassphrase needs no old one

	idleMu    sync.Mutex
	idle      time.Duration
	idleTimer *time.Timer
	onLock    func()
	lastTouch atomic.Int64 // unix nanoseconds
}

// Exists reports whether dir holds a store.
func Exists(dir string) bool {
	fi, err := os.Stat(dbPath(dir))
	return err == nil && fi.Mode().IsRegular()
}

// Create makes a new store in dir (created if missing) protected by
// passphrase, and returns it unlocked with the recovery key, which must be
// shown to the user once: it is not stored anywhere in clear.
func Create(dir string, passphrase []byte) (st *Store, recoveryKey string, err error) {
	return CreateWith(dir, passphrase, Options{})
}

// CreateWith is Create with options.
func CreateWith(dir string, passphrase []byte, o Options) (*Store, string, error) {
	if len(passphrase) == 0 {
		return nil, "", ErrEmptyPassphrase
	}
	if err := survey.CheckPassphrase(passphrase); err != nil {
		return nil, "", err
	}
	if Exists(dir) {
		return nil, "", ErrStoreExists
	}
	if err := secureDir(dir); err != nil {
		return nil, "", fmt.Errorf("localdb: cannot create the data folder: %w", err)
	}
	data := randBytes(keySize)
	pw, err := wrapPassphrase(data, passphrase, o.kdf())
	if err != nil {
		return nil, "", err
	}
	rk, rkText := newRecoveryKey()
	rw, err := wrapRecovery(data, rk)
	clear(rk)
	if err != nil {
		return nil, "", err
	}
	// Build the database under a temporary name and rename it into place, so
	// a crash during creation never leaves a store without its key wraps.
	tmp := dbPath(dir) + ".new"
	for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
		os.Remove(p)
	}
	if err := precreate(tmp); err != nil {
		return nil, "", err
	}
	if err := initDB(tmp, o, pw, rw); err != nil {
		os.Remove(tmp)
		return nil, "", err
	}
	if err := os.Rename(tmp, dbPath(dir)); err != nil {
		return nil, "", fmt.Errorf("localdb: %w", err)
	}
	syncDir(dir)
	st, err := unlock(dir, o, func(slots map[string]*keySlot) ([]byte, error) {
		return append([]byte(nil), data...), nil
	}, "create")
	clear(data)
	if err != nil {
		return nil, "", err
	}
	return st, rkText, nil
}

func initDB(path string, o Options, slots ...*keySlot) error {
	w, r, err := openDB(path)
	if err != nil {
		return err
	}
	r.Close()
	defer w.Close()
	ctx := context.Background()
	upTo := -1
	if o.schema > 0 {
		upTo = o.schema
	}
	if err := migrate(ctx, w, upTo); err != nil {
		return err
	}
	tx, err := w.Begin()
	if err != nil {
		return dbError("create", err)
	}
	defer tx.Rollback()
	for _, s := range slots {
		if err := putSlot(ctx, tx, s); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(`INSERT INTO store_meta(key, value) VALUES ('store_id', ?), ('created', ?)`,
		uuid.NewString(), o.now().UTC().Format(time.RFC3339)); err != nil {
		return dbError("create", err)
	}
	if err := tx.Commit(); err != nil {
		return dbError("create", err)
	}
	// Leave no WAL behind: the file renamed into place must be complete.
	if _, err := w.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return dbError("create", err)
	}
	return nil
}

func putSlot(ctx context.Context, tx *sql.Tx, s *keySlot) error {
	body, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO keyslots(slot, body) VALUES (?, ?)
		ON CONFLICT(slot) DO UPDATE SET body = excluded.body`, s.Slot, body)
	return dbError("key slot", err)
}

// querier is what *sql.DB and *sql.Tx share for reading.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func readSlots(ctx context.Context, db querier) (map[string]*keySlot, error) {
	rows, err := db.QueryContext(ctx, `SELECT slot, body FROM keyslots`)
	if err != nil {
		return nil, dbError("key slots", err)
	}
	defer rows.Close()
	out := map[string]*keySlot{}
	for rows.Next() {
		var name string
		var body []byte
		if err := rows.Scan(&name, &body); err != nil {
			return nil, dbError("key slots", err)
		}
		var s keySlot
		if err := json.Unmarshal(body, &s); err != nil || s.Slot != name {
			return nil, fmt.Errorf("%w: slot %q", ErrBadKeyFile, name)
		}
		out[name] = &s
	}
	return out, dbError("key slots", rows.Err())
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Open unlocks the store in dir with the passphrase. A wrong passphrase gives
// ErrWrongPassphrase, whose message points to the recovery key.
func Open(dir string, passphrase []byte) (*Store, error) {
	return OpenWith(dir, passphrase, Options{})
}

// OpenWith is Open with options (the KDF options apply to a later
// ChangePassphrase; the stored wrap carries its own parameters).
func OpenWith(dir string, passphrase []byte, o Options) (*Store, error) {
	if len(passphrase) == 0 {
		return nil, ErrWrongPassphrase
	}
	return unlock(dir, o, func(slots map[string]*keySlot) ([]byte, error) {
		s := slots[slotPassphrase]
		if s == nil {
			return nil, fmt.Errorf("%w: no passphrase slot", ErrBadKeyFile)
		}
		return s.unwrap(passphrase)
	}, "unlock")
}

// OpenWithRecovery unlocks the store with the recovery key printed by
// Create. Set a new passphrase with ChangePassphrase(nil, new) afterwards.
func OpenWithRecovery(dir, recoveryKey string) (*Store, error) {
	return OpenWithRecoveryOpts(dir, recoveryKey, Options{})
}

// OpenWithRecoveryOpts is OpenWithRecovery with options.
func OpenWithRecoveryOpts(dir, recoveryKey string, o Options) (*Store, error) {
	rk, err := parseRecoveryKey(recoveryKey)
	if err != nil {
		return nil, err
	}
	defer clear(rk)
	st, err := unlock(dir, o, func(slots map[string]*keySlot) ([]byte, error) {
		s := slots[slotRecovery]
		if s == nil {
			return nil, fmt.Errorf("%w: no recovery slot", ErrBadKeyFile)
		}
		return s.unwrap(rk)
	}, "unlock-recovery")
	if err != nil {
		return nil, err
	}
	st.recovered = true
	return st, nil
}

func unlock(dir string, o Options, unwrap func(map[string]*keySlot) ([]byte, error), action string) (*Store, error) {
	if !Exists(dir) {
		return nil, ErrNoStore
	}
	// A store made before modes were enforced, or copied into place, is
	// made its owner's only before it is read; a store of another user's
	// (read by an administrator) is opened as it is.
	_ = secureDir(dir)
	_ = secureDB(dbPath(dir))
	ctx := context.Background()
	w, r, err := openDB(dbPath(dir))
	if err != nil {
		return nil, err
	}
	st := &Store{dir: dir, opts: o, w: w, r: r}
	fail := func(err error) (*Store, error) {
		w.Close()
		r.Close()
		return nil, err
	}
	var v int
	if err := w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fail(dbError("open", err))
	}
	if v > SchemaVersion() {
		return fail(fmt.Errorf("%w (schema %d > %d)", ErrSchemaTooNew, v, SchemaVersion()))
	}
	if v == 0 {
		return fail(ErrNoStore)
	}
	slots, err := readSlots(ctx, w)
	if err != nil {
		return fail(err)
	}
	data, err := unwrap(slots)
	if err != nil {
		return fail(err)
	}
	if st.k, err = deriveKeys(data); err != nil {
		clear(data)
		return fail(err)
	}
	upTo := -1
	if o.schema > 0 {
		upTo = o.schema
	}
	if err := migrate(ctx, w, upTo); err != nil {
		st.k.wipe()
		return fail(err)
	}
	if err := st.ensureBlindIndex(ctx); err != nil {
		st.k.wipe()
		return fail(err)
	}
	if err := st.loadIndex(ctx); err != nil {
		st.k.wipe()
		return fail(err)
	}
	if err := st.audit(ctx, "", action, "", "", ""); err != nil {
		st.k.wipe()
		return fail(err)
	}
	st.Touch()
	return st, nil
}

// Dir is the data folder of the store.
func (s *Store) Dir() string { return s.dir }

// Lock wipes the keys and the in-memory index and closes the database. It is
// safe to call more than once.
func (s *Store) Lock() error {
	s.idleMu.Lock()
	if s.idleTimer != nil {
		s.idleTimer.Stop()
		s.idleTimer = nil
	}
	s.idleMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.k == nil {
		return nil
	}
	s.k.wipe()
	s.k = nil
	s.idx = nil
	// A checkpoint on close folds the WAL into the database, so the folder
	// holds one file when the laptop is shut.
	s.stmts.close()
	err1 := s.r.Close()
	err2 := s.w.Close()
	return dbError("close", errors.Join(err1, err2))
}

// Close is Lock: keys leave memory when the app quits.
func (s *Store) Close() error { return s.Lock() }

// Locked reports whether the store has been locked.
func (s *Store) Locked() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.k == nil
}

// SetIdleLock locks the store after d without Touch, then calls onLock (from
// another goroutine: a UI must hop to its own thread). d <= 0 turns it off.
func (s *Store) SetIdleLock(d time.Duration, onLock func()) {
	s.idleMu.Lock()
	defer s.idleMu.Unlock()
	s.idle, s.onLock = d, onLock
	if s.idleTimer != nil {
		s.idleTimer.Stop()
		s.idleTimer = nil
	}
	if d > 0 {
		s.Touch()
		s.idleTimer = time.AfterFunc(d, s.idleCheck)
	}
}

// Touch records user activity; it is cheap enough to call on every key press.
func (s *Store) Touch() { s.lastTouch.Store(time.Now().UnixNano()) }

func (s *Store) idleCheck() {
	s.idleMu.Lock()
	d, cb := s.idle, s.onLock
	if s.idleTimer == nil || d <= 0 {
		s.idleMu.Unlock()
		return
	}
	rest := d - time.Since(time.Unix(0, s.lastTouch.Load()))
	if rest > 0 {
		s.idleTimer.Reset(rest)
		s.idleMu.Unlock()
		return
	}
	s.idleMu.Unlock()
	s.Lock()
	if cb != nil {
		cb()
	}
}

// begin takes the read side of mu and checks the store is unlocked; the
// caller must call the returned release.
func (s *Store) begin() (release func(), err error) {
	s.mu.RLock()
	if s.k == nil {
		s.mu.RUnlock()
		return nil, ErrLocked
	}
	return s.mu.RUnlock, nil
}

// ChangePassphrase rewrites the passphrase wrap of the data key, in one
// transaction: the data, the recovery key and the backups made before stay
// as they are (old backups keep opening with the old passphrase). old must be
// the current passphrase, unless the store was opened with the recovery key,
// when old is ignored.
func (s *Store) ChangePassphrase(old, new []byte) error {
	if len(new) == 0 {
		return ErrEmptyPassphrase
	}
	if err := survey.CheckPassphrase(new); err != nil {
		return err
	}
	ctx := context.Background()
	err := s.writeTx(ctx, "change passphrase", func(tx *sql.Tx) error {
		if !s.recovered {
			slots, err := readSlots(ctx, tx)
			if err != nil {
				return err
			}
			cur := slots[slotPassphrase]
			if cur == nil {
				return fmt.Errorf("%w: no passphrase slot", ErrBadKeyFile)
			}
			data, err := cur.unwrap(old)
			if err != nil {
				return err
			}
			clear(data)
		}
		slot, err := wrapPassphrase(s.k.data, new, s.opts.kdf())
		if err != nil {
			return err
		}
		if err := putSlot(ctx, tx, slot); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, "", "change-passphrase", "", "", "")
	})
	if err == nil {
		s.recovered = false
	}
	return err
}

// writeTx runs fn in a write transaction of the unlocked store and commits.
func (s *Store) writeTx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	release, err := s.begin()
	if err != nil {
		return err
	}
	defer release()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return dbError(op, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return dbError(op, tx.Commit())
}

// sqlLimit maps "no limit" (<= 0) to SQLite's LIMIT -1.
func sqlLimit(limit int) int {
	if limit <= 0 {
		return -1
	}
	return limit
}

func (s *Store) now() time.Time { return s.opts.now() }

func unixMilli(t time.Time) int64 { return t.UnixMilli() }

func fromMilli(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
