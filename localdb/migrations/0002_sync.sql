-- What sync keeps on the laptop: the server's receipts and sealed settings
-- (device keys, server address, cursors, project and team secrets).

CREATE TABLE receipts (
	id   TEXT PRIMARY KEY,
	at   INTEGER NOT NULL,
	body BLOB NOT NULL -- sealed
) STRICT;

CREATE TABLE secrets (
	key   TEXT PRIMARY KEY,
	value BLOB NOT NULL -- sealed
) STRICT;

CREATE INDEX records_updated ON records(updated);
