-- The record store: key wraps, records with every revision, the outbox and
-- the audit trail. Columns named payload, summary and body hold ciphertext
-- (XChaCha20-Poly1305); every other column is plain by design and is listed,
-- with the reason, in localdb/README.md.

CREATE TABLE store_meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;

-- One row per wrap of the data key: slot 'passphrase' or 'recovery'. The
-- body is JSON of KDF parameters, salt and the wrapped (encrypted) data key.
CREATE TABLE keyslots (
	slot TEXT PRIMARY KEY,
	body BLOB NOT NULL
) STRICT;

-- Foreign keys are deferred to commit: a save writes the revision and its
-- record in one transaction, in whichever order is simplest.

-- One row per record: its current head and, in conflict, the other head.
CREATE TABLE records (
	id                 TEXT PRIMARY KEY,
	instrument         TEXT NOT NULL,
	instrument_version INTEGER NOT NULL,
	municipality       TEXT NOT NULL,
	status             TEXT NOT NULL,
	head               TEXT NOT NULL,
	other_head         TEXT NOT NULL DEFAULT '',
	created            INTEGER NOT NULL, -- unix milliseconds
	updated            INTEGER NOT NULL,
	summary            BLOB NOT NULL     -- sealed: label, codice fiscale, pseudonym
) STRICT;

-- Every saved version of every record, never updated except for sync state.
CREATE TABLE revisions (
	revision           TEXT PRIMARY KEY,
	record_id          TEXT NOT NULL REFERENCES records(id) DEFERRABLE INITIALLY DEFERRED,
	base               TEXT NOT NULL DEFAULT '',
	merged             TEXT NOT NULL DEFAULT '',
	instrument         TEXT NOT NULL,
	instrument_version INTEGER NOT NULL,
	municipality       TEXT NOT NULL,
	status             TEXT NOT NULL,
	origin             TEXT NOT NULL DEFAULT '',
	sync_state         TEXT NOT NULL,
	receipt_id         TEXT NOT NULL DEFAULT '',
	saved_at           INTEGER NOT NULL,
	payload            BLOB NOT NULL     -- sealed: answers, notes, identity, comments, actor
) STRICT;
CREATE INDEX revisions_record ON revisions(record_id, saved_at);

-- What sync still has to send, oldest first.
CREATE TABLE outbox (
	seq      INTEGER PRIMARY KEY AUTOINCREMENT,
	revision TEXT NOT NULL UNIQUE REFERENCES revisions(revision) DEFERRABLE INITIALLY DEFERRED
) STRICT;

-- Keyed HMAC tags of the normalised codice fiscale and pseudonym.
CREATE TABLE blind_index (
	tag       BLOB NOT NULL,
	record_id TEXT NOT NULL REFERENCES records(id) DEFERRABLE INITIALLY DEFERRED,
	PRIMARY KEY (tag, record_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX blind_index_record ON blind_index(record_id);

-- Who did what and when; all but the time is sealed.
CREATE TABLE audit (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	at      INTEGER NOT NULL,
	payload BLOB NOT NULL
) STRICT;
