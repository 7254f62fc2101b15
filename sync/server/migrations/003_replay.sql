-- Nonces of signed requests, kept until their timestamp leaves the clock
-- window, so a captured request cannot be replayed, before or after a
-- restart.
CREATE TABLE nonces (
	signer TEXT NOT NULL,
	nonce TEXT NOT NULL,
	expires_at INTEGER NOT NULL,
	PRIMARY KEY (signer, nonce)
) WITHOUT ROWID;
CREATE INDEX nonces_by_expiry ON nonces (expires_at);
-- The answers to writes sent with an idempotency key: the same key gets the
-- same answer. The answer is sealed with a key derived from the idempotency
-- key, which the server does not keep, so an enrolment code in an answer is
-- not readable from the database.
CREATE TABLE idempotency (
	id BLOB PRIMARY KEY,
	request_sha256 BLOB NOT NULL,
	status INTEGER NOT NULL,
	answer BLOB NOT NULL,
	created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX idempotency_by_age ON idempotency (created_at);
