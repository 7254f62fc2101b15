-- The coordinators' apps: enrolled like laptops, with their own codes, and
-- refused the laptops' endpoints (and the other way round).
CREATE TABLE coordinators (
	id TEXT PRIMARY KEY,
	project_id TEXT NOT NULL REFERENCES projects(id),
	sign_key BLOB NOT NULL,
	recipient TEXT NOT NULL,
	label TEXT NOT NULL,
	enrolled_at INTEGER NOT NULL,
	revoked_at INTEGER,
	last_seen_at INTEGER
);
-- A coordinator code names an existing project, or (project_id NULL) the
-- name of a project that spending the code creates with the key the
-- coordinator's app made.
CREATE TABLE coord_codes (
	hash BLOB PRIMARY KEY,
	project_id TEXT REFERENCES projects(id),
	project_name TEXT NOT NULL DEFAULT '',
	expires_at INTEGER NOT NULL,
	used_at INTEGER,
	coordinator_id TEXT,
	created_at INTEGER NOT NULL
);
-- The pseudonym secret: once sealed for the project key (the coordinators),
-- and once per laptop sealed for its device key. The server cannot open any.
ALTER TABLE projects ADD COLUMN secret BLOB;
CREATE TABLE secret_grants (
	device_id TEXT PRIMARY KEY REFERENCES devices(id),
	project_id TEXT NOT NULL REFERENCES projects(id),
	wrapped BLOB NOT NULL,
	granted_by TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX feed_by_kind ON feed (project_id, kind, seq);
