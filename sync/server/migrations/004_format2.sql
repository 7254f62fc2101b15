-- Format 2: a batch's header (its keys sealed with age: content for the
-- project and the team, identity for the team alone) is kept once; each
-- revision of the batch names it. Format-1 revisions name none.
CREATE TABLE batch_headers (
	batch_id TEXT PRIMARY KEY,
	device_id TEXT NOT NULL REFERENCES devices(id),
	team_id TEXT NOT NULL REFERENCES teams(id),
	content BLOB NOT NULL,
	identity BLOB,
	created_at INTEGER NOT NULL
);
ALTER TABLE revisions ADD COLUMN header TEXT NOT NULL DEFAULT '';
-- The format of the last batch each device sent (0: none yet).
ALTER TABLE devices ADD COLUMN format INTEGER NOT NULL DEFAULT 0;
-- An instrument version's zstd dictionary, trained on synthetic records.
ALTER TABLE instruments ADD COLUMN dictionary BLOB;
