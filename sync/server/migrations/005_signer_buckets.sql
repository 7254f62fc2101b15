-- The rate bucket of each verified signer (a laptop or a coordinator's
-- app), in the store rather than in one process, so that every server
-- process on the same database draws on the same bucket. A row exists only
-- for a signer whose signature was verified: requests without one leave
-- nothing here.
CREATE TABLE signer_buckets (
	signer TEXT PRIMARY KEY,
	tokens REAL NOT NULL,
	at REAL NOT NULL
) WITHOUT ROWID;
