// Package localdb is the encrypted local store of the desktop app: SQLite
// (modernc.org/sqlite, no cgo) in one file, dir/sinba.db, in WAL mode, with
// one writer connection beside a read pool and embedded migrations.
//
// # Keys
//
// A random 256-bit data key is wrapped twice: by a key derived from the
// passphrase with Argon2id (parameters stored beside the wrap, bounded when
// unwrapping) and by a recovery key shown once by Create. Changing the
// passphrase rewrites only its wrap, in one transaction. The sealing key
// and the blind-index key are derived from the data key with HKDF.
//
// # What is sealed
//
// Every payload is sealed with XChaCha20-Poly1305 and associated data that
// binds it to its row (kind, ids and the plain columns that describe it), so
// rows cannot be swapped or relabelled: revisions (answers, notes, identity,
// review comments, actor), record summaries, the audit trail, receipts and
// secrets. Only ids, instrument and version, municipality code, status,
// timestamps and sync state are plain; README.md lists each column and why.
//
// # Records
//
// Save writes a new immutable revision on top of a record's head and queues
// it in the outbox; History returns every revision. ApplyRemote takes
// versions received by sync and, when one does not build on the head, keeps
// both and flags the record in conflict until Resolve. List searches an
// in-memory index built at unlock and dropped at lock; Lookup finds a child
// by exact codice fiscale or pseudonym through a keyed blind index (HMAC).
//
// # Locking
//
// Lock (and Close, and the idle timer of SetIdleLock) wipes the keys and the
// index and closes the database; every method then returns ErrLocked.
//
// # Errors
//
// Errors meant for a person (ErrWrongPassphrase, ErrTampered, ErrDiskFull,
// ...) carry an Italian and an English message that says what to do. A row
// that fails authentication is reported as ErrTampered (a *TamperError) and
// does not make the rest of the store unreadable.
package localdb
