-- The server holds the envelope of each revision in clear (what it needs to
-- route, check and count) and the record itself only as age ciphertext.
CREATE TABLE projects (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	recipient TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE TABLE teams (
	id TEXT PRIMARY KEY,
	project_id TEXT NOT NULL REFERENCES projects(id),
	name TEXT NOT NULL,
	recipient TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	UNIQUE (project_id, name)
);
CREATE TABLE researchers (
	id TEXT PRIMARY KEY,
	team_id TEXT NOT NULL REFERENCES teams(id),
	name TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE TABLE enrol_codes (
	hash BLOB PRIMARY KEY,
	researcher_id TEXT NOT NULL REFERENCES researchers(id),
	expires_at INTEGER NOT NULL,
	used_at INTEGER,
	device_id TEXT,
	created_at INTEGER NOT NULL
);
CREATE TABLE devices (
	id TEXT PRIMARY KEY,
	researcher_id TEXT NOT NULL REFERENCES researchers(id),
	team_id TEXT NOT NULL REFERENCES teams(id),
	project_id TEXT NOT NULL REFERENCES projects(id),
	sign_key BLOB NOT NULL,
	recipient TEXT NOT NULL,
	label TEXT NOT NULL,
	enrolled_at INTEGER NOT NULL,
	revoked_at INTEGER,
	last_seen_at INTEGER
);
CREATE TABLE key_grants (
	device_id TEXT PRIMARY KEY REFERENCES devices(id),
	team_id TEXT NOT NULL REFERENCES teams(id),
	wrapped BLOB NOT NULL,
	granted_by TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE TABLE assignments (
	team_id TEXT NOT NULL REFERENCES teams(id),
	municipality TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (team_id, municipality)
);
CREATE TABLE instruments (
	project_id TEXT NOT NULL REFERENCES projects(id),
	instrument TEXT NOT NULL,
	version INTEGER NOT NULL,
	body BLOB NOT NULL,
	published_at INTEGER NOT NULL,
	PRIMARY KEY (project_id, instrument, version)
);
CREATE TABLE records (
	id TEXT PRIMARY KEY,
	project_id TEXT NOT NULL REFERENCES projects(id),
	team_id TEXT NOT NULL REFERENCES teams(id),
	created_at INTEGER NOT NULL
);
CREATE TABLE revisions (
	revision TEXT PRIMARY KEY,
	record_id TEXT NOT NULL REFERENCES records(id),
	base_revision TEXT NOT NULL,
	merged_revision TEXT NOT NULL DEFAULT '',
	device_id TEXT NOT NULL REFERENCES devices(id),
	team_id TEXT NOT NULL REFERENCES teams(id),
	instrument TEXT NOT NULL,
	instrument_version INTEGER NOT NULL,
	municipality TEXT NOT NULL,
	status TEXT NOT NULL,
	saved_at INTEGER NOT NULL,
	received_at INTEGER NOT NULL,
	batch_id TEXT NOT NULL,
	content BLOB NOT NULL,
	content_sha256 BLOB NOT NULL,
	identity BLOB,
	identity_sha256 BLOB,
	size INTEGER NOT NULL,
	conflict INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX revisions_by_base ON revisions (record_id, base_revision);
CREATE TABLE batches (
	id TEXT PRIMARY KEY,
	device_id TEXT NOT NULL REFERENCES devices(id),
	receipt BLOB NOT NULL,
	received_at INTEGER NOT NULL
);
CREATE TABLE reviews (
	id TEXT PRIMARY KEY,
	revision TEXT NOT NULL REFERENCES revisions(revision),
	team_id TEXT NOT NULL REFERENCES teams(id),
	decision TEXT NOT NULL,
	comments BLOB,
	created_at INTEGER NOT NULL
);
-- One cursor per device walks this feed; team_id is NULL for what the whole
-- project sees (instruments).
CREATE TABLE feed (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	project_id TEXT NOT NULL,
	team_id TEXT,
	kind TEXT NOT NULL,
	ref TEXT NOT NULL
);
CREATE INDEX feed_by_project ON feed (project_id, seq);
